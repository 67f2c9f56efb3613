# METADATA
# title: Web-identity trust checks the subject but not the audience
# description: |
#   A web-identity Allow statement restricts the provider's `sub` claim with
#   a positive condition but has no condition on its `aud` claim. The
#   audience says which relying party a token was issued for: IRSA tokens
#   carry `sts.amazonaws.com` (or the ServiceAccount's
#   `eks.amazonaws.com/audience`), and GitHub's AWS action requests the same
#   value. Without an `aud` condition the trust policy accepts a token of
#   the right subject minted for any audience the OIDC provider lists as a
#   client ID, for example a token a workload obtained for another service.
#   STS is expected to check the audience against the provider's client ID
#   list, so this is defence in depth rather than an open door (low).
#   AWS's documented IRSA trust policy and eksctl's both check `aud`.
#
#   A statement whose `aud` condition is keyed to another issuer is left to
#   trust-issuer-mismatch.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: EKS user guide — the IRSA trust policy checks aud = sts.amazonaws.com
#   - ref: https://github.com/aws/amazon-eks-pod-identity-webhook
#     description: Amazon EKS Pod Identity Webhook — the audience annotation and token audience
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
#     description: IAM user guide — create a role for OpenID Connect federation
# custom:
#   needs: [roles]
#   scope: role
#   severity: low
#   precision: very-high
#   remediation: |
#     Add StringEquals "<issuer>:aud": "sts.amazonaws.com" to the statement's
#     Condition, next to the sub condition, or the ServiceAccount's
#     eks.amazonaws.com/audience value when it sets one.
package irsalint.rules.trust["trust-missing-aud"]

import data.irsalint.lib.iam
import data.irsalint.lib.result

deny contains result.finding(role, s.conditionAt, message) if {
	some role in input.roles
	iam.usable(role)
	some [s, f] in iam.web_identity_statements(role.trustPolicy)
	restricts_sub(s, f)
	not names_aud(s)
	message := sprintf(`%s: %s checks the subject but not the audience, so a token of an admitted subject issued for another audience is accepted as far as the trust policy goes. Add StringEquals "%s:aud": %s.`, [
		iam.describe(role), iam.statement_name(s), f.issuer, audience(f),
	])
}

restricts_sub(s, f) if {
	some c in iam.conditions_on(s, iam.claim_key(f, "sub"))
	iam.positive(c)
}

# names_aud: some condition names an issuer's aud claim (one keyed to
# another issuer is trust-issuer-mismatch's case).
names_aud(s) if {
	some c in s.conditions
	iam.claim_of(c.key) == "aud"
	iam.issuer_key(c.key)
}

audience(f) := `"sts.amazonaws.com" (or the ServiceAccount's eks.amazonaws.com/audience)` if {
	iam.eks(f)
} else := `"sts.amazonaws.com" (the audience aws-actions/configure-aws-credentials requests)` if {
	iam.github(f)
} else := "the audience (client ID) your tokens are issued for"
