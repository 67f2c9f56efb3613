# METADATA
# title: Wildcard in a web-identity subject condition
# description: |
#   A web-identity Allow statement admits subjects through `StringLike` (or
#   `ForAnyValue:StringLike`) on the provider's `sub` claim with a `*` or `?`
#   wildcard. IAM's `*` matches any run of characters, `:` and `/` included,
#   so a pattern admits more than it seems to. Each wildcard value is graded
#   by what it can match:
#
#   - critical: every subject of the provider (`*`,
#     `system:serviceaccount:*`, `repo:*`): every service account of the
#     cluster, or every GitHub repository;
#   - high: a service account name in every namespace
#     (`system:serviceaccount:*:<name>`), or a pattern that crosses the
#     namespace boundary (`system:serviceaccount:team*` also matches
#     `team-sandbox:anything`): whoever can create a namespace or a
#     service account with a matching name gets the role;
#   - medium: every service account of one namespace
#     (`system:serviceaccount:<namespace>:*`, the pattern AWS documents for
#     namespace-wide roles, which still hands the role to any service
#     account created there later), a `?` wildcard, or every repository of
#     one GitHub organization (`repo:<org>/*`).
#
#   A GitHub pattern for one repository (`repo:<org>/<repository>:*`) is
#   the documented form and is not reported. A pattern ANDed with a positive
#   `StringEquals` on the same key is not reported either: the statement
#   then admits only the exact subjects listed there.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: EKS user guide — scope the trust policy to one service account (StringLike for a namespace)
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
#     description: IAM user guide — StringLike wildcards match any characters
#   - ref: https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
#     description: EKS best practices — scope the IRSA trust policy to the service account name, namespace and cluster
# custom:
#   needs: [roles]
#   scope: role
#   severity: critical
#   precision: very-high
#   remediation: |
#     Replace the pattern with the exact subjects: StringEquals
#     "<issuer>:sub" with an array of
#     "system:serviceaccount:<namespace>:<service-account>" values, one per
#     service account that needs the role. For GitHub Actions, use one
#     "repo:<org>/<repository>:*" pattern (or a narrower branch or
#     environment subject) per repository.
package irsalint.rules.trust["trust-wildcard-sub"]

import data.irsalint.lib.iam
import data.irsalint.lib.result

deny contains result.graded(role, c.at, message, scope.severity) if {
	some role in input.roles
	iam.usable(role)
	some [s, f] in iam.web_identity_statements(role.trustPolicy)

	# An ANDed StringEquals on the same key already pins the exact subjects.
	not iam.exact_subjects(s, f)
	some c in iam.conditions_on(s, iam.claim_key(f, "sub"))
	iam.positive(c)
	c.like
	some v in c.values
	iam.has_wildcard(v)
	scope := iam.sub_pattern_scope(f, v)
	scope.severity != "ok"
	message := sprintf("%s: %s matches the subject against %q with %s, which admits %s. %s", [
		iam.describe(role), iam.statement_name(s), v, c.operator, scope.scope, instead(f),
	])
}

instead(f) := sprintf(`List the repositories instead: StringLike "%s:sub": "repo:<org>/<repository>:*", one value per repository.`, [f.issuer]) if {
	iam.github(f)
} else := sprintf(`List the service accounts instead: StringEquals "%s:sub" with one "system:serviceaccount:<namespace>:<service-account>" value each.`, [f.issuer]) if {
	iam.eks(f)
} else := sprintf(`List the exact subjects instead: StringEquals "%s:sub" with one value each.`, [f.issuer])
