# METADATA
# title: IRSA token unreadable by a non-root container
# description: |
#   A pod uses IRSA (a container gets AWS_WEB_IDENTITY_TOKEN_FILE) and runs
#   containers as a non-root user without a pod-level `fsGroup`. Whether such a
#   container can read the projected token file depends on the Kubernetes
#   version, so this rule is graded by it:
#
#   - Before Kubernetes 1.19, projected service account token files were
#     written with mode 0600 and owned by root whatever `defaultMode` said.
#     A non-root container cannot read the token and AssumeRoleWithWebIdentity
#     fails (high). This is where the webhook README's "set fsGroup: 65534"
#     advice comes from.
#   - From 1.19 (kubernetes/kubernetes#89193) the kubelet picks the mode: with
#     `fsGroup` the file is 0640 and group-owned by it; when every container
#     and init container has the same effective `runAsUser` the file is 0600
#     and owned by that UID; otherwise it gets the volume's `defaultMode`
#     (0644 when unset, as on the webhook's own volume). So the token is
#     readable in the usual cases, and the rule reports only where it is not:
#     a hand-written projected `serviceAccountToken` volume whose `defaultMode`
#     grants no group or other read (such as 0400 or 0600) when that mode
#     applies (medium), and an ephemeral container that mounts the token but
#     runs as another UID than the one the file was given to (medium;
#     ephemeral containers do not change the file's owner).
#   - When the cluster version is unknown, the pre-1.19 case is reported as
#     info, saying that the version decides (pass --kubernetes-version or set
#     cluster.kubernetesVersion): a speculative finding never fails a gate.
#     The 1.19 checks still run. EKS supports no version before 1.19 today,
#     so on EKS the info finding is a reminder, not a defect.
#
#   Windows pods are skipped: file ownership is not enforced there.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/storage/projected-volumes/#serviceaccounttoken
#     description: Kubernetes — projected volumes, SecurityContext interactions of serviceAccountToken
#   - ref: https://github.com/aws/amazon-eks-pod-identity-webhook#amazon-eks-pod-identity-webhook
#     description: Amazon EKS Pod Identity Webhook README — fsGroup for non-root containers
#   - ref: https://github.com/kubernetes/enhancements/tree/master/keps/sig-storage/2451-service-account-token-volumes
#     description: KEP-2451 — file permission heuristics for service account token volumes
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html
#     description: IAM roles for service accounts
# custom:
#   scope: workload
#   severity: high
#   precision: high
#   remediation: |
#     Set `securityContext.fsGroup` on the pod (for example 65534): the token
#     file is then group-readable on every Kubernetes version. On 1.19 and
#     later, running every container with the same `runAsUser` also works;
#     give ephemeral containers that UID too, and leave `defaultMode` of a
#     hand-written token volume at 0644 (or at least group- and
#     other-readable).
package irsalint.rules.workload["nonroot-missing-fsgroup"]

import data.irsalint.lib.identity
import data.irsalint.lib.k8s
import data.irsalint.lib.result

# The seed's case: before 1.19 (high), or with an unknown version (low).
deny contains result.graded(w, seed_at(w, readers), message, severity) if {
	some i in input.index.mechanisms["web-identity"]
	w := input.workloads[i]
	not k8s.windows_pod(w)
	not has_fs_group(w)
	readers := [c | some c in irsa_containers(w); non_root(c)]
	count(readers) > 0
	[severity, consequence] := seed_grade(who(readers))
	message := sprintf("%s uses IRSA and runs %s without a pod securityContext.fsGroup: %s.", [
		k8s.describe(w), describe_readers(readers), consequence,
	])
}

# (a) A hand-written token volume whose mode keeps non-root users out, where
# the kubelet falls through to that mode (no fsGroup, no uniform runAsUser).
deny contains result.graded(w, array.concat(v.at, ["projected", "defaultMode"]), message, "medium") if {
	not before_1_19

	# The rare, cheap test first: a projected volume with a restrictive
	# mode. The readers below are IRSA containers, so w uses IRSA.
	some i in input.index.projectedVolumes
	w := input.workloads[i]
	some v in w.volumes
	mode := v.projected.defaultMode
	is_number(mode)
	bits.and(mode, 36) == 0 # 0o044: neither group nor other may read
	not k8s.windows_pod(w)
	not has_fs_group(w)
	not fs_user(w)
	irsa_token_volume(w, v)
	readers := [c | some c in irsa_containers(w); non_root(c); mounts(w, c, v)]
	count(readers) > 0
	message := sprintf("%s: projected token volume %q sets defaultMode %s, and with no fsGroup and no runAsUser shared by every container the token file keeps that mode and is owned by root, so %s cannot read it and AssumeRoleWithWebIdentity fails.", [
		k8s.describe(w), v.name, sprintf("%#o", [mode]), describe_readers(readers),
	])
}

# (b) An ephemeral container that mounts the token but runs as another UID
# than the one every other container shares: the file is 0600 and owned by
# that shared UID. The webhook only sees pod creation, never an ephemeral
# container added later, so only a mount written on it counts.
deny contains result.graded(w, c.effectiveSecurityContext.runAsUser.at, message, "medium") if {
	not before_1_19

	# Ephemeral containers are rare: find them first. The test of
	# irsa_containers below says w uses IRSA.
	some i in input.index.containerTypes.ephemeralContainer
	w := input.workloads[i]
	some c in w.containers
	c.type == "ephemeralContainer"
	not k8s.windows_pod(w)
	not has_fs_group(w)
	count(irsa_containers(w)) > 0
	mounts_token(w, c)
	uid := fs_user(w)
	other := c.effectiveSecurityContext.runAsUser.value
	other != uid
	other != 0
	message := sprintf("%s: ephemeral container %q runs as UID %d while every other container runs as %d and there is no fsGroup, so the token file is owned by %d with mode 0600 and %q cannot read it.", [
		k8s.describe(w), c.name, other, uid, uid, c.name,
	])
}

version := input.cluster.kubernetesVersion

before_1_19 if version.major < 1

before_1_19 if {
	version.major == 1
	version.minor < 19
}

seed_grade(who) := ["high", sprintf("on Kubernetes %s the projected token file is written 0600 and owned by root whatever defaultMode says, so %s cannot read it and AssumeRoleWithWebIdentity fails", [version.raw, who])] if {
	before_1_19
} else := ["info", sprintf("on Kubernetes before 1.19 the projected token is root-owned with mode 0600 and %s cannot read it; on 1.19 and later it is readable in this configuration. Pass --kubernetes-version to decide, or set fsGroup: 65534", [who])] if {
	not is_object(version)
}

# irsa_containers are the containers whose credentials come from web
# identity, in the order of w.containers.
irsa_containers(w) := [c |
	some c in w.containers
	c.identity.mechanism == "web-identity"
]

# A container is non-root when its effective runAsUser is a non-zero UID, or
# when it sets no runAsUser but requires runAsNonRoot (the image's user).
non_root(c) if c.effectiveSecurityContext.runAsUser.value != 0

non_root(c) if {
	not c.effectiveSecurityContext.runAsUser
	c.effectiveSecurityContext.runAsNonRoot.value == true
}

non_root_at(c) := c.effectiveSecurityContext.runAsUser.at if {
	c.effectiveSecurityContext.runAsUser
} else := c.effectiveSecurityContext.runAsNonRoot.at

who(cs) := "the container" if count(cs) == 1

else := "these containers"

describe_readers(cs) := concat(", ", [sprintf("%s %q (%s)", [k8s.container_kind(c), c.name, user_of(c)]) | some c in cs])

user_of(c) := sprintf("runAsUser %d", [c.effectiveSecurityContext.runAsUser.value]) if {
	c.effectiveSecurityContext.runAsUser
} else := "runAsNonRoot"

# The finding points where fsGroup belongs: the pod's securityContext, or the
# first non-root container's user setting when the pod has none.
seed_at(w, readers) := array.concat(w.podSpec.at, ["securityContext"]) if {
	is_object(w.podSpec.securityContext)
} else := non_root_at(readers[0])

has_fs_group(w) if is_number(w.podSpec.securityContext.fsGroup)

# fs_user mirrors the kubelet's FsUserFrom: the effective runAsUser shared by
# every container and init container (ephemeral containers are not counted);
# undefined when one has none or two differ.
fs_user(w) := uid if {
	regular := [c | some c in w.containers; c.type != "ephemeralContainer"]
	every c in regular {
		c.effectiveSecurityContext.runAsUser
	}
	uids := {c.effectiveSecurityContext.runAsUser.value | some c in regular}
	count(uids) == 1
	some uid in uids
}

# A projected volume carrying a token for STS: its audience is the one the
# ServiceAccount asks for, or sts.amazonaws.com; or it has the name of the
# webhook's own volume, which the webhook then leaves as written and mounts.
irsa_token_volume(w, v) if {
	some src in v.projected.sources
	src.serviceAccountToken.audience in irsa_audiences(w)
}

irsa_token_volume(_, v) if {
	v.name == webhook_volume
	some src in v.projected.sources
	src.serviceAccountToken
}

webhook_volume := "aws-iam-token"

irsa_audiences(w) := {"sts.amazonaws.com", k8s.service_account(w).annotations[k8s.audience_key]} if {
	k8s.service_account(w).annotations[k8s.audience_key]
} else := {"sts.amazonaws.com"}

# mounts: the container mounts the volume itself, or the webhook mounts its
# volume there (every container it does not skip).
mounts(_, c, v) if {
	some m in c.volumeMounts
	m.name == v.name
}

mounts(w, c, v) if {
	v.name == webhook_volume
	c.type != "ephemeralContainer"
	identity.irsa_role(w)
	not identity.skipped_names(w)[c.name]
}

mounts_token(w, c) if {
	some m in c.volumeMounts
	some v in w.volumes
	v.name == m.name
	irsa_token_volume(w, v)
}
