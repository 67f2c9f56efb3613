package irsalint.rules.trust["trust-wildcard-sub_test"]

import data.irsalint.rules.trust["trust-wildcard-sub"] as rule

# Hand-built inventory entries in the shape `irsalint inventory` prints.

issuer := "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"

other_issuer := "oidc.eks.us-west-2.amazonaws.com/id/5E8B3C0A7D2F4916B1C6E0A9D3F7B248"

provider(iss) := sprintf("arn:aws:iam::743263909644:oidc-provider/%s", [iss])

fed(iss, i) := {
	"value": provider(iss), "kind": "oidc", "issuer": iss, "keyPrefix": lower(iss),
	"partition": "aws", "account": "743263909644", "at": ["Statement", i, "Principal", "Federated"],
}

cond(op, key, values, extra) := object.union(
	{
		"operator": op, "base": op, "family": "String", "negated": false, "like": false,
		"ignoreCase": false, "ifExists": false, "qualifier": null, "key": lower(key),
		"keyWritten": key, "values": values, "at": ["Statement", 0, "Condition", op, key],
	},
	extra,
)

equals(key, v) := cond("StringEquals", key, [v], {})

aud := sprintf("%s:aud", [issuer])

sub := sprintf("%s:sub", [issuer])

stmt(i, effect, feds, conditions) := {
	"index": i, "sid": null, "effect": effect, "at": ["Statement", i],
	"conditionAt": ["Statement", i, "Condition"],
	"principals": [{"type": "Federated", "value": f.value, "at": f.at} | some f in feds],
	"principalAt": ["Statement", i, "Principal"],
	"actions": ["sts:assumerolewithwebidentity"], "actionAt": ["Statement", i, "Action"], "notAction": false,
	"conditions": conditions, "federated": feds,
}

allow(conditions) := stmt(0, "Allow", [fed(issuer, 0)], conditions)

# no_condition is a statement without a Condition element.
no_condition(i) := object.remove(stmt(i, "Allow", [fed(issuer, i)], []), ["conditionAt"])

roles(statements) := {"roles": {"arn:aws:iam::743263909644:role/app": {
	"ref": "iam.json#doc.Role", "key": "arn:aws:iam::743263909644:role/app",
	"arn": "arn:aws:iam::743263909644:role/app", "name": "app", "source": "get-role",
	"trustPolicy": {"at": ["AssumeRolePolicyDocument"], "version": "2012-10-17", "lossy": false, "problems": [], "statements": statements},
}}}

like(v) := cond("StringLike", sub, v, {"like": true})

gh_fed := object.union(fed("token.actions.githubusercontent.com", 0), {"keyPrefix": "token.actions.githubusercontent.com"})

gh_like(v) := stmt(0, "Allow", [gh_fed], [
	equals("token.actions.githubusercontent.com:aud", "sts.amazonaws.com"),
	cond("StringLike", "token.actions.githubusercontent.com:sub", v, {"like": true}),
])

only(findings) := f if {
	count(findings) == 1
	some f in findings
}

test_any_service_account_is_critical if {
	f := only(rule.deny) with input as roles([allow([equals(aud, "sts.amazonaws.com"), like(["system:serviceaccount:*"])])])
	f.severity == "critical"
	f.ref == "iam.json#doc.Role"
	f.at == ["Statement", 0, "Condition", "StringLike", sub]
	contains(f.message, `matches the subject against "system:serviceaccount:*" with StringLike, which admits every service account of the EKS cluster with OIDC issuer`)
	contains(f.message, `List the service accounts instead: StringEquals "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56:sub"`)
}

test_bare_star_is_critical if {
	f := only(rule.deny) with input as roles([allow([like(["*"])])])
	f.severity == "critical"
}

# Case 18: prod* crosses the namespace boundary (prod-sandbox:anything).
test_case18_prefix_across_namespaces_is_high if {
	f := only(rule.deny) with input as roles([allow([like(["system:serviceaccount:prod*"])])])
	f.severity == "high"
	contains(f.message, "crosses the namespace boundary")
}

test_case18_one_namespace_is_medium if {
	f := only(rule.deny) with input as roles([allow([like(["system:serviceaccount:prod:*"])])])
	f.severity == "medium"
	contains(f.message, "every service account in namespace prod")
}

test_one_name_in_every_namespace_is_high if {
	f := only(rule.deny) with input as roles([allow([like(["system:serviceaccount:*:external-dns"])])])
	f.severity == "high"
	contains(f.message, `service accounts named "external-dns" in every namespace`)
}

test_question_mark_is_medium if {
	f := only(rule.deny) with input as roles([allow([like(["system:serviceaccount:batch:worker-?"])])])
	f.severity == "medium"
}

test_for_any_value_string_like_is_judged_too if {
	c := cond("ForAnyValue:StringLike", sub, ["system:serviceaccount:*"], {"like": true, "qualifier": "ForAnyValue", "base": "StringLike"})
	f := only(rule.deny) with input as roles([allow([c])])
	f.severity == "critical"
	contains(f.message, "with ForAnyValue:StringLike")
}

test_each_wildcard_value_is_a_finding if {
	findings := rule.deny with input as roles([allow([like(["system:serviceaccount:web:frontend", "system:serviceaccount:prod:*", "system:serviceaccount:*"])])])
	count(findings) == 2
	{f.severity | some f in findings} == {"medium", "critical"}
}

test_github_single_repository_is_quiet if {
	count(rule.deny) == 0 with input as roles([gh_like(["repo:acme-corp/storefront:*"])])
}

test_github_organization_is_medium if {
	f := only(rule.deny) with input as roles([gh_like(["repo:acme-corp/storefront:*", "repo:acme-corp/*"])])
	f.severity == "medium"
	contains(f.message, "every repository of GitHub organization acme-corp")
	contains(f.message, `List the repositories instead: StringLike "token.actions.githubusercontent.com:sub": "repo:<org>/<repository>:*"`)
}

test_github_any_repository_is_critical if {
	f := only(rule.deny) with input as roles([gh_like(["repo:*"])])
	f.severity == "critical"
	contains(f.message, "every repository on GitHub")
}

# A domain §2 trap: StringEquals on the same key is ANDed and pins the subjects.
test_pattern_anchored_by_string_equals_is_quiet if {
	count(rule.deny) == 0 with input as roles([allow([
		like(["system:serviceaccount:reports:*"]),
		equals(sub, "system:serviceaccount:reports:pdf-exporter"),
	])])
}

test_string_like_without_wildcard_is_quiet if {
	count(rule.deny) == 0 with input as roles([allow([like(["system:serviceaccount:default:my-serviceaccount"])])])
}

test_negated_string_not_like_is_not_judged_here if {
	c := cond("StringNotLike", sub, ["system:serviceaccount:kube-system:*"], {"like": true, "negated": true})
	count(rule.deny) == 0 with input as roles([allow([c])])
}

test_pattern_on_another_issuers_key_is_not_judged_here if {
	c := cond("StringLike", sprintf("%s:sub", [other_issuer]), ["system:serviceaccount:*"], {"like": true})
	count(rule.deny) == 0 with input as roles([allow([c])])
}

test_upper_case_key_of_the_right_issuer_is_judged if {
	c := cond("StringLike", upper(sub), ["system:serviceaccount:*"], {"like": true})
	f := only(rule.deny) with input as roles([allow([c])])
	f.severity == "critical"
}

test_lossy_policies_are_skipped if {
	lossy := json.patch(roles([allow([like(["*"])])]), [{"op": "replace", "path": "/roles/arn:aws:iam::743263909644:role~1app/trustPolicy/lossy", "value": true}])
	count(rule.deny) == 0 with input as lossy
}
