# METADATA
# title: The default ServiceAccount carries an IAM role
# description: |
#   Kubernetes runs every pod that names no ServiceAccount as its
#   namespace's default one (the ServiceAccount admission controller fills in
#   serviceAccountName), so a role given to default is given to every such
#   pod in the namespace, including pods created later by anyone allowed to
#   create pods there. A role meant for one workload becomes the whole
#   namespace's. Two ways lead there, both reported as high:
#
#   - the manifest: a ServiceAccount named default is annotated with
#     eks.amazonaws.com/role-arn, so the EKS Pod Identity Webhook injects the
#     role into every pod that runs as it (reported on the annotation);
#   - the trust: a role's trust policy admits this cluster's
#     `system:serviceaccount:<namespace>:default`, by an exact StringEquals
#     value or by a StringLike pattern whose ServiceAccount part is
#     literally default (`system:serviceaccount:*:default` admits the default
#     ServiceAccount of every namespace, including namespaces created later).
#     No annotation is needed to use such a role: any pod can mount a token
#     for its ServiceAccount with a projected volume and call
#     AssumeRoleWithWebIdentity itself. Reported on the trust condition,
#     with the namespace's default ServiceAccount (or Namespace) as a related
#     location when the scan declares it. Trusts that an explicit Deny or
#     another condition of the statement closes are not reported; broader
#     patterns that merely include default (`system:serviceaccount:*`) are
#     trust-wildcard-sub's. Without a configured issuer, "this cluster" is
#     inferred from the roles the scanned ServiceAccounts use, and the
#     message says so.
# related_resources:
#   - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/
#     description: Kubernetes — the ServiceAccount admission controller assigns default
#   - ref: https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
#     description: EKS best practices — use dedicated service accounts and scope IRSA roles
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: Assign IAM roles to Kubernetes service accounts
#   - ref: https://kubernetes.io/docs/concepts/storage/projected-volumes/#serviceaccounttoken
#     description: Kubernetes — any pod can project a token for its ServiceAccount with a chosen audience
# custom:
#   needs: [serviceAccounts, roles]
#   severity: high
#   precision: high
#   remediation: |
#     Create a dedicated ServiceAccount for the workload that needs the role,
#     move the eks.amazonaws.com/role-arn annotation to it, set
#     serviceAccountName in that workload's pod template, and remove the
#     annotation from default. Scope the role's trust policy to the dedicated
#     ServiceAccount's subject (StringEquals
#     system:serviceaccount:<namespace>:<service-account>), never
#     system:serviceaccount:<namespace>:default or a pattern ending in
#     :default.
package irsalint.rules.serviceaccount["default-sa-has-role"]

import data.irsalint.lib.binding
import data.irsalint.lib.iam
import data.irsalint.lib.k8s
import data.irsalint.lib.result

deny contains result.finding(sa, k8s.annotation_at(k8s.role_arn_key), message) if {
	some sa in input.serviceAccounts
	sa.name == "default"
	sa.declared
	role := k8s.role_arn(sa)

	# An empty value gives no role (the webhook skips the pod); role-arn-invalid reports it.
	trim_space(role) != ""
	message := sprintf("%s carries %s %q, so every pod in namespace %s that names no ServiceAccount runs with this role: %s.", [
		k8s.describe(sa), k8s.role_arn_key, role, sa.namespace, users(sa),
	])
}

# --- The trust half -------------------------------------------------------------

# An exact subject: system:serviceaccount:<ns>:default.
deny contains with_default_sa(finding, e.namespace) if {
	some e in binding.admitted
	e.name == "default"

	# Namespaces are DNS labels: anything else matches no pod.
	regex.match(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`, e.namespace)
	count(e.namespace) <= 63
	request := iam.request(e.provider, binding.subject(e), iam.probe_audience(e.statement, e.provider))
	admits(e.role, e.statement, request)
	message := sprintf("%s: %s admits %s, the default ServiceAccount of namespace %s, so every pod there that names no ServiceAccount can assume the role, annotation or not (a pod can mount a token for its ServiceAccount through a projected volume); %s.%s", [
		iam.describe(e.role), iam.statement_name(e.statement), binding.subject(e), e.namespace,
		namespace_users(e.namespace), binding.issuer_note(e.provider.issuer),
	])
	finding := result.finding(e.role, iam.condition_value_at(e.condition, binding.subject(e)), message)
}

# A pattern whose ServiceAccount part is literally default.
deny contains result.finding(r, iam.condition_value_at(c, v), message) if {
	some r in input.roles
	iam.usable(r)
	some [s, f] in iam.web_identity_statements(r.trustPolicy)

	# The rare StringLike condition first: most statements have none.
	some c in s.conditions
	c.like
	c.family == "String"
	c.key == iam.claim_key(f, "sub")
	iam.positive(c)
	binding.is_this_cluster(f)
	some v in c.values
	ns_pattern := default_namespaces(v)

	# A namespace the pattern matches, to test the whole policy with.
	probe := sprintf("system:serviceaccount:%s:default", [replace(replace(ns_pattern, "*", "x"), "?", "x")])
	admits(r, s, iam.request(f, probe, iam.probe_audience(s, f)))
	message := sprintf("%s: %s admits %q through %s: the default ServiceAccount of %s, so every pod there that names no ServiceAccount can assume the role, annotation or not (a pod can mount a token for its ServiceAccount through a projected volume).%s", [
		iam.describe(r), iam.statement_name(s), v, c.operator, pattern_scope(ns_pattern), binding.issuer_note(f.issuer),
	])
}

# admits: the (Allow) statement applies to the request and no Deny stops
# it.
admits(r, s, request) if {
	iam.applies(s, request)
	not iam.denied(r.trustPolicy, request)
}

# default_namespaces: the namespace part of a sub pattern whose
# ServiceAccount part is literally default ("system:serviceaccount:team-*:default"
# gives "team-*"); a pattern whose prefix is a wildcard that matches any
# namespace ("*:default") gives "*".
default_namespaces(v) := ns if {
	endswith(v, ":default")
	prefix := trim_suffix(v, ":default")
	startswith(prefix, "system:serviceaccount:")
	ns := substring(prefix, count("system:serviceaccount:"), -1)
	ns != ""
} else := "*" if {
	endswith(v, ":default")
	prefix := trim_suffix(v, ":default")
	not startswith(prefix, "system:serviceaccount:")
	iam.glob_match(prefix, "system:serviceaccount:x", false)
}

pattern_scope("*") := "every namespace of the cluster, including namespaces created later"

pattern_scope(ns) := sprintf("every namespace matching %q, including namespaces created later", [ns]) if {
	ns != "*"
	iam.has_wildcard(ns)
}

pattern_scope(ns) := sprintf("namespace %s", [ns]) if not iam.has_wildcard(ns)

# namespace_users: who runs as the namespace's default ServiceAccount.
namespace_users(ns) := sprintf("%d workload%s in this scan already run%s as it (%s)", [n, result.plural(n), result.verb_s(n), result.listing(names, 3)]) if {
	sa := input.serviceAccounts[concat("/", [ns, "default"])]
	names := sort([k8s.describe(k8s.workload_by_ref[ref]) | some ref in object.get(sa, "usedBy", [])])
	n := count(names)
	n > 0
} else := "no workload in this scan runs as it yet"

# with_default_sa points a second location at the namespace's default
# ServiceAccount, or else its Namespace, when the scan declares one.
with_default_sa(f, ns) := result.with_related(f, [result.related(sa, ["metadata", "name"], sprintf("pods in namespace %s that name no ServiceAccount run as %s", [ns, k8s.describe(sa)]))]) if {
	sa := input.serviceAccounts[concat("/", [ns, "default"])]
	sa.declared
} else := result.with_related(f, [result.related(n, ["metadata", "name"], sprintf("pods in namespace %s that name no ServiceAccount run as its default ServiceAccount", [ns]))]) if {
	n := input.namespaces[ns]
	n.declared
} else := f

# --- Shared wording ------------------------------------------------------------------

# users summarizes the workloads of the scan that run as sa.
users(sa) := "no workload in this scan does yet, but any pod created there later will" if {
	count(object.get(sa, "usedBy", [])) == 0
} else := sprintf("%d workload%s in this scan (%s) and any pod created there later", [n, result.plural(n), result.listing(names, 3)]) if {
	names := sort([k8s.describe(k8s.workload_by_ref[ref]) | some ref in sa.usedBy])
	n := count(names)
}
