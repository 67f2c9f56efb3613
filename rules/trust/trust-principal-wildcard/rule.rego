# METADATA
# title: Trust policy allows any principal
# description: |
#   An Allow statement of a trust policy names the principal "*", {"AWS": "*"}
#   or a list that contains "*". That trusts every IAM user and role of every
#   AWS account (and, for web identity, tokens of any identity provider): AWS
#   warns "do not leave your role accessible to everyone". It is critical
#   unless a positive condition on aws:PrincipalOrgID, aws:PrincipalArn,
#   aws:PrincipalAccount or sts:ExternalId restricts who may call, and medium
#   when one does (the role then depends on that condition alone).
#
#   Conditions on OIDC claims ("<issuer>:sub", "<issuer>:aud") do not make a
#   wildcard principal safe: only a Federated principal pins which identity
#   provider is trusted, so the claim conditions are all that stands in the
#   way of a token from another provider. Deny statements with "*" are the
#   normal way to write guardrails and are not reported.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
#     description: IAM JSON policy elements — Principal (all principals, and the warning)
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: EKS user guide — the Federated principal of an IRSA trust policy
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
#     description: AWS global condition keys — aws:PrincipalOrgID, aws:PrincipalArn, aws:PrincipalAccount
# custom:
#   needs: [roles]
#   scope: role
#   severity: critical
#   precision: very-high
#   remediation: |
#     Name the trusted principal instead of "*": the OIDC provider ARN as
#     "Federated" for IRSA, "pods.eks.amazonaws.com" as "Service" for EKS Pod
#     Identity, or the account or role ARN under "AWS" for cross-account
#     access (with an sts:ExternalId condition for third parties).
package irsalint.rules.trust["trust-principal-wildcard"]

import data.irsalint.lib.iam
import data.irsalint.lib.result

deny contains result.graded(role, p.at, message, severity) if {
	some role in input.roles
	iam.usable(role)
	some s in role.trustPolicy.statements
	s.effect == "Allow"
	iam.wildcard_principal(s)
	p := wildcard_entry(s)
	restricting := sort({c.keyWritten | some c in s.conditions; restricts(c)})
	[severity, verdict] := grade(s, restricting, ignored(s))
	message := sprintf("%s, %s: principal %s %s%s", [
		iam.describe(role), iam.statement_name(s), written(p), verdict, claim_note(s),
	])
}

# wildcard_entry is the first principal entry that matches everyone,
# by the library's definition.
wildcard_entry(s) := [p |
	some p in s.principals
	iam.wildcard_principal({"principals": [p]})
][0]

written(p) := `"*"` if p.type == "*"

else := `"*" in its "AWS" list` if is_number(p.at[count(p.at) - 1])

else := `{"AWS": "*"}`

# Condition keys that narrow who the caller is.
restricting_keys := {"aws:principalorgid", "aws:principalarn", "aws:principalaccount", "sts:externalid"}

# restricts: a positive condition on a restricting key whose values do not
# match everything (StringLike "*" restricts nothing).
restricts(c) if {
	c.key in restricting_keys
	iam.positive(c)
	not iam.matches_everything(c)
}

grade(s, restricting, ignored) := ["critical", sprintf("lets %s assume the role: no condition on aws:PrincipalOrgID, aws:PrincipalArn, aws:PrincipalAccount or sts:ExternalId restricts the caller%s. Name the trusted principal instead.", [admitted(s), ignored])] if {
	count(restricting) == 0
} else := ["medium", sprintf("trusts everyone and relies on its condition on %s alone to restrict the caller. Name the trusted principal instead, so that a mistake in the condition cannot open the role.", [concat(", ", restricting)])]

# ignored explains conditions on the restricting keys that do not restrict.
ignored(s) := sprintf(" (the one on %s is negated, IfExists or matches every value, so it does not)", [concat(", ", keys)]) if {
	keys := sort({c.keyWritten |
		some c in s.conditions
		c.key in restricting_keys
		not restricts(c)
	})
	count(keys) > 0
} else := ""

# admitted names who a wildcard principal lets in, by the actions the
# statement allows.
admitted(s) := concat(" and ", who) if {
	who := [text |
		some [action, text] in [
			["sts:AssumeRole", "every IAM user and role of every AWS account"],
			["sts:AssumeRoleWithWebIdentity", "web identity tokens of any identity provider"],
			["sts:AssumeRoleWithSAML", "SAML assertions of any identity provider"],
		]
		iam.allows_action(s, action)
	]
	count(who) > 0
} else := "every principal"

# claim_note: OIDC claim conditions look like a restriction but do not pin
# the identity provider.
claim_note(s) := sprintf(" Its conditions on %s do not help: without a Federated principal they do not pin the identity provider that issued the token.", [concat(", ", keys)]) if {
	keys := sort({c.keyWritten | some c in s.conditions; iam.issuer_key(c.key)})
	count(keys) > 0
} else := ""
