# METADATA
# title: The IAM OIDC provider does not accept the audience pods ask for
# description: |
#   The account's IAM OIDC provider for the cluster's issuer lists client IDs
#   (audiences) that leave out the one the ServiceAccounts' tokens carry:
#   sts.amazonaws.com, or the value of their eks.amazonaws.com/audience
#   annotation. STS checks a web identity token's aud claim against the
#   provider's client IDs before any trust policy, so every
#   AssumeRoleWithWebIdentity call with that audience fails with
#   InvalidIdentityToken ("Incorrect token audience"). When the scan holds no
#   ServiceAccount with a role of the provider's account, sts.amazonaws.com,
#   the audience IRSA uses by default, is the one required. Only providers
#   whose client IDs were read (get-open-id-connect-provider output) are
#   judged.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html
#     description: Create an IAM OIDC provider for your cluster (audience sts.amazonaws.com)
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
#     description: IAM — client IDs (audiences) of an OIDC identity provider
# custom:
#   needs: [oidcProviders]
#   severity: high
#   precision: very-high
#   remediation: |
#     Add the audience to the provider's client IDs
#     (aws iam add-client-id-to-open-id-connect-provider
#     --open-id-connect-provider-arn ARN --client-id sts.amazonaws.com), or
#     make the ServiceAccounts ask for an audience the provider lists.
package irsalint.rules.cluster["oidc-provider-audience-missing"]

import data.irsalint.lib.k8s
import data.irsalint.lib.oidc
import data.irsalint.lib.result

deny contains result.with_related(result.finding(p, ["ClientIDList"], message), related) if {
	some c in oidc.issuers
	some p in input.oidcProviders
	oidc.same(p.issuer, c.issuer)
	is_array(p.clientIds)
	users := oidc.irsa_in(p.account)
	some aud in sort(required(users))
	not aud in p.clientIds
	askers := [e | some e in users; e.audience == aud]
	message := sprintf("%s, the provider of %s, lists client IDs %s, not %q, so STS refuses %s with InvalidIdentityToken (incorrect token audience).", [
		p_name(p), c_name(c), listed(p.clientIds), aud, who(aud, askers),
	])
	related := [result.related(e.sa, asked_at(e.sa), sprintf("asks for audience %q", [aud])) | some e in array.slice(askers, 0, 5)]
}

# asked_at is the audience annotation, or the role annotation when the
# default audience is asked for.
asked_at(sa) := k8s.annotation_at(k8s.audience_key) if {
	sa.annotations[k8s.audience_key] != ""
} else := k8s.annotation_at(k8s.role_arn_key)

# required are the audiences the provider must accept.
required(users) := {e.audience | some e in users} if {
	count(users) > 0
} else := {"sts.amazonaws.com"}

who(aud, askers) := sprintf("the tokens of %s (audience %q)", [result.listing(oidc.keys(askers), 5), aud]) if {
	count(askers) > 0
} else := "the tokens IRSA issues by default"

p_name(p) := sprintf("IAM OIDC provider %s", [p.arn])

c_name(c) := sprintf("cluster %s", [c.name]) if {
	is_string(c.name)
} else := sprintf("the cluster with issuer %s", [c.issuer])

listed(ids) := "[]" if {
	count(ids) == 0
} else := sprintf("[%s]", [concat(", ", sort(ids))])
