package irsalint.rules.trust["trust-principal-wildcard_test"]

import data.irsalint.rules.trust["trust-principal-wildcard"] as rule

# Normalized statements as `irsalint inventory` prints them for an
# `aws iam get-role` output.

issuer := "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"

at(path) := array.concat(["AssumeRolePolicyDocument", "Statement", 0], path)

cond(operator, key, values, extra) := object.union(
	{
		"operator": operator, "written": operator, "base": operator, "family": "String",
		"negated": false, "like": false, "ignoreCase": false, "ifExists": false, "qualifier": null,
		"key": lower(key), "keyWritten": key, "values": values, "at": at(["Condition", operator, key]),
	},
	extra,
)

star := {"type": "*", "value": "*", "at": at(["Principal"])}

aws_star := {"type": "AWS", "value": "*", "at": at(["Principal", "AWS"])}

stmt(effect, principals, actions, conditions) := {
	"index": 0, "sid": null, "at": at([]), "effect": effect,
	"principals": principals, "principalAt": at(["Principal"]), "federated": [],
	"actions": actions, "actionAt": at(["Action"]), "notAction": false, "notPrincipal": false,
	"conditions": conditions,
}

role(statements, lossy) := {
	"ref": "iam.json#0.RoleDetailList[0]", "key": "arn:aws:iam::743263909644:role/shared",
	"arn": "arn:aws:iam::743263909644:role/shared", "name": "shared",
	"trustPolicy": {"at": ["AssumeRolePolicyDocument"], "lossy": lossy, "problems": [], "statements": statements},
}

findings(statements) := fs if {
	fs := rule.deny with input as {"roles": {"arn:aws:iam::743263909644:role/shared": role(statements, false)}}
}

test_star_principal_without_conditions_is_critical if {
	fs := findings([stmt("Allow", [star], ["sts:assumerole"], [])])
	count(fs) == 1
	some f in fs
	f.severity == "critical"
	f.ref == "iam.json#0.RoleDetailList[0]"
	f.at == ["AssumeRolePolicyDocument", "Statement", 0, "Principal"]
	startswith(f.message, `role arn:aws:iam::743263909644:role/shared, statement 1: principal "*" lets every IAM user and role of every AWS account assume the role`)
	contains(f.message, "Name the trusted principal instead.")
}

test_aws_star_is_critical if {
	some f in findings([stmt("Allow", [aws_star], ["sts:assumerole"], [])])
	f.severity == "critical"
	f.at == ["AssumeRolePolicyDocument", "Statement", 0, "Principal", "AWS"]
	contains(f.message, `principal {"AWS": "*"} lets`)
}

test_star_inside_a_list_points_at_the_entry if {
	root := {"type": "AWS", "value": "arn:aws:iam::111122223333:root", "at": at(["Principal", "AWS", 0])}
	listed := {"type": "AWS", "value": "*", "at": at(["Principal", "AWS", 1])}
	fs := findings([stmt("Allow", [root, listed], ["sts:assumerole"], [])])
	count(fs) == 1
	some f in fs
	f.at == ["AssumeRolePolicyDocument", "Statement", 0, "Principal", "AWS", 1]
	contains(f.message, `principal "*" in its "AWS" list`)
}

test_restricting_conditions_lower_to_medium if {
	every key in ["aws:PrincipalOrgID", "aws:PrincipalArn", "aws:PrincipalAccount", "sts:ExternalId"] {
		fs := findings([stmt("Allow", [aws_star], ["sts:assumerole"], [cond("StringEquals", key, ["x-1"], {})])])
		count(fs) == 1
		some f in fs
		f.severity == "medium"
		contains(f.message, sprintf("relies on its condition on %s alone", [key]))
	}
}

test_restrictions_that_restrict_nothing_stay_critical if {
	every c in [
		cond("StringLike", "aws:PrincipalArn", ["*"], {"like": true}),
		cond("ArnLike", "aws:PrincipalArn", ["*"], {"family": "Arn"}),
		cond("StringNotEquals", "aws:PrincipalOrgID", ["o-a1b2c3d4e5"], {"negated": true}),
		cond("StringEqualsIfExists", "aws:PrincipalOrgID", ["o-a1b2c3d4e5"], {"ifExists": true}),
		cond("ForAllValues:StringEquals", "sts:ExternalId", ["x"], {"qualifier": "ForAllValues"}),
	] {
		some f in findings([stmt("Allow", [star], ["sts:assumerole"], [c])])
		f.severity == "critical"
		contains(f.message, sprintf("(the one on %s is negated, IfExists or matches every value, so it does not)", [c.keyWritten]))
	}
}

# Case 25: OIDC claim conditions do not pin the provider.
test_oidc_claim_conditions_do_not_restrict if {
	conditions := [
		cond("StringEquals", concat("", [issuer, ":aud"]), ["sts.amazonaws.com"], {}),
		cond("StringEquals", concat("", [issuer, ":sub"]), ["system:serviceaccount:orders:orders-api"], {}),
	]
	fs := findings([stmt("Allow", [star], ["sts:assumerolewithwebidentity"], conditions)])
	count(fs) == 1
	some f in fs
	f.severity == "critical"
	contains(f.message, `principal "*" lets web identity tokens of any identity provider assume the role`)
	contains(f.message, sprintf("Its conditions on %s:aud, %s:sub do not help: without a Federated principal", [issuer, issuer]))
}

test_admitted_follows_the_actions if {
	some f in findings([stmt("Allow", [star], ["sts:*"], [])])
	contains(f.message, "lets every IAM user and role of every AWS account and web identity tokens of any identity provider and SAML assertions of any identity provider assume")
	some g in findings([stmt("Allow", [star], ["sts:tagsession"], [])])
	contains(g.message, "lets every principal assume")
}

test_deny_with_star_is_silent if {
	count(findings([stmt("Deny", [star], ["sts:assumerole"], [])])) == 0
}

# Case 28: a named account root with an empty Condition is not a wildcard.
test_named_principals_are_silent if {
	root := {"type": "AWS", "value": "arn:aws:iam::111122223333:root", "at": at(["Principal", "AWS"])}
	ec2 := {"type": "Service", "value": "ec2.amazonaws.com", "at": at(["Principal", "Service"])}
	count(findings([stmt("Allow", [root], ["sts:assumerole"], []), stmt("Allow", [ec2], ["sts:assumerole"], [])])) == 0
}

test_lossy_policy_is_not_judged if {
	r := role([stmt("Allow", [star], ["sts:assumerole"], [])], true)
	count(rule.deny) == 0 with input as {"roles": {r.arn: r}}
}
