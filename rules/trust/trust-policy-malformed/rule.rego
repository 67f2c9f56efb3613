# METADATA
# title: Malformed or ambiguous trust policy
# description: |
#   The trust policy document has a problem that makes IAM reject it, or
#   makes IAM and a reader (irsalint, a reviewer, Go's encoding/json) see
#   different policies. One finding per problem, at the offending key:
#
#   - medium: a reading that may differ from IAM's — a key repeated in one
#     object where it means something to IAM (Go and irsalint keep the last
#     occurrence, IAM does not document which it uses; two StringEquals
#     blocks lose one of them), two spellings of one key that differ only in
#     case, a value of the wrong type, an unknown condition operator;
#     NotPrincipal (IAM rejects it in a role trust policy); a missing or
#     invalid Statement, Effect, Principal or Action, or both Action and
#     NotAction.
#   - low: what IAM accepts or ignores — a missing Version (IAM then uses
#     2008-10-17, without policy variables) or an old one, an element or
#     operator spelled in another case, an unknown element, Null with
#     IfExists, a repeated key that means nothing to IAM (the webhook
#     README's "__doc_comment").
#
#   When the reading is ambiguous, irsalint's other trust rules do not judge
#   the policy at all, since their verdict could be about a policy IAM does
#   not see: fix these findings first.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
#     description: IAM Access Analyzer policy check reference (duplicate keys, Null with IfExists, invalid operators)
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
#     description: IAM JSON policy grammar
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
#     description: IAM JSON policy elements — NotPrincipal (not allowed in role trust policies)
# custom:
#   needs: [roles]
#   scope: role
#   severity: medium
#   precision: very-high
#   remediation: |
#     Rewrite the document so it has one reading: each key once (merge
#     repeated condition operators into one block), element and operator
#     names as IAM spells them, "Version": "2012-10-17", and Principal
#     instead of NotPrincipal. Check it with
#     `aws accessanalyzer validate-policy --policy-type RESOURCE_POLICY`.
package irsalint.rules.trust["trust-policy-malformed"]

import data.irsalint.lib.iam
import data.irsalint.lib.result

deny contains result.graded(role, p.at, message, grade(p)) if {
	some role in input.roles
	some p in role.trustPolicy.problems
	message := sprintf("%s: %s.%s", [iam.describe(role), trim_right(p.message, "."), lossy_note(role)])
}

# Problems IAM rejects, or that make the reading ambiguous, are medium;
# what IAM accepts or ignores is low.
grade(p) := "medium" if {
	medium(p)
} else := "low"

medium(p) if p.lossy

medium(p) if p.kind in {"not-principal", "unknown-operator"}

medium(p) if startswith(p.kind, "bad-")

medium(p) if {
	startswith(p.kind, "missing-")
	p.kind != "missing-version"
}

lossy_note(role) := " IAM and irsalint may read this policy differently, so irsalint's other trust rules did not judge it." if {
	role.trustPolicy.lossy
} else := ""
