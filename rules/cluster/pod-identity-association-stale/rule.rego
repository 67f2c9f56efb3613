# METADATA
# title: A Pod Identity association that does nothing, or overrides IRSA
# description: |
#   An EKS Pod Identity association binds a role to a namespace and
#   ServiceAccount name; nothing checks that they exist. Two ways it goes
#   stale:
#
#   - it names a namespace or ServiceAccount the cluster does not have (a
#     typo, or one renamed or deleted): no pod gets the role, and a
#     ServiceAccount created later under that name silently does. Reported
#     only when the scan holds every Namespace and ServiceAccount of the
#     cluster (complete.clusterObjects, as an audit snapshot says); the
#     default ServiceAccount exists in every namespace;
#   - its ServiceAccount also carries eks.amazonaws.com/role-arn: EKS Pod
#     Identity takes precedence over IRSA for that ServiceAccount, so the
#     annotation's role is not used, and whoever reads the manifest sees the
#     wrong one. Reported whatever the scan holds.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html
#     description: Assign an IAM role to a Kubernetes service account (Pod Identity associations)
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html
#     description: EKS Pod Identity — how pods get credentials
# custom:
#   needs: [podIdentityAssociations]
#   severity: medium
#   precision: very-high
#   remediation: |
#     Delete the association (aws eks delete-pod-identity-association) or fix
#     its namespace and ServiceAccount; where it overrides IRSA, keep one
#     mechanism: remove the eks.amazonaws.com/role-arn annotation, or the
#     association.
package irsalint.rules.cluster["pod-identity-association-stale"]

import data.irsalint.lib.k8s
import data.irsalint.lib.result

deny contains result.finding(a, [], message) if {
	input.facts.clusterObjectsComplete
	some a in input.podIdentityAssociations
	why := missing(a)
	message := sprintf("%s binds %s to ServiceAccount %s, but %s: no pod gets the role, and one created later under that name will.", [
		describe(a), role(a), a.key, why,
	])
}

deny contains result.with_related(result.finding(a, [], message), [related]) if {
	some a in input.podIdentityAssociations
	sa := input.serviceAccounts[a.key]
	sa.declared
	raw := k8s.role_arn(sa)
	trim_space(raw) != ""
	message := sprintf("%s binds %s to ServiceAccount %s, which is also annotated with IRSA role %s: Pod Identity takes precedence, so its pods never use the annotated role.", [
		describe(a), role(a), a.key, raw,
	])
	related := result.related(sa, k8s.annotation_at(k8s.role_arn_key), "the IRSA annotation the association overrides")
}

missing(a) := sprintf("the cluster has no namespace %s", [a.namespace]) if {
	not namespace_exists(a.namespace)
} else := sprintf("namespace %s has no ServiceAccount %s", [a.namespace, a.serviceAccount]) if {
	a.serviceAccount != "default"
	not declared_sa(a.key)
}

namespace_exists(name) if {
	some ns in input.namespaces
	ns.name == name
	ns.declared
}

declared_sa(key) if input.serviceAccounts[key].declared

describe(a) := sprintf("Pod Identity association %s", [a.associationArn]) if {
	is_string(a.associationArn)
} else := sprintf("The Pod Identity association of %s", [a.key])

role(a) := sprintf("role %s", [a.roleArn]) if {
	is_string(a.roleArn)
} else := "a role"
