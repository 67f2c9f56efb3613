# METADATA
# title: Kubernetes helpers
# description: |
#   Names, annotation keys and field paths shared by the rules. Paths are
#   relative to the object a finding is about; Go turns them into lines.
package irsalint.lib.k8s

# The annotation keys the EKS Pod Identity Webhook reads. The role and
# audience keys are read from the ServiceAccount only.
role_arn_key := "eks.amazonaws.com/role-arn"

audience_key := "eks.amazonaws.com/audience"

sts_regional_endpoints_key := "eks.amazonaws.com/sts-regional-endpoints"

token_expiration_key := "eks.amazonaws.com/token-expiration"

skip_containers_key := "eks.amazonaws.com/skip-containers"

# The pod label whose mere presence opts a pod out of the webhook.
skip_webhook_label := "eks.amazonaws.com/skip-pod-identity-webhook"

# describe names an object for messages: "Deployment prod/api".
describe(obj) := sprintf("Namespace %s", [obj.name]) if {
	not obj.kind
} else := sprintf("%s %s/%s", [obj.kind, obj.namespace, obj.name])

# annotation_at is the path of an annotation on an object's own metadata.
annotation_at(key) := ["metadata", "annotations", key]

# template_annotation_at is the path of a pod-template annotation of a
# workload (the object's own metadata for a bare Pod).
template_annotation_at(w, key) := array.concat(w.template.at, ["annotations", key])

# template_label_at is the path of a pod-template label of a workload.
template_label_at(w, key) := array.concat(w.template.at, ["labels", key])

# service_account is the ServiceAccount entry a workload runs as: declared in
# the scan, or the implicit default of its namespace. Undefined when the
# workload names a ServiceAccount the scan does not contain.
service_account(w) := input.serviceAccounts[w.serviceAccount.key]

# workload_by_ref is the workloads by ref, as a ServiceAccount's usedBy
# names them: one object for every rule that describes a ServiceAccount's
# users.
workload_by_ref := {w.ref: w | some w in input.workloads}

# role_arn is the IRSA role annotation of a ServiceAccount, as written.
role_arn(sa) := sa.annotations[role_arn_key]

# env_var is the env entry named name in a container (env, not envFrom).
env_var(c, name) := e if {
	some e in c.env
	e.name == name
}

# env_at is the path of an env entry, or of the container when it has none.
value_at(e) := array.concat(e.at, ["value"]) if {
	is_string(e.value)
} else := array.concat(e.at, ["valueFrom"]) if {
	e.valueFrom
} else := e.at

# container_at points at a container's name line.
container_at(c) := array.concat(c.at, ["name"])

# container_kind reads "container", "init container" or "ephemeral container".
container_kind(c) := "init container" if {
	c.type == "initContainer"
} else := "ephemeral container" if {
	c.type == "ephemeralContainer"
} else := "container"

# host_network is true when the pod shares the node's network namespace.
host_network(w) if w.podSpec.hostNetwork == true

# valid_namespace: a DNS label, as Kubernetes requires of namespace names.
valid_namespace(ns) if {
	count(ns) <= 63
	regex.match(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`, ns)
}

# valid_name: a DNS subdomain, as Kubernetes requires of ServiceAccount names.
valid_name(name) if {
	count(name) <= 253
	regex.match(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`, name)
}

# webhook_windows: the pod identity webhook treats the pod as Windows (and
# writes Windows token paths) only when its nodeSelector says so.
webhook_windows(w) if w.podSpec.nodeSelector["kubernetes.io/os"] == "windows"

webhook_windows(w) if w.podSpec.nodeSelector["beta.kubernetes.io/os"] == "windows"

# windows_pod: the pod runs on Windows nodes, by its nodeSelector or its
# spec.os; Windows does not enforce token file ownership.
windows_pod(w) if webhook_windows(w)

windows_pod(w) if w.podSpec.os.name == "windows"
