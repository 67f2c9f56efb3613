package irsalint.rules.trust["trust-stringequals-wildcard_test"]

import data.irsalint.rules.trust["trust-stringequals-wildcard"] as rule

# Normalized statements as `irsalint inventory` prints them for an
# `aws iam get-role` output of the seed's cluster.

issuer := "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"

provider := concat("", ["arn:aws:iam::743263909644:oidc-provider/", issuer])

sub := concat("", [issuer, ":sub"])

aud := concat("", [issuer, ":aud"])

statement_at(i) := ["AssumeRolePolicyDocument", "Statement", i]

cond(operator, key, values, extra) := object.union(
	{
		"operator": operator, "written": operator, "base": operator, "family": "String",
		"negated": false, "like": false, "ignoreCase": false, "ifExists": false, "qualifier": null,
		"key": lower(key), "keyWritten": key, "values": values,
		"at": array.concat(statement_at(0), ["Condition", operator, key]),
		"operatorAt": array.concat(statement_at(0), ["Condition", operator]),
	},
	extra,
)

equals(key, values) := cond("StringEquals", key, values, {})

stmt(effect, conditions) := {
	"index": 0, "sid": "Irsa", "at": statement_at(0), "effect": effect,
	"principals": [{"type": "Federated", "value": provider, "at": array.concat(statement_at(0), ["Principal", "Federated"])}],
	"principalAt": array.concat(statement_at(0), ["Principal"]),
	"federated": [{
		"value": provider, "kind": "oidc", "issuer": issuer, "keyPrefix": lower(issuer),
		"partition": "aws", "account": "743263909644",
		"at": array.concat(statement_at(0), ["Principal", "Federated"]),
	}],
	"actions": ["sts:assumerolewithwebidentity"], "actionAt": array.concat(statement_at(0), ["Action"]),
	"notAction": false, "notPrincipal": false,
	"conditions": conditions, "conditionAt": array.concat(statement_at(0), ["Condition"]),
}

role(statements, lossy) := {
	"ref": "role.json#0.Role", "key": "arn:aws:iam::743263909644:role/payments",
	"arn": "arn:aws:iam::743263909644:role/payments", "name": "payments",
	"trustPolicy": {"at": ["AssumeRolePolicyDocument"], "lossy": lossy, "problems": [], "statements": statements},
}

findings(statements) := fs if {
	fs := rule.deny with input as {"roles": {"arn:aws:iam::743263909644:role/payments": role(statements, false)}}
}

# Case 17: StringEquals sub "system:serviceaccount:ns:*" never matches.
test_stringequals_namespace_pattern_fires_at_the_key if {
	fs := findings([stmt("Allow", [
		equals(aud, ["sts.amazonaws.com"]),
		equals(sub, ["system:serviceaccount:payments:*"]),
	])])
	count(fs) == 1
	some f in fs
	f.ref == "role.json#0.Role"
	f.at == ["AssumeRolePolicyDocument", "Statement", 0, "Condition", "StringEquals", sub]
	object.keys(f) == {"ref", "at", "message"}
	startswith(f.message, `role arn:aws:iam::743263909644:role/payments, statement "Irsa": StringEquals compares`)
	contains(f.message, `"system:serviceaccount:payments:*" literally`)
	contains(f.message, "the statement never applies")
	contains(f.message, `Write StringLike (as StringLike, "system:serviceaccount:payments:*" would admit every service account in namespace payments), or list the exact values.`)
}

test_stringlike_and_exact_values_are_silent if {
	count(findings([stmt("Allow", [
		equals(aud, ["sts.amazonaws.com"]),
		equals(sub, ["system:serviceaccount:payments:api"]),
		cond("StringLike", sub, ["system:serviceaccount:payments:*"], {"like": true}),
		cond("StringNotLike", sub, ["system:serviceaccount:kube-system:*"], {"like": true, "negated": true}),
	])])) == 0
}

test_question_mark_is_literal_too if {
	some f in findings([stmt("Allow", [equals(sub, ["system:serviceaccount:batch:job-?"])])])
	contains(f.message, `"system:serviceaccount:batch:job-?" literally`)
	contains(f.message, `service accounts matching "system:serviceaccount:batch:job-?"`)
}

# Only the wildcard values are named when exact values still work.
test_mixed_values_name_only_the_wildcards if {
	some f in findings([stmt("Allow", [equals(sub, ["system:serviceaccount:payments:api", "system:serviceaccount:payments:worker-*"])])])
	contains(f.message, `with "system:serviceaccount:payments:worker-*" literally`)
	not contains(f.message, "payments:api")
	contains(f.message, "those values match no real request")
}

test_ignore_case_with_qualifier_and_if_exists_keeps_them if {
	c := cond("ForAnyValue:StringEqualsIgnoreCaseIfExists", sub, ["system:serviceaccount:payments:*"], {
		"base": "StringEqualsIgnoreCase", "qualifier": "ForAnyValue", "ignoreCase": true, "ifExists": true,
	})
	some f in findings([stmt("Allow", [c])])
	contains(f.message, "Write ForAnyValue:StringLikeIfExists (which is case-sensitive)")
	contains(f.message, "those values match no real request")
}

test_negated_operator_excludes_only_the_literal if {
	c := cond("StringNotEquals", sub, ["system:serviceaccount:kube-system:*"], {"negated": true})
	some f in findings([stmt("Allow", [equals(sub, ["system:serviceaccount:payments:api"]), c])])
	contains(f.message, "it excludes only that exact text")
	contains(f.message, "Write StringNotLike,")
	not contains(f.message, "would admit")
}

test_deny_with_positive_operator_denies_nothing if {
	some f in findings([stmt("Deny", [equals(sub, ["system:serviceaccount:kube-system:*"])])])
	contains(f.message, "this Deny applies only to a request carrying that exact text and denies nothing real")
	contains(f.message, "Write StringLike,")
}

test_deny_with_negated_operator_denies_everything if {
	c := cond("StringNotEquals", sub, ["system:serviceaccount:reports:*"], {"negated": true})
	some f in findings([stmt("Deny", [c])])
	contains(f.message, "this Deny applies to every request")
	contains(f.message, "Write StringNotLike,")
}

# Any key, not only the OIDC claims.
test_other_keys_are_checked if {
	c := equals("aws:PrincipalArn", ["arn:aws:iam::743263909644:role/ci-*"])
	fs := findings([stmt("Allow", [c])])
	count(fs) == 1
	some f in fs
	f.at == ["AssumeRolePolicyDocument", "Statement", 0, "Condition", "StringEquals", "aws:PrincipalArn"]
	contains(f.message, "StringEquals compares aws:PrincipalArn with")
	not contains(f.message, "would admit")
}

# ArnEquals takes wildcards like ArnLike; other families are not string
# comparisons.
test_other_families_are_silent if {
	count(findings([stmt("Allow", [
		cond("ArnEquals", "aws:SourceArn", ["arn:aws:eks:us-west-2:743263909644:cluster/*"], {"family": "Arn"}),
		cond("Null", sub, ["false"], {"family": "Null"}),
	])])) == 0
}

test_lossy_policy_is_not_judged if {
	r := role([stmt("Allow", [equals(sub, ["system:serviceaccount:payments:*"])])], true)
	count(rule.deny) == 0 with input as {"roles": {r.arn: r}}
}

test_messages_list_values_in_order if {
	some f in findings([stmt("Allow", [equals(sub, ["system:serviceaccount:b:*", "system:serviceaccount:a:*"])])])
	contains(f.message, `with "system:serviceaccount:a:*", "system:serviceaccount:b:*" literally`)
}
