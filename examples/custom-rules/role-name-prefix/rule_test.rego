package irsalint.rules.custom["role-name-prefix_test"]

import data.irsalint.rules.custom["role-name-prefix"] as rule

sa(namespace, role_arn) := {"serviceAccounts": {concat("/", [namespace, "app"]): {
	"ref": "sa",
	"kind": "ServiceAccount",
	"namespace": namespace,
	"name": "app",
	"key": concat("/", [namespace, "app"]),
	"declared": true,
	"annotations": {"eks.amazonaws.com/role-arn": role_arn},
	"labels": {},
	"usedBy": [],
	"at": [],
}}}

test_role_of_the_namespace_is_quiet if {
	count(rule.deny) == 0 with input as sa("payments", "arn:aws:iam::111122223333:role/payments-ledger")
}

test_role_with_a_path_is_judged_by_its_name if {
	count(rule.deny) == 0 with input as sa("payments", "arn:aws:iam::111122223333:role/teams/payments-ledger")
}

test_another_teams_role_is_reported_at_the_annotation if {
	findings := rule.deny with input as sa("payments", "arn:aws:iam::111122223333:role/search-indexer")
	count(findings) == 1
	some f in findings
	f.ref == "sa"
	f.at == ["metadata", "annotations", "eks.amazonaws.com/role-arn"]
	contains(f.message, `does not start with "payments-"`)
}

test_an_invalid_arn_is_left_to_role_arn_invalid if {
	count(rule.deny) == 0 with input as sa("payments", "search-indexer")
}
