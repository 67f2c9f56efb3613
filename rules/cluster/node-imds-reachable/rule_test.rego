package irsalint.rules.cluster["node-imds-reachable_test"]

import data.irsalint.rules.cluster["node-imds-reachable"] as rule

inv(tokens, hop) := {
	"cluster": {"name": "demo"},
	"nodegroups": {"demo/workers": {
		"ref": "ng.json#0.nodegroup", "name": "workers", "clusterName": "demo",
		"nodeRole": "arn:aws:iam::111122223333:role/demo-node",
		"launchTemplate": {"id": "lt-1", "version": "3", "name": "workers"},
	}},
	"launchTemplates": {"lt-1:3": {
		"ref": "lt.json#0.LaunchTemplateVersions[0]", "id": "lt-1", "version": "3", "defaultVersion": true,
		"metadataOptions": {"httpTokens": tokens, "httpPutResponseHopLimit": hop, "httpEndpoint": "enabled"},
		"metadataAt": ["LaunchTemplateData", "MetadataOptions"],
	}},
}

test_imdsv1_is_reported_at_the_metadata_options if {
	findings := rule.deny with input as inv("optional", 1)
	count(findings) == 1
	some f in findings
	f.ref == "lt.json#0.LaunchTemplateVersions[0]"
	f.at == ["LaunchTemplateData", "MetadataOptions"]
	contains(f.message, "allows IMDSv1")
	contains(f.message, "node group workers of cluster demo")
	contains(f.message, "arn:aws:iam::111122223333:role/demo-node")
	f.related[0].ref == "ng.json#0.nodegroup"
}

test_hop_limit_two_is_reported if {
	some f in rule.deny with input as inv("required", 2)
	contains(f.message, "HttpPutResponseHopLimit to 2 or more")
}

test_imdsv2_hop_limit_one_is_quiet if {
	count(rule.deny) == 0 with input as inv("required", 1)
}
