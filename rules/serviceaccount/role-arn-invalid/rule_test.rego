package irsalint.rules.serviceaccount["role-arn-invalid_test"]

import data.irsalint.rules.serviceaccount["role-arn-invalid"] as rule

at := ["metadata", "annotations", "eks.amazonaws.com/role-arn"]

sa(value) := {"serviceAccounts": {"prod/api": {
	"ref": "sa",
	"kind": "ServiceAccount",
	"namespace": "prod",
	"name": "api",
	"key": "prod/api",
	"declared": true,
	"annotations": {"eks.amazonaws.com/role-arn": value},
	"labels": {},
	"usedBy": [],
	"at": [],
}}}

# one returns the single finding for value, failing unless there is exactly one.
one(value) := f if {
	findings := rule.deny with input as sa(value)
	count(findings) == 1
	some f in findings
	f.ref == "sa"
	f.at == at
}

invalid(value, fragment) if {
	f := one(value)
	f.severity == "high"
	contains(f.message, fragment)
	contains(f.message, "ServiceAccount prod/api: eks.amazonaws.com/role-arn")
}

test_valid_arn_is_quiet if {
	count(rule.deny) == 0 with input as sa("arn:aws:iam::111122223333:role/api")
}

test_valid_arn_with_path_is_quiet if {
	# A role path is part of a valid ARN.
	count(rule.deny) == 0 with input as sa("arn:aws:iam::111122223333:role/team/app/reader")
}

test_other_partitions_and_name_characters_are_quiet if {
	count(rule.deny) == 0 with input as sa("arn:aws-us-gov:iam::111122223333:role/svc+role=a,b.c@d_e-f")
	count(rule.deny) == 0 with input as sa("arn:aws-cn:iam::111122223333:role/x")
}

test_sixty_four_character_name_is_quiet if {
	name := concat("", [x | some _ in numbers.range(1, 64); x := "a"])
	count(rule.deny) == 0 with input as sa(concat("", ["arn:aws:iam::111122223333:role/", name]))
}

test_no_annotation_and_implicit_default_are_quiet if {
	inp := {"serviceAccounts": {
		"prod/x": {"ref": "x", "kind": "ServiceAccount", "namespace": "prod", "name": "x", "declared": true, "annotations": {}},
		"prod/default": {"ref": "implicit:prod/default", "kind": "ServiceAccount", "namespace": "prod", "name": "default", "declared": false, "annotations": {"eks.amazonaws.com/role-arn": "bad"}},
	}}
	count(rule.deny) == 0 with input as inp
}

test_block_scalar_newline_is_invalid if {
	# `role-arn: |` keeps the trailing newline.
	f := one("arn:aws:iam::111122223333:role/api\n")
	f.severity == "high"
	contains(f.message, `"arn:aws:iam::111122223333:role/api\n" ends with a newline`)
	contains(f.message, "trimmed, it is a valid role ARN")
	contains(f.message, "injects it anyway")
}

test_surrounding_whitespace_is_invalid if {
	invalid(" arn:aws:iam::111122223333:role/api", "has leading or trailing whitespace; trimmed, it is a valid role ARN")
	invalid("arn:aws:iam::111122223333:role/api ", "has leading or trailing whitespace")
}

test_inner_line_break_is_invalid if {
	invalid("arn:aws:iam::111122223333:\nrole/api", "contains a line break")
}

test_quotes_are_invalid if {
	invalid(`"arn:aws:iam::111122223333:role/api"`, "contains quote characters")
	invalid(`arn:aws:iam::111122223333:role/'api'`, "contains quote characters")
}

test_empty_value_is_invalid_and_injects_nothing if {
	f := one("")
	f.severity == "high"
	contains(f.message, `"" is empty`)
	contains(f.message, "injects nothing")
	invalid("   ", "is only whitespace")
}

test_user_group_instance_profile_are_invalid if {
	invalid("arn:aws:iam::111122223333:user/deploy", "names an IAM user, not a role")
	invalid("arn:aws:iam::111122223333:group/devs", "names an IAM group, not a role")
	invalid("arn:aws:iam::111122223333:instance-profile/node", "names an instance profile, not a role")
	invalid("arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/X", "names an OIDC identity provider")
	invalid("arn:aws:iam::111122223333:policy/p", "names an IAM policy")
	invalid("arn:aws:iam::111122223333:rolex/p", `has resource "rolex/p"`)
}

test_assumed_role_session_is_invalid_and_suggests_the_role if {
	invalid(
		"arn:aws:sts::111122223333:assumed-role/api-role/botocore-session-1",
		"is an STS assumed-role session ARN, not a role ARN; the role is arn:aws:iam::111122223333:role/api-role",
	)
}

test_other_service_and_region_are_invalid if {
	invalid("arn:aws:s3:::my-bucket:x", `names service "s3"`)
	invalid("arn:aws:iam:us-east-1:111122223333:role/api", `has region "us-east-1"`)
}

test_bad_account_is_invalid if {
	invalid("arn:aws:iam::11112222333:role/api", "has an account ID of 11 digits (account IDs have 12)")
	invalid("arn:aws:iam::1111222233334:role/api", "has an account ID of 13 digits")
	invalid("arn:aws:iam:::role/api", "has no account ID")
	invalid("arn:aws:iam::1111-2222-3333:role/api", `has account ID "1111-2222-3333"`)
}

test_unknown_partition_is_invalid if {
	invalid("arn:aws-eu:iam::111122223333:role/api", `has unknown partition "aws-eu"`)
	invalid("arn:AWS:iam::111122223333:role/api", `has unknown partition "AWS"`)
}

test_illegal_role_name_characters_are_invalid if {
	invalid("arn:aws:iam::111122223333:role/api#1!", `characters IAM does not allow in role names: "!" "#"`)
	invalid("arn:aws:iam::111122223333:role/my role", `"my role"`)
	invalid("arn:aws:iam::111122223333:role/team/", `has no role name after "role/"`)
}

test_long_role_name_is_invalid if {
	name := concat("", [x | some _ in numbers.range(1, 65); x := "a"])
	invalid(concat("", ["arn:aws:iam::111122223333:role/", name]), "has a 65-character role name; IAM allows at most 64")
}

test_bare_role_name_mentions_compose_role_arn if {
	f := one("api-role")
	f.severity == "high"
	contains(f.message, "is a bare role name, not an ARN")
	contains(f.message, "--compose-role-arn")
	contains(f.message, "Otherwise the webhook injects it as written")
	invalid("team/api-role", "bare role name")
}

test_not_an_arn_is_invalid if {
	invalid("ARN:aws:iam::111122223333:role/api", `does not start with "arn:" (ARNs are case-sensitive)`)
	invalid("role:arn:aws", `does not start with "arn:"`)
	invalid("arn:aws:iam", "is not a complete ARN")
}

test_templates_are_unresolved_not_invalid if {
	# Placeholders are unresolved, not invalid: the reader gives a notice.
	every v in [
		"{{ .Values.serviceAccount.roleArn }}",
		"${ROLE_ARN}",
		"$(ROLE_ARN)",
		"arn:aws:iam::${ACCOUNT_ID}:role/api",
		"arn:aws:iam::111122223333:role/${ENV}/api",
	] {
		count(rule.deny) == 0 with input as sa(v)
	}
}

test_findings_are_per_service_account if {
	inp := {"serviceAccounts": {
		"a/x": {"ref": "x", "kind": "ServiceAccount", "namespace": "a", "name": "x", "declared": true, "annotations": {"eks.amazonaws.com/role-arn": "bad"}},
		"b/y": {"ref": "y", "kind": "ServiceAccount", "namespace": "b", "name": "y", "declared": true, "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:user/y"}},
		"c/z": {"ref": "z", "kind": "ServiceAccount", "namespace": "c", "name": "z", "declared": true, "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/z"}},
	}}
	findings := rule.deny with input as inp
	{f.ref | some f in findings} == {"x", "y"}
}
