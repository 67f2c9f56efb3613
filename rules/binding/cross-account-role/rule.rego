# METADATA
# title: ServiceAccount uses a role in another AWS account
# description: |
#   A ServiceAccount's eks.amazonaws.com/role-arn names a role in another
#   account than the one the cluster runs in. Cross-account IRSA is a
#   documented, legitimate setup: the role's account creates its own IAM
#   OIDC provider for the cluster's issuer, and the role trusts that
#   provider; pods then assume the role directly with their web identity
#   token. This finding is information for audits, not an error: it lists
#   the identities that leave the cluster's account, so that reviewers know
#   another account's IAM OIDC provider trusts this cluster, and that the
#   role's trust must stay scoped to exact ServiceAccounts (any ServiceAccount
#   it admits can act in the other account).
#
#   When the role is in the scan, the finding also points at the trust's
#   Federated principal and says whether that provider is the one of this
#   cluster's issuer. The rule runs only when the cluster's account is known
#   (`--account-id` or configuration). A ServiceAccount that an EKS Pod
#   Identity association covers is skipped: the association wins over the
#   annotation and the annotated role is not used.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/cross-account-access.html
#     description: EKS user guide — authenticate to another account with IRSA
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: EKS user guide — scope the trust to the exact namespace and ServiceAccount
# custom:
#   needs: [serviceAccounts]
#   severity: low
#   precision: very-high
#   remediation: |
#     If the cross-account role is intended, make sure its account has an IAM
#     OIDC provider for this cluster's issuer, that the role's trust names
#     that provider with StringEquals conditions on the exact sub
#     (system:serviceaccount:<namespace>:<name>) and aud (sts.amazonaws.com),
#     and record the dependency; suppress the finding for this
#     ServiceAccount. Otherwise annotate it with a role in the cluster's own
#     account.
package irsalint.rules.binding["cross-account-role"]

import data.irsalint.lib.binding
import data.irsalint.lib.iam
import data.irsalint.lib.k8s
import data.irsalint.lib.result

deny contains f if {
	cluster := input.cluster.accountId
	is_string(cluster)
	some link in binding.links
	link.parsed != null
	link.parsed.account != cluster
	link.association == null
	base := sprintf("%s uses role %s in account %s, while the cluster runs in account %s: cross-account IRSA. It works when account %s has an IAM OIDC provider for this cluster's issuer and the role trusts it for exact ServiceAccounts; listed for audits.", [
		k8s.describe(link.sa), link.arn, link.parsed.account, cluster, link.parsed.account,
	])
	f := with_trust(link, base)
}

at := k8s.annotation_at(k8s.role_arn_key)

# The role is in the scan and trusts an EKS cluster's OIDC provider: point
# at the Federated principal too.
with_trust(link, base) := result.with_related(
	result.finding(link.sa, at, concat(" ", [base, provider_note(p)])),
	[result.related(link.role, p.at, sprintf("the role trusts the OIDC provider %s here", [p.value]))],
) if {
	p := provider(link.role)
} else := result.finding(link.sa, at, concat(" ", [base, no_provider_note(link.role)]))

# provider is the EKS OIDC provider the role's web-identity statements
# trust: this cluster's when one is, else the first.
provider(role) := p if {
	role != null
	iam.usable(role)
	trusted := [f |
		some pair in iam.web_identity_statements(role.trustPolicy)
		f := pair[1]
		iam.eks(f)
	]
	count(trusted) > 0
	ours := [f | some f in trusted; binding.is_this_cluster(f)]
	p := array.concat(ours, trusted)[0]
}

provider_note(p) := sprintf("Its trust names the OIDC provider %s; this cluster's issuer is not known, so it could not be compared (pass --oidc-issuer).", [p.value]) if {
	binding.this_cluster.inferred
} else := sprintf("Its trust names the OIDC provider %s, the one for this cluster's issuer.", [p.value]) if {
	binding.is_this_cluster(p)
} else := sprintf("Its trust names the OIDC provider %s, whose issuer is not this cluster's (%s): pods of this cluster cannot assume the role through it.", [
	p.value, concat(", ", sort(binding.this_cluster.issuers)),
])

no_provider_note(null) := "The role is not in the scan, so its trust was not checked."

no_provider_note(role) := "The role's trust policy could not be read unambiguously, so it was not checked." if {
	role != null
	not iam.usable(role)
} else := "The role's trust policy holds unrendered placeholders, so it was not checked." if {
	role.trustPolicy.unrendered
} else := "The role's trust names no EKS cluster's OIDC provider, so no ServiceAccount can assume it with a web identity token." if {
	role != null
}
