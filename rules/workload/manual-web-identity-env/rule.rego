# METADATA
# title: Web identity variables set by hand in a container's env
# description: |
#   A container's env sets AWS_ROLE_ARN and/or AWS_WEB_IDENTITY_TOKEN_FILE
#   itself. The EKS Pod Identity Webhook injects both from the
#   ServiceAccount's eks.amazonaws.com/role-arn annotation, but when a
#   container's env already holds either one it injects neither (it still
#   mounts its token volume). So a hand-written value silently replaces what
#   the annotation says, and half a pair stays half a pair.
#
#   High when:
#   - only one of the two is set: SDKs need both for web identity. With a
#     role and no token file they skip web identity and end at the next
#     provider (usually the node role through IMDS); with a token file and
#     no role the Go SDK stops with "role ARN is not set".
#   - AWS_ROLE_ARN differs from the role the ServiceAccount's annotation
#     would inject: the annotation is silently ignored for that container.
#   - both are set while an EKS Pod Identity association covers the
#     ServiceAccount: web identity comes first in the SDK chain, so the
#     association is never used.
#   - AWS_WEB_IDENTITY_TOKEN_FILE names a file that no projected
#     serviceAccountToken volume mounted in the container provides, and that
#     is not the webhook's token (which it mounts only for containers it
#     mutates): the SDK cannot read a token.
#
#   Low when both are set consistently: the same role the webhook would
#   inject (redundant, and a later change of the annotation no longer
#   reaches the container), or a manual setup with a hand-written projected
#   token volume and no annotation. A container deliberately taken out of
#   the webhook (listed in eks.amazonaws.com/skip-containers, or a pod with
#   the eks.amazonaws.com/skip-pod-identity-webhook label) that sets both
#   with a hand-mounted token is the documented manual setup and is not
#   reported.
#
#   Only env is read. AWS_ROLE_ARN arriving through envFrom is not reported:
#   Kubernetes lets env win over envFrom and the webhook still injects its
#   own env entry, so the ConfigMap's value is overridden (and its contents
#   are not part of the scan anyway).
# related_resources:
#   - ref: https://github.com/aws/amazon-eks-pod-identity-webhook
#     description: Amazon EKS Pod Identity Webhook — what it injects and when it skips
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-configuration.html
#     description: Configure Pods to use a Kubernetes service account (the injected variables)
#   - ref: https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html
#     description: AWS SDKs and Tools — web identity needs both the role ARN and the token file
# custom:
#   scope: workload
#   severity: high
#   precision: high
#   remediation: |
#     Remove AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE from the container's
#     env and put the role on the ServiceAccount
#     (eks.amazonaws.com/role-arn); the webhook then injects both with its
#     token volume. If you configure web identity by hand on purpose, set
#     both, mount a projected serviceAccountToken volume at the token path,
#     and take the container out of the webhook with
#     eks.amazonaws.com/skip-containers.
package irsalint.rules.workload["manual-web-identity-env"]

import data.irsalint.lib.identity
import data.irsalint.lib.k8s
import data.irsalint.lib.result

# Where the webhook mounts its token, and the name of its volume.
webhook_token_file := "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"

webhook_windows_token_file := `C:\var\run\secrets\eks.amazonaws.com\serviceaccount\token`

webhook_volume := "aws-iam-token"

# Only one of the two variables: the webhook injects neither.
deny contains result.graded(w, k8s.value_at(e), message, "high") if {
	some w in candidates
	some c in w.containers
	names := identity.env_names(c) & identity.web_identity_vars
	count(names) == 1
	some e in c.env
	names[e.name]
	message := sprintf("%s sets %s without %s%s: %s.", [
		subject(w, c), e.name, other_var[e.name], suppression_note(w, c), lone_effect(w, c, e.name),
	])
}

# Both set, but one of them is wrong.
deny contains with_annotation(result.graded(w, k8s.value_at(e), message, "high"), w, c, e) if {
	some w in candidates
	some c in w.containers
	identity.has_manual_web_identity(c)
	some e in c.env
	message := problem(w, c, e)
}

# Both set and consistent: redundant, or a manual setup.
deny contains with_annotation(result.graded(w, k8s.value_at(e), message, "low"), w, c, e) if {
	some w in candidates
	some c in w.containers
	identity.has_manual_web_identity(c)
	not has_problem(w, c)
	not documented_manual_setup(w, c)
	some e in c.env
	e.name == "AWS_ROLE_ARN"
	message := sprintf("%s sets AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE by hand: %s.", [subject(w, c), consistent_note(w, c, e)])
}

# candidates are the workloads with a container that sets either variable.
candidates := [input.workloads[i] | some i in {i | some name in identity.web_identity_vars; some i in input.index.env[name]}]

# with_annotation points a finding about AWS_ROLE_ARN at the annotation it
# competes with.
with_annotation(f, w, c, e) := result.with_related(f, [result.related(
	k8s.service_account(w), k8s.annotation_at(k8s.role_arn_key),
	"the role the webhook would inject from the ServiceAccount",
)]) if {
	e.name == "AWS_ROLE_ARN"
	webhook_injects(w, c)
	k8s.service_account(w).declared
} else := f

other_var := {
	"AWS_ROLE_ARN": "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_WEB_IDENTITY_TOKEN_FILE": "AWS_ROLE_ARN",
}

subject(w, c) := sprintf("%s %q of %s", [k8s.container_kind(c), c.name, k8s.describe(w)])

sa_name(w) := w.serviceAccount.key

# webhook_injects: the webhook would give this container IRSA from the
# ServiceAccount's annotation (and mounts its token volume in it).
webhook_injects(w, c) if {
	identity.irsa_role(w)
	identity.webhook_mutates(c)
}

# pod_identity_applies: the webhook would give this container Pod Identity.
pod_identity_applies(w, c) if {
	identity.association(w)
	identity.webhook_mutates(c)
}

# out_of_webhook: the author took the container out of the webhook.
out_of_webhook(w, _) if identity.webhook_opted_out(w)

out_of_webhook(w, c) if identity.skipped_names(w)[c.name]

suppression_note(w, c) := ", and a variable set by hand stops the webhook from injecting either" if {
	webhook_injects(w, c)
} else := ""

lone_effect(w, c, "AWS_ROLE_ARN") := sprintf("SDKs need both for web identity, so they skip it and use %s", [next_provider(w, c)])

lone_effect(w, c, "AWS_WEB_IDENTITY_TOKEN_FILE") := sprintf(
	`SDKs cannot use web identity without a role (the Go SDK stops with "role ARN is not set"; others skip to %s)`,
	[next_provider(w, c)],
)

# next_provider is what the container ends up with once web identity is
# skipped: the shared resolution, in SDK chain order.
next_provider(w, c) := "the static keys in its env" if {
	identity.mechanism(c) == "static-keys"
} else := sprintf("the Pod Identity association of ServiceAccount %s instead of this role", [sa_name(w)]) if {
	identity.mechanism(c) == "pod-identity"
} else := "the container credential endpoint in its env" if {
	identity.mechanism(c) == "container-credentials"
} else := "nothing (Fargate has no instance metadata), so AWS calls fail" if {
	identity.mechanism(c) == "none"
} else := "the node role through IMDS"

has_problem(w, c) if {
	some e in c.env
	problem(w, c, e)
}

problem(w, c, e) := role_problem(w, c, e) if {
	e.name == "AWS_ROLE_ARN"
} else := token_problem(w, c, e) if {
	e.name == "AWS_WEB_IDENTITY_TOKEN_FILE"
}

# The webhook picks Pod Identity, but web identity comes first in
# the chain, so the association is never used.
role_problem(w, c, e) := sprintf(
	"%s sets AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE by hand while an EKS Pod Identity association covers ServiceAccount %s: SDKs try web identity first, so the association is never used.",
	[subject(w, c), sa_name(w)],
) if {
	pod_identity_applies(w, c)
} else := sprintf(
	"%s sets AWS_ROLE_ARN to %q, but ServiceAccount %s is annotated with %q: variables set by hand stop the webhook from injecting its own, so this container assumes the other role and the annotation is silently ignored.",
	[subject(w, c), e.value, sa_name(w), identity.irsa_role(w)],
) if {
	webhook_injects(w, c)
	is_string(e.value)
	e.value != identity.irsa_role(w)
}

token_problem(w, c, e) := sprintf(
	"%s sets AWS_WEB_IDENTITY_TOKEN_FILE to %q, but %s: the SDK cannot read a token, so web identity fails.",
	[subject(w, c), e.value, missing_token_reason(w, c, e.value)],
) if {
	is_string(e.value)
	not hand_token_files(w, c)[e.value]
	not webhook_serves(w, c, e.value)
	not token_unknown(w, c, e.value)
}

# The token files hand-written projected serviceAccountToken volumes put
# into this container.
hand_token_files(w, c) := {f |
	some m in c.volumeMounts
	some v in w.volumes
	v.name == m.name
	some src in v.projected.sources
	f := mounted_file(m, src.serviceAccountToken.path)
}

mounted_file(m, p) := join_path(m.mountPath, p) if {
	object.get(m, "subPath", "") == ""
} else := m.mountPath if {
	m.subPath == p
} else := join_path(m.mountPath, substring(p, count(m.subPath) + 1, -1)) if {
	startswith(p, concat("", [m.subPath, "/"]))
}

join_path(dir, p) := concat("/", [trim_right(dir, "/"), trim_left(p, "/")])

# webhook_token_files: where the webhook's token appears in a container it
# mutates: its default path, or the mountPath of a mount the manifest
# already names after the webhook's volume (the webhook then adds none).
webhook_token_files(w, c) := {join_path(m.mountPath, "token") |
	some m in c.volumeMounts
	m.name == webhook_volume
} if {
	some m in c.volumeMounts
	m.name == webhook_volume
} else := {webhook_token_file, webhook_windows_token_file} if {
	k8s.webhook_windows(w)
} else := {webhook_token_file}

webhook_serves(w, c, path) if {
	webhook_injects(w, c)
	webhook_token_files(w, c)[path]
}

# The ServiceAccount is not in the scan: whether the webhook mounts its
# token is unknown, so the webhook's path is not reported.
token_unknown(w, c, path) if {
	not k8s.service_account(w)
	not identity.association(w)
	not out_of_webhook(w, c)
	c.type != "ephemeralContainer"
	webhook_token_files(w, c)[path]
}

missing_token_reason(w, c, path) := sprintf("that is the webhook's path and %s", [why_no_webhook_token(w, c)]) if {
	webhook_token_files(w, c)[path]
} else := sprintf("no projected serviceAccountToken volume mounted in this container provides it (the webhook's token is at %s)", [webhook_token_file]) if {
	webhook_injects(w, c)
	count(hand_token_files(w, c)) == 0
} else := sprintf("the projected serviceAccountToken volumes mounted in this container provide %s", [concat(", ", sort(hand_token_files(w, c)))]) if {
	count(hand_token_files(w, c)) > 0
} else := "no projected serviceAccountToken volume mounted in this container provides it"

why_no_webhook_token(w, c) := "the pod opts out of the webhook (label eks.amazonaws.com/skip-pod-identity-webhook), so nothing mounts a token there" if {
	identity.webhook_opted_out(w)
} else := "the container is listed in eks.amazonaws.com/skip-containers, so the webhook mounts no token in it" if {
	identity.skipped_names(w)[c.name]
} else := "the webhook never mutates ephemeral containers" if {
	c.type == "ephemeralContainer"
} else := sprintf("an EKS Pod Identity association covers ServiceAccount %s, so the webhook mounts the Pod Identity token instead", [sa_name(w)]) if {
	identity.association(w)
} else := sprintf("ServiceAccount %s has no eks.amazonaws.com/role-arn, so the webhook mounts nothing", [sa_name(w)])

# A container taken out of the webhook on purpose, with both variables and a
# hand-mounted token: the documented manual setup (EKS UG pod-configuration).
documented_manual_setup(w, c) if {
	out_of_webhook(w, c)
	files := hand_token_files(w, c)
	every e in c.env {
		hand_mounted(e, files)
	}
}

hand_mounted(e, _) if e.name != "AWS_WEB_IDENTITY_TOKEN_FILE"

hand_mounted(e, files) if files[e.value]

consistent_note(w, c, e) := sprintf("redundant, the webhook would inject the same role from ServiceAccount %s; while either is set by hand it injects neither, so a later change of the annotation does not reach this container", [sa_name(w)]) if {
	webhook_injects(w, c)
	e.value == identity.irsa_role(w)
} else := sprintf("the webhook would inject %q from ServiceAccount %s but injects nothing while either is set by hand, and AWS_ROLE_ARN comes from valueFrom, so irsalint cannot tell whether it is the same role", [identity.irsa_role(w), sa_name(w)]) if {
	webhook_injects(w, c)
} else := sprintf("ServiceAccount %s is not in the scan, so irsalint cannot tell whether the webhook would inject the same values", [sa_name(w)]) if {
	not k8s.service_account(w)
} else := sprintf("a manual web identity setup outside the webhook (%s); it keeps working only while the token volume and the role's trust policy match it by hand", [manual_reason(w, c)])

manual_reason(w, c) := "the pod opts out of the webhook" if {
	identity.webhook_opted_out(w)
} else := "the container is listed in eks.amazonaws.com/skip-containers" if {
	identity.skipped_names(w)[c.name]
} else := "the webhook never mutates ephemeral containers" if {
	c.type == "ephemeralContainer"
} else := sprintf("ServiceAccount %s has no eks.amazonaws.com/role-arn", [sa_name(w)])
