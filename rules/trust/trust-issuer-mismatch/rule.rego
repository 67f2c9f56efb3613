# METADATA
# title: Web-identity condition key names another issuer than the trusted provider
# description: |
#   In a web-identity trust statement the token's claims reach IAM as
#   condition keys named after the Federated provider's issuer:
#   `<issuer>:sub` and `<issuer>:aud`, where `<issuer>` is the provider ARN's
#   part after `oidc-provider/` (host and path, no `https://`, no trailing
#   slash; key names are case-insensitive). A key that names any other
#   issuer is never in the request, so its condition is evaluated on a
#   missing key:
#
#   - under a positive operator (`StringEquals`, `StringLike`, ...) it is
#     always false: the statement never matches and the role cannot be
#     assumed through it; pods get AccessDenied (high);
#   - under a negated operator, `...IfExists`, `ForAllValues:` or
#     `Null: true` it is always true and restricts nothing: when nothing
#     else in the statement restricts the subject, anyone the provider
#     issues tokens for is admitted (critical); otherwise the condition is
#     dead weight (medium).
#
#   The message compares the two issuers to name the likely cause: a
#   leading `https://`, a trailing slash, another cluster's ID, a region
#   typo, or another provider altogether.
#
#   When the cluster's OIDC issuer is known (`--oidc-issuer` or
#   configuration), a role that trusts only other EKS clusters' providers
#   is also reported (high, at the Federated principal): no service account
#   of this cluster can assume it. This check runs only on roles read from
#   a single-role source (a policy document or `aws iam get-role` output):
#   an account's `get-account-authorization-details` or `list-roles` output
#   legitimately holds the roles of every cluster of the account.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: EKS user guide — condition keys are named after the cluster's OIDC issuer
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html
#     description: EKS user guide — each cluster has its own OIDC issuer and IAM OIDC provider
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
#     description: IAM user guide — how operators behave when the key is missing
# custom:
#   needs: [roles]
#   scope: role
#   severity: critical
#   precision: very-high
#   remediation: |
#     Spell every condition key with the issuer exactly as in the statement's
#     Federated provider ARN (the part after "oidc-provider/", without
#     https:// and without a trailing slash), for example
#     "oidc.eks.<region>.amazonaws.com/id/<ID>:sub", and use a positive
#     operator (StringEquals). For a role meant for this cluster, trust this
#     cluster's IAM OIDC provider (create it if the account has none).
package irsalint.rules.trust["trust-issuer-mismatch"]

import data.irsalint.lib.iam
import data.irsalint.lib.result

# Condition keys that name an issuer none of the statement's providers has.
deny contains result.with_related(finding, [result.related(role, f.at, related_message)]) if {
	some role in input.roles
	iam.usable(role)
	some s in web_identity_statements(role.trustPolicy)
	some c in s.conditions
	prefix := names_issuer(c.key)
	not prefix in {g.keyPrefix | some g in s.federated}
	f := closest(s, prefix)
	written := written_issuer(c)
	[severity, outcome] := grade(role.trustPolicy, s, c)
	message := sprintf("%s: %s has condition key %q, but the statement's Federated provider has issuer %s (%s). STS never puts that key in the request, so %s %s. Write %q.", [
		iam.describe(role), iam.statement_name(s), c.keyWritten, f.issuer, cause(written, f.issuer, "the key"),
		c.operator, outcome, iam.claim_key({"keyPrefix": f.issuer}, iam.claim_of(c.key)),
	])
	finding := result.graded(role, c.at, message, severity)
	related_message := sprintf("the Federated provider trusted here has issuer %s", [f.issuer])
}

# A role read on its own that trusts only other EKS clusters than this one.
deny contains result.graded(role, f.at, message, "high") if {
	cluster := input.cluster.oidcIssuer
	is_string(cluster)
	some role in input.roles
	iam.usable(role)
	role.source in {"policy-document", "get-role"}
	not trusts_issuer(role, cluster)
	some pair in iam.web_identity_statements(role.trustPolicy)
	f := pair[1]
	iam.eks(f)
	message := sprintf("%s trusts the OIDC provider of the EKS cluster with issuer %s, but the cluster being linted has issuer %s (%s): no service account of this cluster can assume the role. Trust this cluster's provider instead (%s) and key the conditions to %s.", [
		iam.describe(role), f.issuer, cluster, cause(f.issuer, cluster, "the provider"), provider_arn(f, cluster), cluster,
	])
}

# provider_arn is the ARN of the IAM OIDC provider for issuer in f's
# account.
provider_arn(f, issuer) := sprintf("arn:%s:iam::%s:oidc-provider/%s", [f.partition, f.account, issuer]) if {
	is_string(f.partition)
	is_string(f.account)
} else := sprintf("arn:<partition>:iam::<account>:oidc-provider/%s", [issuer])

# web_identity_statements are the policy's web-identity Allow statements,
# each once.
web_identity_statements(policy) := {pair[0] | some pair in iam.web_identity_statements(policy)}

trusts_issuer(role, issuer) if {
	some pair in iam.web_identity_statements(role.trustPolicy)
	lower(pair[1].issuer) == lower(issuer)
}

# names_issuer is the issuer a condition key names ("<host/path>:<claim>");
# undefined for global and service keys such as aws:RequestTag/a.b:c.
names_issuer(key) := prefix if {
	prefix := iam.issuer_key(key)
	not regex.match(`^[a-z0-9-]+:[^/]`, prefix)
}

# written_issuer is the issuer part of a condition key as written.
written_issuer(c) := substring(c.keyWritten, 0, (count(c.keyWritten) - count(iam.claim_of(c.key))) - 1)

# closest is the statement's provider the key was most likely meant for:
# the first one a specific cause explains, else the first one.
closest(s, prefix) := explained[0] if {
	explained := [f | some f in web_providers(s); specific(prefix, f.issuer)]
	count(explained) > 0
} else := web_providers(s)[0]

# web_providers are the statement's OIDC and well-known web identity
# providers (not SAML).
web_providers(s) := [f | some f in s.federated; f.kind in {"oidc", "web"}]

specific(key_issuer, issuer) if not other_provider(key_issuer, issuer)

other_provider(key_issuer, issuer) if endswith(cause(key_issuer, issuer, ""), "another provider altogether")

# grade: [severity, what the condition does].
grade(policy, s, c) := ["high", "is always false and the statement never matches: the role cannot be assumed through it, and callers get AccessDenied"] if {
	not iam.condition_holds(c, {})
} else := ["critical", sprintf("always passes, and nothing else in the statement restricts the subject: %s", [admitted])] if {
	some f in web_providers(s)
	open := iam.open_to_any_subject(policy, s, f)
	admitted := admits(f, open)
} else := ["medium", "always passes: it restricts nothing (the statement's other conditions still apply)"]

admits(f, "any") := sprintf("%s can assume the role", [iam.provider_description(f)])

admits(f, "missing") := sprintf("any token from %s without a sub claim can assume the role", [f.issuer])

# cause compares the issuer a key names with the provider's issuer.
cause(key_issuer, issuer, what) := sprintf("%s %s", [what, concat(" and ", parts)]) if {
	lower(bare(key_issuer)) == lower(issuer)
	parts := [p |
		some check in [[scheme(key_issuer), "starts with https://"], [endswith(key_issuer, "/"), "ends with a slash"]]
		check[0] == true
		p := check[1]
	]
	count(parts) > 0
} else := sprintf("%s %s", [what, explained]) if {
	a := eks_parts(key_issuer)
	b := eks_parts(issuer)
	explained := eks_cause(a, b)
} else := sprintf("%s has the same host but the path %q instead of %q", [what, path(key_issuer), path(issuer)]) if {
	lower(host(key_issuer)) == lower(host(issuer))
} else := sprintf("%s names another provider altogether", [what])

default scheme(_) := false

scheme(s) if startswith(lower(s), "https://")

scheme(s) if startswith(lower(s), "http://")

bare(s) := trim_right(trim_prefix(trim_prefix(lower(s), "https://"), "http://"), "/")

host(s) := split(bare(s), "/")[0]

path(s) := substring(bare(s), count(host(s)), -1)

# eks_parts: [region, cluster ID] of an EKS issuer.
eks_parts(s) := [m[1], m[3]] if {
	m := regex.find_all_string_submatch_n(`^oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/id/([a-z0-9]+)$`, bare(s), 1)[0]
}

eks_cause([region, id], [region, other]) := sprintf("names another EKS cluster's issuer in the same region: ID %s, not %s", [upper(id), upper(other)]) if id != other

eks_cause([region, id], [other, id]) := sprintf("has a region typo: %s instead of %s, same cluster ID", [region, other]) if region != other

eks_cause([region, id], [other_region, other_id]) := sprintf("names another EKS cluster's issuer: region %s and ID %s, not %s and %s", [region, upper(id), other_region, upper(other_id)]) if {
	region != other_region
	id != other_id
}
