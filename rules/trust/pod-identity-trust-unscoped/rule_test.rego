package irsalint.rules.trust["pod-identity-trust-unscoped_test"]

import data.irsalint.rules.trust["pod-identity-trust-unscoped"] as rule

# Normalized statements as `irsalint inventory` prints them.

at(i, path) := array.concat(["AssumeRolePolicyDocument", "Statement", i], path)

cond(operator, key, values, extra) := object.union(
	{
		"operator": operator, "written": operator, "base": operator, "family": "String",
		"negated": false, "like": false, "ignoreCase": false, "ifExists": false, "qualifier": null,
		"key": lower(key), "keyWritten": key, "values": values, "at": at(0, ["Condition", operator, key]),
	},
	extra,
)

equals(key, value) := cond("StringEquals", key, [value], {})

pods := {"type": "Service", "value": "pods.eks.amazonaws.com", "at": at(0, ["Principal", "Service"])}

stmt(effect, principals, actions, conditions) := {
	"index": 0, "sid": "AllowEksAuthToAssumeRoleForPodIdentity", "at": at(0, []), "effect": effect,
	"principals": principals, "principalAt": at(0, ["Principal"]), "federated": [],
	"actions": actions, "actionAt": at(0, ["Action"]), "notAction": false, "notPrincipal": false,
	"conditions": conditions,
}

pod_identity(conditions) := stmt("Allow", [pods], ["sts:assumerole", "sts:tagsession"], conditions)

role(statements, lossy) := {
	"ref": "iam.json#0.RoleDetailList[4]", "key": "arn:aws:iam::743263909644:role/orders",
	"arn": "arn:aws:iam::743263909644:role/orders", "name": "orders",
	"trustPolicy": {"at": ["AssumeRolePolicyDocument"], "lossy": lossy, "problems": [], "statements": statements},
}

findings(statements) := fs if {
	fs := rule.deny with input as {"roles": {"arn:aws:iam::743263909644:role/orders": role(statements, false)}}
}

# AWS's minimal example has no conditions; it is reported.
test_documented_minimal_example_is_reported if {
	fs := findings([pod_identity([])])
	count(fs) == 1
	some f in fs
	object.keys(f) == {"ref", "at", "message"}
	f.ref == "iam.json#0.RoleDetailList[4]"
	f.at == ["AssumeRolePolicyDocument", "Statement", 0, "Principal", "Service"]
	startswith(f.message, `role arn:aws:iam::743263909644:role/orders, statement "AllowEksAuthToAssumeRoleForPodIdentity" trusts pods.eks.amazonaws.com and no condition pins the cluster, namespace or service account:`)
	contains(f.message, "can bind it to any service account of any cluster")
	contains(f.message, "AWS's minimal example is written this way")
}

test_each_scoping_key_is_enough if {
	every key in [
		"aws:RequestTag/eks-cluster-arn", "aws:RequestTag/kubernetes-namespace",
		"aws:RequestTag/kubernetes-service-account", "aws:SourceArn", "aws:SourceAccount", "aws:SourceOrgId",
	] {
		count(findings([pod_identity([equals(key, "x")])])) == 0
	}
}

test_scoping_keys_are_case_insensitive if {
	# The inventory lower-cases keys; keyWritten keeps the spelling.
	count(findings([pod_identity([equals("AWS:RequestTag/Kubernetes-Namespace", "orders")])])) == 0
}

test_conditions_that_scope_nothing_are_named if {
	every c in [
		cond("StringLike", "aws:RequestTag/kubernetes-namespace", ["*"], {"like": true}),
		cond("StringNotEquals", "aws:RequestTag/kubernetes-namespace", ["kube-system"], {"negated": true}),
		cond("StringEqualsIfExists", "aws:RequestTag/kubernetes-namespace", ["orders"], {"ifExists": true}),
	] {
		some f in findings([pod_identity([c])])
		contains(f.message, "(the one on aws:RequestTag/kubernetes-namespace is negated, IfExists or matches every value)")
	}
}

# Case 39: aws:PrincipalTag in a trust policy does not scope it.
test_principal_tag_conditions_do_not_scope if {
	fs := findings([pod_identity([
		equals("aws:PrincipalTag/kubernetes-namespace", "analytics"),
		equals("aws:PrincipalTag/kubernetes-service-account", "spark"),
	])])
	count(fs) == 1
	some f in fs
	contains(f.message, "Its conditions on aws:PrincipalTag/kubernetes-namespace, aws:PrincipalTag/kubernetes-service-account do not scope it either")
	contains(f.message, "aws:PrincipalTag/... belongs in the role's permission policies")
}

test_other_conditions_are_not_scoping if {
	some f in findings([pod_identity([cond("Bool", "aws:SecureTransport", ["true"], {"family": "Bool"})])])
	not contains(f.message, "PrincipalTag")
}

test_deny_for_other_namespaces_scopes_it if {
	deny := object.union(
		stmt("Deny", [pods], ["sts:assumerole"], [cond("StringNotEquals", "aws:RequestTag/kubernetes-namespace", ["orders"], {"negated": true})]),
		{"index": 1, "sid": "OnlyOrders"},
	)
	count(findings([pod_identity([]), deny])) == 0
}

test_deny_of_one_namespace_does_not_scope_it if {
	deny := object.union(
		stmt("Deny", [pods], ["sts:assumerole"], [equals("aws:RequestTag/kubernetes-namespace", "kube-system")]),
		{"index": 1, "sid": "NotKubeSystem"},
	)
	count(findings([pod_identity([]), deny])) == 1
}

test_other_principals_are_silent if {
	ec2 := {"type": "Service", "value": "ec2.amazonaws.com", "at": at(0, ["Principal", "Service"])}
	count(findings([stmt("Allow", [ec2], ["sts:assumerole"], [])])) == 0
}

# A statement that cannot assume the role is trust-action-mismatch's.
test_statement_without_assume_role_is_left_to_action_mismatch if {
	count(findings([stmt("Allow", [pods], ["sts:tagsession"], [])])) == 0
}

test_deny_statement_is_silent if {
	count(findings([stmt("Deny", [pods], ["sts:assumerole"], [])])) == 0
}

test_lossy_policy_is_not_judged if {
	r := role([pod_identity([])], true)
	count(rule.deny) == 0 with input as {"roles": {r.arn: r}}
}
