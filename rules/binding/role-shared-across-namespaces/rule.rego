# METADATA
# title: One IAM role shared by ServiceAccounts of several namespaces
# description: |
#   One IAM role is used by ServiceAccounts in more than one namespace:
#   declared ServiceAccounts of several namespaces carry it in their
#   eks.amazonaws.com/role-arn annotation, or its trust policy admits exact
#   ServiceAccounts (`system:serviceaccount:<namespace>:<name>`) of this
#   cluster in several namespaces, or both together. Every workload that runs
#   as one of them gets the union of the permissions all of them need, and
#   whoever can run a pod in any of those namespaces gets the role. AWS
#   recommends one role per application; namespaces are the boundary teams and
#   RBAC are usually drawn along.
#
#   One finding per role, listing the namespaces and ServiceAccounts: on the
#   role's trust statement when the role is in the scan, otherwise on the
#   annotation of the first ServiceAccount (by namespace and name), with the
#   others as related locations. An annotation on a ServiceAccount that also
#   has an EKS Pod Identity association does not count (Pod Identity wins in
#   the webhook, so the annotation is never used); trust entries count only
#   when the trust really admits them (no explicit Deny, every condition of
#   the statement passes, a name Kubernetes accepts). Roles shared through
#   Pod Identity associations (the ABAC pattern, designed to be shared) are
#   not judged here. The same application deployed to several environment
#   namespaces of one cluster on purpose is still reported, at low severity:
#   suppress it if that is intended.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
#     description: EKS best practices — use one IAM role per application and scope IRSA trust to one service account
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: EKS user guide — assign an IAM role to a Kubernetes service account
# custom:
#   needs: [serviceAccounts, roles]
#   severity: low
#   precision: very-high
#   remediation: |
#     Create one role per application (per namespace and ServiceAccount),
#     each with only the permissions that application needs and a trust
#     policy admitting only its own ServiceAccount; point each
#     ServiceAccount's eks.amazonaws.com/role-arn at its own role. If the
#     roles are meant to be shared, consider EKS Pod Identity with
#     attribute-based access control on the kubernetes-namespace session tag.
package irsalint.rules.binding["role-shared-across-namespaces"]

import data.irsalint.lib.binding
import data.irsalint.lib.iam
import data.irsalint.lib.k8s
import data.irsalint.lib.result

deny contains result.with_related(finding, related) if {
	some run in candidates
	entries := [u |
		some x in numbers.range(run[0], run[1] - 1)
		u := uses[x]
		counts(u)
	]
	namespaces := sort({e[1] | some e in entries})
	count(namespaces) > 1
	key := entries[0][0]
	annotated := sort({sprintf("%s/%s", [e[1], e[3]]) | some e in entries; e[2] == "annotation"})
	admitted := sort({sprintf("%s/%s", [e[1], e[3]]) | some e in entries; e[2] == "trust"})
	[obj, at, primary] := primary_location(key, entries)
	message := sprintf("%s is shared by ServiceAccounts of %d namespaces (%s): %s. Every workload running as one of them gets the permissions all of them need; AWS recommends one role per application.%s", [
		describe_role(key), count(namespaces), result.listing(namespaces, 8), use_summary(annotated, admitted), shared_issuer_note(admitted),
	])
	finding := result.finding(obj, at, message)
	related := array.slice([r | some e in entries; e != primary; r := related_location(e)], 0, max_related)
}

max_related := 5

# --- Grouping: one sort, then runs of equal role keys ------------------------
#
# Each use of a role is a tuple [role key, namespace, "annotation" | "trust",
# ServiceAccount name, index into binding.links or binding.admitted]. Sorted,
# the tuples of one role are adjacent; runs are found by comparing
# neighbours, so the cost is one sort, not a scan per role. Whether a trust
# entry really admits its subject costs a policy evaluation, so it is asked
# only for the roles whose uses span several namespaces at all.

# An annotation counts as a use unless the role's trust is known not to
# admit that ServiceAccount: then the pod cannot use the role at all, which
# trust-does-not-admit-sa reports, and the namespace shares nothing.
annotation_uses := [[l.arn, l.sa.namespace, "annotation", l.sa.name, i] |
	some i, l in binding.links
	l.parsed != null
	l.association == null
	not trust_refuses(l)
]

trust_refuses(l) if {
	l.verdict != null
	l.verdict.decision != "allow"
}

trust_uses := [[e.role.key, e.namespace, "trust", e.name, i] |
	some i, e in binding.admitted
	k8s.valid_namespace(e.namespace)
	k8s.valid_name(e.name)
]

uses := sort({u | some u in array.concat(annotation_uses, trust_uses)})

# starts are the indexes where a new role key begins, then the end.
starts := array.concat(
	[i |
		some i, u in uses
		new_key(i, u)
	],
	[count(uses)],
)

new_key(0, _)

new_key(i, u) if {
	i > 0
	uses[i - 1][0] != u[0]
}

# candidates lists [start, end) of the runs whose uses span several
# namespaces before the trust entries are evaluated.
candidates := [[s, e] |
	some j in numbers.range(0, count(starts) - 2)
	s := starts[j]
	e := starts[j + 1]
	uses[s][1] != uses[e - 1][1]
]

counts(u) if u[2] == "annotation"

counts(u) if {
	u[2] == "trust"
	binding.entry_admits(binding.admitted[u[4]])
}

# --- Locations ------------------------------------------------------------------

# primary_location: [object, path, the entry it stands for (or null)] — the
# role's trust statement when the role is in the scan, else the annotation
# of the first ServiceAccount.
primary_location(key, entries) := [r, statement_at(r, entries), null] if {
	r := input.roles[key]
} else := [binding.links[e[4]].sa, k8s.annotation_at(k8s.role_arn_key), e] if {
	e := [x | some x in entries; x[2] == "annotation"][0]
}

# statement_at: the statement that admits the first trust entry, else the
# first web-identity statement of this cluster's provider, else the policy.
statement_at(r, entries) := binding.admitted[e[4]].statement.at if {
	e := [x | some x in entries; x[2] == "trust"][0]
} else := s.at if {
	s := [st |
		some pair in iam.web_identity_statements(r.trustPolicy)
		[st, f] := pair
		binding.is_this_cluster(f)
	][0]
} else := r.trustPolicy.at

related_location(e) := result.related(sa, k8s.annotation_at(k8s.role_arn_key), sprintf("%s uses this role", [k8s.describe(sa)])) if {
	e[2] == "annotation"
	sa := binding.links[e[4]].sa
} else := result.related(a.role, iam.condition_value_at(a.condition, binding.subject(a)), sprintf("the trust policy admits %s/%s", [a.namespace, a.name])) if {
	e[2] == "trust"
	a := binding.admitted[e[4]]
}

# --- Wording ----------------------------------------------------------------------

describe_role(key) := iam.describe(input.roles[key]) if {
	input.roles[key]
} else := sprintf("role %s", [key])

use_summary(annotated, admitted) := sprintf("%s %s it in %s, and its trust policy admits %s", [result.listing(annotated, 4), carry(annotated), k8s.role_arn_key, result.listing(admitted, 4)]) if {
	count(annotated) > 0
	count(admitted) > 0
} else := sprintf("%s %s it in %s", [result.listing(annotated, 4), carry(annotated), k8s.role_arn_key]) if {
	count(annotated) > 0
} else := sprintf("its trust policy admits %s", [result.listing(admitted, 4)])

carry(names) := "carries" if {
	count(names) == 1
} else := "carry"

# --- Which trust entries count ----------------------------------------------------

shared_issuer_note(admitted) := binding.issuer_note(concat(", ", sort(binding.this_cluster.issuers))) if {
	count(admitted) > 0
} else := ""
