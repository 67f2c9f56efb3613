package irsalint.rules.cluster["oidc-provider-unused_test"]

import data.irsalint.rules.cluster["oidc-provider-unused"] as rule

live := "oidc.eks.us-west-2.amazonaws.com/id/5C3E8A1F0B7D4E2A9C6B1D0E8F7A6B5C"

gone := "oidc.eks.us-west-2.amazonaws.com/id/D41D8CD98F00B204E9800998ECF8427E"

provider(i) := {"ref": sprintf("p-%s", [i]), "arn": sprintf("arn:aws:iam::111122223333:oidc-provider/%s", [i]), "issuer": i, "account": "111122223333"}

role(trusts) := {
	"ref": "r", "arn": "arn:aws:iam::111122223333:role/x", "account": "111122223333", "source": "authorization-details",
	"trustPolicy": {"statements": [{"federated": [{"value": sprintf("arn:aws:iam::111122223333:oidc-provider/%s", [trusts])}]}]},
}

inv(regions, trusts) := {
	"cluster": {"name": "demo", "oidcIssuer": null},
	"clusters": {"demo": {"ref": "c", "name": "demo", "issuer": live}},
	"facts": {"clusterRegionsComplete": regions},
	"oidcProviders": {p.arn: p | some i in [live, gone, "token.actions.githubusercontent.com"]; p := provider(i)},
	"roles": {"arn:aws:iam::111122223333:role/x": role(trusts)},
}

test_a_provider_of_no_cluster_and_no_role_is_reported if {
	findings := rule.deny with input as inv(["us-west-2"], live)
	count(findings) == 1
	some f in findings
	f.ref == sprintf("p-%s", [gone])
	contains(f.message, "no EKS cluster in us-west-2 has, and no role of account 111122223333 trusts it")
}

test_a_trusted_provider_is_quiet if {
	count(rule.deny) == 0 with input as inv(["us-west-2"], upper(gone))
}

test_a_region_not_wholly_read_is_not_judged if {
	count(rule.deny) == 0 with input as inv(["eu-west-1"], live)
}

test_roles_not_wholly_read_are_not_judged if {
	doc := json.patch(inv(["us-west-2"], live), [{"op": "replace", "path": "/roles/arn:aws:iam::111122223333:role~1x/source", "value": "get-role"}])
	count(rule.deny) == 0 with input as doc
}
