package irsalint.rules.cluster["oidc-provider-missing_test"]

import data.irsalint.rules.cluster["oidc-provider-missing"] as rule

issuer := "oidc.eks.us-west-2.amazonaws.com/id/5C3E8A1F0B7D4E2A9C6B1D0E8F7A6B5C"

sa(name, role) := {
	"ref": sprintf("sa-%s", [name]), "key": sprintf("shop/%s", [name]), "name": name, "namespace": "shop",
	"kind": "ServiceAccount", "declared": true, "annotations": {"eks.amazonaws.com/role-arn": role},
}

inv(known) := {
	"cluster": {"name": "demo", "oidcIssuer": issuer, "accountId": "111122223333"},
	"clusters": {"demo": {"ref": "cluster.json#0.cluster", "name": "demo", "issuer": issuer}},
	"facts": {"oidcProviderList": true},
	"oidcProviders": known,
	"serviceAccounts": {
		"shop/cart": sa("cart", "arn:aws:iam::111122223333:role/cart"),
		"shop/feed": sa("feed", "arn:aws:iam::444455556666:role/feed"),
	},
}

provider(i, account) := {"ref": "p", "arn": sprintf("arn:aws:iam::%s:oidc-provider/%s", [account, i]), "issuer": i, "account": account}

test_no_provider_for_the_issuer_is_reported_at_the_cluster if {
	findings := rule.deny with input as inv({})
	count(findings) == 1
	some f in findings
	f.ref == "cluster.json#0.cluster"
	f.at == ["identity", "oidc", "issuer"]
	contains(f.message, "has no IAM OIDC provider in account 111122223333")
	contains(f.message, "1 ServiceAccount using IRSA roles of that account (shop/cart)")
	f.related[0].ref == "sa-cart"
}

test_a_provider_of_the_issuer_any_case_is_quiet if {
	p := provider(lower(issuer), "111122223333")
	count(rule.deny) == 0 with input as inv({p.arn: p})
}

test_a_provider_in_another_account_does_not_count if {
	p := provider(issuer, "444455556666")
	count(rule.deny) == 1 with input as inv({p.arn: p})
}

test_without_a_provider_list_nothing_is_said if {
	count(rule.deny) == 0 with input as json.patch(inv({}), [{"op": "replace", "path": "/facts/oidcProviderList", "value": false}])
}

test_no_irsa_user_in_the_account_is_quiet if {
	doc := json.remove(inv({}), ["serviceAccounts/shop~1cart"])
	count(rule.deny) == 0 with input as doc
}

test_configured_issuer_only_points_at_the_first_user if {
	doc := json.patch(inv({}), [{"op": "replace", "path": "/clusters", "value": {}}])
	findings := rule.deny with input as doc
	some f in findings
	f.ref == "sa-cart"
	f.at == ["metadata", "annotations", "eks.amazonaws.com/role-arn"]
	f.related == []
}
