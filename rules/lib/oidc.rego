# METADATA
# title: Clusters' OIDC issuers and the account's IAM OIDC providers
# description: |
#   IRSA works only when the role's account has an IAM OIDC provider for the
#   cluster's issuer, whose client IDs include the audience the
#   ServiceAccount's token carries (sts.amazonaws.com unless
#   eks.amazonaws.com/audience says otherwise). Issuers are compared as IAM
#   compares condition keys: case-insensitively.
package irsalint.lib.oidc

import data.irsalint.lib.arn
import data.irsalint.lib.binding
import data.irsalint.lib.k8s

# issuers are the clusters whose issuer is known: each read cluster, and
# the configured one when no read cluster has it. cluster is the read entry
# or null.
issuers contains {"issuer": c.issuer, "name": c.name, "cluster": c} if {
	some c in input.clusters
	is_string(c.issuer)
}

issuers contains {"issuer": i, "name": input.cluster.name, "cluster": null} if {
	i := input.cluster.oidcIssuer
	is_string(i)
	not read_issuer(i)
}

read_issuer(i) if {
	some c in input.clusters
	same(c.issuer, i)
}

same(a, b) if lower(a) == lower(b)

# eks_region is the region of an EKS issuer, undefined for other issuers.
eks_region(issuer) := m[1] if {
	m := regex.find_all_string_submatch_n(`^oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/id/`, lower(issuer), 1)[0]
}

# providers_of lists the providers read for an issuer in an account.
providers_of(issuer, account) := [p |
	some p in input.oidcProviders
	p.account == account
	same(p.issuer, issuer)
]

# irsa lists the declared ServiceAccounts annotated with a role, each with
# the role's account (null when the ARN does not parse) and its audience.
irsa := [{"sa": sa, "account": account(raw), "audience": binding.audience(sa)} |
	some sa in input.serviceAccounts
	sa.declared
	raw := k8s.role_arn(sa)
	trim_space(raw) != ""
]

account(raw) := a if {
	a := arn.parse_role(trim_space(raw)).account
} else := null

# irsa_in lists those whose role is in account.
irsa_in(acct) := [e | some e in irsa; e.account == acct]

# keys names ServiceAccounts for messages, sorted.
keys(entries) := sort([e.sa.key | some e in entries])
