package irsalint.rules.cluster["oidc-provider-audience-missing_test"]

import data.irsalint.rules.cluster["oidc-provider-audience-missing"] as rule

issuer := "oidc.eks.us-west-2.amazonaws.com/id/5C3E8A1F0B7D4E2A9C6B1D0E8F7A6B5C"

arn := sprintf("arn:aws:iam::111122223333:oidc-provider/%s", [issuer])

sa(name, annotations) := {
	"ref": sprintf("sa-%s", [name]), "key": sprintf("shop/%s", [name]), "name": name, "namespace": "shop",
	"kind": "ServiceAccount", "declared": true,
	"annotations": object.union({"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/x"}, annotations),
}

inv(client_ids, sas) := {
	"cluster": {"name": "demo", "oidcIssuer": null},
	"clusters": {"demo": {"ref": "c", "name": "demo", "issuer": issuer}},
	"oidcProviders": {arn: {"ref": "provider.json#0", "arn": arn, "issuer": issuer, "account": "111122223333", "clientIds": client_ids}},
	"serviceAccounts": sas,
}

test_missing_default_audience_without_irsa_users if {
	findings := rule.deny with input as inv(["sigstore"], {})
	count(findings) == 1
	some f in findings
	f.ref == "provider.json#0"
	f.at == ["ClientIDList"]
	contains(f.message, "lists client IDs [sigstore], not \"sts.amazonaws.com\"")
	contains(f.message, "the tokens IRSA issues by default")
}

test_a_custom_audience_the_provider_lacks if {
	sas := {"shop/cart": sa("cart", {}), "shop/feed": sa("feed", {"eks.amazonaws.com/audience": "feed.example.com"})}
	findings := rule.deny with input as inv(["sts.amazonaws.com"], sas)
	count(findings) == 1
	some f in findings
	contains(f.message, "not \"feed.example.com\"")
	contains(f.message, "the tokens of shop/feed")
	f.related[0].ref == "sa-feed"
}

test_every_audience_listed_is_quiet if {
	sas := {"shop/cart": sa("cart", {})}
	count(rule.deny) == 0 with input as inv(["sts.amazonaws.com"], sas)
	count(rule.deny) == 0 with input as inv(["sts.amazonaws.com"], {})
}

test_a_listed_only_provider_is_not_judged if {
	count(rule.deny) == 0 with input as inv(null, {})
}

test_a_provider_of_another_issuer_is_not_judged if {
	doc := json.patch(inv([], {}), [{"op": "replace", "path": "/clusters/demo/issuer", "value": "oidc.eks.us-west-2.amazonaws.com/id/OTHER"}])
	count(rule.deny) == 0 with input as doc
}
