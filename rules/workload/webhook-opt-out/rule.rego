# METADATA
# title: Pod opted out of the EKS Pod Identity Webhook
# description: |
#   The EKS Pod Identity Webhook injects IRSA (AWS_ROLE_ARN,
#   AWS_WEB_IDENTITY_TOKEN_FILE and the token volume) or EKS Pod Identity
#   credentials into a pod's containers. Two pod-level switches turn that
#   off, and both are easy to trip by accident:
#
#   - The pod label eks.amazonaws.com/skip-pod-identity-webhook. The
#     webhook's reference configuration selects pods where this label
#     DoesNotExist, so the label skips the pod whatever its value, "false"
#     included (medium).
#   - The pod annotation eks.amazonaws.com/skip-containers, a comma-separated
#     list of container names read with Go's CSV reader. Naming every
#     container, init containers included, leaves none with the role
#     (medium). A name that matches no container skips nothing (low); the
#     reader keeps spaces, so in "sidecar, app" the second name is " app",
#     which is not "app". A value the reader cannot parse (a stray quote, as
#     in "a,"b) makes the webhook skip no container at all (low).
#
#   A skipped container gets no credentials from the ServiceAccount, so the
#   SDK falls back to the node role through IMDS (or has none on Fargate).
#   Only reported when the ServiceAccount has an eks.amazonaws.com/role-arn
#   annotation or an EKS Pod Identity association, and not when every
#   container configures web identity by hand (AWS_ROLE_ARN and
#   AWS_WEB_IDENTITY_TOKEN_FILE, checked by manual-web-identity-env): that
#   is a deliberate manual setup.
# related_resources:
#   - ref: https://github.com/aws/amazon-eks-pod-identity-webhook
#     description: Amazon EKS Pod Identity Webhook — skip-containers annotation
#   - ref: https://github.com/aws/amazon-eks-pod-identity-webhook/blob/master/deploy/mutatingwebhook.yaml
#     description: The webhook's objectSelector on eks.amazonaws.com/skip-pod-identity-webhook (DoesNotExist)
#   - ref: https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#matching-requests-objectselector
#     description: Kubernetes — how a webhook's objectSelector matches pod labels
# custom:
#   scope: workload
#   severity: medium
#   precision: high
#   remediation: |
#     Remove the eks.amazonaws.com/skip-pod-identity-webhook label (setting it
#     to "false" is not enough), and list in eks.amazonaws.com/skip-containers
#     only the containers that must not get the role, as exact names separated
#     by commas without spaces (for example "istio-proxy,log-shipper").
package irsalint.rules.workload["webhook-opt-out"]

import data.irsalint.lib.identity
import data.irsalint.lib.k8s
import data.irsalint.lib.result

# (a) The opt-out label, whatever its value.
deny contains with_role_annotation(result.graded(w, k8s.template_label_at(w, k8s.skip_webhook_label), message, "medium"), w) if {
	some i in input.index.templateLabels[k8s.skip_webhook_label]
	w := input.workloads[i]
	identity.webhook_opted_out(w)
	not self_configured(w)
	offer := offered(w)
	message := sprintf("%s carries the pod label %s=%q: the webhook skips every pod with this label whatever its value, so no container gets %s and AWS calls fall back to %s.", [
		k8s.describe(w), k8s.skip_webhook_label, w.template.labels[k8s.skip_webhook_label], offer, fallback(w),
	])
}

# (b) skip-containers names every container the webhook would mutate.
deny contains with_role_annotation(result.graded(w, skip_at(w), message, "medium"), w) if {
	some i in input.index.templateAnnotations[k8s.skip_containers_key]
	w := input.workloads[i]
	not identity.webhook_opted_out(w)
	all_skipped(w)
	not self_configured(w)
	offer := offered(w)
	message := sprintf("%s: %s %q names every container of the pod%s, so none gets %s and AWS calls fall back to %s.", [
		k8s.describe(w), k8s.skip_containers_key, w.template.annotations[k8s.skip_containers_key], init_note(w), offer, fallback(w),
	])
}

# (c) skip-containers names containers the pod does not have.
deny contains result.graded(w, skip_at(w), message, "low") if {
	some i in input.index.templateAnnotations[k8s.skip_containers_key]
	w := input.workloads[i]
	not identity.webhook_opted_out(w)
	offered(w)
	not all_skipped(w)
	known := {c.name | some c in w.containers}
	unknown := {n | some n in identity.skipped_names(w); n != ""; not known[n]}
	count(unknown) > 0
	message := sprintf("%s: %s names %s, but the pod has %s%s.", [
		k8s.describe(w), k8s.skip_containers_key, quoted_list(unknown), no_such(unknown), space_hint(w, unknown, known),
	])
}

# (d) A value the webhook's CSV reader rejects: nothing is skipped.
deny contains result.graded(w, skip_at(w), message, "low") if {
	some i in input.index.templateAnnotations[k8s.skip_containers_key]
	w := input.workloads[i]
	not identity.webhook_opted_out(w)
	offered(w)
	w.identity.skipContainersError
	value := w.template.annotations[k8s.skip_containers_key]
	message := sprintf("%s: %s %q is not valid CSV (a stray or unbalanced quote); the webhook cannot parse it and then skips no container at all.", [
		k8s.describe(w), k8s.skip_containers_key, value,
	])
}

skip_at(w) := k8s.template_annotation_at(w, k8s.skip_containers_key)

# offered is what the webhook would give the pod: a Pod Identity association
# (which wins) or the ServiceAccount's IRSA role. Undefined otherwise,
# including when the ServiceAccount is not in the scan.
offered(w) := sprintf("the EKS Pod Identity association of ServiceAccount %s", [w.serviceAccount.key]) if {
	identity.association(w)
} else := sprintf("the IRSA role %s of ServiceAccount %s", [role, w.serviceAccount.key]) if {
	role := k8s.role_arn(k8s.service_account(w))
	trim_space(role) != ""
}

fallback(w) := "nothing (Fargate has no instance metadata)" if {
	identity.on_fargate(w)
} else := "the node role through IMDS"

# The containers the webhook mutates: containers and init containers
# (ephemeral containers are added later and never pass through it).
mutated_names(w) := {c.name | some c in w.containers; c.type != "ephemeralContainer"}

all_skipped(w) if {
	names := mutated_names(w)
	count(names) > 0
	count(names - identity.skipped_names(w)) == 0
}

init_note(w) := " (init containers included)" if {
	some c in w.containers
	c.type == "initContainer"
} else := ""

# self_configured: every container sets both web identity variables by hand,
# a deliberate manual setup that manual-web-identity-env judges.
self_configured(w) if {
	containers := [c | some c in w.containers; c.type != "ephemeralContainer"]
	count(containers) > 0
	every c in containers {
		identity.has_manual_web_identity(c)
	}
}

no_such(names) := "no container by that name, so it skips nothing" if {
	count(names) == 1
} else := "no containers by those names, so they skip nothing"

quoted_list(names) := concat(", ", [sprintf("%q", [n]) | some n in sort(names)])

# The CSV reader keeps the space after a comma.
space_hint(w, unknown, known) := sprintf(
	`; the webhook's CSV reader keeps the space after a comma, so %s: write %q`,
	[not_skipped(meant), suggestion(w)],
) if {
	meant := {trim_space(n) | some n in unknown; known[trim_space(n)]}
	count(meant) > 0
} else := ""

not_skipped(names) := sprintf("container %s is not skipped", [quoted_list(names)]) if {
	count(names) == 1
} else := sprintf("containers %s are not skipped", [quoted_list(names)])

suggestion(w) := concat(",", [trim(trim_space(f), `"`) |
	some f in split(w.template.annotations[k8s.skip_containers_key], ",")
	trim_space(f) != ""
])

# with_role_annotation adds the ServiceAccount's role annotation as a
# related location when that is what the pod misses.
with_role_annotation(f, w) := result.with_related(f, [result.related(
	sa, k8s.annotation_at(k8s.role_arn_key),
	"the role the webhook would otherwise inject",
)]) if {
	not identity.association(w)
	sa := k8s.service_account(w)
	sa.declared
	k8s.role_arn(sa)
} else := f
