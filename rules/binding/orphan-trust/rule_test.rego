package irsalint.rules.binding["orphan-trust_test"]

import data.irsalint.rules.binding["orphan-trust"] as rule

# Hand-built inventory entries in the shape `irsalint inventory` prints.

issuer := "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"

other_issuer := "oidc.eks.us-west-2.amazonaws.com/id/5E8B3C0A7D2F4916B1C6E0A9D3F7B248"

role_arn := "arn:aws:iam::743263909644:role/shop-cart"

fed(iss, i) := {
	"value": sprintf("arn:aws:iam::743263909644:oidc-provider/%s", [iss]), "kind": "oidc", "issuer": iss,
	"keyPrefix": lower(iss), "partition": "aws", "account": "743263909644", "at": ["Statement", i, "Principal", "Federated"],
}

cond(i, op, key, values) := {
	"operator": op, "base": op, "family": "String", "negated": false, "like": startswith(op, "StringLike"),
	"ignoreCase": false, "ifExists": false, "qualifier": null, "key": lower(key), "keyWritten": key,
	"values": values, "at": ["Statement", i, "Condition", op, key],
}

sub_at(i) := ["Statement", i, "Condition", "StringEquals", sprintf("%s:sub", [issuer])]

stmt(i, effect, iss, conditions) := {
	"index": i, "sid": null, "effect": effect, "at": ["Statement", i],
	"principals": [{"type": "Federated", "value": fed(iss, i).value, "at": fed(iss, i).at}],
	"actions": ["sts:assumerolewithwebidentity"], "notAction": false,
	"conditions": conditions, "federated": [fed(iss, i)],
}

# admit is an Allow statement admitting exact subjects, with the audience.
admit(i, subjects) := stmt(i, "Allow", issuer, [
	cond(i, "StringEquals", sprintf("%s:aud", [issuer]), ["sts.amazonaws.com"]),
	cond(i, "StringEquals", sprintf("%s:sub", [issuer]), subjects),
])

role(arn, statements) := {
	"ref": sprintf("iam.json#%s", [arn]), "key": arn, "arn": arn, "name": "shop-cart",
	"account": "743263909644", "partition": "aws", "source": "authorization-details",
	"trustPolicy": {"at": ["AssumeRolePolicyDocument"], "version": "2012-10-17", "lossy": false, "problems": [], "statements": statements},
}

sa(ns, name, role) := {
	"ref": sprintf("sa-%s-%s", [ns, name]), "kind": "ServiceAccount", "namespace": ns, "name": name,
	"key": sprintf("%s/%s", [ns, name]), "declared": true, "labels": {}, "usedBy": [], "at": [],
	"annotations": {"eks.amazonaws.com/role-arn": role},
}

namespace(name, declared) := object.union({"name": name, "declared": declared, "labels": {}, "annotations": {}}, declared_fields(name, declared))

declared_fields(name, true) := {"ref": sprintf("ns-%s", [name]), "at": []}

declared_fields(_, false) := {}

scan(configured, roles, sas, namespaces, workloads) := irsalint.resolve({
	"cluster": {"oidcIssuer": configured},
	"roles": {r.key: r | some r in roles},
	"serviceAccounts": {s.key: s | some s in sas},
	"namespaces": {n.name: n | some n in namespaces},
	"workloads": workloads,
	"podIdentityAssociations": {},
})

shop(statements) := scan(issuer, [role(role_arn, statements)], [sa("shop", "cart", role_arn)], [namespace("shop", true)], [])

test_missing_service_account_fires_at_its_value if {
	findings := rule.deny with input as shop([admit(0, ["system:serviceaccount:shop:cart", "system:serviceaccount:shop:cart-v1"])])
	count(findings) == 1
	some f in findings
	f.ref == sprintf("iam.json#%s", [role_arn])
	f.at == array.concat(sub_at(0), [1])
	not "severity" in object.keys(f)
	contains(f.message, "role arn:aws:iam::743263909644:role/shop-cart: statement 1 admits system:serviceaccount:shop:cart-v1, but namespace shop has no ServiceAccount cart-v1 in this scan")
	contains(f.message, "whoever can create a ServiceAccount named cart-v1 there can assume the role")
	not contains(f.message, "inferred")
	f.related == [{"ref": "ns-shop", "at": ["metadata", "name"], "message": "namespace shop is in this scan and holds no ServiceAccount cart-v1"}]
}

test_single_value_points_at_the_key if {
	findings := rule.deny with input as shop([admit(0, ["system:serviceaccount:shop:old"])])
	count(findings) == 1
	some f in findings
	f.at == sub_at(0)
}

test_existing_service_account_is_quiet if {
	count(rule.deny) == 0 with input as shop([admit(0, ["system:serviceaccount:shop:cart"])])
}

test_namespace_outside_the_scan_is_quiet if {
	# The namespace may be managed elsewhere.
	count(rule.deny) == 0 with input as shop([admit(0, ["system:serviceaccount:old-ns:old-sa"])])
}

test_namespace_known_only_from_objects_fires_without_related if {
	inp := scan(issuer, [role(role_arn, [admit(0, ["system:serviceaccount:shop:old"])])], [sa("shop", "cart", role_arn)], [namespace("shop", false)], [])
	findings := rule.deny with input as inp
	count(findings) == 1
	some f in findings
	not "related" in object.keys(f)
}

test_default_service_account_is_quiet if {
	# It always exists; default-sa-has-role reports trusts that admit it.
	count(rule.deny) == 0 with input as shop([admit(0, ["system:serviceaccount:shop:default"])])
}

test_service_account_a_workload_names_is_quiet if {
	# Created outside the manifests (eksctl create iamserviceaccount).
	w := {"ref": "w", "kind": "Deployment", "namespace": "shop", "name": "worker", "serviceAccount": {"name": "worker", "key": "shop/worker"}}
	inp := irsalint.resolve(object.union(shop([admit(0, ["system:serviceaccount:shop:worker"])]), {"workloads": [w]}))
	count(rule.deny) == 0 with input as inp
}

test_names_nobody_can_create_are_quiet if {
	# Edge cases 16 and 42: upper case, a trailing space; the plural group
	# prefix is no subject at all.
	count(rule.deny) == 0 with input as shop([admit(0, [
		"system:serviceaccount:shop:Cart-V1",
		"system:serviceaccount:shop:cart-v1 ",
		"system:serviceaccounts:shop:cart-v1",
		"system:serviceaccount:shop:-cart",
	])])
}

test_one_finding_per_role_and_subject if {
	# Two statements name the same subject: reported once, at the first.
	findings := rule.deny with input as shop([
		admit(0, ["system:serviceaccount:shop:old"]),
		admit(1, ["system:serviceaccount:shop:old", "system:serviceaccount:shop:older"]),
	])
	count(findings) == 2
	{f.at | some f in findings} == {sub_at(0), array.concat(sub_at(1), [1])}
}

test_each_role_reports_its_own_trust if {
	other := "arn:aws:iam::743263909644:role/shop-cart-old"
	inp := scan(
		issuer,
		[role(role_arn, [admit(0, ["system:serviceaccount:shop:old"])]), role(other, [admit(0, ["system:serviceaccount:shop:old"])])],
		[sa("shop", "cart", role_arn)], [namespace("shop", true)], [],
	)
	findings := rule.deny with input as inp
	{f.ref | some f in findings} == {sprintf("iam.json#%s", [role_arn]), sprintf("iam.json#%s", [other])}
}

test_explicit_deny_is_quiet if {
	deny_old := stmt(1, "Deny", issuer, [cond(1, "StringEquals", sprintf("%s:sub", [issuer]), ["system:serviceaccount:shop:old"])])
	count(rule.deny) == 0 with input as shop([admit(0, ["system:serviceaccount:shop:old"]), deny_old])
}

test_other_conditions_of_the_statement_count if {
	# An ANDed StringLike that the subject does not match: never admitted.
	s := admit(0, ["system:serviceaccount:shop:old"])
	narrowed := object.union(s, {"conditions": array.concat(s.conditions, [cond(0, "StringLike", sprintf("%s:sub", [issuer]), ["system:serviceaccount:shop:cart*"])])})
	count(rule.deny) == 0 with input as shop([narrowed])
}

test_other_cluster_is_quiet if {
	inp := irsalint.resolve(object.union(shop([admit(0, ["system:serviceaccount:shop:old"])]), {"cluster": {"oidcIssuer": other_issuer}}))
	count(rule.deny) == 0 with input as inp
}

test_inferred_issuer_is_said if {
	inp := irsalint.resolve(object.union(shop([admit(0, ["system:serviceaccount:shop:cart", "system:serviceaccount:shop:old"])]), {"cluster": {"oidcIssuer": null}}))
	findings := rule.deny with input as inp
	count(findings) == 1
	some f in findings
	endswith(f.message, sprintf("This cluster's OIDC issuer %s was inferred from the trust policies of the roles the scanned ServiceAccounts use; pass --oidc-issuer to be sure.", [issuer]))
}

test_lossy_policy_is_quiet if {
	inp := shop([admit(0, ["system:serviceaccount:shop:old"])])
	lossy := irsalint.resolve(object.union(inp, {"roles": {role_arn: object.union(inp.roles[role_arn], {"trustPolicy": {"lossy": true}})}}))
	count(rule.deny) == 0 with input as lossy
}
