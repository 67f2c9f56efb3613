# METADATA
# title: Host-network pod can reach the node's instance metadata
# description: |
#   A pod with hostNetwork: true shares the node's network namespace. The
#   usual protection of the node role, an IMDSv2 hop limit of 1, only stops
#   requests that cross the extra network hop of a pod network; a
#   host-network pod makes no such hop, so any process in it can read the
#   node's instance metadata and take the node role, whatever its
#   ServiceAccount says. IRSA or EKS Pod Identity on that ServiceAccount does
#   not change this: the SDK uses the pod's role, but the node role stays one
#   HTTP request away.
#
#   Node agents that need the host network (the VPC CNI, kube-proxy, the EKS
#   Pod Identity Agent, CSI node plugins…) are listed in the
#   hostNetworkAllowlist setting as namespace/name of the workload, with *
#   as a namespace matching any; those are not reported.
# related_resources:
#   - ref: https://docs.aws.amazon.com/whitepapers/latest/security-practices-multi-tenant-saas-applications-eks/restrict-the-use-of-host-networking-and-block-access-to-instance-metadata-service.html
#     description: AWS whitepaper — restrict host networking and block access to the instance metadata service
#   - ref: https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
#     description: EKS Best Practices — restrict access to the instance profile assigned to the worker node
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Kubernetes Pod Security Standards — hostNetwork is disallowed from the Baseline profile
# custom:
#   scope: workload
#   severity: medium
#   precision: high
#   remediation: |
#     Remove hostNetwork: true unless the workload is a node agent that needs
#     it (use a Service or hostPort for inbound traffic instead). If it is a
#     node agent, add its namespace/name to the hostNetworkAllowlist setting,
#     and keep the node role limited to the EKS worker baseline.
package irsalint.rules.workload["hostnetwork-imds-exposure"]

import data.irsalint.lib.identity
import data.irsalint.lib.k8s
import data.irsalint.lib.result

deny contains result.finding(w, array.concat(w.podSpec.at, ["hostNetwork"]), message) if {
	some i in input.index.hostNetwork
	w := input.workloads[i]
	k8s.host_network(w)
	not allowlisted(w)
	message := sprintf("%s runs with hostNetwork: true: the IMDS hop limit does not protect host-network pods, so any process in it can take the node role whatever its ServiceAccount%s.", [
		k8s.describe(w), identity_note(w),
	])
}

allowlisted(w) if {
	some entry in input.settings.hostNetworkAllowlist
	[ns, name] := split(entry, "/")
	ns in {"*", w.namespace}
	name == w.name
}

# The pod may look isolated because it has its own role.
identity_note(w) := sprintf(" (its EKS Pod Identity association on ServiceAccount %s does not isolate it from the node role)", [w.serviceAccount.key]) if {
	identity.association(w)
	not identity.webhook_opted_out(w)
} else := sprintf(" (its IRSA role %s from ServiceAccount %s does not isolate it from the node role)", [identity.irsa_role(w), w.serviceAccount.key]) if {
	identity.irsa_role(w)
} else := ""
