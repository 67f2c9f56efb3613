package irsalint.rules.workload["static-aws-credentials_test"]

import data.irsalint.rules.workload["static-aws-credentials"] as rule

workload(env) := {"workloads": [{
	"ref": "w",
	"kind": "Deployment",
	"namespace": "prod",
	"name": "api",
	"template": {"labels": {}, "annotations": {}, "at": ["spec", "template", "metadata"]},
	"serviceAccount": {"name": "default", "key": "prod/default", "source": "default", "at": ["spec", "template", "spec"]},
	"containers": [{"name": "app", "type": "container", "at": ["spec", "template", "spec", "containers", 0], "env": env}],
}]}

env(name, value, i) := {"name": name, "value": value, "at": ["spec", "template", "spec", "containers", 0, "env", i]}

test_literal_keys_are_critical if {
	findings := rule.deny with input as irsalint.resolve(workload([
		env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", 0),
		env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", 1),
	]))
	count(findings) == 2
	every f in findings {
		f.severity == "critical"
		f.ref == "w"
	}
	some f in findings
	f.at == ["spec", "template", "spec", "containers", 0, "env", 1, "value"]
	contains(f.message, "AWS_SECRET_ACCESS_KEY as a literal value")
}

test_secret_reference_is_high if {
	e := {"name": "AWS_SECRET_ACCESS_KEY", "valueFrom": {"secretKeyRef": {"name": "aws", "key": "secret"}}, "at": ["x", 0]}
	findings := rule.deny with input as irsalint.resolve(workload([e]))
	count(findings) == 1
	some f in findings
	f.severity == "high"
	f.at == ["x", 0, "valueFrom"]
	contains(f.message, `from Secret "aws"`)
}

test_configmap_reference_is_critical if {
	e := {"name": "AWS_SESSION_TOKEN", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "t"}}, "at": ["x", 0]}
	some f in rule.deny with input as irsalint.resolve(workload([e]))
	f.severity == "critical"
}

test_key_id_alone_is_reported_with_note if {
	some f in rule.deny with input as irsalint.resolve(workload([env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", 0)]))
	contains(f.message, "key ID alone")
}

test_empty_value_and_other_vars_are_ignored if {
	count(rule.deny) == 0 with input as irsalint.resolve(workload([
		env("AWS_ACCESS_KEY_ID", "", 0),
		env("AWS_REGION", "us-west-2", 1),
		{"name": "AWS_SECRET_ACCESS_KEY", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}, "at": ["x"]},
	]))
}
