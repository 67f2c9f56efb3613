# METADATA
# title: Pods can reach the node's instance metadata service
# description: |
#   A managed node group's launch template lets the pods on its nodes reach
#   the instance metadata service (IMDS): HttpTokens is optional, so IMDSv1
#   answers tokenless requests from any container whatever the hop limit; or
#   IMDSv2 is required but HttpPutResponseHopLimit is 2 or more, so a token
#   request from the pod network (one hop past the node) still gets an
#   answer. Either way every pod on those nodes — with IRSA, with Pod
#   Identity, or with nothing — can read the node role's credentials from
#   IMDS, and a pod without a role of its own silently uses it. Only read
#   launch templates are judged; a node group without one uses the defaults
#   EKS sets, which this rule does not guess.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#restrict-access-to-the-instance-profile-assigned-to-the-worker-node
#     description: EKS best practices — restrict access to the instance profile assigned to the worker node
#   - ref: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html
#     description: Amazon EC2 — instance metadata options
# custom:
#   needs: [nodegroups]
#   severity: high
#   precision: very-high
#   remediation: |
#     Set the launch template's metadata options to HttpTokens required and
#     HttpPutResponseHopLimit 1 (eksctl: disablePodIMDS), then roll the node
#     group. Pods that need AWS access get it from IRSA or Pod Identity.
package irsalint.rules.cluster["node-imds-reachable"]

import data.irsalint.lib.node
import data.irsalint.lib.result

deny contains result.with_related(result.finding(tmpl, tmpl.metadataAt, message), [related]) if {
	some key, why in node.reachable
	ng := input.nodegroups[key]
	tmpl := node.launch_template(ng)
	message := sprintf("%s, used by %s, %s: every pod on those nodes can take the node role %s from the instance metadata service.", [
		describe(tmpl), describe_node_group(ng), because[why], role_of(ng),
	])
	related := result.related(ng, ["launchTemplate"], "the node group that uses this launch template")
}

because := {
	"imdsv1": "allows IMDSv1 (HttpTokens optional), which answers tokenless requests from containers whatever the hop limit",
	"imdsv2": "requires IMDSv2 but sets HttpPutResponseHopLimit to 2 or more, enough for a token request from the pod network",
}

describe(tmpl) := sprintf("Launch template %s version %s", [tmpl.id, tmpl.version])

describe_node_group(ng) := sprintf("node group %s of cluster %s", [ng.name, ng.clusterName])

role_of(ng) := sprintf("(%s)", [ng.nodeRole]) if is_string(ng.nodeRole)

else := ""
