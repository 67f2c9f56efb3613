package irsalint.rules.trust["trust-missing-sub_test"]

import data.irsalint.rules.trust["trust-missing-sub"] as rule

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

test_no_condition_is_reported_at_the_statement if {
	findings := rule.deny with input as roles([no_condition(0)])
	count(findings) == 1
	some f in findings
	f.ref == "iam.json#doc.Role"
	f.at == ["Statement", 0]
	object.get(f, "severity", "critical (the default)") == "critical (the default)"
	contains(f.message, "role arn:aws:iam::743263909644:role/app: statement 1 lets every service account of the EKS cluster with OIDC issuer oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56")
	contains(f.message, "it has no Condition")
	contains(f.message, `StringEquals "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56:sub": "system:serviceaccount:<namespace>:<service-account>"`)
}

test_audience_only_is_reported_at_the_statement if {
	findings := rule.deny with input as roles([allow([equals(aud, "sts.amazonaws.com")])])
	count(findings) == 1
	some f in findings
	f.at == ["Statement", 0]
	contains(f.message, "checks only the audience")
}

test_empty_condition_is_reported_at_the_statement if {
	some f in rule.deny with input as roles([allow([])])
	f.at == ["Statement", 0]
	contains(f.message, "its Condition is empty")
}

test_github_blast_radius_is_every_repository if {
	gh := object.union(fed("token.actions.githubusercontent.com", 0), {"keyPrefix": "token.actions.githubusercontent.com"})
	s := stmt(0, "Allow", [gh], [equals("token.actions.githubusercontent.com:aud", "sts.amazonaws.com")])
	findings := rule.deny with input as roles([s])
	count(findings) == 1
	some f in findings
	contains(f.message, "every GitHub Actions workflow of every repository on GitHub")
	contains(f.message, `"token.actions.githubusercontent.com:sub": "repo:<org>/<repository>:*"`)
}

test_exact_sub_is_quiet if {
	count(rule.deny) == 0 with input as roles([allow([
		equals(aud, "sts.amazonaws.com"),
		equals(sub, "system:serviceaccount:kube-system:aws-load-balancer-controller"),
	])])
}

# A sub condition keyed to another issuer is trust-issuer-mismatch's, even
# when it passes vacuously (domain §3 case 20).
test_sub_of_another_issuer_is_left_to_issuer_mismatch if {
	c := cond("StringEqualsIfExists", sprintf("%s:sub", [other_issuer]), ["system:serviceaccount:a:b"], {"ifExists": true})
	count(rule.deny) == 0 with input as roles([allow([c])])
}

test_permissive_sub_is_left_to_permissive_operator if {
	c := cond("StringNotEquals", sub, ["system:serviceaccount:a:evil"], {"negated": true})
	count(rule.deny) == 0 with input as roles([allow([c])])
}

# Case 22: the union of statements is open; only the unscoped one is reported.
test_case22_only_the_unscoped_statement if {
	scoped := allow([equals(sub, "system:serviceaccount:billing:invoice-worker")])
	findings := rule.deny with input as roles([scoped, no_condition(1)])
	count(findings) == 1
	some f in findings
	f.at == ["Statement", 1]
	contains(f.message, "statement 2 lets")
}

# Case 23: a Deny that stops every subject closes the statement.
test_case23_deny_closing_every_subject_is_quiet if {
	deny_all_but_one := stmt(1, "Deny", [fed(issuer, 1)], [cond("StringNotEquals", sub, ["system:serviceaccount:monitoring:exporter"], {"negated": true})])
	count(rule.deny) == 0 with input as roles([no_condition(0), deny_all_but_one])
}

# A Deny of every service account subject leaves only tokens without sub,
# which EKS never issues: quiet.
test_deny_of_every_subject_leaves_only_tokenless_subjects if {
	deny_sa := stmt(1, "Deny", [fed(issuer, 1)], [cond("StringLike", sub, ["system:serviceaccount:*"], {"like": true})])
	count(rule.deny) == 0 with input as roles([no_condition(0), deny_sa])
}

test_a_deny_of_one_namespace_does_not_close_it if {
	deny_ns := stmt(1, "Deny", [fed(issuer, 1)], [cond("StringLike", sub, ["system:serviceaccount:kube-system:*"], {"like": true})])
	findings := rule.deny with input as roles([no_condition(0), deny_ns])
	count(findings) == 1
}

# Case 28: AWS's Account B example trusts a root principal with an empty
# Condition: not a web-identity statement.
test_case28_root_principal_with_empty_condition_is_quiet if {
	s := object.union(stmt(0, "Allow", [], []), {
		"principals": [{"type": "AWS", "value": "arn:aws:iam::111122223333:root", "at": ["Statement", 0, "Principal", "AWS"]}],
		"actions": ["sts:assumerole"],
	})
	count(rule.deny) == 0 with input as roles([s])
}

test_cognito_scoped_by_identity_pool_is_quiet if {
	cognito := {"value": "cognito-identity.amazonaws.com", "kind": "web", "issuer": "cognito-identity.amazonaws.com", "keyPrefix": "cognito-identity.amazonaws.com", "at": ["Statement", 0, "Principal", "Federated"]}
	s := stmt(0, "Allow", [cognito], [equals("cognito-identity.amazonaws.com:aud", "us-west-2:6f8a2b1c-3d4e-4f50-8a9b-0c1d2e3f4a5b")])
	count(rule.deny) == 0 with input as roles([s])
}

test_cognito_without_identity_pool_is_reported if {
	cognito := {"value": "cognito-identity.amazonaws.com", "kind": "web", "issuer": "cognito-identity.amazonaws.com", "keyPrefix": "cognito-identity.amazonaws.com", "at": ["Statement", 0, "Principal", "Federated"]}
	s := object.remove(stmt(0, "Allow", [cognito], []), ["conditionAt"])
	some f in rule.deny with input as roles([s])
	contains(f.message, "every identity that cognito-identity.amazonaws.com issues tokens for")
}

test_every_provider_of_a_statement_is_reported if {
	s := object.remove(stmt(0, "Allow", [fed(issuer, 0), object.union(fed(other_issuer, 0), {"at": ["Statement", 0, "Principal", "Federated", 1]})], []), ["conditionAt"])
	findings := rule.deny with input as roles([s])
	count(findings) == 2
	some f in findings
	contains(f.message, other_issuer)
}

test_deny_statements_are_not_judged if {
	count(rule.deny) == 0 with input as roles([object.remove(stmt(0, "Deny", [fed(issuer, 0)], []), ["conditionAt"])])
}

test_lossy_policies_are_skipped if {
	lossy := json.patch(roles([no_condition(0)]), [{"op": "replace", "path": "/roles/arn:aws:iam::743263909644:role~1app/trustPolicy/lossy", "value": true}])
	count(rule.deny) == 0 with input as lossy
}
