# METADATA
# title: Role ARN is in another AWS partition than the cluster
# description: |
#   A ServiceAccount's eks.amazonaws.com/role-arn names a role in another AWS
#   partition than the one the cluster's region belongs to: `arn:aws-cn:...`
#   for a cluster in us-west-2, or `arn:aws:...` for a cluster in
#   cn-north-1. Partitions (aws, aws-cn, aws-us-gov, ...) are isolated from
#   each other: an account, its IAM OIDC providers and its roles exist in one
#   partition only, and STS in the cluster's partition cannot issue
#   credentials for a role in another. The EKS Pod Identity Webhook does not
#   check this (its ARN check only logs), so it injects the ARN and every
#   AssumeRoleWithWebIdentity call from the pods fails.
#
#   The cluster's partition is derived from its region (`cn-*` is aws-cn,
#   `us-gov-*` is aws-us-gov, `us-iso-*` is aws-iso, ...). The rule runs
#   only when the region is known (`--region` or configuration); an ARN that
#   is not a valid role ARN at all is role-arn-invalid's finding. A
#   ServiceAccount that an EKS Pod Identity association covers is skipped:
#   the association wins over the annotation, which is then not used.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
#     description: IAM user guide — ARN format and partitions
#   - ref: https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
#     description: AWS fault isolation boundaries — partitions are isolated from each other
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: EKS user guide — assign IAM roles to Kubernetes service accounts
# custom:
#   needs: [serviceAccounts]
#   severity: high
#   precision: very-high
#   remediation: |
#     Annotate the ServiceAccount with a role in the cluster's own partition
#     (for a cluster in cn-north-1, arn:aws-cn:iam::<account>:role/<name>;
#     in us-gov-west-1, arn:aws-us-gov:...), created in an account of that
#     partition whose IAM OIDC provider trusts this cluster's issuer. If the
#     manifest is shared across partitions, render the partition per cluster
#     (for example from a Helm value) instead of hard-coding it.
package irsalint.rules.binding["role-arn-partition-mismatch"]

import data.irsalint.lib.binding
import data.irsalint.lib.k8s
import data.irsalint.lib.result

deny contains result.finding(link.sa, k8s.annotation_at(k8s.role_arn_key), message) if {
	cluster := input.cluster.partition
	is_string(cluster)
	some link in binding.links
	link.parsed != null
	link.parsed.partition != cluster
	link.association == null
	message := sprintf("%s: %s %q is a role in partition %s, but the cluster runs in region %s (partition %s). Partitions are isolated: STS cannot issue credentials for it, so every AssumeRoleWithWebIdentity call from pods running as this ServiceAccount fails. A role in this partition would read %q.", [
		k8s.describe(link.sa), k8s.role_arn_key, link.arn, link.parsed.partition,
		input.cluster.region, cluster, same_role_in(link.parsed, cluster),
	])
}

# same_role_in is the ARN the role would have in partition p.
same_role_in(parsed, p) := sprintf("arn:%s:iam::%s:role%s%s", [p, parsed.account, parsed.path, parsed.name])
