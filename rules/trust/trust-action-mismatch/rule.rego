# METADATA
# title: Trust statement's actions do not fit its principal
# description: |
#   The actions of a trust statement must be exactly those its principal
#   calls. Reported, at the statement's Action (or NotAction):
#
#   - high: a Federated OIDC or web identity provider whose statement does
#     not allow sts:AssumeRoleWithWebIdentity (for example sts:AssumeRole, an
#     error IAM Access Analyzer also reports): a web identity token can call
#     only that action, so the role cannot be assumed through the provider
#     and pods get AccessDenied;
#   - high: pods.eks.amazonaws.com without both sts:AssumeRole and
#     sts:TagSession: EKS Pod Identity calls both, so every association with
#     the role fails when pods fetch credentials;
#   - high: NotAction in an Allow statement, which grants every action it
#     does not list;
#   - medium: "*" or "sts:*" for any principal, and wildcards such as
#     sts:AssumeRole* with a Federated principal: broader than the mechanism
#     needs (sts:AssumeRole* also grants sts:AssumeRole and
#     sts:AssumeRoleWithSAML).
#
#   Action names are matched case-insensitively with wildcards, as IAM does:
#   sts:AssumeRole*, STS:assumerolewithwebidentity and NotAction
#   sts:AssumeRole all permit web identity. A role that serves IRSA and Pod
#   Identity in separate statements, each with its own actions, is fine.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: EKS user guide — IRSA trust policy (sts:AssumeRoleWithWebIdentity)
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
#     description: EKS user guide — Pod Identity role trust policy (sts:AssumeRole and sts:TagSession)
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
#     description: IAM JSON policy elements — Action (case-insensitive, wildcards)
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
#     description: IAM JSON policy elements — NotAction
# custom:
#   needs: [roles]
#   scope: role
#   severity: high
#   precision: very-high
#   remediation: |
#     List exactly the actions the principal calls in "Action":
#     "sts:AssumeRoleWithWebIdentity" for an OIDC provider (IRSA),
#     ["sts:AssumeRole", "sts:TagSession"] for pods.eks.amazonaws.com (EKS Pod
#     Identity), "sts:AssumeRole" for AWS accounts, roles and other services.
package irsalint.rules.trust["trust-action-mismatch"]

import data.irsalint.lib.iam
import data.irsalint.lib.result

pod_identity := "pods.eks.amazonaws.com"

# The actions a role trust policy can grant, as IAM spells them.
trust_actions := [
	"sts:AssumeRole",
	"sts:AssumeRoleWithSAML",
	"sts:AssumeRoleWithWebIdentity",
	"sts:SetContext",
	"sts:SetSourceIdentity",
	"sts:TagSession",
]

# (a) A web identity provider that cannot call AssumeRoleWithWebIdentity.
deny contains result.graded(role, s.actionAt, message, "high") if {
	some role in input.roles
	iam.usable(role)
	some s in role.trustPolicy.statements
	s.effect == "Allow"
	issuers := sort({f.issuer | some f in s.federated; f.kind in {"oidc", "web"}})
	count(issuers) > 0
	not iam.allows_action(s, iam.web_identity_action)
	message := sprintf("%s, %s trusts the identity provider %s but %s, not sts:AssumeRoleWithWebIdentity, the only action a web identity token can call: the role cannot be assumed through that provider and STS answers AccessDenied. Write \"Action\": \"sts:AssumeRoleWithWebIdentity\".", [
		iam.describe(role), iam.statement_name(s), concat(", ", issuers), grants(s),
	])
}

# (b) Pod Identity needs both AssumeRole and TagSession.
deny contains result.graded(role, s.actionAt, message, "high") if {
	some role in input.roles
	iam.usable(role)
	some s in role.trustPolicy.statements
	s.effect == "Allow"
	iam.service_principal(s, pod_identity)
	missing := [a | some a in ["sts:AssumeRole", "sts:TagSession"]; not iam.allows_action(s, a)]
	count(missing) > 0
	message := sprintf("%s, %s trusts %s but does not allow %s: EKS Pod Identity calls both sts:AssumeRole and sts:TagSession, so every pod identity association with this role fails when its pods fetch credentials. Write \"Action\": [\"sts:AssumeRole\", \"sts:TagSession\"].", [
		iam.describe(role), iam.statement_name(s), pod_identity, concat(" or ", missing),
	])
}

# (c) Wildcard actions: "*" and "sts:*" for any principal, any wildcard for
# a Federated principal.
deny contains result.graded(role, s.actionAt, message, "medium") if {
	some role in input.roles
	iam.usable(role)
	some s in role.trustPolicy.statements
	s.effect == "Allow"
	not s.notAction
	broad := sort({a | some a in s.actions; overbroad(s, a)})
	count(broad) > 0
	message := sprintf("%s, %s allows %s, which grants %s: more than %s needs. Grant only %s.", [
		iam.describe(role), iam.statement_name(s), quoted(broad), granted(s), principal_kind(s), needed(s),
	])
}

# (d) NotAction in an Allow grants every action it does not list.
deny contains result.graded(role, s.actionAt, message, "high") if {
	some role in input.roles
	iam.usable(role)
	some s in role.trustPolicy.statements
	s.effect == "Allow"
	s.notAction
	message := sprintf("%s, %s uses NotAction in an Allow statement, which grants every action except %s (here %s). Name the actions %s needs in \"Action\" instead: %s.", [
		iam.describe(role), iam.statement_name(s), quoted(s.actions), granted(s), principal_kind(s), needed(s),
	])
}

overbroad(_, a) if a in {"*", "sts:*"}

overbroad(s, a) if {
	count(s.federated) > 0
	iam.has_wildcard(a)
}

quoted(actions) := concat(", ", [sprintf("%q", [spelled(a)]) | some a in actions])

# spelled writes a known action as IAM documents it (the inventory holds
# action names lower-cased).
spelled(a) := t if {
	some t in trust_actions
	lower(t) == a
} else := a

# grants describes what the statement's Action or NotAction allows.
grants(s) := sprintf("allows every action except %s", [quoted(s.actions)]) if s.notAction

else := sprintf("allows only %s", [quoted(s.actions)])

# granted lists the trust-policy actions the statement allows.
granted(s) := concat(", ", actions) if {
	actions := [a | some a in trust_actions; iam.allows_action(s, a)]
	count(actions) > 0
} else := "no action a trust policy uses"

# principal_kind and needed name the statement's principal and the actions
# its mechanism calls.
principal_kind(s) := "a web identity provider" if {
	some f in s.federated
	f.kind in {"oidc", "web"}
} else := "a SAML provider" if {
	some f in s.federated
	f.kind == "saml"
} else := pod_identity if {
	iam.service_principal(s, pod_identity)
} else := "its principal"

needed(s) := "sts:AssumeRoleWithWebIdentity" if {
	some f in s.federated
	f.kind in {"oidc", "web"}
} else := "sts:AssumeRoleWithSAML" if {
	some f in s.federated
	f.kind == "saml"
} else := "sts:AssumeRole and sts:TagSession" if {
	iam.service_principal(s, pod_identity)
} else := "sts:AssumeRole (and sts:TagSession or sts:SetSourceIdentity only if callers set them)"
