# METADATA
# title: Effective identity
# description: |
#   Which AWS credentials each container really gets. irsalint resolves this
#   when it builds the inventory (workloads[].identity and
#   workloads[].containers[].identity, see docs/inventory.md): static keys in
#   env, then web identity (IRSA: the webhook injects AWS_ROLE_ARN and
#   AWS_WEB_IDENTITY_TOKEN_FILE from the ServiceAccount's role annotation,
#   unless the pod opts out or the container sets either variable itself),
#   then the container credential provider (EKS Pod Identity, which wins over
#   IRSA inside the webhook), then the node role through IMDS. These
#   functions read those facts.
package irsalint.lib.identity

static_key_vars := {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}

web_identity_vars := {"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"}

container_credential_vars := {
	"AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
}

# webhook_opted_out: the pod label eks.amazonaws.com/skip-pod-identity-webhook
# is present; its value is irrelevant (the webhook's selector is
# DoesNotExist).
webhook_opted_out(w) if w.identity.optedOut

# skipped_names are the containers named in the pod's skip-containers
# annotation, as the webhook's CSV reader reads it (" app" is not "app").
skipped_names(w) := {n | some n in w.identity.skippedContainers}

# association is the Pod Identity association covering a workload's
# ServiceAccount, when the cluster context supplies associations.
association(w) := input.podIdentityAssociations[w.identity.association]

# irsa_role is the role the webhook would inject for the workload: the
# ServiceAccount's annotation, unless Pod Identity or an opt-out wins.
irsa_role(w) := r if {
	r := w.identity.irsaRole
	r != null
}

# on_fargate: a Fargate profile of the cluster context selects the workload;
# IMDS does not exist there.
on_fargate(w) if w.identity.fargate

# webhook_mutates: the webhook would mutate this container at pod creation
# (never an ephemeral container: those are added later).
webhook_mutates(c) if c.identity.mutated

# injected reports what the webhook adds to one container: "web-identity",
# "pod-identity"; undefined when nothing.
injected(c) := x if {
	x := c.identity.injected
	x != null
}

# mechanism is the credential source a container ends up with, in SDK chain
# order: "static-keys", "web-identity", "web-identity-incomplete" (a token
# file without a role: the Go SDK fails), "pod-identity",
# "container-credentials" (set by hand), "unknown" (the ServiceAccount is not
# in the scan), "none" (Fargate: no IMDS), "node-role".
mechanism(c) := c.identity.mechanism

# role_for returns the role ARN a web-identity container assumes.
role_for(c) := c.identity.roleArn

# by_workload lists each workload's containers' resolved identity, in the
# order of w.containers:
# {ref: [{"container": name, "mechanism": m, "roleArn": arn (web identity)}]}.
by_workload := {w.ref: [object.union({"container": c.name}, object.filter(c.identity, {"mechanism", "roleArn"})) |
	some c in w.containers
] |
	some w in input.workloads
}

# uses_node_role is true when some container of w ends at the node role.
uses_node_role(w) if w.identity.usesNodeRole

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
