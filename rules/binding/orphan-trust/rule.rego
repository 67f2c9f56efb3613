# METADATA
# title: Trust policy admits a ServiceAccount that does not exist
# description: |
#   A role's trust policy admits an exact ServiceAccount of this cluster
#   (StringEquals on `<issuer>:sub` = `system:serviceaccount:<namespace>:<name>`),
#   the scan covers that namespace, but no such ServiceAccount is declared
#   in it and no workload of the scan runs as it. Whoever can create a
#   ServiceAccount with that name in that namespace gets the role: the trust
#   policy checks only the token's subject, and any pod running as the
#   ServiceAccount can request a token for it with a projected volume and
#   call AssumeRoleWithWebIdentity, with or without the role annotation. Such
#   entries are usually left behind when a workload was renamed, moved or
#   removed, and a recreated name inherits the old permissions.
#
#   Only namespaces the scan covers are judged (a Namespace object, or any
#   object placed in it): when a namespace is not in the scan, its
#   ServiceAccounts may well be managed elsewhere. The namespace's `default`
#   ServiceAccount always exists and is never reported here
#   (default-sa-has-role covers trusts that admit it). A ServiceAccount that a
#   workload of the scan names is taken to exist outside the manifests (for
#   example created by `eksctl create iamserviceaccount`). Subjects that are
#   not valid Kubernetes names (upper case, a trailing space, the plural
#   `system:serviceaccounts:` group prefix) cannot be created by anyone and
#   are left to trust-does-not-admit-sa; entries an explicit Deny or another
#   condition of the statement rules out are not reported. Without a
#   configured issuer, "this cluster" is inferred from the roles the scanned
#   ServiceAccounts use, and the message says so.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: EKS user guide — the trust policy names system:serviceaccount:<namespace>:<name>
#   - ref: https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
#     description: EKS best practices — scope the IRSA trust policy to the service account name, namespace and cluster
#   - ref: https://kubernetes.io/docs/concepts/storage/projected-volumes/#serviceaccounttoken
#     description: Kubernetes — any pod can project a token for its ServiceAccount with a chosen audience
# custom:
#   needs: [roles]
#   severity: medium
#   precision: very-high
#   remediation: |
#     Remove the subject from the role's trust policy (or delete the role if
#     nothing uses it any more). If the ServiceAccount is meant to exist,
#     add its manifest to the repository, annotated with the role, so the
#     trust and the ServiceAccount are reviewed together.
package irsalint.rules.binding["orphan-trust"]

import data.irsalint.lib.binding
import data.irsalint.lib.iam
import data.irsalint.lib.k8s
import data.irsalint.lib.result

deny contains with_namespace(finding, ns, e.name) if {
	some i in first_orphans
	e := binding.admitted[i]
	ns := input.namespaces[e.namespace]
	subject := sprintf("system:serviceaccount:%s:%s", [e.namespace, e.name])
	message := sprintf("%s: %s admits %s, but namespace %s has no ServiceAccount %s in this scan and no workload runs as one: whoever can create a ServiceAccount named %s there can assume the role (a pod running as it only needs a projected token).%s", [
		iam.describe(e.role), iam.statement_name(e.statement), subject,
		e.namespace, e.name, e.name, binding.issuer_note(e.provider.issuer),
	])
	finding := result.finding(e.role, iam.condition_value_at(e.condition, subject), message)
}

# orphans: indexes into binding.admitted of subjects that could be created
# by someone else: a covered namespace, a valid name other than default,
# no declared ServiceAccount, no workload naming it, and the trust really
# admits it.
orphans := [i |
	some i, e in binding.admitted
	e.name != "default"
	input.namespaces[e.namespace]
	key := concat("/", [e.namespace, e.name])
	not input.serviceAccounts[key]
	not named[key]
	k8s.valid_namespace(e.namespace)
	k8s.valid_name(e.name)
	binding.entry_admits(e)
]

# first_orphans keeps one entry per (role, subject): the first in statement
# order. Grouping goes through one sort, not a scan per role.
first_orphans := {t[3] |
	tuples := sort([[e.role.key, e.namespace, e.name, i] | some i in orphans; e := binding.admitted[i]])
	some j, t in tuples
	first_of_group(tuples, j)
}

first_of_group(_, 0)

first_of_group(tuples, j) if {
	j > 0
	array.slice(tuples[j], 0, 3) != array.slice(tuples[j - 1], 0, 3)
}

# named: the ServiceAccount keys the scan's workloads run as.
named := {w.serviceAccount.key | some w in input.workloads}

# with_namespace adds the Namespace object as a second location when the
# scan declares it.
with_namespace(f, ns, name) := result.with_related(f, [result.related(ns, ["metadata", "name"], sprintf("namespace %s is in this scan and holds no ServiceAccount %s", [ns.name, name]))]) if {
	ns.declared
} else := f
