# METADATA
# title: Container credential provider variables set by hand
# description: |
#   A container's env sets AWS_CONTAINER_CREDENTIALS_FULL_URI,
#   AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
#   AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE itself. These variables drive the
#   SDKs' container credential provider, which is where EKS Pod Identity
#   delivers credentials: for a Pod Identity association the webhook injects
#   AWS_CONTAINER_CREDENTIALS_FULL_URI (the Pod Identity agent at
#   169.254.170.23 or [fd00:ec2::23]) and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
#   (the pod's token). Set by hand, they take that provider over or break it:
#
#   - FULL_URI pointing anywhere but the agent or loopback makes the SDK fetch
#     credentials from that endpoint (HTTPS to any host is accepted); a
#     plain-HTTP URL to another host is refused by the SDKs.
#   - RELATIVE_URI is the Amazon ECS form: SDKs read it before FULL_URI and
#     send it to the ECS agent at 169.254.170.2, which does not exist on EKS,
#     so it breaks Pod Identity even when the webhook injects its own values.
#   - FULL_URI or AUTHORIZATION_TOKEN_FILE set by hand in a container stops the
#     webhook from injecting either of the two, so the pair no longer comes
#     from the association.
#
#   Static keys and web identity (IRSA) come earlier in the SDK chain; the
#   message says so when they currently shadow these variables. Only env is
#   read; values arriving through envFrom are not in the scan.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html
#     description: EKS Pod Identity — how credentials reach the pod
#   - ref: https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
#     description: AWS SDKs and Tools — container credential provider (variables, allowed hosts)
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html
#     description: Set up the Amazon EKS Pod Identity Agent (its link-local addresses)
# custom:
#   scope: workload
#   severity: medium
#   precision: high
#   remediation: |
#     Remove the AWS_CONTAINER_* variables from the container's env and create
#     an EKS Pod Identity association for the workload's ServiceAccount; EKS
#     then injects the agent's URL and the token file itself. If a sidecar
#     really serves credentials, keep it on loopback and document why.
package irsalint.rules.workload["manual-container-credentials-env"]

import data.irsalint.lib.identity
import data.irsalint.lib.k8s
import data.irsalint.lib.result

# The Pod Identity agent's addresses.
agent_hosts := {"169.254.170.23", "[fd00:ec2::23]"}

# The ECS agent, where RELATIVE_URI points (not present on EKS).
ecs_host := "169.254.170.2"

# The variables whose presence stops the webhook from injecting Pod Identity
# (either one suppresses both, as for web identity).
injected_vars := {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"}

deny contains result.finding(w, k8s.value_at(e), message) if {
	some name in identity.container_credential_vars
	some i in input.index.env[name]
	w := input.workloads[i]
	some c in w.containers
	some e in c.env
	e.name == name
	message := sprintf("%s %q of %s sets %s by hand%s: %s%s.%s", [
		k8s.container_kind(c), c.name, k8s.describe(w), e.name,
		target(e), effect(e), webhook_note(w, c, e), shadow_note(c),
	])
}

# target names where a literal FULL_URI points.
target(e) := sprintf(" to %s", [e.value]) if {
	e.name == "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	is_string(e.value)
	e.value != ""
} else := " to an empty value" if {
	e.value == ""
} else := ""

effect(e) := "it replaces the Pod Identity values EKS injects for an association, and only works while it matches them" if {
	e.name == "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	agent_hosts[uri_host(e.value)]
} else := "SDKs take credentials from whatever listens on loopback in the pod's network instead of EKS Pod Identity" if {
	e.name == "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	loopback(uri_host(e.value))
} else := "the ECS agent address, which does not exist on EKS, so the container credential provider fails" if {
	e.name == "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	uri_host(e.value) == ecs_host
} else := "SDKs take credentials from that arbitrary endpoint instead of EKS Pod Identity" if {
	e.name == "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	uri_scheme(e.value) == "https"
} else := "SDKs refuse plain-HTTP endpoints other than loopback and the ECS and Pod Identity addresses, so the container credential provider fails" if {
	e.name == "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	uri_scheme(e.value) == "http"
} else := "it takes over the container credential provider EKS Pod Identity uses" if {
	e.name == "AWS_CONTAINER_CREDENTIALS_FULL_URI"
} else := sprintf("this is the Amazon ECS form, which SDKs read before AWS_CONTAINER_CREDENTIALS_FULL_URI and send to the ECS agent at %s; that address does not exist on EKS, so the container credential provider fails even where Pod Identity injects its own values", [ecs_host]) if {
	e.name == "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
} else := "SDKs send that file's contents as the Authorization header to the container credential endpoint, in place of the Pod Identity token EKS injects"

uri_parts(s) := regex.find_all_string_submatch_n(`^([A-Za-z][A-Za-z0-9+.-]*)://(\[[^\]]*\]|[^/:?#]*)`, s, 1)[0]

uri_scheme(s) := lower(uri_parts(s)[1])

uri_host(s) := lower(uri_parts(s)[2])

loopback("localhost")

loopback("[::1]")

loopback(host) if regex.match(`^127\.[0-9]+\.[0-9]+\.[0-9]+$`, host)

# The webhook's container-credentials branch: a hand-set FULL_URI or
# token file suppresses both injected variables in that container.
webhook_note(w, c, e) := sprintf("; because it is set by hand, the webhook injects neither AWS_CONTAINER_CREDENTIALS_FULL_URI nor AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE for the Pod Identity association of ServiceAccount %s", [w.serviceAccount.key]) if {
	injected_vars[e.name]
	identity.association(w)
	identity.webhook_mutates(c)
} else := ""

shadow_note(c) := " For now the static keys in its env come first in the SDK chain, so it stays unused." if {
	identity.mechanism(c) == "static-keys"
} else := " For now web identity (IRSA) comes first in the SDK chain, so it stays unused until IRSA is removed." if {
	identity.mechanism(c) == "web-identity"
} else := ""
