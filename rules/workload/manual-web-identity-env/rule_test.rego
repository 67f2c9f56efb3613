package irsalint.rules.workload["manual-web-identity-env_test"]

import data.irsalint.rules.workload["manual-web-identity-env"] as rule

role := "arn:aws:iam::111122223333:role/api"

default_token := "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"

c0 := ["spec", "template", "spec", "containers", 0]

sa(annotations) := {
	"ref": "sa", "kind": "ServiceAccount", "namespace": "shop", "name": "api", "key": "shop/api",
	"declared": true, "annotations": annotations, "labels": {}, "at": [],
}

annotated := sa({"eks.amazonaws.com/role-arn": role})

plain := sa({})

env(name, value, i) := {"name": name, "value": value, "at": array.concat(c0, ["env", i])}

container(env_list, mounts) := {
	"name": "app", "type": "container", "at": c0,
	"env": env_list, "envFrom": [], "volumeMounts": mounts,
}

# A projected serviceAccountToken volume written by hand.
token_volume := {"name": "tok", "projected": {"sources": [{"serviceAccountToken": {"audience": "sts.amazonaws.com", "path": "token"}}]}}

token_mount := {"name": "tok", "mountPath": "/var/run/secrets/tok"}

workload(containers, volumes, labels, annotations) := {
	"ref": "w", "kind": "Deployment", "namespace": "shop", "name": "api",
	"template": {"labels": labels, "annotations": annotations, "at": ["spec", "template", "metadata"]},
	"serviceAccount": {"name": "api", "key": "shop/api", "source": "serviceAccountName", "at": ["spec", "template", "spec", "serviceAccountName"]},
	"podSpec": {"at": ["spec", "template", "spec"]},
	"containers": containers,
	"volumes": volumes,
}

inv(w, sas, assocs) := irsalint.resolve({
	"cluster": {},
	"workloads": [w],
	"serviceAccounts": {s.key: s | some s in sas},
	"podIdentityAssociations": assocs,
})

simple(env_list, s) := inv(workload([container(env_list, [])], [], {}, {}), [s], {})

both(role_value, token) := [env("AWS_ROLE_ARN", role_value, 0), env("AWS_WEB_IDENTITY_TOKEN_FILE", token, 1)]

test_role_arn_alone_is_high_and_ends_at_node_role if {
	findings := rule.deny with input as simple([env("AWS_ROLE_ARN", role, 0)], annotated)
	count(findings) == 1
	some f in findings
	f.severity == "high"
	f.ref == "w"
	f.at == array.concat(c0, ["env", 0, "value"])
	contains(f.message, `container "app" of Deployment shop/api sets AWS_ROLE_ARN without AWS_WEB_IDENTITY_TOKEN_FILE`)
	contains(f.message, "stops the webhook from injecting either")
	contains(f.message, "the node role through IMDS")
}

test_token_file_alone_is_high_and_names_the_go_error if {
	findings := rule.deny with input as simple([env("AWS_WEB_IDENTITY_TOKEN_FILE", default_token, 0)], annotated)
	count(findings) == 1
	some f in findings
	f.severity == "high"
	f.at == array.concat(c0, ["env", 0, "value"])
	contains(f.message, "sets AWS_WEB_IDENTITY_TOKEN_FILE without AWS_ROLE_ARN")
	contains(f.message, `"role ARN is not set"`)
}

test_lone_variable_without_annotation_has_no_webhook_note if {
	some f in rule.deny with input as simple([env("AWS_ROLE_ARN", role, 0)], plain)
	f.severity == "high"
	not contains(f.message, "webhook")
}

test_lone_role_arn_with_pod_identity_names_the_association if {
	w := workload([container([env("AWS_ROLE_ARN", role, 0)], [])], [], {}, {})
	some f in rule.deny with input as inv(w, [plain], {"shop/api": {"roleArn": "arn:aws:iam::111122223333:role/pi"}})
	f.severity == "high"
	contains(f.message, "the Pod Identity association of ServiceAccount shop/api instead of this role")
}

test_lone_role_arn_on_fargate_says_calls_fail if {
	findings := rule.deny with input as irsalint.resolve(object.union(
		simple([env("AWS_ROLE_ARN", role, 0)], annotated),
		{"cluster": {"fargateProfiles": [{"name": "fp", "selectors": [{"namespace": "shop"}]}]}},
	))
	some f in findings
	contains(f.message, "Fargate has no instance metadata")
}

test_role_differing_from_annotation_is_high_with_related_annotation if {
	other := "arn:aws:iam::111122223333:role/other"
	findings := rule.deny with input as simple(both(other, default_token), annotated)
	count(findings) == 1
	some f in findings
	f.severity == "high"
	f.at == array.concat(c0, ["env", 0, "value"])
	contains(f.message, sprintf("sets AWS_ROLE_ARN to %q, but ServiceAccount shop/api is annotated with %q", [other, role]))
	contains(f.message, "annotation is silently ignored")
	f.related == [{"ref": "sa", "at": ["metadata", "annotations", "eks.amazonaws.com/role-arn"], "message": "the role the webhook would inject from the ServiceAccount"}]
}

test_same_role_and_webhook_token_is_low_redundant if {
	findings := rule.deny with input as simple(both(role, default_token), annotated)
	count(findings) == 1
	some f in findings
	f.severity == "low"
	f.at == array.concat(c0, ["env", 0, "value"])
	contains(f.message, "sets AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE by hand: redundant")
	count(f.related) == 1
}

test_token_path_nothing_mounts_is_high if {
	findings := rule.deny with input as simple(both(role, "/var/run/secrets/aws/token"), annotated)
	count(findings) == 1
	some f in findings
	f.severity == "high"
	f.at == array.concat(c0, ["env", 1, "value"])
	contains(f.message, `sets AWS_WEB_IDENTITY_TOKEN_FILE to "/var/run/secrets/aws/token"`)
	contains(f.message, "the webhook's token is at /var/run/secrets/eks.amazonaws.com/serviceaccount/token")
	contains(f.message, "web identity fails")
}

test_token_path_beside_a_hand_mounted_token_names_the_real_file if {
	w := workload([container(both(role, "/var/run/secrets/tok/jwt"), [token_mount])], [token_volume], {}, {})
	some f in rule.deny with input as inv(w, [plain], {})
	f.severity == "high"
	f.at == array.concat(c0, ["env", 1, "value"])
	contains(f.message, "mounted in this container provide /var/run/secrets/tok/token")
}

test_default_path_in_a_skipped_container_is_high if {
	w := workload([container(both(role, default_token), [])], [], {}, {"eks.amazonaws.com/skip-containers": "app"})
	findings := rule.deny with input as inv(w, [annotated], {})
	count(findings) == 1
	some f in findings
	f.severity == "high"
	contains(f.message, "listed in eks.amazonaws.com/skip-containers, so the webhook mounts no token in it")
}

test_default_path_without_annotation_is_high if {
	some f in rule.deny with input as simple(both(role, default_token), plain)
	f.severity == "high"
	contains(f.message, "ServiceAccount shop/api has no eks.amazonaws.com/role-arn, so the webhook mounts nothing")
}

test_opted_out_pod_with_hand_mounted_token_is_quiet if {
	w := workload(
		[container(both(role, "/var/run/secrets/tok/token"), [token_mount])], [token_volume],
		{"eks.amazonaws.com/skip-pod-identity-webhook": "true"}, {},
	)
	count(rule.deny) == 0 with input as inv(w, [annotated], {})
}

test_skipped_container_with_hand_mounted_token_and_other_role_is_quiet if {
	w := workload(
		[container(both("arn:aws:iam::111122223333:role/other", "/var/run/secrets/tok/token"), [token_mount])], [token_volume],
		{}, {"eks.amazonaws.com/skip-containers": "app"},
	)
	count(rule.deny) == 0 with input as inv(w, [annotated], {})
}

test_skipped_container_without_hand_token_mount_has_no_related_annotation if {
	e := {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "valueFrom": {"configMapKeyRef": {"name": "aws", "key": "token"}}, "at": array.concat(c0, ["env", 1])}
	w := workload([container([env("AWS_ROLE_ARN", role, 0), e], [])], [], {}, {"eks.amazonaws.com/skip-containers": "app"})
	findings := rule.deny with input as inv(w, [annotated], {})
	count(findings) == 1
	some f in findings
	f.severity == "low"
	contains(f.message, "a manual web identity setup outside the webhook (the container is listed in eks.amazonaws.com/skip-containers)")
	not f.related
}

test_manual_setup_without_annotation_is_low if {
	w := workload([container(both(role, "/var/run/secrets/tok/token"), [token_mount])], [token_volume], {}, {})
	findings := rule.deny with input as inv(w, [plain], {})
	count(findings) == 1
	some f in findings
	f.severity == "low"
	contains(f.message, "a manual web identity setup outside the webhook (ServiceAccount shop/api has no eks.amazonaws.com/role-arn)")
	not f.related
}

test_sub_path_mount_of_the_token_is_recognised if {
	mount := {"name": "tok", "mountPath": "/token", "subPath": "token"}
	w := workload([container(both(role, "/token"), [mount])], [token_volume], {}, {})
	some f in rule.deny with input as inv(w, [plain], {})
	f.severity == "low"
}

test_both_set_under_pod_identity_shadow_the_association if {
	w := workload([container(both(role, "/var/run/secrets/tok/token"), [token_mount])], [token_volume], {}, {})
	findings := rule.deny with input as inv(w, [annotated], {"shop/api": {}})
	count(findings) == 1
	some f in findings
	f.severity == "high"
	f.at == array.concat(c0, ["env", 0, "value"])
	contains(f.message, "while an EKS Pod Identity association covers ServiceAccount shop/api: SDKs try web identity first")
}

test_unknown_service_account_with_webhook_path_is_low if {
	findings := rule.deny with input as simple(both(role, default_token), object.union(plain, {"key": "other/x"}))
	count(findings) == 1
	some f in findings
	f.severity == "low"
	contains(f.message, "ServiceAccount shop/api is not in the scan")
}

test_role_from_config_map_is_low_and_says_it_cannot_compare if {
	e := {"name": "AWS_ROLE_ARN", "valueFrom": {"configMapKeyRef": {"name": "aws", "key": "role"}}, "at": array.concat(c0, ["env", 0])}
	findings := rule.deny with input as simple([e, env("AWS_WEB_IDENTITY_TOKEN_FILE", default_token, 1)], annotated)
	count(findings) == 1
	some f in findings
	f.severity == "low"
	f.at == array.concat(c0, ["env", 0, "valueFrom"])
	contains(f.message, "cannot tell whether it is the same role")
}

test_mount_named_after_the_webhook_volume_moves_its_token if {
	mount := {"name": "aws-iam-token", "mountPath": "/aws"}
	w := workload([container(both(role, "/aws/token"), [mount])], [], {}, {})
	some f in rule.deny with input as inv(w, [annotated], {})
	f.severity == "low"
}

test_windows_token_path_is_the_webhook_token_on_windows_pods if {
	w := workload([container(both(role, `C:\var\run\secrets\eks.amazonaws.com\serviceaccount\token`), [])], [], {}, {})
	win := object.union(w, {"podSpec": {"at": ["spec", "template", "spec"], "nodeSelector": {"kubernetes.io/os": "windows"}}})
	some f in rule.deny with input as inv(win, [annotated], {})
	f.severity == "low"
}

test_env_from_and_other_variables_are_ignored if {
	c := object.union(container([env("AWS_REGION", "eu-west-1", 0)], []), {"envFrom": [{"configMapRef": {"name": "aws"}, "at": array.concat(c0, ["envFrom", 0])}]})
	count(rule.deny) == 0 with input as inv(workload([c], [], {}, {}), [annotated], {})
}

test_each_container_is_judged_on_its_own if {
	ok := container([], [])
	lone := object.union(container([env("AWS_ROLE_ARN", role, 0)], []), {"name": "job", "type": "initContainer"})
	findings := rule.deny with input as inv(workload([ok, lone], [], {}, {}), [annotated], {})
	count(findings) == 1
	some f in findings
	contains(f.message, `init container "job"`)
}
