# METADATA
# title: Web-identity sub or aud checked only by a permissive operator
# description: |
#   A web-identity Allow statement constrains the `sub` or `aud` claim only
#   through operators that pass when the claim is missing or holds a value
#   nobody listed (IAM condition semantics):
#
#   - negated operators (`StringNotEquals`, `StringNotLike`): true for every
#     value they do not list, and for a missing key;
#   - `...IfExists`: true when the key is missing;
#   - `ForAllValues:`: true when the key is missing (AWS warns against set
#     qualifiers on single-valued keys; GitHub removed
#     `ForAllValues:StringEquals` from its AWS example for this reason);
#   - `Null`: tests only whether the key is present, not its value;
#   - any of the above on a key that names another issuer than the
#     statement's Federated provider: that key is never in the request, so
#     the condition always passes (also reported by trust-issuer-mismatch).
#
#   On `sub` (critical) this is reported only when the statement really
#   admits a token with an arbitrary subject, or one without a subject, and
#   no explicit Deny stops it; the message says which. On `aud` (medium)
#   tokens issued for another audience get through to STS, which still
#   checks the audience against the OIDC provider's client IDs. A
#   permissive condition ANDed with a positive condition on the same claim
#   (such as a `StringNotEquals` deny-list next to a `StringEquals`) is
#   harmless and not reported.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
#     description: IAM user guide — condition operators, negated operators and IfExists on missing keys
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
#     description: IAM user guide — ForAllValues returns true when the key is missing
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: EKS user guide — the IRSA trust policy uses StringEquals on sub and aud
# custom:
#   needs: [roles]
#   scope: role
#   severity: critical
#   precision: very-high
#   remediation: |
#     Constrain the claim with a positive operator without IfExists or a set
#     qualifier: StringEquals "<issuer>:sub":
#     "system:serviceaccount:<namespace>:<service-account>" and StringEquals
#     "<issuer>:aud": "sts.amazonaws.com", with the issuer exactly as in the
#     Federated provider ARN. Keep a negated condition only as an extra
#     restriction next to such a positive one.
package irsalint.rules.trust["trust-permissive-operator"]

import data.irsalint.lib.iam
import data.irsalint.lib.result

deny contains result.graded(role, c.at, message, "critical") if {
	some role in input.roles
	iam.usable(role)
	some [s, f] in iam.web_identity_statements(role.trustPolicy)
	not positive_on(s, iam.claim_key(f, "sub"))
	open := iam.open_to_any_subject(role.trustPolicy, s, f)
	some c in s.conditions
	on_claim(s, f, c, "sub")
	iam.permissive(c)
	message := sprintf("%s: %s checks %s only with %s %q, which %s, so %s. Use %s.", [
		iam.describe(role), iam.statement_name(s), claim_name("sub"), c.operator, c.keyWritten,
		behaviour(f, c), admitted(f, open), fix(f, "sub"),
	])
}

deny contains result.graded(role, c.at, message, "medium") if {
	some role in input.roles
	iam.usable(role)
	some [s, f] in iam.web_identity_statements(role.trustPolicy)
	not positive_on(s, iam.claim_key(f, "aud"))
	some c in s.conditions
	on_claim(s, f, c, "aud")
	iam.permissive(c)
	message := sprintf("%s: %s checks %s only with %s %q, which %s, so tokens issued for other audiences reach STS (only the OIDC provider's client ID list still stands in the way). Use %s.", [
		iam.describe(role), iam.statement_name(s), claim_name("aud"), c.operator, c.keyWritten,
		behaviour(f, c), fix(f, "aud"),
	])
}

positive_on(s, key) if {
	some c in iam.conditions_on(s, key)
	iam.positive(c)
}

# on_claim: c constrains the claim of provider f, or names the claim of an
# issuer that is none of the statement's providers (never in the request).
on_claim(_, f, c, claim) if c.key == iam.claim_key(f, claim)

on_claim(s, _, c, claim) if {
	iam.claim_of(c.key) == claim
	prefix := iam.issuer_key(c.key)
	not prefix in {g.keyPrefix | some g in s.federated}
}

claim_name("sub") := "the subject (sub)"

claim_name("aud") := "the audience (aud)"

# behaviour says why the condition lets tokens through.
behaviour(f, c) := sprintf("names issuer %s instead of the Federated provider's %s: that key is never in the request and the condition always passes", [
	written_issuer(c), f.issuer,
]) if {
	c.key != iam.claim_key(f, iam.claim_of(c.key))
} else := "tests only whether the claim is present, not its value" if {
	c.family == "Null"
} else := "passes for every value it does not list and for a token without the claim" if {
	c.negated
	c.qualifier == null
} else := "passes when the token has no such claim (ForAllValues is true for a missing key)" if {
	c.qualifier == "ForAllValues"
} else := "passes when the token has no such claim" if {
	c.ifExists
} else := "passes for values it does not list"

admitted(f, "any") := sprintf("%s can assume the role", [iam.provider_description(f)])

admitted(f, "missing") := sprintf("any token from %s without a sub claim can assume the role (this holds only as long as the provider puts sub in every token)", [f.issuer])

fix(f, "sub") := sprintf(`StringEquals "%s:sub": "system:serviceaccount:<namespace>:<service-account>"`, [f.issuer]) if {
	iam.eks(f)
} else := sprintf(`StringLike "%s:sub": "repo:<org>/<repository>:*"`, [f.issuer]) if {
	iam.github(f)
} else := sprintf(`StringEquals "%s:sub" with the subjects that may assume the role`, [f.issuer])

fix(f, "aud") := sprintf(`StringEquals "%s:aud": "sts.amazonaws.com" (or the audience your tokens carry)`, [f.issuer])

# written_issuer is the issuer part of a condition key as written.
written_issuer(c) := substring(c.keyWritten, 0, (count(c.keyWritten) - count(iam.claim_of(c.key))) - 1)
