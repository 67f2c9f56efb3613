package irsalint.rules.binding["role-not-found_test"]

import data.irsalint.rules.binding["role-not-found"] as rule

account := "743263909644"

at := ["metadata", "annotations", "eks.amazonaws.com/role-arn"]

sa(role_arn) := {
	"ref": "sa.yaml#0", "kind": "ServiceAccount", "namespace": "kube-system", "name": "aws-load-balancer-controller",
	"key": "kube-system/aws-load-balancer-controller", "declared": true, "labels": {},
	"annotations": {"eks.amazonaws.com/role-arn": role_arn}, "usedBy": [], "at": [],
}

# role is a role read from get-account-authorization-details (its account's
# roles are then all in the scan), number i in the file.
role(partition, path, name, i) := {
	"ref": sprintf("iam.json#0.RoleDetailList[%d]", [i]),
	"key": arn(partition, path, name), "arn": arn(partition, path, name), "name": name, "path": path,
	"account": account, "partition": partition, "source": "authorization-details",
	"trustPolicy": {"at": ["AssumeRolePolicyDocument"], "version": "2012-10-17", "statements": [], "problems": [], "lossy": false},
}

arn(partition, path, name) := sprintf("arn:%s:iam::%s:role%s%s", [partition, account, path, name])

inv(role_arn, roles) := {
	"cluster": {"accountId": null, "oidcIssuer": null, "region": null, "partition": null},
	"serviceAccounts": {"kube-system/aws-load-balancer-controller": sa(role_arn)},
	"roles": {r.key: r | some r in roles},
	"podIdentityAssociations": {},
}

lbc := role("aws", "/", "AmazonEKSLoadBalancerControllerRole", 0)

ebs := role("aws", "/", "AmazonEKS_EBS_CSI_DriverRole", 1)

only(findings) := f if {
	count(findings) == 1
	some f in findings
}

# The seed: the annotation is cut short.
test_cut_short_name_fires_with_did_you_mean if {
	f := only(rule.deny) with input as inv(arn("aws", "/", "AmazonEKSLoadBalancerControll"), [lbc, ebs])
	f.ref == "sa.yaml#0"
	f.at == at
	startswith(f.message, `ServiceAccount kube-system/aws-load-balancer-controller: eks.amazonaws.com/role-arn "arn:aws:iam::743263909644:role/AmazonEKSLoadBalancerControll" names a role that does not exist in account 743263909644`)
	contains(f.message, "every AssumeRoleWithWebIdentity call from pods running as this ServiceAccount fails")
	contains(f.message, `Did you mean "arn:aws:iam::743263909644:role/AmazonEKSLoadBalancerControllerRole"? The annotation's role name looks cut short.`)
	f.related == [{"ref": "iam.json#0.RoleDetailList[0]", "at": ["Arn"], "message": "the role the annotation probably means"}]
}

test_existing_role_is_quiet if {
	count(rule.deny) == 0 with input as inv(lbc.arn, [lbc, ebs])
	reader := role("aws", "/team/app/", "reader", 2)
	count(rule.deny) == 0 with input as inv(reader.arn, [lbc, reader])
}

# A role path is part of the ARN; the same name under another
# path is another role.
test_missing_path_is_named if {
	reader := role("aws", "/team/app/", "reader", 2)
	f := only(rule.deny) with input as inv(arn("aws", "/", "reader"), [lbc, reader])
	contains(f.message, `Did you mean "arn:aws:iam::743263909644:role/team/app/reader"? A role of that name exists, but the annotation has no path (the role's path is /team/app/).`)
	f.related[0].ref == "iam.json#0.RoleDetailList[2]"
}

test_wrong_path_is_named if {
	reader := role("aws", "/team/app/", "reader", 2)
	f := only(rule.deny) with input as inv(arn("aws", "/team/", "reader"), [reader])
	contains(f.message, "the annotation has path /team/ instead of /team/app/.")
	g := only(rule.deny) with input as inv(arn("aws", "/eks/", "reader"), [role("aws", "/", "reader", 0)])
	contains(g.message, "the annotation has path /eks/, which the role does not have.")
}

test_other_case_is_named if {
	f := only(rule.deny) with input as inv(arn("aws", "/", "amazoneksloadbalancercontrollerrole"), [lbc, ebs])
	contains(f.message, `Did you mean "arn:aws:iam::743263909644:role/AmazonEKSLoadBalancerControllerRole"? A role of that name exists, but the annotation has the name in another case (role names are case-sensitive when a role is assumed: AmazonEKSLoadBalancerControllerRole).`)
}

test_other_partition_is_named if {
	f := only(rule.deny) with input as inv(arn("aws-cn", "/", "AmazonEKSLoadBalancerControllerRole"), [lbc, ebs])
	contains(f.message, "the annotation has partition aws-cn instead of aws.")
}

test_extra_characters_are_named if {
	cart := role("aws", "/", "cart", 0)
	f := only(rule.deny) with input as inv(arn("aws", "/", "cart-role"), [cart, ebs])
	contains(f.message, `Did you mean "arn:aws:iam::743263909644:role/cart"? The annotation's role name has "-role" too many at the end.`)
}

test_common_beginning_is_named if {
	prod := role("aws", "/", "orders-api-prod", 0)
	f := only(rule.deny) with input as inv(arn("aws", "/", "orders-api-prd"), [prod, ebs])
	contains(f.message, `Did you mean "arn:aws:iam::743263909644:role/orders-api-prod"? The names differ after the first 13 characters.`)
}

# The same name under another path beats a longer name sharing the
# beginning.
test_same_name_beats_longer_names if {
	cart_admin := role("aws", "/", "cart-admin", 0)
	cart := role("aws", "/shop/", "cart", 1)
	f := only(rule.deny) with input as inv(arn("aws", "/", "cart"), [cart_admin, cart])
	contains(f.message, `Did you mean "arn:aws:iam::743263909644:role/shop/cart"?`)
}

test_no_near_role_says_the_account_was_searched if {
	f := only(rule.deny) with input as inv(arn("aws", "/", "payments-writer"), [lbc, ebs])
	contains(f.message, "None of the account's 2 roles has a similar name: create the role or correct the ARN.")
	not f.related
}

# A short name is no prefix hint for a much longer one, and a short common
# beginning is no hint at all.
test_far_names_are_not_suggested if {
	admin := role("aws", "/", "administrator", 0)
	f := only(rule.deny) with input as inv(arn("aws", "/", "adm"), [admin])
	contains(f.message, "None of the account's 1 roles")
	g := only(rule.deny) with input as inv(arn("aws", "/", "cart-reader"), [role("aws", "/", "cart-writer", 0)])
	contains(g.message, "None of the account's 1 roles")
}

# Without the account's complete role list the role may well exist: the
# identities table reports it as unverified instead.
test_account_without_inventory_is_quiet if {
	count(rule.deny) == 0 with input as inv("arn:aws:iam::222233334444:role/reader", [lbc])
	single := object.union(lbc, {"source": "get-role"})
	count(rule.deny) == 0 with input as inv(arn("aws", "/", "AmazonEKSLoadBalancerControll"), [single])
}

test_list_roles_output_is_an_inventory if {
	listed := object.union(lbc, {"source": "list-roles", "ref": "roles.json#0.Roles[0]"})
	f := only(rule.deny) with input as inv(arn("aws", "/", "AmazonEKSLoadBalancerControll"), [listed])
	f.related == [{"ref": "roles.json#0.Roles[0]", "at": ["Arn"], "message": "the role the annotation probably means"}]
}

test_invalid_arn_is_left_to_role_arn_invalid if {
	count(rule.deny) == 0 with input as inv("arn:aws:iam::743263909644:role/AmazonEKSLoadBalancerControll\n", [lbc])
}

# The separator rule looks at the longer name, whichever side it is on.
test_cut_short_at_a_separator_is_named if {
	cart_role := role("aws", "/", "cart-role", 0)
	f := only(rule.deny) with input as inv(arn("aws", "/", "cart"), [cart_role])
	contains(f.message, `Did you mean "arn:aws:iam::743263909644:role/cart-role"? The annotation's role name looks cut short.`)
	zcart := role("aws", "/", "zcart", 0)
	g := only(rule.deny) with input as inv(arn("aws", "/", "zcart-reader-role"), [zcart])
	contains(g.message, `has "-reader-role" too many at the end`)
}

# With a Pod Identity association the annotation is not used.
test_pod_identity_association_is_quiet if {
	i := object.union(inv(arn("aws", "/", "AmazonEKSLoadBalancerControll"), [lbc]), {"podIdentityAssociations": {"kube-system/aws-load-balancer-controller": {"key": "kube-system/aws-load-balancer-controller"}}})
	count(rule.deny) == 0 with input as i
}
