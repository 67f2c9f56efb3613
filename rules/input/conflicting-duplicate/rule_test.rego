package irsalint.rules.input["conflicting-duplicate_test"]

import data.irsalint.rules.input["conflicting-duplicate"] as rule

dup(kind, refs) := {"duplicates": [{
	"kind": kind, "key": "prod/api", "object": "ServiceAccount prod/api",
	"declarations": [{"ref": ref, "at": ["metadata", "name"]} | some ref in refs],
}]}

test_each_declaration_reported_with_the_others_related if {
	findings := rule.deny with input as dup("ServiceAccount", ["a.yaml#0", "b.yaml#0", "c.yaml#1"])
	count(findings) == 3
	some f in findings
	f.ref == "b.yaml#0"
	f.at == ["metadata", "name"]
	[r.ref | some r in f.related] == ["a.yaml#0", "c.yaml#1"]
	contains(f.message, "declared 3 times with different content")
	contains(f.message, "the cluster keeps whichever is applied last")
}

test_roles_say_the_exports_disagree if {
	some f in rule.deny with input as dup("Role", ["a.json#0", "b.json#0"])
	contains(f.message, "these IAM exports disagree")
}

test_associations_say_one_is_real if {
	some f in rule.deny with input as dup("PodIdentityAssociation", ["a.json#0", "b.json#0"])
	contains(f.message, "at most one of these is real")
}

test_no_duplicates_no_finding if {
	count(rule.deny) == 0 with input as {"duplicates": []}
}
