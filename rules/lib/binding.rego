# METADATA
# title: Binding Kubernetes to IAM
# description: |
#   Joins each ServiceAccount's role annotation to the role's trust policy and
#   evaluates the trust against the exact request a pod would make: Federated
#   = this cluster's OIDC provider in the role's account, sub =
#   system:serviceaccount:<ns>:<sa>, aud = the ServiceAccount's audience
#   annotation or sts.amazonaws.com. Without a configured issuer, the
#   cluster's issuer is inferred from the Federated principals present, and
#   results say so. Everything is computed once per evaluation and looked up
#   by key.
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

issuer_inferred := false if {
	configured_issuer
} else := true

# --- Links: every declared ServiceAccount with a role annotation --------------------

# links lists, for each declared ServiceAccount with eks.amazonaws.com/role-arn:
#   sa, arn (as written), parsed (arn.parse_role or null), role (the role
#   entry or null), inventoried (the role's account is fully in the scan),
#   verdict (when the role is known and its policy usable, else null),
#   association (a Pod Identity association of the same ServiceAccount wins
#   over IRSA, W14; null when none).
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

link_verdict(sa, r) := verdict(sa, r) if {
	r != null
	iam.usable(r)
} else := null

# link_of returns the link of a ServiceAccount key.
link_of := {link.sa.key: link | some link in links}

# --- Who a trust admits --------------------------------------------------------------

# admitted lists the exact ServiceAccounts (namespace, name) every role's
# web-identity statements admit for this cluster's issuer:
# [{"role": r, "statement": s, "provider": f, "namespace", "name", "condition": c}].
admitted := [entry |
	some r in input.roles
	iam.usable(r)
	some pair in iam.web_identity_statements(r.trustPolicy)
	[s, f] := pair
	is_this_cluster(f)
	some c in iam.conditions_on(s, iam.claim_key(f, "sub"))
	iam.positive(c)
	c.family == "String"
	not c.like
	some v in c.values
	parts := regex.find_all_string_submatch_n(`^system:serviceaccount:([^:]+):([^:]+)$`, v, 1)
	count(parts) == 1
	entry := {"role": r, "statement": s, "provider": f, "condition": c, "namespace": parts[0][1], "name": parts[0][2]}
]

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
