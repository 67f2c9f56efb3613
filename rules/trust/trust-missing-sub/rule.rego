# METADATA
# title: Web-identity trust without a subject condition
# description: |
#   An Allow statement trusts a Federated OIDC provider for
#   sts:AssumeRoleWithWebIdentity and has no condition on the provider's
#   `sub` claim: no Condition at all, an empty one, or only the audience
#   (`<issuer>:aud`). STS then accepts every token the provider signs for a
#   registered audience, so the role is open to the provider's whole
#   population:
#
#   - an EKS cluster's issuer: every service account in every namespace of
#     that cluster, including any created later by whoever may create
#     service accounts or pods there;
#   - `token.actions.githubusercontent.com`: every GitHub Actions workflow
#     of every repository on GitHub (the "any GitHub Action" flaw found in
#     the wild by Datadog Security Labs);
#   - any other issuer: every identity it issues tokens for.
#
#   The audience does not tell identities apart: every EKS service account
#   token carries `sts.amazonaws.com`. Statements are judged one by one,
#   because a policy admits the union of its Allow statements: one scoped
#   statement does not make an unscoped one safe. A statement that an
#   explicit Deny closes to every subject is not reported. Well-known web
#   identity providers (Cognito identity pools, Login with Amazon, Google,
#   Facebook) scoped by a positive condition on their `aud` (the identity
#   pool or app ID) follow AWS's documented pattern and are not reported.
#   A `sub` condition keyed to another issuer is reported by
#   trust-issuer-mismatch, and a `sub` constrained only by a negated,
#   IfExists, ForAllValues or Null operator by trust-permissive-operator.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: EKS user guide — the trust policy of an IRSA role scopes sub to one service account
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/cross-account-access.html
#     description: EKS user guide — cross-account IRSA (its Account A example has no Condition)
#   - ref: https://securitylabs.datadoghq.com/articles/exploring-github-to-aws-keyless-authentication-flaws/
#     description: Datadog Security Labs — roles trusting GitHub Actions without a sub condition
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
#     description: IAM user guide — create a role for OpenID Connect federation
# custom:
#   needs: [roles]
#   scope: role
#   severity: critical
#   precision: very-high
#   remediation: |
#     Add a positive condition on the provider's sub claim to the statement.
#     For an EKS cluster: StringEquals "<issuer>:sub":
#     "system:serviceaccount:<namespace>:<service-account>" (one value per
#     service account that needs the role), next to StringEquals
#     "<issuer>:aud": "sts.amazonaws.com". For GitHub Actions: StringLike
#     "token.actions.githubusercontent.com:sub": "repo:<org>/<repository>:*"
#     or a narrower branch or environment subject.
package irsalint.rules.trust["trust-missing-sub"]

import data.irsalint.lib.iam
import data.irsalint.lib.result

deny contains result.finding(role, s.at, message) if {
	some role in input.roles
	iam.usable(role)
	some [s, f] in iam.web_identity_statements(role.trustPolicy)
	not names_sub(s)
	not scoped_by_app_audience(s, f)

	# "missing" without any sub condition means a Deny stops every token
	# that carries a subject: closed for providers that always issue sub.
	iam.open_to_any_subject(role.trustPolicy, s, f) == "any"
	message := sprintf("%s: %s lets %s assume the role with sts:AssumeRoleWithWebIdentity, because %s. Add %s.", [
		iam.describe(role), iam.statement_name(s), iam.provider_description(f), reason(s, f), fix(f),
	])
}

# names_sub: the statement has a condition on some issuer's sub claim (a key
# of another issuer is trust-issuer-mismatch's case; a permissive operator
# trust-permissive-operator's).
names_sub(s) if {
	some c in s.conditions
	iam.claim_of(c.key) == "sub"
	iam.issuer_key(c.key)
}

# scoped_by_app_audience: for the well-known web identity providers
# (Cognito, Amazon, Google, Facebook) the audience is the identity pool or
# app ID, and AWS documents trust scoped by it alone.
scoped_by_app_audience(s, f) if {
	f.kind == "web"
	some c in iam.conditions_on(s, iam.claim_key(f, "aud"))
	iam.positive(c)
}

reason(s, f) := "it has no Condition" if {
	not s.conditionAt
} else := "its Condition is empty" if {
	count(s.conditions) == 0
} else := sprintf("its Condition checks only the audience (%s:aud), which does not tell identities apart, and not the subject", [f.issuer]) if {
	some c in s.conditions
	iam.claim_of(c.key) == "aud"
	iam.issuer_key(c.key)
} else := sprintf("its Condition does not check the subject (%s:sub)", [f.issuer])

fix(f) := sprintf(`StringEquals "%s:sub": "system:serviceaccount:<namespace>:<service-account>" for each service account that needs the role`, [f.issuer]) if {
	iam.eks(f)
} else := sprintf(`StringLike "%s:sub": "repo:<org>/<repository>:*" (or a narrower branch or environment subject) for each repository that needs the role`, [f.issuer]) if {
	iam.github(f)
} else := sprintf(`a StringEquals condition on "%s:sub" listing the subjects that may assume the role`, [f.issuer])
