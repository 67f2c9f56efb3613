# METADATA
# title: Node role has permissions beyond the worker-node baseline
# description: |
#   The IAM role of a managed node group carries policies beyond what EKS
#   worker nodes need (AmazonEKSWorkerNodePolicy or
#   AmazonEKSWorkerNodeMinimalPolicy, AmazonEKS_CNI_Policy,
#   AmazonEC2ContainerRegistryReadOnly or …PullOnly, and
#   AmazonSSMManagedInstanceCore for Session Manager). Every pod that falls
#   back to the node role — one without IRSA or Pod Identity, or any pod that
#   can reach the instance metadata service — gets those extra permissions,
#   so they belong on the roles of the workloads that need them. Inline
#   policies count as extra: they are not part of the baseline.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html
#     description: Amazon EKS node IAM role
#   - ref: https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
#     description: EKS best practices — the node role is shared by every pod that reaches it
# custom:
#   needs: [nodegroups]
#   severity: high
#   precision: medium
#   remediation: |
#     Detach the extra policies from the node role and grant them to the
#     workloads that need them through IRSA or EKS Pod Identity.
package irsalint.rules.cluster["node-role-overprivileged"]

import data.irsalint.lib.iam
import data.irsalint.lib.result

# baseline names the AWS managed policies worker nodes need.
baseline := {
	"AmazonEKSWorkerNodePolicy",
	"AmazonEKSWorkerNodeMinimalPolicy",
	"AmazonEKS_CNI_Policy",
	"AmazonEC2ContainerRegistryReadOnly",
	"AmazonEC2ContainerRegistryPullOnly",
	"AmazonSSMManagedInstanceCore",
}

deny contains result.with_related(result.finding(role, [], message), related) if {
	some arn in {ng.nodeRole | some ng in input.nodegroups; is_string(ng.nodeRole)}
	role := input.roles[arn]
	extra := array.concat(sort([name | some p in role.attachedPolicies; not in_baseline(p); name := policy_name(p)]), sort([sprintf("inline policy %s", [p]) | some p in role.inlinePolicies]))
	count(extra) > 0
	groups := sort([sprintf("%s of cluster %s", [ng.name, ng.clusterName]) | some ng in input.nodegroups; ng.nodeRole == arn])
	message := sprintf("%s is the node role of node group%s %s and carries %s beyond the worker-node baseline: every pod that falls back to the node role, or reaches the instance metadata service, gets %s.", [
		iam.describe(role), result.plural(count(groups)), concat(", ", groups), result.listing(extra, 5), them(count(extra)),
	])
	related := [result.related(ng, ["nodeRole"], "uses this role") | some ng in input.nodegroups; ng.nodeRole == arn]
}

# policy_name is the last segment of a managed policy's ARN.
policy_name(arn) := parts[count(parts) - 1] if parts := split(arn, "/")

# in_baseline: an AWS managed policy (account "aws") of the baseline; a
# customer policy that borrows the name is not.
in_baseline(arn) if {
	parts := split(arn, ":")
	count(parts) == 6
	parts[4] == "aws"
	baseline[policy_name(arn)]
}

them(1) := "it"

them(n) := "them" if n != 1
