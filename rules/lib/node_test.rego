package irsalint.lib.node_test

import data.irsalint.lib.node

ng(tmpl) := {"ref": "ng", "name": "workers", "clusterName": "demo", "launchTemplate": tmpl}

template(tokens, hop, endpoint) := {
	"id": "lt-1", "version": "3", "defaultVersion": true,
	"metadataOptions": {"httpTokens": tokens, "httpPutResponseHopLimit": hop, "httpEndpoint": endpoint},
}

inv(tokens, hop, endpoint) := {
	"cluster": {"name": "demo"},
	"nodegroups": {"demo/workers": ng({"id": "lt-1", "version": "3", "name": null})},
	"launchTemplates": {"lt-1:3": template(tokens, hop, endpoint)},
}

test_tokens_optional_is_reachable_whatever_the_hop_limit if {
	node.reachable == {"demo/workers": "imdsv1"} with input as inv("optional", 1, "enabled")
}

test_imdsv2_with_hop_limit_two_is_reachable if {
	node.reachable == {"demo/workers": "imdsv2"} with input as inv("required", 2, "enabled")
	node.cluster_reachable == ["workers"] with input as inv("required", 2, "enabled")
}

test_imdsv2_hop_limit_one_and_disabled_endpoint_are_not if {
	count(node.reachable) == 0 with input as inv("required", 1, "enabled")
	count(node.reachable) == 0 with input as inv("optional", 2, "disabled")
}

test_default_version_resolves if {
	i := object.union(inv("optional", 1, "enabled"), {"nodegroups": {"demo/workers": ng({"id": "lt-1", "version": "$Default", "name": null})}})
	node.reachable == {"demo/workers": "imdsv1"} with input as i
}

test_other_clusters_node_groups_are_not_this_clusters if {
	i := object.union(inv("optional", 1, "enabled"), {"cluster": {"name": "other"}})
	node.reachable == {"demo/workers": "imdsv1"} with input as i
	node.cluster_reachable == [] with input as i
}

test_latest_version_resolves_to_the_highest_read if {
	i := object.union(inv("required", 1, "enabled"), {
		"nodegroups": {"demo/workers": ng({"id": "lt-1", "version": "$Latest", "name": null})},
		"launchTemplates": {"lt-1:3": template("required", 1, "enabled"), "lt-1:4": object.union(template("optional", 1, "enabled"), {"version": "4", "defaultVersion": false})},
	})
	node.reachable == {"demo/workers": "imdsv1"} with input as i
}
