package irsalint.rules.serviceaccount["token-expiration-invalid_test"]

import data.irsalint.rules.serviceaccount["token-expiration-invalid"] as rule

key := "eks.amazonaws.com/token-expiration"

sa(value) := {"serviceAccounts": {"prod/api": {
	"ref": "sa",
	"kind": "ServiceAccount",
	"namespace": "prod",
	"name": "api",
	"key": "prod/api",
	"declared": true,
	"annotations": {key: value},
	"labels": {},
	"usedBy": [],
	"at": [],
}}}

deployment(value) := {"workloads": [{
	"ref": "w",
	"kind": "Deployment",
	"namespace": "prod",
	"name": "api",
	"annotations": {},
	"template": {"labels": {}, "annotations": {key: value}, "at": ["spec", "template", "metadata"]},
	"serviceAccount": {"name": "api", "key": "prod/api", "source": "serviceAccountName", "at": ["spec", "template", "spec", "serviceAccountName"]},
	"containers": [],
}]}

# on_sa returns the message of the single finding for value on a ServiceAccount.
on_sa(value) := f.message if {
	findings := rule.deny with input as irsalint.resolve(sa(value))
	count(findings) == 1
	some f in findings
	f.ref == "sa"
	f.at == ["metadata", "annotations", key]
	not "severity" in object.keys(f)
}

quiet(value) if {
	count(rule.deny) == 0 with input as irsalint.resolve(sa(value))
	count(rule.deny) == 0 with input as irsalint.resolve(deployment(value))
}

test_values_in_range_are_quiet if {
	quiet("600")
	quiet("3600")
	quiet("86400")
	quiet("+3600")
	quiet("0003600")
}

test_non_integers_are_ignored if {
	# "3600s" is not an integer; the webhook keeps the default.
	m := on_sa("3600s")
	contains(m, `ServiceAccount prod/api: eks.amazonaws.com/token-expiration "3600s" is not an integer (the value is a number of seconds, without a unit), so the webhook ignores it`)
	contains(m, "the default of 86400 seconds")
	contains(on_sa("1h"), "without a unit")
	contains(on_sa(" 3600"), "is not an integer (it has surrounding whitespace)")
	contains(on_sa("3600\n"), "surrounding whitespace")
	contains(on_sa("3_600"), `"3_600" is not an integer, so`)
	contains(on_sa("3600.0"), "is not an integer, so")
	contains(on_sa(""), `"" is not an integer`)
	contains(on_sa("+-3600"), "is not an integer")
	contains(on_sa("0x3600"), "is not an integer")
}

test_below_minimum_is_clamped if {
	# "300" becomes 600.
	contains(on_sa("300"), `"300" is below the webhook's minimum of 600 seconds, so tokens are issued for 600 seconds instead`)
	contains(on_sa("599"), "below the webhook's minimum")
	contains(on_sa("0"), "below the webhook's minimum")
	contains(on_sa("-3600"), "below the webhook's minimum")
}

test_above_maximum_is_not_enforced if {
	# "172800" passes the webhook; the API server may cap it.
	m := on_sa("172800")
	contains(m, "is above 86400 seconds (24 hours), which the webhook does not enforce")
	contains(m, "--service-account-max-token-expiration")
	contains(m, "valid for 48 hours")
	contains(on_sa("86401"), "valid for 24 hours")
	contains(on_sa("2592000"), "valid for 30 days")
}

test_int64_overflow_is_ignored if {
	contains(on_sa("9223372036854775808"), "out of the 64-bit integer range, so the webhook ignores it")
	contains(on_sa("99999999999999999999"), "out of the 64-bit integer range")
	contains(on_sa("-9223372036854775809"), "out of the 64-bit integer range")
	contains(on_sa("9223372036854775807"), "is above 86400 seconds")
	contains(on_sa("-9223372036854775808"), "below the webhook's minimum")
	quiet("00000000000000000000000086400")
}

test_pod_template_annotation_is_judged if {
	findings := rule.deny with input as irsalint.resolve(deployment("1h"))
	count(findings) == 1
	some f in findings
	f.ref == "w"
	f.at == ["spec", "template", "metadata", "annotations", key]
	contains(f.message, `Deployment prod/api: pod template annotation eks.amazonaws.com/token-expiration "1h" is not an integer`)
	contains(f.message, "the ServiceAccount's value or the default of 86400 seconds applies")
}

test_bare_pod_annotation_is_judged if {
	inp := {"workloads": [{
		"ref": "p", "kind": "Pod", "namespace": "prod", "name": "job", "annotations": {key: "100"},
		"template": {"labels": {}, "annotations": {key: "100"}, "at": ["metadata"]},
	}]}
	findings := rule.deny with input as irsalint.resolve(inp)
	count(findings) == 1
	some f in findings
	f.at == ["metadata", "annotations", key]
	contains(f.message, `Pod prod/job: annotation eks.amazonaws.com/token-expiration "100" is below`)
}

test_pod_overriding_sa_legitimately_is_quiet if {
	inp := object.union(sa("43200"), deployment("3600"))
	count(rule.deny) == 0 with input as irsalint.resolve(inp)
}

test_workload_own_metadata_is_left_to_role_arn_misplaced if {
	inp := {"workloads": [{
		"ref": "w", "kind": "Deployment", "namespace": "prod", "name": "api", "annotations": {key: "1h"},
		"template": {"labels": {}, "annotations": {}, "at": ["spec", "template", "metadata"]},
	}]}
	count(rule.deny) == 0 with input as irsalint.resolve(inp)
}

test_implicit_and_absent_are_quiet if {
	inp := {"serviceAccounts": {
		"prod/default": {"ref": "implicit:prod/default", "kind": "ServiceAccount", "namespace": "prod", "name": "default", "declared": false, "annotations": {key: "1h"}},
		"prod/x": {"ref": "x", "kind": "ServiceAccount", "namespace": "prod", "name": "x", "declared": true, "annotations": {}},
	}}
	count(rule.deny) == 0 with input as irsalint.resolve(inp)
}
