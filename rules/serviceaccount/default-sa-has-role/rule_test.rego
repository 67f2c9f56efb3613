package irsalint.rules.serviceaccount["default-sa-has-role_test"]

import data.irsalint.rules.serviceaccount["default-sa-has-role"] as rule

role := "arn:aws:iam::111122223333:role/payments"

at := ["metadata", "annotations", "eks.amazonaws.com/role-arn"]

sa(name, annotations, used_by) := {
	"ref": sprintf("sa-%s", [name]),
	"kind": "ServiceAccount",
	"namespace": "payments",
	"name": name,
	"key": sprintf("payments/%s", [name]),
	"declared": true,
	"annotations": annotations,
	"labels": {},
	"usedBy": used_by,
	"at": [],
}

workload(ref, kind, name) := {"ref": ref, "kind": kind, "namespace": "payments", "name": name}

test_annotated_default_fires_and_lists_its_workloads if {
	# Pods without a serviceAccountName get the role.
	findings := rule.deny with input as {
		"serviceAccounts": {"payments/default": sa("default", {"eks.amazonaws.com/role-arn": role}, ["w2", "w1"])},
		"workloads": [workload("w1", "Deployment", "api"), workload("w2", "CronJob", "settle")],
	}
	count(findings) == 1
	some f in findings
	f.ref == "sa-default"
	f.at == at
	not "severity" in object.keys(f)
	contains(f.message, sprintf("ServiceAccount payments/default carries eks.amazonaws.com/role-arn %q", [role]))
	contains(f.message, "every pod in namespace payments that names no ServiceAccount runs with this role")
	contains(f.message, "2 workloads in this scan (CronJob payments/settle, Deployment payments/api) and any pod created there later.")
}

test_one_workload_is_singular if {
	some f in rule.deny with input as {
		"serviceAccounts": {"payments/default": sa("default", {"eks.amazonaws.com/role-arn": role}, ["w1"])},
		"workloads": [workload("w1", "Deployment", "api")],
	}
	contains(f.message, "1 workload in this scan (Deployment payments/api)")
}

test_many_workloads_are_abbreviated if {
	refs := ["a", "b", "c", "d", "e"]
	some f in rule.deny with input as {
		"serviceAccounts": {"payments/default": sa("default", {"eks.amazonaws.com/role-arn": role}, refs)},
		"workloads": [workload(r, "Job", r) | some r in refs],
	}
	contains(f.message, "5 workloads in this scan (Job payments/a, Job payments/b, Job payments/c and 2 more)")
}

test_unused_default_still_fires if {
	some f in rule.deny with input as {
		"serviceAccounts": {"payments/default": sa("default", {"eks.amazonaws.com/role-arn": role}, [])},
		"workloads": [],
	}
	contains(f.message, "no workload in this scan does yet, but any pod created there later will.")
}

test_unannotated_or_empty_default_is_quiet if {
	count(rule.deny) == 0 with input as {"serviceAccounts": {
		"a/default": sa("default", {}, []),
		"b/default": object.union(sa("default", {"eks.amazonaws.com/role-arn": ""}, []), {"namespace": "b", "key": "b/default", "ref": "b"}),
	}}
}

test_other_service_accounts_are_quiet if {
	count(rule.deny) == 0 with input as {"serviceAccounts": {
		"payments/api": sa("api", {"eks.amazonaws.com/role-arn": role}, []),
		"payments/default-api": sa("default-api", {"eks.amazonaws.com/role-arn": role}, []),
	}}
}

test_implicit_default_is_quiet if {
	implicit := object.union(sa("default", {"eks.amazonaws.com/role-arn": role}, []), {"declared": false, "ref": "implicit:payments/default"})
	count(rule.deny) == 0 with input as {"serviceAccounts": {"payments/default": implicit}}
}

# --- The trust half ---------------------------------------------------------------

issuer := "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"

trust_role := "arn:aws:iam::743263909644:role/payments-ledger"

fed(iss, i) := {
	"value": sprintf("arn:aws:iam::743263909644:oidc-provider/%s", [iss]), "kind": "oidc", "issuer": iss,
	"keyPrefix": lower(iss), "partition": "aws", "account": "743263909644", "at": ["Statement", i, "Principal", "Federated"],
}

cond(i, op, key, values) := {
	"operator": op, "base": trim_prefix(op, "ForAnyValue:"), "family": "String", "negated": false, "like": contains(op, "StringLike"),
	"ignoreCase": false, "ifExists": false, "qualifier": null, "key": lower(key), "keyWritten": key,
	"values": values, "at": ["Statement", i, "Condition", op, key],
}

sub_key := sprintf("%s:sub", [issuer])

stmt(i, effect, conditions) := {
	"index": i, "sid": null, "effect": effect, "at": ["Statement", i],
	"principals": [{"type": "Federated", "value": fed(issuer, i).value, "at": fed(issuer, i).at}],
	"actions": ["sts:assumerolewithwebidentity"], "notAction": false,
	"conditions": conditions, "federated": [fed(issuer, i)],
}

trusting(i, op, subjects) := stmt(i, "Allow", [
	cond(i, "StringEquals", sprintf("%s:aud", [issuer]), ["sts.amazonaws.com"]),
	cond(i, op, sub_key, subjects),
])

iam_role(statements) := {
	"ref": "iam#ledger", "key": trust_role, "arn": trust_role, "name": "payments-ledger",
	"account": "743263909644", "partition": "aws", "source": "authorization-details",
	"trustPolicy": {"at": ["AssumeRolePolicyDocument"], "version": "2012-10-17", "lossy": false, "problems": [], "statements": statements},
}

trust_scan(statements, sas, namespaces) := irsalint.resolve({
	"cluster": {"oidcIssuer": issuer},
	"roles": {trust_role: iam_role(statements)},
	"serviceAccounts": {s.key: s | some s in sas},
	"namespaces": namespaces,
	"workloads": [workload("w1", "Deployment", "api")],
	"podIdentityAssociations": {},
})

implicit_default := object.union(sa("default", {}, ["w1"]), {"declared": false, "ref": "implicit:payments/default"})

test_trust_admitting_a_default_service_account_fires_at_the_value if {
	findings := rule.deny with input as trust_scan(
		[trusting(0, "StringEquals", ["system:serviceaccount:payments:ledger", "system:serviceaccount:payments:default"])],
		[implicit_default], {"payments": {"name": "payments", "declared": true, "ref": "ns-payments", "at": []}},
	)
	count(findings) == 1
	some f in findings
	f.ref == "iam#ledger"
	f.at == ["Statement", 0, "Condition", "StringEquals", sub_key, 1]
	not "severity" in object.keys(f)
	contains(f.message, "role arn:aws:iam::743263909644:role/payments-ledger: statement 1 admits system:serviceaccount:payments:default, the default ServiceAccount of namespace payments, so every pod there that names no ServiceAccount can assume the role")
	contains(f.message, "can assume the role, annotation or not (a pod can mount a token for its ServiceAccount through a projected volume); 1 workload in this scan already runs as it (Deployment payments/api).")
	not contains(f.message, "inferred")

	# The implicit default has no source: the related location is the Namespace.
	f.related == [{"ref": "ns-payments", "at": ["metadata", "name"], "message": "pods in namespace payments that name no ServiceAccount run as its default ServiceAccount"}]
}

test_trust_related_location_prefers_a_declared_default if {
	some f in rule.deny with input as trust_scan(
		[trusting(0, "StringEquals", ["system:serviceaccount:payments:default"])],
		[sa("default", {}, [])], {"payments": {"name": "payments", "declared": true, "ref": "ns-payments", "at": []}},
	)
	f.at == ["Statement", 0, "Condition", "StringEquals", sub_key]
	f.related == [{"ref": "sa-default", "at": ["metadata", "name"], "message": "pods in namespace payments that name no ServiceAccount run as ServiceAccount payments/default"}]
	contains(f.message, "; no workload in this scan runs as it yet.")
}

test_trust_for_a_namespace_outside_the_scan_still_fires if {
	findings := rule.deny with input as trust_scan([trusting(0, "StringEquals", ["system:serviceaccount:batch:default"])], [], {})
	count(findings) == 1
	some f in findings
	not "related" in object.keys(f)
	contains(f.message, "namespace batch, so every pod there")
	endswith(f.message, "; no workload in this scan runs as it yet.")
}

test_any_namespace_pattern_fires if {
	findings := rule.deny with input as trust_scan([trusting(0, "StringLike", ["system:serviceaccount:*:default"])], [], {})
	count(findings) == 1
	some f in findings
	f.at == ["Statement", 0, "Condition", "StringLike", sub_key]
	contains(f.message, `statement 1 admits "system:serviceaccount:*:default" through StringLike: the default ServiceAccount of every namespace of the cluster, including namespaces created later`)
}

test_namespace_patterns_fire_with_their_scope if {
	some f in rule.deny with input as trust_scan([trusting(0, "StringLike", ["system:serviceaccount:team-*:default"])], [], {})
	contains(f.message, `the default ServiceAccount of every namespace matching "team-*", including namespaces created later`)
	some g in rule.deny with input as trust_scan([trusting(0, "StringLike", ["system:serviceaccount:payments:default"])], [], {})
	contains(g.message, "the default ServiceAccount of namespace payments, so every pod there")
	some h in rule.deny with input as trust_scan([trusting(0, "ForAnyValue:StringLike", ["*:default"])], [], {})
	contains(h.message, "of every namespace of the cluster")
}

test_patterns_that_do_not_end_in_default_are_quiet if {
	# Broader patterns are trust-wildcard-sub's; these do not name default.
	every p in ["system:serviceaccount:*", "system:serviceaccount:payments:*", "system:serviceaccount:*:default-api", "system:serviceaccount:*default", "repo:acme/*:default"] {
		count(rule.deny) == 0 with input as trust_scan([trusting(0, "StringLike", [p])], [], {})
	}
}

test_closed_trusts_are_quiet if {
	# An explicit Deny, or an ANDed exact subject that is not default.
	deny_default := stmt(1, "Deny", [cond(1, "StringLike", sub_key, ["system:serviceaccount:*:default"])])
	count(rule.deny) == 0 with input as trust_scan([trusting(0, "StringEquals", ["system:serviceaccount:payments:default"]), deny_default], [], {})
	s := trusting(0, "StringLike", ["system:serviceaccount:*:default"])
	anchored := object.union(s, {"conditions": array.concat(s.conditions, [cond(0, "StringEquals", sub_key, ["system:serviceaccount:payments:ledger"])])})
	count(rule.deny) == 0 with input as trust_scan([anchored], [], {})
}

test_trust_for_an_impossible_namespace_is_quiet if {
	# Upper case never matches a real token's subject.
	count(rule.deny) == 0 with input as trust_scan([trusting(0, "StringEquals", ["system:serviceaccount:Payments:default"])], [], {})
}

test_other_cluster_trust_is_quiet if {
	inp := irsalint.resolve(object.union(trust_scan([trusting(0, "StringEquals", ["system:serviceaccount:payments:default"])], [], {}), {"cluster": {"oidcIssuer": "oidc.eks.eu-west-1.amazonaws.com/id/OTHER"}}))
	count(rule.deny) == 0 with input as inp
}

test_inferred_issuer_is_said if {
	ledger := object.union(sa("ledger", {"eks.amazonaws.com/role-arn": trust_role}, []), {})
	inp := irsalint.resolve(object.union(
		trust_scan([trusting(0, "StringEquals", ["system:serviceaccount:payments:ledger", "system:serviceaccount:payments:default"])], [ledger], {}),
		{"cluster": {"oidcIssuer": null}},
	))
	findings := rule.deny with input as inp
	count(findings) == 1
	some f in findings
	endswith(f.message, sprintf("This cluster's OIDC issuer %s was inferred from the trust policies of the roles the scanned ServiceAccounts use; pass --oidc-issuer to be sure.", [issuer]))
}
