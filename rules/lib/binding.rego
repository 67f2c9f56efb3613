# METADATA
# title: Binding Kubernetes to IAM
# description: |
#   Joins each ServiceAccount's role annotation to the role's trust policy and
#   evaluates the trust against the exact request a pod would make: Federated
#   = this cluster's OIDC provider in the role's account, sub =
#   system:serviceaccount:<ns>:<sa>, aud = the ServiceAccount's audience
#   annotation or sts.amazonaws.com. Without a configured issuer, the
#   cluster's issuer is inferred from the Federated principals present, and
#   results say so. The inventory decides these joins in bulk
#   (serviceAccounts[].trust, roles[].admits); what it leaves undecided (a
#   Numeric, Date or IpAddress condition on sub or aud) is evaluated here,
#   with the same semantics. Everything is computed once per evaluation and
#   looked up by key.
package irsalint.lib.binding

import data.irsalint.lib.arn
import data.irsalint.lib.iam
import data.irsalint.lib.k8s

default_audience := "sts.amazonaws.com"

# --- The cluster's issuer ---------------------------------------------------

# configured_issuer is the cluster's OIDC issuer from flags or configuration.
configured_issuer := input.cluster.oidcIssuer if is_string(input.cluster.oidcIssuer)

# linked_issuers are the EKS issuers trusted by the roles the scanned
# ServiceAccounts are annotated with: the best guess at this cluster's issuer
# when none is configured.
linked_issuers := {f.issuer |
	some sa in input.serviceAccounts
	r := input.roles[k8s.role_arn(sa)]
	some s in r.trustPolicy.statements
	some f in s.federated
	f.kind == "oidc"
	iam.eks(f)
}

# this_cluster: the issuers findings treat as this cluster's, and whether
# they were inferred.
this_cluster := {"issuers": {configured_issuer}, "inferred": false} if {
	configured_issuer
} else := {"issuers": linked_issuers, "inferred": true}

# is_this_cluster: provider f belongs to this cluster (case-insensitively:
# condition keys and issuer hosts are compared that way).
is_this_cluster(f) if {
	some i in this_cluster.issuers
	lower(i) == f.keyPrefix
}

# --- Roles -----------------------------------------------------------------------

# role looks a role up by its full ARN, path included.
role(role_arn) := input.roles[role_arn]

# inventoried_accounts are the accounts whose role list is complete in the
# scan (authorization details or list-roles output): only there can a
# missing role be called missing.
inventoried_accounts := {r.account |
	some r in input.roles
	r.source in {"authorization-details", "list-roles"}
}

# roles_by_account indexes roles with an ARN by account.
roles_by_account := {acct: [r | some r in input.roles; r.account == acct] |
	some acct in {r.account | some r in input.roles; r.account != null}
}

# --- The request a pod makes --------------------------------------------------------

subject(sa) := sprintf("system:serviceaccount:%s:%s", [sa.namespace, sa.name])

audience(sa) := a if {
	a := sa.annotations[k8s.audience_key]
	a != ""
} else := default_audience

# provider_arn is the IAM OIDC provider of issuer in the role's account.
provider_arn(r, issuer) := sprintf("arn:%s:iam::%s:oidc-provider/%s", [r.partition, r.account, issuer])

sa_request(sa, r, issuer) := {
	"action": iam.web_identity_action,
	"principal": {"type": "Federated", "value": provider_arn(r, issuer)},
	"context": {
		concat(":", [lower(issuer), "sub"]): [subject(sa)],
		concat(":", [lower(issuer), "aud"]): [audience(sa)],
	},
}

# candidate_issuers for evaluating a role: the configured issuer, or, when
# none is configured, the EKS issuers the role itself trusts.
candidate_issuers(r) := {configured_issuer} if {
	configured_issuer
} else := {f.issuer |
	some s in r.trustPolicy.statements
	some f in s.federated
	f.kind == "oidc"
	iam.eks(f)
}

# verdict evaluates role r's trust for ServiceAccount sa:
# {"decision": "allow"|"deny"|"implicit-deny", "issuer": the issuer used
# (null when no candidate), "inferred": bool}. With several inferred
# candidates, one that allows wins.
verdict(sa, r) := v if {
	results := [{"decision": iam.decision(r.trustPolicy, sa_request(sa, r, i)), "issuer": i} | some i in candidate_issuers(r)]
	count(results) > 0
	best := [x | some x in results; x.decision == "allow"]
	chosen := array.concat(best, results)[0]
	v := object.union(chosen, {"inferred": issuer_inferred})
} else := {"decision": "implicit-deny", "issuer": null, "inferred": issuer_inferred}

default issuer_inferred := true

issuer_inferred := false if configured_issuer

# --- Links: every declared ServiceAccount with a role annotation --------------------

# links lists, for each declared ServiceAccount with eks.amazonaws.com/role-arn:
#   sa, arn (as written), parsed (arn.parse_role or null), role (the role
#   entry or null), inventoried (the role's account is fully in the scan),
#   verdict (when the role is known and its policy usable, else null),
#   association (a Pod Identity association of the same ServiceAccount wins
#   over IRSA; null when none).
links := [link |
	some sa in input.serviceAccounts
	sa.declared
	raw := k8s.role_arn(sa)
	link := make_link(sa, raw)
]

make_link(sa, raw) := {
	"sa": sa,
	"arn": raw,
	"parsed": parsed,
	"role": r,
	"inventoried": inventoried(parsed),
	"verdict": link_verdict(sa, r),
	"association": object.get(input, ["podIdentityAssociations", sa.key], null),
} if {
	parsed := parse_or_null(raw)
	r := object.get(input.roles, raw, null)
}

parse_or_null(raw) := p if {
	p := arn.parse_role(raw)
} else := null

inventoried(null) := false

inventoried(parsed) := parsed.account in inventoried_accounts if parsed != null

# link_verdict: the inventory's verdict (serviceAccounts[].trust), else,
# when the inventory left it to the rules, evaluated here.
link_verdict(sa, r) := sa.trust if {
	r != null
	is_object(sa.trust)
} else := verdict(sa, r) if {
	r != null
	iam.decidable(r)
} else := null

# link_of returns the link of a ServiceAccount key.
link_of := {link.sa.key: link | some link in links}

# --- Who a trust admits --------------------------------------------------------------

# admitted lists the exact ServiceAccounts (namespace, name) every role's
# web-identity statements admit for this cluster's issuer, from the
# inventory's roles[].admits:
# [{"role": r, "statement": s, "provider": f, "condition": c, "namespace", "name", "admitted"}].
admitted := [entry |
	some r in input.roles
	some a in r.admits
	s := r.trustPolicy.statements[a.statement]
	entry := {
		"role": r, "statement": s, "provider": s.federated[a.federated], "condition": s.conditions[a.condition],
		"namespace": a.namespace, "name": a.name, "admitted": a.admitted,
	}
]

# entry_admits: the statement of an admitted entry really admits its
# ServiceAccount: every condition passes for a token with the statement's
# own audience, and no Deny of the policy stops it. The inventory decides
# it; when it left the question to the rules (admitted is null), it is
# evaluated here (the statement is an Allow, so only Deny statements remain
# to be checked).
entry_admits(e) if e.admitted == true

entry_admits(e) if {
	e.admitted == null
	request := iam.request(e.provider, subject(e), iam.probe_audience(e.statement, e.provider))
	iam.applies(e.statement, request)
	not iam.denied(e.role.trustPolicy, request)
}

# admitted_keys is the set of "ns/sa" some trust admits by exact name.
admitted_keys := {concat("/", [e.namespace, e.name]) | some e in admitted}

# namespaces_per_role lists [role key, [namespaces]] for roles whose trust
# admits exact ServiceAccounts in more than one namespace. Grouping goes
# through one sort instead of a scan per role.
multi_namespace_roles := {k |
	pairs := sort({[e.role.key, e.namespace] | some e in admitted})
	some i in numbers.range(1, count(pairs) - 1)
	pairs[i][0] == pairs[i - 1][0]
	k := pairs[i][0]
}

# --- The identity table (irsalint identities) ----------------------------------------

# identities has one row per workload: what each container authenticates
# as, and whether that will work. Verdicts, worst first: will-be-denied,
# will-fail, static-keys-shadow-role, falls-back-to-node-role, static-keys,
# no-credentials, manual, unknown, unverified, ok. The workload's verdict is
# its worst container's. An object with a pod template but no containers (a
# Kustomize patch, a partial object) runs nothing, so it gets no container
# verdict: it is "partial", which says nothing about the workload it patches.
identities := [identity_row(w) | some w in input.workloads]

verdict_rank := {
	"will-be-denied": 0, "will-fail": 1, "static-keys-shadow-role": 2,
	"falls-back-to-node-role": 3, "static-keys": 4, "no-credentials": 5,
	"manual": 6, "unknown": 7, "unverified": 8, "ok": 9,
}

identity_row(w) := {
	"ref": w.ref,
	"kind": w.kind,
	"namespace": w.namespace,
	"name": w.name,
	"serviceAccount": w.serviceAccount.name,
	"mechanism": concat(", ", ordered_unique([c.mechanism | some c in containers])),
	"roleArn": object.get(worst, "roleArn", null),
	"verdict": worst.verdict,
	"detail": worst.detail,
	"containers": containers,
} if {
	containers := [container_row(w, c, c.identity) | some c in w.containers]
	worst := worst_of(containers)
}

worst_of(rows) := rows[sort([[verdict_rank[r.verdict], i] | some i, r in rows])[0][1]] if {
	count(rows) > 0
} else := {"verdict": "partial", "detail": "not a workload: a patch or partial object (no containers)"}

ordered_unique(list) := [x |
	some i, x in list
	not x in array.slice(list, 0, i)
]

container_row(w, c, id) := object.union(
	{"container": c.name, "type": c.type, "mechanism": id.mechanism},
	container_verdict(w, id),
)

container_verdict(w, id) := {"verdict": "static-keys-shadow-role", "detail": "static keys in env come first in the SDK chain; the ServiceAccount's role is never used"} if {
	id.mechanism == "static-keys"
	has_role(w)
} else := {"verdict": "static-keys", "detail": "static access keys in env"} if {
	id.mechanism == "static-keys"
} else := web_identity_verdict(w, id) if {
	id.mechanism == "web-identity"
} else := {"verdict": "will-fail", "detail": "AWS_WEB_IDENTITY_TOKEN_FILE without AWS_ROLE_ARN: the SDK's web-identity provider fails"} if {
	id.mechanism == "web-identity-incomplete"
} else := {"verdict": "ok", "roleArn": a.roleArn, "detail": "EKS Pod Identity association"} if {
	id.mechanism == "pod-identity"
	a := input.podIdentityAssociations[w.serviceAccount.key]
} else := {"verdict": "manual", "detail": "container credential variables set by hand"} if {
	id.mechanism == "container-credentials"
} else := {"verdict": "unknown", "detail": sprintf("ServiceAccount %s is not in the scan", [w.serviceAccount.key])} if {
	id.mechanism == "unknown"
} else := {"verdict": "no-credentials", "detail": "on Fargate, with no role: AWS calls fail"} if {
	id.mechanism == "none"
} else := {"verdict": "falls-back-to-node-role", "detail": "no role of its own: AWS calls use the node group's role through IMDS"}

has_role(w) if k8s.role_arn(k8s.service_account(w)) != ""

has_role(w) if input.podIdentityAssociations[w.serviceAccount.key]

# web_identity_verdict judges the role a web-identity container assumes
# against its trust policy, when the scan has the role.
web_identity_verdict(w, id) := object.union({"roleArn": id.roleArn}, trust_outcome(w, id.roleArn)) if {
	id.roleArn
} else := {"verdict": "unverified", "detail": "the role ARN comes from elsewhere (valueFrom)"}

trust_outcome(w, role_arn) := {"verdict": "will-be-denied", "detail": "an explicit Deny in the role's trust policy applies"} if {
	v := sa_verdict(w, role_arn)
	v.decision == "deny"
} else := {"verdict": "will-be-denied", "detail": sprintf("the role's trust policy does not admit %s%s", [subject(k8s.service_account(w)), verdict_note(v)])} if {
	v := sa_verdict(w, role_arn)
	v.decision == "implicit-deny"
} else := {"verdict": "ok", "detail": sprintf("the role's trust policy admits %s%s", [subject(k8s.service_account(w)), verdict_note(v)])} if {
	v := sa_verdict(w, role_arn)
	v.decision == "allow"
} else := {"verdict": "unverified", "detail": "the role's trust policy could not be read unambiguously"} if {
	r := input.roles[role_arn]
	not iam.usable(r)
} else := {"verdict": "unverified", "detail": "the role's trust policy holds unrendered placeholders"} if {
	r := input.roles[role_arn]
	r.trustPolicy.unrendered
} else := {"verdict": "will-be-denied", "detail": "the role does not exist in its account's IAM inventory"} if {
	p := arn.parse_role(role_arn)
	p.account in inventoried_accounts
} else := {"verdict": "unverified", "detail": "the role is not in the scan, so its trust policy was not checked"}

sa_verdict(w, role_arn) := sa.trust if {
	sa := k8s.service_account(w)
	k8s.role_arn(sa) == role_arn
	is_object(sa.trust)
} else := verdict(k8s.service_account(w), r) if {
	r := input.roles[role_arn]
	iam.decidable(r)
}

# verdict_note says, for a verdict on a link, that the issuer was inferred.
verdict_note(v) := sprintf(" (The cluster's issuer was inferred from the role's trust policy: %s; pass --oidc-issuer to be sure.)", [v.issuer]) if {
	v.inferred
	v.issuer != null
} else := ""

# issuer_note says, for a finding about this cluster's trust entries, that
# the issuer (or issuers) it judged by was inferred.
issuer_note(issuer) := sprintf(" This cluster's OIDC issuer %s was inferred from the trust policies of the roles the scanned ServiceAccounts use; pass --oidc-issuer to be sure.", [issuer]) if {
	this_cluster.inferred
} else := ""
