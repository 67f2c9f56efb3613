package irsalint.rules.input["conflicting-duplicate_test"]

import data.irsalint.rules.input["conflicting-duplicate"] as rule

# dup declares one object at refs "<file>#<doc>".
dup(kind, refs) := {"duplicates": [{
	"kind": kind, "key": "prod/api", "object": "ServiceAccount prod/api",
	"declarations": [{"ref": ref, "at": ["metadata", "name"], "file": split(ref, "#")[0], "observed": false} | some ref in refs],
}]}

test_a_pair_is_reported_at_both_places if {
	findings := rule.deny with input as dup("ServiceAccount", ["b.yaml#0", "a.yaml#0"])
	count(findings) == 2
	some f in findings
	f.ref == "b.yaml#0"
	f.at == ["metadata", "name"]
	not f.severity
	[r.ref | some r in f.related] == ["a.yaml#0"]
	contains(f.message, "declared 2 times with different content")
	contains(f.message, "the cluster keeps whichever is applied last")
}

# Three or more are variants: one info finding at the first in file order,
# whatever order they came in, at most five others related.
test_variants_are_one_info_finding if {
	refs := ["g.yaml#0", "c.yaml#1", "a.yaml#0", "f.yaml#0", "b.yaml#0", "e.yaml#0", "d.yaml#0"]
	findings := rule.deny with input as dup("ServiceAccount", refs)
	count(findings) == 1
	some f in findings
	f.ref == "a.yaml#0"
	f.severity == "info"
	[r.ref | some r in f.related] == ["b.yaml#0", "c.yaml#1", "d.yaml#0", "e.yaml#0", "f.yaml#0"]
	contains(f.message, "declared 7 times with different content, variants such as examples")
}

# One folder per environment is how many repositories keep their clusters:
# two declarations in different folders are variants.
test_a_pair_in_two_folders_is_one_info_finding if {
	findings := rule.deny with input as dup("ServiceAccount", ["prod/sa.yaml#0", "staging/sa.yaml#0"])
	count(findings) == 1
	some f in findings
	f.ref == "prod/sa.yaml#0"
	f.severity == "info"
	[r.ref | some r in f.related] == ["staging/sa.yaml#0"]
	contains(f.message, "declared 2 times with different content in 2 folders (prod, staging), which usually hold different environments or clusters. Each is linted as written")
}

test_a_pair_in_one_subfolder_is_reported_at_both_places if {
	count(rule.deny) == 2 with input as dup("ServiceAccount", ["deploy/a.yaml#0", "deploy/b.yaml#0"])
}

test_two_reads_of_a_cluster_are_one_info_finding if {
	reads := {"duplicates": [{
		"kind": "ServiceAccount", "key": "kube-system/aws-node", "object": "ServiceAccount kube-system/aws-node",
		"declarations": [
			{"ref": "cluster/sa.json#0", "at": ["metadata", "name"], "file": "cluster/sa.json", "observed": true},
			{"ref": "cluster/sa-irsa.json#0", "at": ["metadata", "name"], "file": "cluster/sa-irsa.json", "observed": true},
		],
	}]}
	findings := rule.deny with input as reads
	count(findings) == 1
	some f in findings
	f.severity == "info"
	contains(f.message, "all read back from a cluster")
}

test_a_read_and_a_manifest_still_conflict if {
	mixed := {"duplicates": [{
		"kind": "ServiceAccount", "key": "kube-system/aws-node", "object": "ServiceAccount kube-system/aws-node",
		"declarations": [
			{"ref": "cluster/sa.json#0", "at": ["metadata", "name"], "file": "cluster/sa.json", "observed": true},
			{"ref": "cluster/sa.yaml#0", "at": ["metadata", "name"], "file": "cluster/sa.yaml", "observed": false},
		],
	}]}
	count(rule.deny) == 2 with input as mixed
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
