# METADATA
# title: Effective identity
# description: |
#   For every workload and container, which AWS credentials the container
#   really gets, in the order SDKs search for them (C1, C2, P7): static keys in
#   env, then web identity (IRSA: the webhook injects AWS_ROLE_ARN and
#   AWS_WEB_IDENTITY_TOKEN_FILE from the ServiceAccount's role annotation, unless
#   the pod opts out or the container sets either variable itself, W5, W13),
#   then the container credential provider (EKS Pod Identity, which wins over
#   IRSA inside the webhook, W14), then the node role through IMDS. Computed
#   once per evaluation as complete rules keyed by workload ref, so rules look
#   results up instead of re-deriving them.
package irsalint.lib.identity

import data.irsalint.lib.iam
import data.irsalint.lib.k8s

static_key_vars := {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}

web_identity_vars := {"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"}

container_credential_vars := {
	"AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
}

# The resolution runs once per evaluation, into two complete values keyed by
# workload ref (and container key). The public functions below only look
# results up: many rules ask the same questions about the same workload, and
# a function called with a whole workload object costs far more than an
# index lookup.

# workloads: per workload ref, what the webhook sees.
workloads := {w.ref: facts |
	some w in input.workloads
	facts := {
		"optedOut": opted_out(w),
		"skipped": skipped(w),
		"association": object.get(input, ["podIdentityAssociations", w.serviceAccount.key], null),
		"irsaRole": irsa(w),
		"fargate": fargate(w),
		"serviceAccountKnown": known_sa(w),
	}
}

# containers: per workload ref, per container key, what the container gets.
containers := {w.ref: {container_key(c): resolve(facts, c) |
	some c in w.containers
} |
	some w in input.workloads
	facts := workloads[w.ref]
}

# container_key identifies a container within its pod (names are unique in
# valid pods, but keys must not collide even in invalid ones).
container_key(c) := c.key if {
	c.key
} else := sprintf("%v/%v", [object.get(c, "type", "container"), object.get(c, "index", object.get(c, "name", ""))])

# webhook_opted_out: the label's presence alone skips the webhook; its value
# is irrelevant (the selector is DoesNotExist, W13).
webhook_opted_out(w) if {
	_ = w.template.labels[k8s.skip_webhook_label]
}

# skipped_names are the containers named in the pod's skip-containers
# annotation, read like the webhook's encoding/csv reader (first record only,
# TrimLeadingSpace off): fields split on commas outside quotes, spaces kept
# (" app" is not "app", W8), quoted fields unquoted ("" is a quote). A value
# encoding/csv rejects (a stray quote) skips nothing.
skipped_names(w) := workloads[w.ref].skipped

# association is the Pod Identity association covering a workload's
# ServiceAccount, when the cluster context supplies associations.
association(w) := a if {
	a := workloads[w.ref].association
	a != null
}

# irsa_role is the role the webhook would inject for the workload: the
# ServiceAccount's annotation, unless Pod Identity or an opt-out wins.
irsa_role(w) := r if {
	r := workloads[w.ref].irsaRole
	r != null
}

# on_fargate is true when a Fargate profile of the cluster context
# (input.cluster.fargateProfiles[_].selectors) selects the workload. IMDS
# does not exist there (C7).
on_fargate(w) if workloads[w.ref].fargate

# webhook_mutates: the webhook would mutate this container at pod creation.
# It acts on pods at creation only, so ephemeral containers (added later
# through their own subresource) are never mutated.
webhook_mutates(w, c) if containers[w.ref][container_key(c)].mutated

# injected reports what the webhook adds to one container: "web-identity",
# "pod-identity"; undefined when nothing.
injected(w, c) := x if {
	x := containers[w.ref][container_key(c)].injected
	x != null
}

# mechanism is the credential source a container ends up with, in SDK chain
# order: "static-keys", "web-identity", "web-identity-incomplete" (a token
# file without a role: the Go SDK fails, C2), "pod-identity",
# "container-credentials" (set by hand), "unknown" (the ServiceAccount is not
# in the scan), "none" (Fargate: no IMDS), "node-role".
mechanism(w, c) := containers[w.ref][container_key(c)].mechanism

# role_for returns the role ARN a web-identity container assumes.
role_for(w, c) := containers[w.ref][container_key(c)].roleArn

# by_workload lists each workload's containers' resolved identity, in the
# order of w.containers:
# {ref: [{"container": name, "mechanism": m, "roleArn": arn (web identity)}]}.
by_workload := {ref: [entry |
	some c in w.containers
	r := containers[ref][container_key(c)]
	entry := object.filter(r, {"container", "mechanism", "roleArn"})
] |
	some w in input.workloads
	ref := w.ref
}

# uses_node_role is true when some container of w ends at the node role.
uses_node_role(w) if {
	some r in containers[w.ref]
	r.mechanism == "node-role"
}

# env_names is the set of variable names a container sets in env.
env_names(c) := {e.name | some e in c.env}

has_static_keys(c) if {
	env_names(c).AWS_ACCESS_KEY_ID
	env_names(c).AWS_SECRET_ACCESS_KEY
}

has_manual_web_identity(c) if {
	env_names(c).AWS_ROLE_ARN
	env_names(c).AWS_WEB_IDENTITY_TOKEN_FILE
}

has_container_credentials(c) if env_names(c).AWS_CONTAINER_CREDENTIALS_FULL_URI

has_container_credentials(c) if env_names(c).AWS_CONTAINER_CREDENTIALS_RELATIVE_URI

# --- the resolution itself, evaluated once per workload and container ---

opted_out(w) if {
	webhook_opted_out(w)
} else := false

skipped(w) := {unquote(m[1]) |
	v := split(w.template.annotations[k8s.skip_containers_key], "\n")[0]
	regex.match(csv_record, v)
	some m in regex.find_all_string_submatch_n(csv_field, v, -1)
}

# csv_record matches one record encoding/csv reads without error: fields
# either free of quotes or wholly quoted (with "" escapes).
csv_record := `^("([^"]|"")*"|[^",]*)(,("([^"]|"")*"|[^",]*))*$`

csv_field := `(?:^|,)("(?:[^"]|"")*"|[^",]*)`

unquote(f) := replace(substring(f, 1, count(f) - 2), `""`, `"`) if {
	startswith(f, `"`)
} else := f

known_sa(w) if {
	k8s.service_account(w)
} else := false

irsa(w) := arn if {
	arn := k8s.role_arn(k8s.service_account(w))
	not input.podIdentityAssociations[w.serviceAccount.key]
	not opted_out(w)
} else := null

# fargate: a selector of a Fargate profile matches the pod: its namespace
# (EKS allows * and ? wildcards) and every label it names.
fargate(w) if {
	some p in object.get(input, ["cluster", "fargateProfiles"], [])
	some sel in object.get(p, "selectors", [])
	iam.glob_match(sel.namespace, w.namespace, false)
	every k, v in object.get(sel, "labels", {}) {
		iam.glob_match(v, object.get(w.template.labels, k, ""), false)
	}
} else := false

resolve(facts, c) := object.union(
	{
		"container": c.name,
		"mutated": mutated,
		"injected": inj,
		"mechanism": mech,
	},
	role_entry(mech, inj, facts, c),
) if {
	names := env_names(c)
	mutated := mutates(facts, c)
	inj := injection(facts, c, names, mutated)
	mech := chain(facts, c, names, inj)
}

mutates(facts, c) if {
	c.type != "ephemeralContainer"
	not facts.optedOut
	not facts.skipped[c.name]
} else := false

injection(facts, _, names, true) := "pod-identity" if {
	facts.association != null

	# A hand-set provider variable stops the webhook injecting its own.
	count(names & {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"}) == 0
} else := "web-identity" if {
	facts.irsaRole != null

	# W5: either variable set by hand suppresses injection of both.
	count(names & web_identity_vars) == 0
} else := null

injection(_, _, _, false) := null

chain(facts, _, names, inj) := "static-keys" if {
	names.AWS_ACCESS_KEY_ID
	names.AWS_SECRET_ACCESS_KEY
} else := "web-identity" if {
	inj == "web-identity"
} else := "web-identity" if {
	names.AWS_ROLE_ARN
	names.AWS_WEB_IDENTITY_TOKEN_FILE
} else := "web-identity-incomplete" if {
	# A token file without a role ARN: the Go SDK's web-identity provider
	# fails ("role ARN is not set") instead of moving on (C2).
	names.AWS_WEB_IDENTITY_TOKEN_FILE
} else := "pod-identity" if {
	inj == "pod-identity"
} else := "container-credentials" if {
	names.AWS_CONTAINER_CREDENTIALS_FULL_URI
} else := "container-credentials" if {
	names.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
} else := "unknown" if {
	# The workload names a ServiceAccount the scan does not hold: its
	# annotations, and so its identity, are unknown.
	not facts.serviceAccountKnown
} else := "none" if {
	facts.fargate
} else := "node-role"

role_entry("web-identity", "web-identity", facts, _) := {"roleArn": facts.irsaRole}

role_entry("web-identity", inj, _, c) := {"roleArn": e.value} if {
	inj != "web-identity"
	some e in c.env
	e.name == "AWS_ROLE_ARN"
	is_string(e.value)
}

role_entry(mech, inj, _, c) := {} if {
	not role_known(mech, inj, c)
}

role_known("web-identity", "web-identity", _)

role_known("web-identity", _, c) if {
	some e in c.env
	e.name == "AWS_ROLE_ARN"
	is_string(e.value)
}
