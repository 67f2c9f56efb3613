# METADATA
# title: An IAM OIDC provider no cluster and no role uses
# description: |
#   The account has an IAM OIDC provider for an EKS issuer that belongs to
#   none of the account's clusters in that region, and no role's trust policy
#   names it. It is left over from a deleted or recreated cluster. It grants
#   nothing by itself, but it is clutter that hides the providers that
#   matter, counts against the account's quota, and a role later written to
#   trust it would trust an issuer nobody watches. Judged only when the
#   audit read every cluster of the provider's region (complete.clusterRegions)
#   and every role of its account (authorization details); providers of other
#   issuers, such as GitHub Actions, are not judged.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
#     description: IAM — OIDC identity providers
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html
#     description: An IAM OIDC provider per cluster issuer
# custom:
#   needs: [oidcProviders]
#   severity: low
#   precision: very-high
#   remediation: |
#     Delete the provider (aws iam delete-open-id-connect-provider
#     --open-id-connect-provider-arn ARN) once nothing needs it.
package irsalint.rules.cluster["oidc-provider-unused"]

import data.irsalint.lib.binding
import data.irsalint.lib.oidc
import data.irsalint.lib.result

deny contains result.finding(p, [], message) if {
	some p in input.oidcProviders
	region := oidc.eks_region(p.issuer)
	region in input.facts.clusterRegionsComplete
	p.account in binding.inventoried_accounts
	not cluster_issuer(p.issuer)
	not trusted(p)
	message := sprintf("IAM OIDC provider %s is for an issuer no EKS cluster in %s has, and no role of account %s trusts it: it is left over from a deleted cluster.", [
		p.arn, region, p.account,
	])
}

cluster_issuer(issuer) if {
	some c in oidc.issuers
	oidc.same(c.issuer, issuer)
}

trusted(p) if {
	some r in input.roles
	some s in r.trustPolicy.statements
	some f in s.federated
	oidc.same(f.value, p.arn)
}
