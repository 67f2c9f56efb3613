package irsalint.lib.result_test

import data.irsalint.lib.result

obj := {"ref": "deploy.yaml#1", "kind": "Deployment"}

test_finding_has_ref_path_and_message if {
	result.finding(obj, ["spec"], "m") == {"ref": "deploy.yaml#1", "at": ["spec"], "message": "m"}
}

test_graded_carries_severity if {
	result.graded(obj, [], "m", "low").severity == "low"
}

test_with_related_adds_locations if {
	f := result.with_related(result.finding(obj, [], "m"), [result.related(obj, ["metadata"], "here")])
	f.related == [{"ref": "deploy.yaml#1", "at": ["metadata"], "message": "here"}]
	f.message == "m"
}

test_listing_counts_the_rest if {
	result.listing(["a", "b"], 3) == "a, b"
	result.listing(["a", "b", "c", "d", "e"], 3) == "a, b, c and 2 more"
}

test_plural_and_verb_s if {
	result.plural(1) == ""
	result.plural(0) == "s"
	result.plural(3) == "s"
	result.verb_s(1) == "s"
	result.verb_s(2) == ""
}
