package irsalint.rules.workload["nonroot-missing-fsgroup_test"]

import data.irsalint.rules.workload["nonroot-missing-fsgroup"] as rule

spec_at := ["spec", "template", "spec"]

container_lists := {"container": "containers", "initContainer": "initContainers", "ephemeralContainer": "ephemeralContainers"}

# container(type, name, i, sc, extra): sc is the container's own
# securityContext as {field: value}; the pod-level one is merged in by pod().
container(type, name, i, sc, extra) := object.union(
	{
		"name": name, "type": type, "index": i, "env": [], "volumeMounts": [],
		"at": array.concat(spec_at, [container_lists[type], i]),
		"securityContext": sc,
	},
	extra,
)

app(sc) := container("container", "app", 0, sc, {})

# pod builds a Deployment whose containers get effectiveSecurityContext the
# way the inventory computes it: the container's field, else the pod's.
pod(pod_sc, containers, volumes) := {
	"ref": "deploy.yaml#1",
	"kind": "Deployment",
	"namespace": "media",
	"name": "transcoder",
	"template": {"labels": {}, "annotations": {}, "at": ["spec", "template", "metadata"]},
	"serviceAccount": {"name": "transcoder", "key": "media/transcoder", "source": "serviceAccountName", "at": array.concat(spec_at, ["serviceAccountName"])},
	"podSpec": object.union({"at": spec_at}, pod_sc_field(pod_sc)),
	"volumes": volumes,
	"containers": [object.union(c, {"effectiveSecurityContext": effective(pod_sc, c)}) | some c in containers],
}

pod_sc_field(sc) := {} if sc == null

else := {"securityContext": sc}

effective(pod_sc, c) := {field: entry |
	some field in ["runAsUser", "runAsNonRoot"]
	entry := effective_field(pod_sc, c, field)
}

effective_field(pod_sc, c, field) := {"value": c.securityContext[field], "from": "container", "at": array.concat(c.at, ["securityContext", field])} if {
	c.securityContext[field] != null
} else := {"value": pod_sc[field], "from": "pod", "at": array.concat(spec_at, ["securityContext", field])} if {
	pod_sc[field] != null
}

irsa_sa(annotations) := {"media/transcoder": {
	"ref": "sa.yaml#0", "kind": "ServiceAccount", "namespace": "media", "name": "transcoder",
	"key": "media/transcoder", "declared": true, "at": [],
	"annotations": object.union({"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/transcoder"}, annotations),
}}

inv(version, w) := inv_sa(version, w, irsa_sa({}))

inv_sa(version, w, sas) := irsalint.resolve({
	"cluster": {"kubernetesVersion": version},
	"facts": {"podIdentityAssociations": false},
	"podIdentityAssociations": {},
	"serviceAccounts": sas,
	"workloads": [w],
})

v118 := {"major": 1, "minor": 18, "raw": "1.18"}

v129 := {"major": 1, "minor": 29, "raw": "1.29"}

# A hand-written projected token volume mounted by "app".
token_volume(mode_field, audience) := {
	"name": "aws-token",
	"at": array.concat(spec_at, ["volumes", 0]),
	"projected": object.union(mode_field, {"sources": [{"serviceAccountToken": {"audience": audience, "path": "token", "expirationSeconds": 3600}}]}),
}

mounted(sc) := container("container", "app", 0, sc, {"volumeMounts": [{"name": "aws-token", "mountPath": "/var/run/secrets/tokens"}]})

defaultmode_at := ["spec", "template", "spec", "volumes", 0, "projected", "defaultMode"]

# --- before 1.19: the seed's case, high -----------------------------------

test_before_1_19_nonroot_without_fsgroup_is_high_at_pod_security_context if {
	findings := rule.deny with input as inv(v118, pod({"runAsUser": 1000}, [app({})], []))
	count(findings) == 1
	some f in findings
	f.ref == "deploy.yaml#1"
	f.severity == "high"
	f.at == ["spec", "template", "spec", "securityContext"]
	contains(f.message, `Deployment media/transcoder uses IRSA and runs container "app" (runAsUser 1000) without a pod securityContext.fsGroup`)
	contains(f.message, "on Kubernetes 1.18 the projected token file is written 0600 and owned by root")
}

# On 1.18, even a uniform runAsUser does not help before 1.19.
test_before_1_19_lists_every_nonroot_irsa_container if {
	w := pod(
		null, [
			container("initContainer", "fetch", 0, {"runAsUser": 1000}, {}),
			container("container", "app", 0, {"runAsNonRoot": true}, {}),
			container("container", "root-sidecar", 1, {"runAsUser": 0}, {}),
		],
		[],
	)
	findings := rule.deny with input as inv(v118, w)
	count(findings) == 1
	some f in findings

	# No pod securityContext: point at the first non-root container's user.
	f.at == ["spec", "template", "spec", "initContainers", 0, "securityContext", "runAsUser"]
	contains(f.message, `init container "fetch" (runAsUser 1000), container "app" (runAsNonRoot)`)
	not contains(f.message, "root-sidecar")
}

test_before_1_19_points_at_run_as_non_root if {
	some f in rule.deny with input as inv(v118, pod(null, [app({"runAsNonRoot": true})], []))
	f.at == ["spec", "template", "spec", "containers", 0, "securityContext", "runAsNonRoot"]
}

test_before_1_19_with_fsgroup_is_quiet if {
	count(rule.deny) == 0 with input as inv(v118, pod({"runAsUser": 1000, "fsGroup": 65534}, [app({})], []))
	count(rule.deny) == 0 with input as inv(v118, pod({"runAsUser": 1000, "fsGroup": 0}, [app({})], []))
}

test_root_or_unknown_user_is_quiet if {
	count(rule.deny) == 0 with input as inv(v118, pod({"runAsUser": 0}, [app({})], []))
	count(rule.deny) == 0 with input as inv(v118, pod(null, [app({})], []))

	# runAsUser 0 wins over runAsNonRoot (the kubelet would refuse to start it).
	count(rule.deny) == 0 with input as inv(v118, pod({"runAsNonRoot": true}, [app({"runAsUser": 0})], []))
}

test_without_irsa_is_quiet if {
	no_role := {"media/transcoder": {"ref": "sa.yaml#0", "name": "transcoder", "key": "media/transcoder", "declared": true, "annotations": {}}}
	count(rule.deny) == 0 with input as inv_sa(v118, pod({"runAsUser": 1000}, [app({})], []), no_role)
}

# A non-root container the webhook skips gets no token and needs none.
test_nonroot_container_without_web_identity_is_quiet if {
	w := object.union(
		pod(null, [app({"runAsUser": 0}), container("container", "metrics", 1, {"runAsUser": 65534}, {})], []),
		{"template": {"annotations": {"eks.amazonaws.com/skip-containers": "metrics"}}},
	)
	count(rule.deny) == 0 with input as inv(v118, w)
}

test_windows_pod_is_quiet if {
	w := object.union(pod({"runAsUser": 1000}, [app({})], []), {"podSpec": {"nodeSelector": {"kubernetes.io/os": "windows"}}})
	count(rule.deny) == 0 with input as inv(v118, w)
	w2 := object.union(pod({"runAsUser": 1000}, [app({})], []), {"podSpec": {"os": {"name": "windows"}}})
	count(rule.deny) == 0 with input as inv(v118, w2)
}

# --- 1.19 and later: only where the token really is unreadable ------------

# On 1.29, with a uniform runAsUser, the file is owned by that UID.
test_from_1_19_uniform_run_as_user_is_quiet if {
	count(rule.deny) == 0 with input as inv(v129, pod({"runAsUser": 1000}, [app({})], []))
}

# Pod runAsUser 1000, an init container as 0: mixed UIDs, 0644.
test_from_1_19_mixed_uids_with_root_init_is_quiet if {
	w := pod({"runAsUser": 1000}, [container("initContainer", "migrate", 0, {"runAsUser": 0}, {}), app({})], [])
	count(rule.deny) == 0 with input as inv(v129, w)
}

# RunAsNonRoot without runAsUser: FsUser is nil, 0644.
test_from_1_19_run_as_non_root_only_is_quiet if {
	count(rule.deny) == 0 with input as inv(v129, pod({"runAsNonRoot": true}, [app({})], []))
}

test_version_2_is_treated_as_recent if {
	count(rule.deny) == 0 with input as inv({"major": 2, "minor": 0, "raw": "2.0"}, pod({"runAsUser": 1000}, [app({})], []))
}

# A hand-written token volume with defaultMode 0400 (YAML 0400
# arrives as 256, as JSON carries it), no runAsUser, a non-root image.
test_restrictive_token_volume_is_medium_at_default_mode if {
	w := pod(null, [mounted({"runAsNonRoot": true})], [token_volume({"defaultMode": 256}, "sts.amazonaws.com")])
	findings := rule.deny with input as inv(v129, w)
	count(findings) == 1
	some f in findings
	f.severity == "medium"
	f.at == defaultmode_at
	contains(f.message, `Deployment media/transcoder: projected token volume "aws-token" sets defaultMode 0400`)
	contains(f.message, `so container "app" (runAsNonRoot) cannot read it`)
}

test_restrictive_modes_fire_and_readable_modes_do_not if {
	mixed := [mounted({"runAsUser": 1000}), container("container", "proxy", 1, {"runAsUser": 2000}, {})]
	every mode in [256, 384, 0, 448] { # 0400, 0600, 0000, 0700
		count(rule.deny) == 1 with input as inv(v129, pod(null, mixed, [token_volume({"defaultMode": mode}, "sts.amazonaws.com")]))
	}
	every mode in [420, 292, 288, 260] { # 0644, 0444, 0440, 0404
		count(rule.deny) == 0 with input as inv(v129, pod(null, mixed, [token_volume({"defaultMode": mode}, "sts.amazonaws.com")]))
	}

	# No defaultMode: the API default 0644 applies.
	count(rule.deny) == 0 with input as inv(v129, pod(null, mixed, [token_volume({}, "sts.amazonaws.com")]))
}

# ServiceAccountTokenProjection has no per-source mode field; only the
# volume's defaultMode reaches the token file, so a stray "mode" is ignored.
test_mode_on_token_source_is_ignored if {
	v := {
		"name": "aws-token", "at": array.concat(spec_at, ["volumes", 0]),
		"projected": {"sources": [{"serviceAccountToken": {"audience": "sts.amazonaws.com", "path": "token", "mode": 256}}]},
	}
	count(rule.deny) == 0 with input as inv(v129, pod(null, [mounted({"runAsNonRoot": true})], [v]))
}

test_restrictive_volume_is_quiet_when_the_kubelet_overrides_the_mode if {
	vol := [token_volume({"defaultMode": 256}, "sts.amazonaws.com")]

	# Uniform runAsUser: the file is chowned to that UID.
	count(rule.deny) == 0 with input as inv(v129, pod({"runAsUser": 1000}, [mounted({})], vol))

	# fsGroup: 0640, group-owned by it.
	count(rule.deny) == 0 with input as inv(v129, pod({"runAsNonRoot": true, "fsGroup": 65534}, [mounted({})], vol))
}

test_restrictive_volume_needs_a_nonroot_irsa_reader if {
	vol := [token_volume({"defaultMode": 256}, "sts.amazonaws.com")]

	# Mounted by root only; the non-root container does not mount it.
	w := pod(null, [mounted({"runAsUser": 0}), container("container", "proxy", 1, {"runAsUser": 2000}, {})], vol)
	count(rule.deny) == 0 with input as inv(v129, w)
}

test_restrictive_volume_for_another_audience_is_quiet if {
	w := pod(null, [mounted({"runAsNonRoot": true})], [token_volume({"defaultMode": 256}, "vault")])
	count(rule.deny) == 0 with input as inv(v129, w)
}

test_restrictive_volume_with_the_service_account_audience_fires if {
	w := pod(null, [mounted({"runAsNonRoot": true})], [token_volume({"defaultMode": 256}, "sts.example.internal")])
	sas := irsa_sa({"eks.amazonaws.com/audience": "sts.example.internal"})
	count(rule.deny) == 1 with input as inv_sa(v129, w, sas)
}

# Before 1.19 the seed finding already covers the volume: one high finding.
test_restrictive_volume_before_1_19_reports_once if {
	w := pod(null, [mounted({"runAsNonRoot": true})], [token_volume({"defaultMode": 256}, "sts.amazonaws.com")])
	findings := rule.deny with input as inv(v118, w)
	[f.severity | some f in findings] == ["high"]
}

# (b) an ephemeral container with another UID than the shared one, mounting
# the webhook's token volume (as `kubectl get pod -o yaml` shows it).
webhook_volume := {
	"name": "aws-iam-token", "at": array.concat(spec_at, ["volumes", 0]),
	"projected": {"defaultMode": 420, "sources": [{"serviceAccountToken": {"audience": "sts.amazonaws.com", "path": "token"}}]},
}

debugger(sc) := container("ephemeralContainer", "debugger", 0, sc, {"volumeMounts": [{"name": "aws-iam-token", "mountPath": "/var/run/secrets/eks.amazonaws.com/serviceaccount"}]})

test_ephemeral_container_with_other_uid_is_medium if {
	w := pod({"runAsUser": 1000}, [app({}), debugger({"runAsUser": 2000})], [webhook_volume])
	findings := rule.deny with input as inv(v129, w)
	count(findings) == 1
	some f in findings
	f.severity == "medium"
	f.at == ["spec", "template", "spec", "ephemeralContainers", 0, "securityContext", "runAsUser"]
	contains(f.message, `Deployment media/transcoder: ephemeral container "debugger" runs as UID 2000 while every other container runs as 1000`)
	contains(f.message, "owned by 1000 with mode 0600")
}

test_ephemeral_container_that_can_read_is_quiet if {
	# Same UID (inherited from the pod), root, or fsGroup set.
	same := pod({"runAsUser": 1000}, [app({}), debugger({})], [webhook_volume])
	count(rule.deny) == 0 with input as inv(v129, same)
	root := pod({"runAsUser": 1000}, [app({}), debugger({"runAsUser": 0})], [webhook_volume])
	count(rule.deny) == 0 with input as inv(v129, root)
	grouped := pod({"runAsUser": 1000, "fsGroup": 65534}, [app({}), debugger({"runAsUser": 2000})], [webhook_volume])
	count(rule.deny) == 0 with input as inv(v129, grouped)

	# Without a shared UID the file is 0644: readable by anyone.
	mixed := pod(null, [app({"runAsUser": 1000}), container("container", "proxy", 1, {}, {}), debugger({"runAsUser": 2000})], [webhook_volume])
	count(rule.deny) == 0 with input as inv(v129, mixed)
}

test_ephemeral_container_without_the_token_mounted_is_quiet if {
	w := pod({"runAsUser": 1000}, [app({}), container("ephemeralContainer", "debugger", 0, {"runAsUser": 2000}, {})], [webhook_volume])
	count(rule.deny) == 0 with input as inv(v129, w)
}

# --- unknown version: low, and the 1.19 checks still run ------------------

test_unknown_version_is_low_and_names_the_missing_fact if {
	findings := rule.deny with input as inv(null, pod({"runAsUser": 1000}, [app({})], []))
	count(findings) == 1
	some f in findings
	f.severity == "info"
	f.at == ["spec", "template", "spec", "securityContext"]
	contains(f.message, "on Kubernetes before 1.19 the projected token is root-owned with mode 0600 and the container cannot read it; on 1.19 and later it is readable in this configuration")
	contains(f.message, "--kubernetes-version")
	contains(f.message, "fsGroup: 65534")
}

test_unknown_version_still_runs_the_1_19_checks if {
	w := pod(null, [mounted({"runAsNonRoot": true})], [token_volume({"defaultMode": 384}, "sts.amazonaws.com")])
	findings := rule.deny with input as inv(null, w)
	{[f.severity, f.at] | some f in findings} == {
		["info", ["spec", "template", "spec", "containers", 0, "securityContext", "runAsNonRoot"]],
		["medium", defaultmode_at],
	}
	some f in findings
	f.severity == "medium"
	contains(f.message, "defaultMode 0600")
}

# The webhook keeps a volume already named aws-iam-token and mounts it into
# every container it injects, so no volumeMount is written in the manifest.
test_restrictive_webhook_named_volume_fires_without_a_written_mount if {
	v := object.union(token_volume({"defaultMode": 256}, "sts.amazonaws.com"), {"name": "aws-iam-token"})
	findings := rule.deny with input as inv(v129, pod(null, [app({"runAsNonRoot": true})], [v]))
	count(findings) == 1
	some f in findings
	f.at == defaultmode_at
	contains(f.message, `projected token volume "aws-iam-token" sets defaultMode 0400`)
}

test_restrictive_webhook_named_volume_needs_the_webhook if {
	v := object.union(token_volume({"defaultMode": 256}, "sts.amazonaws.com"), {"name": "aws-iam-token"})

	# The container is skipped: the webhook mounts nothing there.
	skipped := object.union(
		pod(null, [app({"runAsNonRoot": true}), container("container", "proxy", 1, {"runAsUser": 0}, {})], [v]),
		{"template": {"annotations": {"eks.amazonaws.com/skip-containers": "app"}}},
	)
	count(rule.deny) == 0 with input as inv(v129, skipped)

	# No role on the ServiceAccount: the webhook does not mutate the pod; the
	# container uses web identity through its own variables but mounts nothing.
	manual_env := [
		{"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::111122223333:role/transcoder", "at": ["x", 0]},
		{"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/secrets/tokens/token", "at": ["x", 1]},
	]
	manual := pod(null, [container("container", "app", 0, {"runAsNonRoot": true}, {"env": manual_env})], [v])
	no_role := {"media/transcoder": {"ref": "sa.yaml#0", "name": "transcoder", "key": "media/transcoder", "declared": true, "annotations": {}}}
	count(rule.deny) == 0 with input as inv_sa(v129, manual, no_role)
}
