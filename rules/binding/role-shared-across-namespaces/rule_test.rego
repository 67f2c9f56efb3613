package irsalint.rules.binding["role-shared-across-namespaces_test"]

import data.irsalint.rules.binding["role-shared-across-namespaces"] as rule

# Hand-built inventory entries in the shape `irsalint inventory` prints.

issuer := "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"

annotation := ["metadata", "annotations", "eks.amazonaws.com/role-arn"]

reader := "arn:aws:iam::743263909644:role/team/catalog/reader"

fed(i) := {
	"value": sprintf("arn:aws:iam::743263909644:oidc-provider/%s", [issuer]), "kind": "oidc", "issuer": issuer,
	"keyPrefix": lower(issuer), "partition": "aws", "account": "743263909644", "at": ["Statement", i, "Principal", "Federated"],
}

sub_at(i) := ["Statement", i, "Condition", "StringEquals", sprintf("%s:sub", [issuer])]

cond(i, op, key, values) := {
	"operator": op, "base": op, "family": "String", "negated": false, "like": false,
	"ignoreCase": false, "ifExists": false, "qualifier": null, "key": lower(key), "keyWritten": key,
	"values": values, "at": ["Statement", i, "Condition", op, key],
}

stmt(i, effect, conditions) := {
	"index": i, "sid": null, "effect": effect, "at": ["Statement", i],
	"principals": [{"type": "Federated", "value": fed(i).value, "at": fed(i).at}],
	"actions": ["sts:assumerolewithwebidentity"], "notAction": false,
	"conditions": conditions, "federated": [fed(i)],
}

admit(i, subjects) := stmt(i, "Allow", [
	cond(i, "StringEquals", sprintf("%s:aud", [issuer]), ["sts.amazonaws.com"]),
	cond(i, "StringEquals", sprintf("%s:sub", [issuer]), [sprintf("system:serviceaccount:%s", [s]) | some s in subjects]),
])

role(arn, statements) := {
	"ref": sprintf("iam#%s", [arn]), "key": arn, "arn": arn, "name": "reader",
	"account": "743263909644", "partition": "aws", "source": "authorization-details",
	"trustPolicy": {"at": ["AssumeRolePolicyDocument"], "version": "2012-10-17", "lossy": false, "problems": [], "statements": statements},
}

sa(ns, name, arn) := {
	"ref": sprintf("sa-%s-%s", [ns, name]), "kind": "ServiceAccount", "namespace": ns, "name": name,
	"key": sprintf("%s/%s", [ns, name]), "declared": true, "labels": {}, "usedBy": [], "at": [],
	"annotations": {"eks.amazonaws.com/role-arn": arn},
}

scan(roles, sas) := irsalint.resolve({
	"cluster": {"oidcIssuer": issuer},
	"roles": {r.key: r | some r in roles},
	"serviceAccounts": {s.key: s | some s in sas},
	"namespaces": {},
	"workloads": [],
	"podIdentityAssociations": {},
})

test_annotations_in_two_namespaces_fire_on_the_role_statement if {
	findings := rule.deny with input as scan(
		[role(reader, [stmt(0, "Allow", [])])],
		[sa("staging", "catalog", reader), sa("prod", "catalog", reader)],
	)
	count(findings) == 1
	some f in findings
	f.ref == sprintf("iam#%s", [reader])
	f.at == ["Statement", 0]
	not "severity" in object.keys(f)
	contains(f.message, "role arn:aws:iam::743263909644:role/team/catalog/reader is shared by ServiceAccounts of 2 namespaces (prod, staging): prod/catalog, staging/catalog carry it in eks.amazonaws.com/role-arn.")
	contains(f.message, "AWS recommends one role per application.")
	f.related == [
		{"ref": "sa-prod-catalog", "at": annotation, "message": "ServiceAccount prod/catalog uses this role"},
		{"ref": "sa-staging-catalog", "at": annotation, "message": "ServiceAccount staging/catalog uses this role"},
	]
}

test_role_outside_the_scan_fires_on_the_first_annotation if {
	findings := rule.deny with input as scan([], [sa("staging", "catalog", reader), sa("prod", "catalog", reader), sa("prod", "admin", reader)])
	count(findings) == 1
	some f in findings
	f.ref == "sa-prod-admin"
	f.at == annotation
	contains(f.message, "role arn:aws:iam::743263909644:role/team/catalog/reader is shared by ServiceAccounts of 2 namespaces (prod, staging): prod/admin, prod/catalog, staging/catalog carry it")
	[r.ref | some r in f.related] == ["sa-prod-catalog", "sa-staging-catalog"]
}

test_trust_admitting_two_namespaces_fires_at_the_admitting_statement if {
	findings := rule.deny with input as scan([role(reader, [stmt(0, "Allow", []), admit(1, ["etl-blue:loader", "etl-green:loader"])])], [])
	count(findings) == 1
	some f in findings
	f.at == ["Statement", 1]
	contains(f.message, "of 2 namespaces (etl-blue, etl-green): its trust policy admits etl-blue/loader, etl-green/loader.")
	f.related == [
		{"ref": sprintf("iam#%s", [reader]), "at": array.concat(sub_at(1), [0]), "message": "the trust policy admits etl-blue/loader"},
		{"ref": sprintf("iam#%s", [reader]), "at": array.concat(sub_at(1), [1]), "message": "the trust policy admits etl-green/loader"},
	]
}

test_annotation_and_trust_combine if {
	# Annotated in shop, and the trust also admits an old namespace.
	findings := rule.deny with input as scan([role(reader, [admit(0, ["shop:cart", "shop-old:cart"])])], [sa("shop", "cart", reader)])
	count(findings) == 1
	some f in findings
	contains(f.message, "of 2 namespaces (shop, shop-old): shop/cart carries it in eks.amazonaws.com/role-arn, and its trust policy admits shop-old/cart, shop/cart.")
}

test_one_namespace_is_quiet if {
	count(rule.deny) == 0 with input as scan(
		[role(reader, [admit(0, ["shop:cart", "shop:checkout"])])],
		[sa("shop", "cart", reader), sa("shop", "checkout", reader)],
	)
}

test_each_namespace_its_own_role_is_quiet if {
	other := "arn:aws:iam::743263909644:role/team/catalog/reader-prod"
	count(rule.deny) == 0 with input as scan(
		[role(reader, [admit(0, ["staging:catalog"])]), role(other, [admit(0, ["prod:catalog"])])],
		[sa("staging", "catalog", reader), sa("prod", "catalog", other)],
	)
}

test_pod_identity_association_discards_the_annotation if {
	# Pod Identity wins in the webhook; the annotation is unused.
	inp := irsalint.resolve(object.union(
		scan([], [sa("staging", "catalog", reader), sa("prod", "catalog", reader)]),
		{"podIdentityAssociations": {"prod/catalog": {"roleArn": "arn:aws:iam::743263909644:role/catalog-prod"}}},
	))
	count(rule.deny) == 0 with input as inp
}

test_invalid_or_templated_annotations_are_quiet if {
	# The same unresolved template everywhere is no shared role.
	count(rule.deny) == 0 with input as scan([], [sa("a", "x", "{{ .Values.roleArn }}"), sa("b", "x", "{{ .Values.roleArn }}")])
	count(rule.deny) == 0 with input as scan([], [sa("a", "x", " "), sa("b", "x", " ")])
}

test_trust_entries_that_do_not_admit_are_quiet if {
	# A Deny on one subject, and a name Kubernetes rejects.
	deny_green := stmt(1, "Deny", [cond(1, "StringEquals", sprintf("%s:sub", [issuer]), ["system:serviceaccount:etl-green:loader"])])
	count(rule.deny) == 0 with input as scan([role(reader, [admit(0, ["etl-blue:loader", "etl-green:loader"]), deny_green])], [])
	count(rule.deny) == 0 with input as scan([role(reader, [admit(0, ["etl-blue:loader", "ETL-GREEN:loader"])])], [])
}

test_related_locations_are_capped if {
	sas := [sa(sprintf("ns-%d", [i]), "app", reader) | some i in numbers.range(1, 9)]
	findings := rule.deny with input as scan([], sas)
	count(findings) == 1
	some f in findings
	count(f.related) == 5
	contains(f.message, "of 9 namespaces (ns-1, ns-2, ns-3, ns-4, ns-5, ns-6, ns-7, ns-8 and 1 more)")
	contains(f.message, "ns-1/app, ns-2/app, ns-3/app, ns-4/app and 5 more carry it")
}

test_one_finding_per_role if {
	other := "arn:aws:iam::743263909644:role/batch"
	findings := rule.deny with input as scan([], [
		sa("a", "x", reader), sa("b", "x", reader),
		sa("a", "y", other), sa("c", "y", other),
	])
	count(findings) == 2
	{f.ref | some f in findings} == {"sa-a-x", "sa-a-y"}
}

test_inferred_issuer_is_said_for_trust_entries if {
	inp := irsalint.resolve(object.union(scan([role(reader, [admit(0, ["shop:cart", "shop-old:cart"])])], [sa("shop", "cart", reader)]), {"cluster": {"oidcIssuer": null}}))
	some f in rule.deny with input as inp
	endswith(f.message, sprintf("This cluster's OIDC issuer %s was inferred from the trust policies of the roles the scanned ServiceAccounts use; pass --oidc-issuer to be sure.", [issuer]))
}

# A ServiceAccount whose annotation the trust does not admit cannot use the
# role (trust-does-not-admit-sa reports it): its namespace shares nothing.
test_annotation_the_trust_refuses_is_not_a_use if {
	count(rule.deny) == 0 with input as scan(
		[role(reader, [admit(0, ["prod:catalog"])])],
		[sa("staging", "catalog", reader), sa("prod", "catalog", reader)],
	)
}
