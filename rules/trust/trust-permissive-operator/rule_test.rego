package irsalint.rules.trust["trust-permissive-operator_test"]

import data.irsalint.rules.trust["trust-permissive-operator"] as rule

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

only(findings) := f if {
	count(findings) == 1
	some f in findings
}

not_equals(key, v) := cond("StringNotEquals", key, [v], {"negated": true})

if_exists(key, v) := cond("StringEqualsIfExists", key, [v], {"ifExists": true, "base": "StringEquals"})

for_all(key, v) := cond("ForAllValues:StringEquals", key, [v], {"qualifier": "ForAllValues", "base": "StringEquals"})

# Case 19: a negated operator alone on sub admits everyone else.
test_case19_negated_sub_alone_is_critical if {
	c := not_equals(sub, "system:serviceaccount:kube-system:evil")
	f := only(rule.deny) with input as roles([allow([equals(aud, "sts.amazonaws.com"), c])])
	f.severity == "critical"
	f.ref == "iam.json#doc.Role"
	f.at == ["Statement", 0, "Condition", "StringNotEquals", sub]
	contains(f.message, "checks the subject (sub) only with StringNotEquals")
	contains(f.message, "passes for every value it does not list")
	contains(f.message, "so every service account of the EKS cluster with OIDC issuer oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56 can assume the role")
}

# Case 21: ForAllValues on aud and sub: both reported, sub through a token
# without the claim.
test_case21_for_all_values_on_aud_and_sub if {
	findings := rule.deny with input as roles([allow([for_all(aud, "sts.amazonaws.com"), for_all(sub, "system:serviceaccount:a:b")])])
	count(findings) == 2
	some s in findings
	s.at == ["Statement", 0, "Condition", "ForAllValues:StringEquals", sub]
	s.severity == "critical"
	contains(s.message, "ForAllValues is true for a missing key")
	contains(s.message, "any token from oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56 without a sub claim can assume the role")
	some a in findings
	a.at == ["Statement", 0, "Condition", "ForAllValues:StringEquals", aud]
	a.severity == "medium"
	contains(a.message, "checks the audience (aud) only with ForAllValues:StringEquals")
	contains(a.message, `Use StringEquals "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56:aud": "sts.amazonaws.com"`)
}

# Case 20: IfExists on another cluster's sub key always passes.
test_case20_if_exists_on_another_issuers_sub_is_critical if {
	other_sub := sprintf("%s:sub", [other_issuer])
	f := only(rule.deny) with input as roles([allow([equals(aud, "sts.amazonaws.com"), if_exists(other_sub, "system:serviceaccount:a:b")])])
	f.severity == "critical"
	f.at == ["Statement", 0, "Condition", "StringEqualsIfExists", other_sub]
	contains(f.message, sprintf("names issuer %s instead of the Federated provider's %s", [other_issuer, issuer]))
	contains(f.message, "can assume the role")
}

# With a positive condition on another issuer's key the statement never
# matches: unusable (trust-issuer-mismatch), not open.
test_positive_condition_on_another_issuers_sub_is_quiet if {
	c := equals(sprintf("%s:sub", [other_issuer]), "system:serviceaccount:a:b")
	count(rule.deny) == 0 with input as roles([allow([equals(aud, "sts.amazonaws.com"), c])])
}

test_null_false_on_sub_is_critical if {
	c := cond("Null", sub, ["false"], {"family": "Null", "base": "Null"})
	f := only(rule.deny) with input as roles([allow([equals(aud, "sts.amazonaws.com"), c])])
	f.severity == "critical"
	contains(f.message, "tests only whether the claim is present, not its value")
}

test_if_exists_on_own_sub_admits_tokens_without_sub if {
	f := only(rule.deny) with input as roles([allow([equals(aud, "sts.amazonaws.com"), if_exists(sub, "system:serviceaccount:a:b")])])
	f.severity == "critical"
	contains(f.message, "passes when the token has no such claim")
	contains(f.message, "without a sub claim")
}

# A domain §2 trap: a negated condition ANDed with a positive one is harmless.
test_negated_next_to_positive_sub_is_quiet if {
	count(rule.deny) == 0 with input as roles([allow([
		equals(aud, "sts.amazonaws.com"),
		equals(sub, "system:serviceaccount:payments:ledger"),
		not_equals(sub, "system:serviceaccount:payments:default"),
	])])
}

test_negated_next_to_positive_aud_is_quiet if {
	count(rule.deny) == 0 with input as roles([allow([
		equals(aud, "sts.amazonaws.com"),
		not_equals(aud, "sts.example.com"),
		equals(sub, "system:serviceaccount:payments:ledger"),
	])])
}

test_if_exists_on_aud_alone_is_medium if {
	f := only(rule.deny) with input as roles([allow([if_exists(aud, "sts.amazonaws.com"), equals(sub, "system:serviceaccount:uploads:uploader")])])
	f.severity == "medium"
	f.at == ["Statement", 0, "Condition", "StringEqualsIfExists", aud]
	contains(f.message, "tokens issued for other audiences reach STS")
}

test_deny_closing_the_statement_keeps_sub_quiet if {
	deny_all := object.remove(stmt(1, "Deny", [fed(issuer, 1)], []), ["conditionAt"])
	c := not_equals(sub, "system:serviceaccount:kube-system:evil")
	count(rule.deny) == 0 with input as roles([allow([equals(aud, "sts.amazonaws.com"), c]), deny_all])
}

# Negated conditions in Deny statements are intended: not judged.
test_negated_conditions_in_deny_statements_are_quiet if {
	d := stmt(1, "Deny", [fed(issuer, 1)], [not_equals(sub, "system:serviceaccount:payments:ledger")])
	count(rule.deny) == 0 with input as roles([allow([equals(aud, "sts.amazonaws.com"), equals(sub, "system:serviceaccount:payments:ledger")]), d])
}

test_github_fix_names_a_repository_pattern if {
	gh := object.union(fed("token.actions.githubusercontent.com", 0), {"keyPrefix": "token.actions.githubusercontent.com"})
	c := cond("StringNotLike", "token.actions.githubusercontent.com:sub", ["repo:evil/*"], {"negated": true, "like": true})
	f := only(rule.deny) with input as roles([stmt(0, "Allow", [gh], [equals("token.actions.githubusercontent.com:aud", "sts.amazonaws.com"), c])])
	contains(f.message, "every GitHub Actions workflow of every repository on GitHub can assume the role")
	contains(f.message, `Use StringLike "token.actions.githubusercontent.com:sub": "repo:<org>/<repository>:*"`)
}

test_lossy_policies_are_skipped if {
	lossy := json.patch(roles([allow([not_equals(sub, "x")])]), [{"op": "replace", "path": "/roles/arn:aws:iam::743263909644:role~1app/trustPolicy/lossy", "value": true}])
	count(rule.deny) == 0 with input as lossy
}
