package trust_test

import (
	"strings"
	"testing"

	"github.com/irsalint/irsalint/analyzer/iam"
	"github.com/irsalint/irsalint/analyzer/source"
	"github.com/irsalint/irsalint/analyzer/trust"
)

const (
	issuer   = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
	provider = "arn:aws:iam::743263909644:oidc-provider/" + issuer
)

func policy(t *testing.T, statements string) map[string]any {
	t.Helper()
	docs, err := source.Decode([]byte(`{"Version": "2012-10-17", "Statement": [` + statements + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	p := iam.ReadTrustPolicy(docs[0])
	if p["lossy"] == true {
		t.Fatalf("lossy policy: %v", p["problems"])
	}
	return p
}

func allow(conditions string) string {
	return `{"Effect": "Allow", "Principal": {"Federated": "` + provider + `"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {` + conditions + `}}`
}

// request is a pod's token for ServiceAccount sub, with audience aud ("":
// the token has no sub claim).
func request(sub, aud string) trust.Request {
	key := strings.ToLower(issuer)
	ctx := map[string][]string{key + ":aud": {aud}}
	if sub != "" {
		ctx[key+":sub"] = []string{sub}
	}
	return trust.Request{Action: trust.WebIdentityAction, Principal: trust.Principal{Type: "Federated", Value: provider}, Context: ctx}
}

func TestDecide(t *testing.T) {
	const cart = "system:serviceaccount:shop:cart"
	sub := func(op, values string) string { return `"` + op + `": {"` + issuer + `:sub": ` + values + `}` }
	for _, tc := range []struct {
		name, statements, sub, aud string
		want                       trust.Decision
	}{
		{"exact subject", allow(sub("StringEquals", `"`+cart+`"`)), cart, "sts.amazonaws.com", trust.Allow},
		{"other subject", allow(sub("StringEquals", `"system:serviceaccount:shop:api"`)), cart, "sts.amazonaws.com", trust.ImplicitDeny},
		{"StringEquals compares * literally", allow(sub("StringEquals", `"system:serviceaccount:shop:*"`)), cart, "sts.amazonaws.com", trust.ImplicitDeny},
		{"StringLike * crosses colons", allow(sub("StringLike", `"system:*:cart"`)), cart, "sts.amazonaws.com", trust.Allow},
		{"StringLike ? is one character", allow(sub("StringLike", `"system:serviceaccount:sh?p:ca?t"`)), cart, "sts.amazonaws.com", trust.Allow},
		{"values are case-sensitive", allow(sub("StringEquals", `"system:serviceaccount:Shop:cart"`)), cart, "sts.amazonaws.com", trust.ImplicitDeny},
		{"IgnoreCase", allow(sub("StringEqualsIgnoreCase", `"system:serviceaccount:Shop:cart"`)), cart, "sts.amazonaws.com", trust.Allow},
		{"condition keys are case-insensitive", allow(`"StringEquals": {"` + strings.ToUpper(issuer[:4]) + issuer[4:] + `:sub": "` + cart + `"}`), cart, "sts.amazonaws.com", trust.Allow},
		{"negated alone admits every other subject", allow(sub("StringNotEquals", `"system:serviceaccount:shop:api"`)), cart, "sts.amazonaws.com", trust.Allow},
		{"negated on a missing key passes", allow(sub("StringNotEquals", `"x"`)), "", "sts.amazonaws.com", trust.Allow},
		{"positive on a missing key fails", allow(sub("StringEquals", `"`+cart+`"`)), "", "sts.amazonaws.com", trust.ImplicitDeny},
		{"IfExists on a missing key passes", allow(sub("StringEqualsIfExists", `"x"`)), "", "sts.amazonaws.com", trust.Allow},
		{"ForAllValues on a missing key passes", allow(sub("ForAllValues:StringEquals", `"x"`)), "", "sts.amazonaws.com", trust.Allow},
		{"ForAnyValue on a missing key fails", allow(sub("ForAnyValue:StringEquals", `"x"`)), "", "sts.amazonaws.com", trust.ImplicitDeny},
		{"Null true: the key is absent", allow(sub("Null", `"true"`)), "", "sts.amazonaws.com", trust.Allow},
		{"Null false: the key is present", allow(sub("Null", `"false"`)), "", "sts.amazonaws.com", trust.ImplicitDeny},
		{"audience", allow(`"StringEquals": {"` + issuer + `:aud": "sts.amazonaws.com"}`), cart, "vault", trust.ImplicitDeny},
		{"explicit Deny wins", allow(sub("StringLike", `"*"`)) + `, {"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Condition": {` + sub("StringEquals", `"`+cart+`"`) + `}}`, cart, "sts.amazonaws.com", trust.Deny},
		{"NotAction", `{"Effect": "Allow", "Principal": {"Federated": "` + provider + `"}, "NotAction": "sts:AssumeRole"}`, cart, "sts.amazonaws.com", trust.Allow},
		{"another provider", `{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::743263909644:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X"}, "Action": "sts:AssumeRoleWithWebIdentity"}`, cart, "sts.amazonaws.com", trust.ImplicitDeny},
		{"AWS * is any principal", `{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRoleWithWebIdentity"}`, cart, "sts.amazonaws.com", trust.Allow},
		{"ArnLike matches part by part", allow(`"ArnLike": {"` + issuer + `:aud": "arn:aws:*:*:*:x"}`), cart, "arn:aws:iam::1:x", trust.Allow},
		// Numbers, dates and addresses are parsed the Rego library's
		// way: on a key the request carries, left to it.
		{"Numeric on a present key", allow(`"NumericLessThan": {"` + issuer + `:aud": "10"}`), cart, "3", trust.Unknown},
		{"Numeric on a missing key", allow(`"NumericLessThan": {"` + issuer + `:amr": "10"}`), cart, "3", trust.ImplicitDeny},
		{"an applying Deny settles what is left undecided", allow(`"DateGreaterThan": {"`+issuer+`:aud": "2020-01-01"}`) + `, {"Effect": "Deny", "Principal": "*", "Action": "*"}`, cart, "x", trust.Deny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := trust.Decide(policy(t, tc.statements), request(tc.sub, tc.aud)); got != tc.want {
				t.Errorf("Decide = %q, want %q", got, tc.want)
			}
		})
	}
}
