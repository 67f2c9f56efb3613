# METADATA
# title: Pod Identity trust not scoped to a cluster, namespace or service account
# description: |
#   An Allow statement trusts pods.eks.amazonaws.com (EKS Pod Identity) with
#   no positive condition on the session tags EKS sets
#   (aws:RequestTag/eks-cluster-arn, aws:RequestTag/kubernetes-namespace,
#   aws:RequestTag/kubernetes-service-account) or on aws:SourceArn,
#   aws:SourceAccount or aws:SourceOrgId. Then the only gate is IAM: anyone
#   in the account allowed eks:CreatePodIdentityAssociation and iam:PassRole
#   on the role can bind it to any service account of any cluster, including
#   a namespace or service account that does not exist yet.
#
#   AWS's minimal example trust policy for Pod Identity has no conditions;
#   it is reported too. Conditions on aws:PrincipalTag/... in the trust
#   policy do not scope it: the Pod Identity session tags arrive as
#   aws:RequestTag/... when EKS assumes the role, and aws:PrincipalTag/...
#   is for the permission policies of the role (ABAC). A Deny statement
#   that conditions on the same keys counts as scoping.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
#     description: EKS user guide — Pod Identity role trust policy and its conditions
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html
#     description: EKS user guide — session tags of EKS Pod Identity (ABAC)
#   - ref: https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
#     description: EKS best practices — working with IAM roles for EKS Pod Identities (confused deputy)
# custom:
#   needs: [roles]
#   scope: role
#   severity: medium
#   precision: very-high
#   remediation: |
#     Add a StringEquals condition on the request tags of the intended
#     association, for example aws:RequestTag/eks-cluster-arn,
#     aws:RequestTag/kubernetes-namespace and
#     aws:RequestTag/kubernetes-service-account (or at least aws:SourceArn
#     or aws:SourceAccount), and keep "Action": ["sts:AssumeRole", "sts:TagSession"].
package irsalint.rules.trust["pod-identity-trust-unscoped"]

import data.irsalint.lib.iam
import data.irsalint.lib.result

pod_identity := "pods.eks.amazonaws.com"

# Condition keys that narrow which association may use the role.
scoping_keys := {
	"aws:requesttag/eks-cluster-arn",
	"aws:requesttag/kubernetes-namespace",
	"aws:requesttag/kubernetes-service-account",
	"aws:sourcearn",
	"aws:sourceaccount",
	"aws:sourceorgid",
}

deny contains result.finding(role, p.at, message) if {
	some role in input.roles
	iam.usable(role)
	some s in role.trustPolicy.statements
	s.effect == "Allow"
	some p in s.principals
	iam.service_principal({"principals": [p]}, pod_identity) # the entry, for its line
	iam.allows_action(s, "sts:AssumeRole")
	not scoped(s)
	not scoped_by_deny(role.trustPolicy)
	message := sprintf("%s, %s trusts %s and no condition pins the cluster, namespace or service account%s: anyone allowed eks:CreatePodIdentityAssociation and iam:PassRole on the role can bind it to any service account of any cluster in the account. AWS's minimal example is written this way; add StringEquals on aws:RequestTag/eks-cluster-arn, aws:RequestTag/kubernetes-namespace and aws:RequestTag/kubernetes-service-account.%s", [
		iam.describe(role), iam.statement_name(s), pod_identity, ignored(s), principal_tag_note(s),
	])
}

scoped(s) if {
	some c in s.conditions
	scoping(c)
}

scoping(c) if {
	c.key in scoping_keys
	iam.positive(c)
	not iam.matches_everything(c)
}

# A Deny for every value but one (a negated condition on a scoping key,
# typically StringNotEquals on the namespace tag) pins the Allow as well.
scoped_by_deny(policy) if {
	some d in policy.statements
	d.effect == "Deny"
	denies_pod_identity(d)
	iam.allows_action(d, "sts:AssumeRole")
	some c in d.conditions
	c.key in scoping_keys
	c.negated
	not iam.matches_everything(c)
}

denies_pod_identity(d) if iam.service_principal(d, pod_identity)

denies_pod_identity(d) if iam.wildcard_principal(d)

# ignored explains conditions on scoping keys that do not scope.
ignored(s) := sprintf(" (the one on %s is negated, IfExists or matches every value)", [concat(", ", keys)]) if {
	keys := sort({c.keyWritten |
		some c in s.conditions
		c.key in scoping_keys
		not scoping(c)
	})
	count(keys) > 0
} else := ""

# Conditions on aws:PrincipalTag/... look like scoping but are not.
principal_tag_note(s) := sprintf(" Its conditions on %s do not scope it either: when EKS assumes the role the session tags are aws:RequestTag/...; aws:PrincipalTag/... belongs in the role's permission policies.", [concat(", ", keys)]) if {
	keys := sort({c.keyWritten | some c in s.conditions; startswith(c.key, "aws:principaltag/")})
	count(keys) > 0
} else := ""
