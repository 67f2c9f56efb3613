# METADATA
# title: The cluster's OIDC issuer has no IAM OIDC provider
# description: |
#   ServiceAccounts use IRSA roles of the cluster's account, but the
#   account's IAM OIDC providers (listed by the audit, or given as
#   `aws iam list-open-id-connect-providers` output) include none for the
#   cluster's OIDC issuer. STS then refuses every AssumeRoleWithWebIdentity
#   call from the cluster's pods with InvalidIdentityToken ("No OpenIDConnect
#   provider found in your account"), whatever the roles' trust policies say:
#   the most common IRSA setup error, typical of a new or recreated cluster.
#   The issuer comes from the cluster read (describe-cluster) or the
#   configuration; without a provider list nothing is reported. Roles in
#   other accounts need a provider there, which this account's list cannot
#   show.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html
#     description: Create an IAM OIDC provider for your cluster
#   - ref: https://repost.aws/knowledge-center/eks-troubleshoot-oidc-and-irsa
#     description: Troubleshoot OIDC provider and IRSA errors in Amazon EKS
# custom:
#   needs: [serviceAccounts]
#   severity: high
#   precision: very-high
#   remediation: |
#     Create the provider for the cluster's issuer in the account
#     (eksctl utils associate-iam-oidc-provider --cluster NAME --approve,
#     or aws iam create-open-id-connect-provider --url ISSUER_URL
#     --client-id-list sts.amazonaws.com), then restart the pods.
package irsalint.rules.cluster["oidc-provider-missing"]

import data.irsalint.lib.k8s
import data.irsalint.lib.oidc
import data.irsalint.lib.result

# The cluster read: the finding is at its issuer.
deny contains result.with_related(result.finding(c.cluster, ["identity", "oidc", "issuer"], message(c, users)), related(users)) if {
	some c, users in missing
	c.cluster != null
}

# Only configured: the finding is at the first ServiceAccount that needs it.
deny contains result.with_related(result.finding(first.sa, k8s.annotation_at(k8s.role_arn_key), message(c, users)), related(array.slice(users, 1, 6))) if {
	some c, users in missing
	c.cluster == null
	first := users[0]
}

account := input.cluster.accountId

# missing maps each cluster issuer without a provider to the ServiceAccounts
# (sorted by key) whose roles need it.
missing[c] := users if {
	input.facts.oidcProviderList
	is_string(account)
	some c in oidc.issuers
	count(oidc.providers_of(c.issuer, account)) == 0
	entries := oidc.irsa_in(account)
	count(entries) > 0
	users := [e | some k in oidc.keys(entries); some e in entries; e.sa.key == k]
}

message(c, users) := sprintf("%s's OIDC issuer %s has no IAM OIDC provider in account %s, so STS refuses the web identity tokens of the %d ServiceAccount%s using IRSA roles of that account (%s) with InvalidIdentityToken.", [
	cluster_name(c), c.issuer, account, count(users), result.plural(count(users)), result.listing(oidc.keys(users), 5),
])

cluster_name(c) := sprintf("Cluster %s", [c.name]) if {
	is_string(c.name)
} else := "The cluster"

related(users) := [result.related(e.sa, k8s.annotation_at(k8s.role_arn_key), "uses an IRSA role of this account") | some e in array.slice(users, 0, 5)]
