# METADATA
# title: The default ServiceAccount carries an IAM role
# description: |
#   A ServiceAccount named default is annotated with eks.amazonaws.com/role-arn.
#   Kubernetes runs every pod that names no ServiceAccount as its namespace's
#   default one (the ServiceAccount admission controller fills in
#   serviceAccountName), so every such pod in the namespace, including pods
#   created later by anyone allowed to create pods there, receives the role's
#   credentials through the EKS Pod Identity Webhook. A role meant for one
#   workload becomes the whole namespace's.
# related_resources:
#   - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/
#     description: Kubernetes — the ServiceAccount admission controller assigns default
#   - ref: https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
#     description: EKS best practices — use dedicated service accounts and scope IRSA roles
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: Assign IAM roles to Kubernetes service accounts
# custom:
#   severity: high
#   remediation: |
#     Create a dedicated ServiceAccount for the workload that needs the role,
#     move the eks.amazonaws.com/role-arn annotation to it, set
#     serviceAccountName in that workload's pod template, and remove the
#     annotation from default. Scope the role's trust policy to the dedicated
#     ServiceAccount's subject, not system:serviceaccount:<namespace>:default.
package irsalint.rules.serviceaccount["default-sa-has-role"]

import data.irsalint.lib.k8s
import data.irsalint.lib.result

deny contains result.finding(sa, k8s.annotation_at(k8s.role_arn_key), message) if {
	some sa in input.serviceAccounts
	sa.name == "default"
	sa.declared
	role := k8s.role_arn(sa)

	# An empty value gives no role (the webhook skips the pod); role-arn-invalid reports it.
	trim_space(role) != ""
	message := sprintf("%s carries %s %q, so every pod in namespace %s that names no ServiceAccount runs with this role: %s.", [
		k8s.describe(sa), k8s.role_arn_key, role, sa.namespace, users(sa),
	])
}

# users summarizes the workloads of the scan that run as sa.
users(sa) := "no workload in this scan does yet, but any pod created there later will" if {
	count(object.get(sa, "usedBy", [])) == 0
} else := sprintf("%d workload%s in this scan (%s) and any pod created there later", [n, plural(n), listing(names)]) if {
	names := sort([k8s.describe(workloads[ref]) | some ref in sa.usedBy])
	n := count(names)
}

# workloads indexes the scan's workloads by ref.
workloads := {w.ref: w | some w in input.workloads}

plural(1) := ""

plural(n) := "s" if n != 1

# listing names up to three workloads.
listing(names) := concat(", ", names) if {
	count(names) <= 3
} else := sprintf("%s and %d more", [concat(", ", array.slice(names, 0, 3)), count(names) - 3])
