# METADATA
# title: ServiceAccount names a role that does not exist
# description: |
#   A ServiceAccount's eks.amazonaws.com/role-arn names a role that is not in
#   the IAM inventory of its account, while the scan holds that account's
#   complete role list (`aws iam get-account-authorization-details` or
#   `aws iam list-roles` output). The EKS Pod Identity Webhook does not look
#   the role up: it injects the ARN into every pod, and each
#   AssumeRoleWithWebIdentity call then fails, so the pods' AWS calls fail.
#
#   Roles are matched by their full ARN, path included: `role/app` and
#   `role/team/app` are different roles, and role names are case-sensitive
#   when a role is assumed. When the account has a role with a near name,
#   the finding says which one and how the annotation differs: the same
#   name under another path or in another partition, the same name in
#   another case, a name cut short or with extra characters at the end, or
#   a name that shares most of its beginning. The related location points
#   at that role.
#
#   Only accounts whose complete role list is in the scan are checked: a
#   role of another account, or one named only by a single trust policy
#   file, is reported as unverified by `irsalint identities`, not here. A
#   ServiceAccount that an EKS Pod Identity association covers is skipped:
#   the association wins over the annotation, which is then not used.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: EKS user guide — assign IAM roles to Kubernetes service accounts
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
#     description: IAM identifiers — role ARNs include the path
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_roles.html
#     description: IAM user guide — role names are case-sensitive when you assume a role
# custom:
#   needs: [serviceAccounts]
#   severity: high
#   precision: very-high
#   remediation: |
#     Copy the role's ARN exactly as IAM shows it (aws iam get-role
#     --role-name <name> --query Role.Arn), path and case included, into the
#     annotation, or create the role (with a trust policy for this
#     ServiceAccount) before deploying. Restart the pods afterwards: the
#     webhook only injects the role when a pod is created.
package irsalint.rules.binding["role-not-found"]

import data.irsalint.lib.binding
import data.irsalint.lib.k8s
import data.irsalint.lib.result

deny contains f if {
	some link in binding.links
	link.parsed != null
	link.inventoried
	link.role == null
	link.association == null
	acct := link.parsed.account
	base := sprintf("%s: %s %q names a role that does not exist in account %s, whose IAM roles are in the scan. The webhook injects the ARN anyway, so every AssumeRoleWithWebIdentity call from pods running as this ServiceAccount fails.", [
		k8s.describe(link.sa), k8s.role_arn_key, link.arn, acct,
	])
	f := with_hint(link, base)
}

at := k8s.annotation_at(k8s.role_arn_key)

with_hint(link, base) := result.with_related(
	result.finding(link.sa, at, concat(" ", [base, hint(link.parsed, near)])),
	[result.related(near, arn_at(near), "the role the annotation probably means")],
) if {
	near := near_role(link.parsed)
} else := result.finding(link.sa, at, sprintf("%s None of the account's %d roles has a similar name: create the role or correct the ARN.", [
	base, count(binding.roles_by_account[link.parsed.account]),
]))

# arn_at points at the role's Arn field in aws iam output.
arn_at(r) := ["Arn"] if r.source in {"authorization-details", "list-roles", "get-role"}

else := []

# --- Near names ----------------------------------------------------------------
#
# The candidates are the roles whose lower-cased name shares the longest
# beginning with the annotated name: they include the same name under
# another path, partition or case, and names one is the prefix of the
# other. Each account's role names are kept sorted in one text, "\n" and
# the name padded to 64 characters per role, so that finding the longest
# shared beginning and the roles that have it are native string searches (a
# few per missing role), and a match's position gives its role by index:
# never a scan of the account in Rego.

width := 64

# names: per account, the sorted [lower-cased name, role key] of its roles
# with names IAM allows (the text's fixed width depends on it).
names := {acct: sort([[name, r.key] |
	some r in roles
	name := lower(r.name)
	regex.match(`^[a-z0-9_+=,.@-]{1,64}$`, name)
]) |
	some acct, roles in binding.roles_by_account
}

names_text := {acct: concat("", [sprintf("\n%-64s", [pair[0]]) | some pair in pairs]) |
	some acct, pairs in names
}

# common_length is the length of the longest beginning of name that some
# role name in text starts with: a binary search, since every shorter
# beginning of a shared one is shared too.
common_length(text, name) := k if {
	k1 := extend(text, name, 0, 64)
	k2 := extend(text, name, k1, 32)
	k3 := extend(text, name, k2, 16)
	k4 := extend(text, name, k3, 8)
	k5 := extend(text, name, k4, 4)
	k6 := extend(text, name, k5, 2)
	k := extend(text, name, k6, 1)
}

extend(text, name, k, step) := k + step if {
	k + step <= count(name)
	contains(text, concat("", ["\n", substring(name, 0, k + step)]))
} else := k

# candidates are the [lower-cased name, role key] of the account's roles
# whose name starts with prefix. Names are sorted, so the shortest (the same
# name, or the annotated name cut short) come first; at most 100 are looked
# at.
candidates(acct, prefix) := [names[acct][pos / (width + 1)] |
	some pos in array.slice(indexof_n(names_text[acct], concat("", ["\n", prefix])), 0, 100)
]

# near_role is the best candidate for parsed, if one is close enough.
near_role(parsed) := input.roles[ranked[0][2]] if {
	name := lower(parsed.name)
	k := common_length(names_text[parsed.account], name)
	k > 0
	ranked := sort([[rank, abs(count(other) - count(name)), key] |
		some c in candidates(parsed.account, substring(name, 0, k))
		[other, key] := c
		rank := closeness(name, other, k)
	])
	count(ranked) > 0
}

# closeness ranks a candidate (lower-cased names sharing exactly their first
# k characters, k being the longest any role shares): 0 the same name, 1 one
# name the prefix of the other (see long_enough_prefix), 2 a
# common beginning of at least two thirds of the longer name and 4
# characters. Undefined: not close.
closeness(name, other, k) := 0 if name == other

else := 1 if {
	k == min({count(name), count(other)})
	long_enough_prefix(name, other, k)
} else := 2 if {
	k >= 4
	k * 3 >= max({count(name), count(other)}) * 2
}

# long_enough_prefix: the shorter name (k characters) is at least half the
# longer, or at least 4 characters ending where the longer has a separator
# ("cart" and "cart-role", not "adm" and "administrator").
long_enough_prefix(name, other, k) if k * 2 >= max({count(name), count(other)})

long_enough_prefix(name, other, k) if {
	k >= 4
	some longer in [name, other]
	count(longer) > k
	substring(longer, k, 1) in {"-", "_", ".", "@", "+", "=", ","}
}

common_length_of(a, b) := max({n |
	some n in numbers.range(0, min({count(a), count(b)}))
	substring(a, 0, n) == substring(b, 0, n)
})

# --- Saying how the names differ ----------------------------------------------

hint(parsed, r) := sprintf("Did you mean %q? %s", [r.arn, how(parsed, r)])

how(parsed, r) := sprintf("A role of that name exists, but the annotation has %s.", [concat(" and ", differences(parsed, r))]) if {
	lower(parsed.name) == lower(r.name)
} else := "The annotation's role name looks cut short." if {
	startswith(lower(r.name), lower(parsed.name))
} else := sprintf("The annotation's role name has %q too many at the end.", [substring(parsed.name, count(r.name), -1)]) if {
	startswith(lower(parsed.name), lower(r.name))
} else := sprintf("The names differ after the first %d characters.", [common_length_of(lower(parsed.name), lower(r.name))])

differences(parsed, r) := [d |
	some check in [
		[parsed.partition != r.partition, sprintf("partition %s instead of %s", [parsed.partition, r.partition])],
		[parsed.path != r.path, path_difference(parsed.path, r.path)],
		[parsed.name != r.name, sprintf("the name in another case (role names are case-sensitive when a role is assumed: %s)", [r.name])],
	]
	check[0]
	d := check[1]
]

path_difference("/", path) := sprintf("no path (the role's path is %s)", [path])

path_difference(written, "/") := sprintf("path %s, which the role does not have", [written]) if written != "/"

path_difference(written, path) := sprintf("path %s instead of %s", [written, path]) if {
	written != "/"
	path != "/"
}
