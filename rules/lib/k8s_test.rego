package irsalint.lib.k8s_test

import data.irsalint.lib.k8s

test_describe_names_kind_namespace_and_name if {
	k8s.describe({"kind": "Deployment", "namespace": "prod", "name": "api"}) == "Deployment prod/api"
	k8s.describe({"kind": "ServiceAccount", "namespace": "prod", "name": "default"}) == "ServiceAccount prod/default"
}

# Namespace entries of the inventory carry no kind.
test_describe_namespace_entry if {
	k8s.describe({"name": "payments", "declared": true}) == "Namespace payments"
}

test_annotation_and_label_paths if {
	k8s.annotation_at(k8s.role_arn_key) == ["metadata", "annotations", "eks.amazonaws.com/role-arn"]
	deployment := {"template": {"at": ["spec", "template", "metadata"]}}
	k8s.template_annotation_at(deployment, k8s.skip_containers_key) == ["spec", "template", "metadata", "annotations", "eks.amazonaws.com/skip-containers"]
	cronjob := {"template": {"at": ["spec", "jobTemplate", "spec", "template", "metadata"]}}
	k8s.template_label_at(cronjob, k8s.skip_webhook_label) == ["spec", "jobTemplate", "spec", "template", "metadata", "labels", "eks.amazonaws.com/skip-pod-identity-webhook"]
	pod := {"template": {"at": ["metadata"]}}
	k8s.template_label_at(pod, "app") == ["metadata", "labels", "app"]
}

env_at := ["spec", "containers", 0, "env", 3]

test_value_at_points_at_the_value if {
	k8s.value_at({"name": "AWS_REGION", "value": "eu-west-1", "at": env_at}) == array.concat(env_at, ["value"])

	# An empty string is still a value written on its own line.
	k8s.value_at({"name": "AWS_REGION", "value": "", "at": env_at}) == array.concat(env_at, ["value"])
}

test_value_at_points_at_value_from if {
	e := {"name": "AWS_SECRET_ACCESS_KEY", "valueFrom": {"secretKeyRef": {"name": "aws", "key": "secret"}}, "at": env_at}
	k8s.value_at(e) == array.concat(env_at, ["valueFrom"])
}

test_value_at_falls_back_to_the_entry if {
	k8s.value_at({"name": "AWS_REGION", "at": env_at}) == env_at
}

test_container_kind if {
	k8s.container_kind({"type": "container"}) == "container"
	k8s.container_kind({"type": "initContainer"}) == "init container"
	k8s.container_kind({"type": "ephemeralContainer"}) == "ephemeral container"
}

test_container_at_points_at_the_name if {
	k8s.container_at({"at": ["spec", "initContainers", 1]}) == ["spec", "initContainers", 1, "name"]
}

sas := {
	"prod/api": {"ref": "sa.yaml#0", "key": "prod/api", "declared": true, "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/api"}},
	"prod/default": {"ref": "implicit:prod/default", "key": "prod/default", "declared": false, "annotations": {}},
}

test_service_account_looks_up_the_effective_key if {
	w := {"serviceAccount": {"name": "api", "key": "prod/api"}}
	k8s.service_account(w).ref == "sa.yaml#0" with input as {"serviceAccounts": sas}
	d := {"serviceAccount": {"name": "default", "key": "prod/default"}}
	k8s.service_account(d).declared == false with input as {"serviceAccounts": sas}
}

test_service_account_is_undefined_when_not_scanned if {
	w := {"serviceAccount": {"name": "worker", "key": "prod/worker"}}
	not k8s.service_account(w) with input as {"serviceAccounts": sas}

	# Same name, other namespace.
	other := {"serviceAccount": {"name": "api", "key": "staging/api"}}
	not k8s.service_account(other) with input as {"serviceAccounts": sas}
}

test_workload_by_ref if {
	ws := [{"ref": "a.yaml#0", "name": "api"}, {"ref": "a.yaml#1", "name": "worker"}]
	k8s.workload_by_ref["a.yaml#1"].name == "worker" with input as {"workloads": ws}
	k8s.workload_by_ref["a.yaml#0"].name == "api" with input as {"workloads": ws}
	count(k8s.workload_by_ref) == 2 with input as {"workloads": ws}
	count(k8s.workload_by_ref) == 0 with input as {"workloads": []}
}

test_role_arn_reads_the_service_account_annotation if {
	k8s.role_arn(sas["prod/api"]) == "arn:aws:iam::111122223333:role/api"
	not k8s.role_arn(sas["prod/default"])
}

test_env_var_finds_env_entries_only if {
	c := {
		"env": [{"name": "AWS_REGION", "value": "eu-west-1", "at": ["e", 0]}],
		"envFrom": [{"configMapRef": {"name": "aws"}, "at": ["f", 0]}],
	}
	k8s.env_var(c, "AWS_REGION").at == ["e", 0]
	not k8s.env_var(c, "AWS_ROLE_ARN")
}

test_host_network_is_true_only_for_true if {
	k8s.host_network({"podSpec": {"hostNetwork": true}})
	not k8s.host_network({"podSpec": {"hostNetwork": false}})
	not k8s.host_network({"podSpec": {}})
}

test_valid_kubernetes_names if {
	k8s.valid_namespace("payments")
	not k8s.valid_namespace("Payments")
	not k8s.valid_namespace("pay.ments")
	k8s.valid_name("api.v2")
	not k8s.valid_name("api ")
	not k8s.valid_name("-api")
}

test_windows_pods if {
	k8s.webhook_windows({"podSpec": {"nodeSelector": {"kubernetes.io/os": "windows"}}})
	not k8s.webhook_windows({"podSpec": {"os": {"name": "windows"}}})
	k8s.windows_pod({"podSpec": {"os": {"name": "windows"}}})
	k8s.windows_pod({"podSpec": {"nodeSelector": {"beta.kubernetes.io/os": "windows"}}})
	not k8s.windows_pod({"podSpec": {}})
}
