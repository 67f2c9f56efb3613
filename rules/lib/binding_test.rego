package irsalint.lib.binding_test

import data.irsalint.lib.binding

# Whole-inventory behaviour (verdicts with a configured or inferred issuer,
# links, admitted subjects) is tested on real files in rules/binding_test.go.

sa := {"namespace": "shop", "name": "cart", "key": "shop/cart", "annotations": {}}

role := {"partition": "aws", "account": "111122223333"}

issuer := "oidc.eks.us-west-2.amazonaws.com/id/ABC"

test_subject_and_default_audience if {
	binding.subject(sa) == "system:serviceaccount:shop:cart"
	binding.audience(sa) == "sts.amazonaws.com"
	binding.audience(object.union(sa, {"annotations": {"eks.amazonaws.com/audience": "custom"}})) == "custom"
	binding.audience(object.union(sa, {"annotations": {"eks.amazonaws.com/audience": ""}})) == "sts.amazonaws.com"
}

test_request_names_the_provider_in_the_role_account if {
	r := binding.sa_request(sa, role, issuer)
	r.principal == {"type": "Federated", "value": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC"}
	r.context["oidc.eks.us-west-2.amazonaws.com/id/abc:sub"] == ["system:serviceaccount:shop:cart"]
	r.context["oidc.eks.us-west-2.amazonaws.com/id/abc:aud"] == ["sts.amazonaws.com"]
}

test_configured_issuer_wins if {
	binding.this_cluster == {"issuers": {issuer}, "inferred": false} with input as {"cluster": {"oidcIssuer": issuer}, "serviceAccounts": {}, "roles": {}}
	binding.this_cluster == {"issuers": set(), "inferred": true} with input as {"cluster": {"oidcIssuer": null}, "serviceAccounts": {}, "roles": {}}
}

test_identity_of_an_object_without_containers_is_partial if {
	row := binding.identity_row({
		"ref": "p", "kind": "Deployment", "namespace": "shop", "name": "api",
		"serviceAccount": {"name": "api", "key": "shop/api"}, "containers": [],
	})
	row.verdict == "partial"
	row.detail == "not a workload: a patch or partial object (no containers)"
	row.mechanism == ""
	row.roleArn == null
	row.containers == []
}
