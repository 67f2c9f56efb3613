package irsalint.rules.workload["hostnetwork-imds-exposure_test"]

import data.irsalint.rules.workload["hostnetwork-imds-exposure"] as rule

allowlist := ["kube-system/eks-pod-identity-agent", "kube-system/aws-node", "*/prometheus-node-exporter"]

sa(annotations) := {
	"ref": "sa", "kind": "ServiceAccount", "namespace": "kube-system", "name": "agent", "key": "kube-system/agent",
	"declared": true, "annotations": annotations, "labels": {}, "at": [],
}

workload(ns, name, host_network) := {
	"ref": "w", "kind": "DaemonSet", "namespace": ns, "name": name,
	"template": {"labels": {}, "annotations": {}, "at": ["spec", "template", "metadata"]},
	"serviceAccount": {"name": "agent", "key": "kube-system/agent", "source": "serviceAccountName", "at": ["spec", "template", "spec", "serviceAccountName"]},
	"podSpec": {"at": ["spec", "template", "spec"], "hostNetwork": host_network},
	"containers": [],
	"volumes": [],
}

inv(w, annotations, assocs) := irsalint.resolve({
	"cluster": {},
	"settings": {"hostNetworkAllowlist": allowlist},
	"workloads": [w],
	"serviceAccounts": {"kube-system/agent": sa(annotations)},
	"podIdentityAssociations": assocs,
})

test_host_network_app_is_reported_at_the_field if {
	findings := rule.deny with input as inv(workload("kube-system", "log-forwarder", true), {}, {})
	count(findings) == 1
	some f in findings
	f.ref == "w"
	f.at == ["spec", "template", "spec", "hostNetwork"]
	contains(f.message, "DaemonSet kube-system/log-forwarder runs with hostNetwork: true: the IMDS hop limit does not protect host-network pods")
	contains(f.message, "take the node role whatever its ServiceAccount.")
}

test_allowlisted_node_agent_is_quiet if {
	count(rule.deny) == 0 with input as inv(workload("kube-system", "eks-pod-identity-agent", true), {}, {})
}

test_allowlist_matches_namespace_and_name_exactly if {
	count(rule.deny) == 1 with input as inv(workload("default", "eks-pod-identity-agent", true), {}, {})
	count(rule.deny) == 1 with input as inv(workload("kube-system", "eks-pod-identity-agent-v2", true), {}, {})
}

test_wildcard_namespace_matches_any_namespace if {
	count(rule.deny) == 0 with input as inv(workload("observability", "prometheus-node-exporter", true), {}, {})
}

test_host_network_false_or_absent_is_quiet if {
	count(rule.deny) == 0 with input as inv(workload("shop", "api", false), {}, {})
	w := json.remove(workload("shop", "api", true), ["podSpec/hostNetwork"])
	count(rule.deny) == 0 with input as inv(w, {}, {})
}

test_string_true_is_not_host_network if {
	count(rule.deny) == 0 with input as inv(workload("shop", "api", "true"), {}, {})
}

test_irsa_is_mentioned_as_no_isolation if {
	role := "arn:aws:iam::111122223333:role/forwarder"
	some f in rule.deny with input as inv(workload("kube-system", "log-forwarder", true), {"eks.amazonaws.com/role-arn": role}, {})
	contains(f.message, sprintf("(its IRSA role %s from ServiceAccount kube-system/agent does not isolate it from the node role)", [role]))
}

test_pod_identity_is_mentioned_as_no_isolation if {
	some f in rule.deny with input as inv(workload("kube-system", "log-forwarder", true), {}, {"kube-system/agent": {}})
	contains(f.message, "its EKS Pod Identity association on ServiceAccount kube-system/agent does not isolate it")
}
