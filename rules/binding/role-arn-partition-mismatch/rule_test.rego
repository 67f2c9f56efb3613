package irsalint.rules.binding["role-arn-partition-mismatch_test"]

import data.irsalint.rules.binding["role-arn-partition-mismatch"] as rule

sa(role_arn) := {
	"ref": "sa.yaml#0", "kind": "ServiceAccount", "namespace": "shop", "name": "cart", "key": "shop/cart",
	"declared": true, "labels": {}, "annotations": {"eks.amazonaws.com/role-arn": role_arn}, "usedBy": [], "at": [],
}

inv(role_arn, region, partition) := {
	"cluster": {"region": region, "partition": partition, "accountId": null, "oidcIssuer": null},
	"serviceAccounts": {"shop/cart": sa(role_arn)},
	"roles": {},
	"podIdentityAssociations": {},
}

at := ["metadata", "annotations", "eks.amazonaws.com/role-arn"]

# A China-partition ARN for a cluster in us-west-2.
test_china_arn_in_commercial_region_fires if {
	findings := rule.deny with input as inv("arn:aws-cn:iam::111122223333:role/cart", "us-west-2", "aws")
	count(findings) == 1
	some f in findings
	f.ref == "sa.yaml#0"
	f.at == at
	object.keys(f) == {"ref", "at", "message"}
	contains(f.message, "ServiceAccount shop/cart:")
	contains(f.message, "partition aws-cn, but the cluster runs in region us-west-2 (partition aws)")
	contains(f.message, `"arn:aws:iam::111122223333:role/cart"`)
}

test_commercial_arn_in_china_region_fires_and_keeps_the_path if {
	findings := rule.deny with input as inv("arn:aws:iam::111122223333:role/team/app/cart", "cn-north-1", "aws-cn")
	count(findings) == 1
	some f in findings
	contains(f.message, "region cn-north-1 (partition aws-cn)")
	contains(f.message, `"arn:aws-cn:iam::111122223333:role/team/app/cart"`)
}

# A GovCloud ARN for a GovCloud cluster is clean.
test_govcloud_arn_in_govcloud_region_is_quiet if {
	count(rule.deny) == 0 with input as inv("arn:aws-us-gov:iam::111122223333:role/cart", "us-gov-west-1", "aws-us-gov")
}

test_matching_partition_is_quiet if {
	count(rule.deny) == 0 with input as inv("arn:aws:iam::111122223333:role/cart", "us-west-2", "aws")
}

# Without a region the cluster's partition is unknown: no guess.
test_unknown_region_is_quiet if {
	count(rule.deny) == 0 with input as inv("arn:aws-cn:iam::111122223333:role/cart", null, null)
}

# An ARN that does not parse is role-arn-invalid's finding, not this rule's.
test_invalid_arn_is_left_to_role_arn_invalid if {
	count(rule.deny) == 0 with input as inv("arn:aws-cn:iam::1111222233:role/cart", "us-west-2", "aws")
	count(rule.deny) == 0 with input as inv("{{ .Values.roleArn }}", "us-west-2", "aws")
}

# The implicit default ServiceAccount carries no annotations and is never
# reported.
test_undeclared_service_account_is_quiet if {
	i := inv("arn:aws-cn:iam::111122223333:role/cart", "us-west-2", "aws")
	implicit := object.union(sa("arn:aws-cn:iam::111122223333:role/cart"), {"ref": "implicit:shop/default", "declared": false})
	count(rule.deny) == 0 with input as object.union(i, {"serviceAccounts": {"shop/cart": implicit}})
}

# With a Pod Identity association the annotation is not used.
test_pod_identity_association_is_quiet if {
	i := object.union(inv("arn:aws-cn:iam::111122223333:role/cart", "us-west-2", "aws"), {"podIdentityAssociations": {"shop/cart": {"key": "shop/cart"}}})
	count(rule.deny) == 0 with input as i
}
