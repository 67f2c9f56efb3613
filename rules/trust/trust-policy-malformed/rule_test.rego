package irsalint.rules.trust["trust-policy-malformed_test"]

import data.irsalint.rules.trust["trust-policy-malformed"] as rule

# Problems as analyzer/iam reports them (copied from `irsalint inventory`
# output for documents that have each one).

doc := ["AssumeRolePolicyDocument"]

problem(kind, at, lossy, message) := {"kind": kind, "at": array.concat(doc, at), "lossy": lossy, "message": message}

role(problems, statements) := {
	"ref": "iam.json#0.RoleDetailList[1]",
	"arn": "arn:aws:iam::743263909644:role/payments-api",
	"name": "payments-api",
	"trustPolicy": {
		"at": doc,
		"lossy": count([p | some p in problems; p.lossy]) > 0,
		"problems": problems,
		"statements": statements,
	},
}

inv(r) := {"roles": {r.arn: r}}

findings(problems) := fs if {
	fs := rule.deny with input as inv(role(problems, []))
}

# What makes the reading ambiguous (lossy) is medium.
lossy_problems := [
	problem("duplicate-key", ["Statement", 0, "Condition", "StringEquals"], true, `key "StringEquals" appears twice in one object (first at line 12): JSON readers keep one or the other — Go and irsalint keep the last, IAM does not document which; remove one`),
	problem("case-variant-key", ["Statement", 0, "Condition", "StringEquals", "oidc.eks.us-west-2.amazonaws.com/id/X:sub"], true, `condition keys "OIDC.EKS.US-WEST-2.AMAZONAWS.COM/ID/X:SUB" and "oidc.eks.us-west-2.amazonaws.com/id/X:sub" are the same key (key names are case-insensitive): readers disagree on which values count`),
	problem("unknown-operator", ["Statement", 0, "Condition", "StringMatches"], true, `"StringMatches" is not an IAM condition operator; IAM rejects the policy, and irsalint cannot evaluate it`),
	problem("bad-value", ["Statement", 0, "Condition", "StringEquals", "a:b"], true, "expected a string or an array of strings, got an object"),
	problem("bad-condition", ["Statement", 0, "Condition"], true, `"Condition" is "yes", not an object of operators`),
	problem("bad-effect", ["Statement", 0, "Effect"], true, `"Effect" is "Permit": IAM accepts only "Allow" or "Deny"`),
	problem("bad-principal", ["Statement", 0, "Principal"], true, `"Principal" is the string "ec2.amazonaws.com": only "*" may be written without a type`),
	problem("bad-statement", ["Statement", 1], true, `statement 2 is "justastring", not an object`),
	problem("missing-statement", [], true, `the policy has no "Statement"`),
	problem("missing-effect", ["Statement", 0], true, `statement 1 has no "Effect"`),
	problem("missing-principal", ["Statement", 0], true, `statement 1 has no "Principal": a trust policy must name who may assume the role`),
	problem("missing-action", ["Statement", 0], true, `statement 1 has no "Action"`),
	problem("action-and-not-action", ["Statement", 0, "NotAction"], true, `statement 1 has both "Action" and "NotAction"`),
	problem("not-a-policy", [], true, "the policy document is an array, not an object"),
]

# What IAM rejects without making the reading ambiguous is medium too.
rejected_problems := [problem("not-principal", ["Statement", 0, "NotPrincipal"], false, `"NotPrincipal" cannot be used in a role trust policy (IAM rejects it); name the trusted principals in "Principal"`)]

# What IAM accepts or ignores is low.
cosmetic_problems := [
	problem("missing-version", [], false, `the policy has no "Version": IAM then uses 2008-10-17, which does not support policy variables; write "Version": "2012-10-17"`),
	problem("old-version", ["Version"], false, `"Version" is "2008-10-17": write "2012-10-17" (the only other version, 2008-10-17, does not support policy variables)`),
	problem("element-case", ["Statement", 0, "effect"], false, `"effect" is spelled "Effect" in IAM's policy grammar`),
	problem("operator-case", ["Statement", 0, "Condition", "stringEquals"], false, `condition operator "stringEquals" is spelled "StringEquals"`),
	problem("unknown-element", ["Statement", 0, "__doc_comment"], false, `"__doc_comment" is not an IAM policy element; IAM rejects or ignores it`),
	problem("null-if-exists", ["Statement", 0, "Condition", "NullIfExists"], false, `"NullIfExists": Null already tests whether the key exists; IfExists makes no sense with it`),
	problem("duplicate-key", ["Statement", 0, "__doc_comment"], false, `key "__doc_comment" appears twice in one object (first at line 11); it means nothing to IAM, but remove one`),
]

graded(problems, severity) if {
	every p in problems {
		fs := findings([p])
		count(fs) == 1
		some f in fs
		f.severity == severity
		f.at == p.at
		f.ref == "iam.json#0.RoleDetailList[1]"
		startswith(f.message, sprintf("role arn:aws:iam::743263909644:role/payments-api: %s.", [p.message]))
	}
}

test_lossy_problems_are_medium if {
	graded(lossy_problems, "medium")
}

test_not_principal_is_medium if {
	graded(rejected_problems, "medium")
}

test_cosmetic_problems_are_low if {
	graded(cosmetic_problems, "low")
}

test_every_problem_kind_is_covered if {
	kinds := {p.kind | some p in array.concat(array.concat(lossy_problems, rejected_problems), cosmetic_problems)}
	kinds == {
		"duplicate-key", "case-variant-key", "element-case", "unknown-element", "not-principal",
		"unknown-operator", "operator-case", "null-if-exists", "missing-version", "old-version",
		"missing-statement", "bad-statement", "missing-effect", "bad-effect", "missing-principal",
		"bad-principal", "missing-action", "action-and-not-action", "bad-condition", "bad-value",
		"not-a-policy",
	}
}

test_lossy_policy_says_other_rules_did_not_judge_it if {
	# A cosmetic problem in a lossy policy carries the note as well.
	fs := findings([lossy_problems[0], cosmetic_problems[0]])
	count(fs) == 2
	every f in fs {
		contains(f.message, "so irsalint's other trust rules did not judge it")
	}
	some low in fs
	low.severity == "low"
}

test_non_lossy_policy_has_no_note if {
	some f in findings([rejected_problems[0]])
	not contains(f.message, "did not judge")
	endswith(f.message, `name the trusted principals in "Principal".`)
}

test_message_ends_with_one_period if {
	p := problem("missing-action", ["Statement", 0], true, "statement 1 has no Action.")
	some f in findings([p])
	contains(f.message, "statement 1 has no Action. IAM and irsalint")
}

# Case 26: two StringEquals blocks; the lossy reading keeps only aud.
test_case_26_duplicate_operator_is_medium if {
	fs := rule.deny with input as inv(role(
		[lossy_problems[0]],
		[{"index": 0, "sid": null, "effect": "Allow", "conditions": []}],
	))
	count(fs) == 1
	some f in fs
	f.severity == "medium"
	f.at == ["AssumeRolePolicyDocument", "Statement", 0, "Condition", "StringEquals"]
	contains(f.message, `key "StringEquals" appears twice`)
}

# Case 27: "__doc_comment" repeated at statement level means nothing to IAM:
# low findings only.
test_case_27_doc_comment_is_low_only if {
	fs := findings([cosmetic_problems[4], cosmetic_problems[6]])
	count(fs) == 2
	every f in fs {
		f.severity == "low"
		f.at == ["AssumeRolePolicyDocument", "Statement", 0, "__doc_comment"]
	}
}

test_bare_document_is_named_by_file if {
	r := object.union(role([cosmetic_problems[0]], []), {"arn": null, "name": "trust", "key": "file:iam/trust.json"})
	some f in rule.deny with input as {"roles": {"file:iam/trust.json": r}}
	startswith(f.message, "trust policy trust: the policy has no")
	f.at == ["AssumeRolePolicyDocument"]
}

test_clean_policy_is_silent if {
	count(findings([])) == 0
}
