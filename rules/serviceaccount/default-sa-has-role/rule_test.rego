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
	# Edge case 2: pods without a serviceAccountName get the role.
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
