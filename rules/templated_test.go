package rules_test

import (
	"testing"

	"github.com/irsalint/irsalint/analyzer/k8s"
)

// The Kubernetes reader's notice and role-arn-invalid's silence must agree
// on what is a placeholder: k8s.Templated in Go, arn.templated in Rego.
func TestTemplatedAgreesWithTheReader(t *testing.T) {
	values := []string{
		"{{ .Values.serviceAccount.roleArn }}",
		"arn:aws:iam::{{ .Values.account }}:role/app",
		"${ROLE_ARN}",
		"arn:aws:iam::${ACCOUNT_ID}:role/app",
		"$(ROLE_ARN)",
		"arn:aws:iam::<ACCOUNT_ID>:role/app",
		"arn:aws:iam::<account id>:role/app",
		"arn:aws:iam::xxxxxxxxxxxx:role/alb-controller",
		"arn:aws:iam::ACCOUNT_ID:role/app",
		"arn:aws:iam::AWS_ACCOUNT_ID:role/app",
		// Real values, and mistakes that are not placeholders.
		"arn:aws:iam::111122223333:role/app",
		"arn:aws:iam::111122223333:role/pay$role",
		"$(not a var)",
		"",
		"arn:aws:iam::foo:role/app",
		"arn:aws:iam::12345:role/app",
		"arn:aws:iam::xxxx:role/app",
		"arn:aws:iam::111122223333:role/a<b",
	}
	const placeholders = 10 // the first ten are
	for i, v := range values {
		rego := query(t, "data.irsalint.lib.arn.templated(input.v)", map[string]any{"v": v}) == true
		if goSays := k8s.Templated(v); rego != goSays || goSays != (i < placeholders) {
			t.Errorf("%q: Rego templated %t, k8s.Templated %t, want %t", v, rego, goSays, i < placeholders)
		}
	}
}
