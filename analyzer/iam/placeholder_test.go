package iam

import "testing"

func TestPlaceholder(t *testing.T) {
	for s, want := range map[string]string{
		"$OIDC_PROVIDER:sub":                      "$OIDC_PROVIDER",
		"${OIDC_PROVIDER}:aud":                    "${OIDC_PROVIDER}",
		"system:serviceaccount:$(NS):app":         "$(NS)",
		"{{ .Values.issuer }}:sub":                "{{",
		"arn:aws:iam::<ACCOUNT_ID>:oidc-provider": "<ACCOUNT_ID>",
		"arn:aws:iam::xxxxxxxxxxxx:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X":   "xxxxxxxxxxxx",
		"arn:aws:iam::ACCOUNT_ID:oidc-provider/x":                                         "ACCOUNT_ID",
		`${replace(aws_eks_cluster.this.identity[0].oidc[0].issuer, "https://", "")}:sub`: `${replace(aws_eks_cluster.this.identity[0].oidc[0].issuer, "https://", "")}`,
		"repo:${Org}/*": "${Org}",
		// IAM's own policy variables are values of the policy language.
		"home/${aws:username}/*":                "",
		"${www.amazon.com:user_id}":             "",
		"${aws:PrincipalTag/team, 'unknown'}/x": "",
		"a${*}b${?}c${$}":                       "",
		"system:serviceaccount:prod:app":        "",
		"oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56:sub":    "",
		"arn:aws:iam::743263909644:oidc-provider/token.actions.githubusercontent.com": "",
	} {
		got, ok := placeholder(s)
		if got != want || ok != (want != "") {
			t.Errorf("placeholder(%q) = %q, %v; want %q", s, got, ok, want)
		}
	}
}

func TestPlaceholdersMarkStatementsAndConditions(t *testing.T) {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{
			map[string]any{
				"Effect":    "Allow",
				"Principal": map[string]any{"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
				"Action":    "sts:AssumeRoleWithWebIdentity",
				"Condition": map[string]any{"StringLike": map[string]any{"token.actions.githubusercontent.com:sub": "repo:${Org}/*"}},
			},
			map[string]any{
				"Effect":    "Allow",
				"Principal": map[string]any{"Federated": "arn:aws:iam::111122223333:oidc-provider/x"},
				"Action":    "sts:AssumeRoleWithWebIdentity",
				"Condition": map[string]any{"StringEquals": map[string]any{"$OIDC_PROVIDER:sub": "system:serviceaccount:a:b"}},
			},
		},
	}
	tp := readTrustPolicy(doc, []any{}, nil, false, roleARN{})
	if tp["unrendered"] != true || len(tp["placeholders"].([]any)) != 2 {
		t.Fatalf("unrendered %v, placeholders %v", tp["unrendered"], tp["placeholders"])
	}
	st := tp["statements"].([]any)
	first, second := st[0].(map[string]any), st[1].(map[string]any)
	if first["unrendered"] != false || first["conditions"].([]any)[0].(map[string]any)["unrendered"] != true {
		t.Errorf("a placeholder in a value marks the condition only: %v", first)
	}
	if second["unrendered"] != true {
		t.Errorf("a placeholder in a key marks the statement: %v", second)
	}
}

// A role whose ARN writes its account as a placeholder, trusting a provider
// ARN with the same placeholder, trusts its own account's provider: the
// statement is judged. Another placeholder there still is an unknown.
func TestRoleOwnAccountPlaceholder(t *testing.T) {
	const self = "${data.aws_caller_identity.current.account_id}"
	trust := func(provider string) map[string]any {
		return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"Federated": provider},
			"Action":    "sts:AssumeRoleWithWebIdentity",
			"Condition": map[string]any{"StringEquals": map[string]any{"oidc.eks.us-west-2.amazonaws.com/id/AB:sub": "system:serviceaccount:a:b"}},
		}}}
	}
	own := readTrustPolicy(trust("arn:aws:iam::"+self+":oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/AB"), []any{}, nil, false, roleARN{partition: "aws", account: self})
	if own["unrendered"] != false || own["statements"].([]any)[0].(map[string]any)["unrendered"] != false {
		t.Errorf("the role's own account is not an unknown: %v", own)
	}
	other := readTrustPolicy(trust("arn:aws:iam::${var.account}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/AB"), []any{}, nil, false, roleARN{partition: "aws", account: self})
	if other["statements"].([]any)[0].(map[string]any)["unrendered"] != true {
		t.Errorf("another placeholder is an unknown: %v", other)
	}
	literal := readTrustPolicy(trust("arn:aws:iam::"+self+":oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/AB"), []any{}, nil, false, roleARN{partition: "aws", account: "111122223333"})
	if literal["statements"].([]any)[0].(map[string]any)["unrendered"] != true {
		t.Errorf("a role of a known account does not make the placeholder its own: %v", literal)
	}
}
