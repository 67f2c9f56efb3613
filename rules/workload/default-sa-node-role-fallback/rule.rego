# METADATA
# title: Workload falls back to the node role through the default ServiceAccount
# description: |
#   A workload runs as its namespace's `default` ServiceAccount (it names no
#   ServiceAccount, or names `default` explicitly; the deprecated
#   `serviceAccount` field counts only when `serviceAccountName` is empty),
#   that ServiceAccount has no `eks.amazonaws.com/role-arn` annotation, and no
#   EKS Pod Identity association covers it. Its containers get no web identity
#   and no container credentials, so the AWS SDK's credential chain ends at the
#   instance metadata service (IMDS) and every AWS call runs as the node
#   group's IAM role. That role carries ECR read, VPC CNI and worker-node
#   permissions, shared by every pod that falls back the same way, and nobody
#   reviewing the workload sees which role it really uses.
#
#   The finding is graded by the evidence that the workload calls AWS: a
#   container runs a known AWS client image (the catalogue of
#   sa-missing-role-arn), sets an environment variable AWS SDKs read
#   (`AWS_REGION` and the like), or runs the AWS CLI; the message quotes it.
#   With evidence, severity is medium when only manifests are known: whether
#   pods can reach IMDS depends on the nodes' metadata options (IMDSv2
#   required with a hop limit of 1 blocks pods on the pod network). It is
#   high when the pod uses `hostNetwork`, because the hop limit does not
#   protect host-network pods, and when a node group of the cluster read by
#   an audit has a launch template that lets pods reach IMDS (see
#   node-imds-reachable). Without evidence (a redis, an nginx, a test pod)
#   the finding is `info`: worth knowing, never failing a gate; the message
#   says what would make it matter.
#
#   This rule owns every workload on the `default` ServiceAccount;
#   sa-missing-role-arn owns workloads on other ServiceAccounts, so one
#   workload gets one finding for one cause.
#
#   Pods on Fargate are not reported: Fargate has no IMDS, so there is no
#   node role to fall back to. Nor are the Pod Identity Webhook's own test
#   pods, whose `testing.eks.amazonaws.com/serviceAccount/roleArn`
#   annotation gives the role the test harness plays the ServiceAccount's
#   part with. A container with its own static keys or
#   hand-set credential variables does not fall back and is not counted.
#   When the run was given no Pod Identity associations, the message says so:
#   one that exists only in the cluster would cover the workload.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html
#     description: IAM roles for service accounts — credential isolation
#   - ref: https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
#     description: EKS best practices — restrict access to the instance profile assigned to the worker node
#   - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/
#     description: Kubernetes — the ServiceAccount admission controller assigns `default`
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/fargate.html
#     description: AWS Fargate — IMDS is not available to pods
# custom:
#   scope: workload
#   severity: high
#   precision: medium
#   remediation: |
#     Create a dedicated ServiceAccount for the workload, set it as
#     `serviceAccountName`, and give it a role with the
#     `eks.amazonaws.com/role-arn` annotation or an EKS Pod Identity
#     association. Also block pod access to IMDS on the nodes (IMDSv2 required
#     with a hop limit of 1) so a pod without a role fails instead of
#     borrowing the node role.
package irsalint.rules.workload["default-sa-node-role-fallback"]

import data.irsalint.lib.identity
import data.irsalint.lib.k8s
import data.irsalint.lib.node
import data.irsalint.lib.result

deny contains result.graded(w, w.serviceAccount.at, message, severity) if {
	some i in input.index.mechanisms["node-role"]
	w := input.workloads[i]
	w.serviceAccount.name == "default"
	sa := k8s.service_account(w)
	not k8s.role_arn(sa)
	not identity.association(w)
	not identity.on_fargate(w)
	not harness_role(w)
	w.identity.usesNodeRole
	fallback := [c |
		some c in w.containers
		c.identity.mechanism == "node-role"
	]
	count(fallback) > 0
	[severity, reach] := grade(w, fallback)
	message := sprintf("%s %s, which has no eks.amazonaws.com/role-arn annotation%s, so AWS SDK calls from %s run as the node group's IAM role through IMDS. %s%s.", [
		k8s.describe(w), how_named(w, sa), covered_note,
		container_list([c.name | some c in fallback]), reach, unknown_note,
	])
}

# harness_role: a test pod of the Pod Identity Webhook, whose harness stands
# in for the ServiceAccount with the role this annotation names.
harness_role(w) if w.template.annotations["testing.eks.amazonaws.com/serviceAccount/roleArn"] != ""

# grade is [severity, what the message says of it]: graded by exposure when a
# container shows it calls AWS, info otherwise.
grade(w, fallback) := [severity, sprintf("%s %s. %s", [upper_first(evidence_text(sig)), "shows it calls AWS", reach])] if {
	some sig in evidence(fallback)
	[severity, reach] := exposure(w)
} else := ["info", "No container shows that it calls AWS (no AWS client image, no AWS_* variable, no aws command), so this matters only if it does: then give it a ServiceAccount with a role, or keep pods from IMDS"]

# evidence is the first AWS-use signal of the containers that fall back.
evidence(fallback) := array.slice(
	[object.union(s, {"container": c}) |
		some c in fallback
		some s in c.awsSignals
	],
	0, 1,
)

evidence_text(sig) := sprintf("container %q sets %s, which", [sig.container.name, sig.name]) if {
	sig.kind == "env"
} else := sprintf("container %q runs the known AWS client image %q, which", [sig.container.name, sig.container.image]) if {
	sig.kind == "image"
} else := sprintf("container %q runs the AWS CLI (%q), which", [sig.container.name, sig.excerpt])

upper_first(s) := concat("", [upper(substring(s, 0, 1)), substring(s, 1, -1)])

how_named(w, sa) := sprintf("names no ServiceAccount and runs as %s", [sa_name(sa)]) if {
	w.serviceAccount.source == "default"
} else := sprintf("runs as %s (named by the deprecated serviceAccount field)", [sa_name(sa)]) if {
	w.serviceAccount.source == "serviceAccount"
} else := sprintf("runs as %s", [sa_name(sa)])

sa_name(sa) := sprintf("the implicit ServiceAccount %s", [sa.key]) if {
	not sa.declared
} else := sprintf("ServiceAccount %s", [sa.key])

# Without association data the rule cannot rule Pod Identity out: say so.
default covered_note := ""

covered_note := " and no EKS Pod Identity association" if input.facts.podIdentityAssociations == true

default unknown_note := "; no EKS Pod Identity associations were given to check"

unknown_note := "" if input.facts.podIdentityAssociations == true

container_list(names) := sprintf("container %q", [names[0]]) if {
	count(names) == 1
} else := sprintf("containers %s", [concat(", ", [sprintf("%q", [n]) | some n in names])])

exposure(w) := ["high", "The pod uses hostNetwork, so the IMDS hop limit cannot keep it from the node role"] if {
	k8s.host_network(w)
} else := ["high", sprintf("The launch templates of node group%s %s let pods reach IMDS", [result.plural(count(node.cluster_reachable)), concat(", ", node.cluster_reachable)])] if {
	count(node.cluster_reachable) > 0
} else := ["medium", "Whether the pod can reach IMDS depends on the nodes' metadata options (IMDSv2 required with hop limit 1 blocks it)"]
