# METADATA
# title: Wildcard in a StringEquals trust condition
# description: |
#   A trust-policy condition uses a string operator that is not a Like
#   operator (StringEquals, StringNotEquals, their IgnoreCase forms, with any
#   ForAnyValue/ForAllValues qualifier or IfExists suffix) with a value that
#   contains * or ?. IAM treats wildcards as wildcards only in StringLike and
#   StringNotLike; everywhere else they are literal characters. So
#   StringEquals "system:serviceaccount:prod:*" matches only a token whose
#   subject is exactly that text, which no service account can have: the
#   statement never admits anyone, pods get AccessDenied from STS, and the
#   usual "fix" under pressure is to loosen the trust further.
#
#   The reverse holds for negated operators and Deny statements: a
#   StringNotEquals with a wildcard excludes only the literal text, and a
#   Deny whose StringEquals holds a wildcard denies nothing real. Every
#   condition key is checked, in Allow and Deny statements.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
#     description: IAM condition operators — string operators (wildcards only in StringLike)
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: EKS user guide — trust policy for IAM roles for service accounts (StringLike for a namespace)
# custom:
#   needs: [roles]
#   scope: role
#   severity: medium
#   precision: very-high
#   remediation: |
#     Use StringLike (StringNotLike for a negated condition) with the narrowest
#     pattern that covers what you mean, or better, list the exact values under
#     StringEquals, for example
#     "<issuer>:sub": ["system:serviceaccount:prod:api", "system:serviceaccount:prod:worker"].
package irsalint.rules.trust["trust-stringequals-wildcard"]

import data.irsalint.lib.iam
import data.irsalint.lib.result

deny contains result.finding(role, c.at, message) if {
	some role in input.roles
	iam.usable(role)
	some s in role.trustPolicy.statements
	some c in s.conditions
	c.family == "String"
	not c.like
	literal := sort([v | some v in c.values; iam.has_wildcard(v)])
	count(literal) > 0
	message := sprintf("%s, %s: %s compares %s with %s literally (IAM expands wildcards only in StringLike and StringNotLike), so %s. Write %s%s, or list the exact values.", [
		iam.describe(role), iam.statement_name(s), c.written, c.keyWritten, quoted(literal),
		effect(s, c, count(literal) == count(c.values)), like_operator(c), scope_hint(s, c, literal),
	])
}

quoted(values) := concat(", ", [sprintf("%q", [v]) | some v in values])

# effect says what the literal comparison does at runtime, by effect and
# operator: a positive operator matches only the literal text; a negated one
# excludes only it.
effect(s, c, all_literal) := "this Deny applies only to a request carrying that exact text and denies nothing real" if {
	s.effect == "Deny"
	not c.negated
} else := "every real value differs from that text: this Deny applies to every request that meets its other conditions, which likely makes the role unusable" if {
	s.effect == "Deny"
} else := "it excludes only that exact text, not the values the pattern suggests, which pass this condition" if {
	c.negated
} else := "it matches no real request: the statement never applies and the role cannot be assumed through it" if {
	c.qualifier != "ForAllValues"
	not c.ifExists
	all_literal
} else := "those values match no real request"

# like_operator is the operator the author most likely meant: the Like form
# with the same qualifier and IfExists suffix (StringLike has no IgnoreCase
# form and is case-sensitive).
like_operator(c) := concat("", [qualifier_prefix(c), like_base(c), if_exists_suffix(c), case_note(c)])

like_base(c) := "StringNotLike" if c.negated

else := "StringLike"

case_note(c) := " (which is case-sensitive)" if c.ignoreCase

else := ""

qualifier_prefix(c) := concat("", [c.qualifier, ":"]) if is_string(c.qualifier)

else := ""

if_exists_suffix(c) := "IfExists" if c.ifExists

else := ""

# scope_hint tells, for the sub claim of the statement's own web-identity
# provider, what each pattern would admit as StringLike.
scope_hint(s, c, literal) := sprintf(" (as StringLike, %s)", [concat("; ", hints)]) if {
	s.effect == "Allow"
	not c.negated
	some f in s.federated
	c.key == iam.claim_key(f, "sub")
	hints := [sprintf("%q would admit %s", [v, iam.sub_pattern_scope(f, v).scope]) | some v in literal]
} else := ""
