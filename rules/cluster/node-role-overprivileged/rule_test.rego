package irsalint.rules.cluster["node-role-overprivileged_test"]

import data.irsalint.rules.cluster["node-role-overprivileged"] as rule

node_role := "arn:aws:iam::111122223333:role/demo-node"

inv(attached, inline) := {
	"nodegroups": {"demo/workers": {"ref": "ng", "name": "workers", "clusterName": "demo", "nodeRole": node_role}},
	"roles": {node_role: {
		"ref": "auth.json#0.RoleDetailList[0]", "arn": node_role, "name": "demo-node", "key": node_role,
		"attachedPolicies": attached, "inlinePolicies": inline,
	}},
}

managed(name) := sprintf("arn:aws:iam::aws:policy/%s", [name])

baseline := [managed("AmazonEKSWorkerNodePolicy"), managed("AmazonEKS_CNI_Policy"), managed("AmazonEC2ContainerRegistryReadOnly")]

test_baseline_is_quiet if {
	count(rule.deny) == 0 with input as inv(baseline, [])
	count(rule.deny) == 0 with input as inv(array.concat(baseline, [managed("AmazonSSMManagedInstanceCore")]), [])
}

test_extra_managed_and_inline_policies_are_reported_at_the_role if {
	findings := rule.deny with input as inv(array.concat(baseline, [managed("AmazonS3FullAccess")]), ["dynamo"])
	count(findings) == 1
	some f in findings
	f.ref == "auth.json#0.RoleDetailList[0]"
	contains(f.message, "AmazonS3FullAccess, inline policy dynamo beyond the worker-node baseline")
	contains(f.message, "node group workers of cluster demo")
	f.related[0].ref == "ng"
}

test_a_node_role_not_in_the_scan_is_not_judged if {
	count(rule.deny) == 0 with input as json.remove(inv(baseline, ["x"]), ["roles"])
}

test_a_customer_policy_named_like_the_baseline_is_extra if {
	copy := "arn:aws:iam::111122223333:policy/AmazonEKS_CNI_Policy"
	findings := rule.deny with input as inv(array.concat(baseline, [copy]), [])
	some f in findings
	contains(f.message, "carries AmazonEKS_CNI_Policy beyond")
}
