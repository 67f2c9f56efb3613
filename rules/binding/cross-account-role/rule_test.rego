package irsalint.rules.binding["cross-account-role_test"]

import data.irsalint.rules.binding["cross-account-role"] as rule

issuer := "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"

other_issuer := "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2F3E4A5B6C7D8E9F0A1B2C3D4E5F"

role_arn := "arn:aws:iam::222233334444:role/reports-reader"

sa := {
	"ref": "sa.yaml#0", "kind": "ServiceAccount", "namespace": "reports", "name": "reader", "key": "reports/reader",
	"declared": true, "labels": {}, "annotations": {"eks.amazonaws.com/role-arn": role_arn}, "usedBy": [], "at": [],
}

federated(i) := {
	"value": sprintf("arn:aws:iam::222233334444:oidc-provider/%s", [i]),
	"at": ["AssumeRolePolicyDocument", "Statement", 0, "Principal", "Federated"],
	"kind": "oidc", "issuer": i, "keyPrefix": lower(i), "partition": "aws", "account": "222233334444",
}

role(i) := {
	"ref": "iam.json#0.RoleDetailList[0]", "key": role_arn, "arn": role_arn, "name": "reports-reader", "path": "/",
	"account": "222233334444", "partition": "aws", "source": "authorization-details",
	"trustPolicy": {"at": ["AssumeRolePolicyDocument"], "version": "2012-10-17", "problems": [], "lossy": false, "statements": [{
		"index": 0, "at": ["AssumeRolePolicyDocument", "Statement", 0], "sid": null, "effect": "Allow",
		"principals": [{"type": "Federated", "value": federated(i).value, "at": federated(i).at}],
		"federated": [federated(i)], "actions": ["sts:assumerolewithwebidentity"], "notAction": false, "conditions": [],
	}]},
}

inv(account, configured, roles) := {
	"cluster": {"accountId": account, "oidcIssuer": configured, "region": "us-west-2", "partition": "aws"},
	"serviceAccounts": {"reports/reader": sa},
	"roles": roles,
	"podIdentityAssociations": {},
}

at := ["metadata", "annotations", "eks.amazonaws.com/role-arn"]

test_role_outside_the_scan_is_reported_low_without_related if {
	findings := rule.deny with input as inv("743263909644", issuer, {})
	count(findings) == 1
	some f in findings
	f.ref == "sa.yaml#0"
	f.at == at
	object.keys(f) == {"ref", "at", "message"}
	contains(f.message, "ServiceAccount reports/reader uses role arn:aws:iam::222233334444:role/reports-reader in account 222233334444, while the cluster runs in account 743263909644: cross-account IRSA.")
	contains(f.message, "listed for audits")
	contains(f.message, "not in the scan")
	not contains(f.message, "error")
}

test_trust_naming_this_cluster_points_at_the_federated_principal if {
	findings := rule.deny with input as inv("743263909644", issuer, {role_arn: role(issuer)})
	count(findings) == 1
	some f in findings
	f.at == at
	contains(f.message, sprintf("Its trust names the OIDC provider arn:aws:iam::222233334444:oidc-provider/%s, the one for this cluster's issuer.", [issuer]))
	f.related == [{
		"ref": "iam.json#0.RoleDetailList[0]",
		"at": ["AssumeRolePolicyDocument", "Statement", 0, "Principal", "Federated"],
		"message": sprintf("the role trusts the OIDC provider arn:aws:iam::222233334444:oidc-provider/%s here", [issuer]),
	}]
}

test_trust_naming_another_cluster_says_so if {
	some f in rule.deny with input as inv("743263909644", issuer, {role_arn: role(other_issuer)})
	contains(f.message, sprintf("whose issuer is not this cluster's (%s)", [issuer]))
	count(f.related) == 1
}

test_inferred_issuer_is_not_compared if {
	some f in rule.deny with input as inv("743263909644", null, {role_arn: role(issuer)})
	contains(f.message, "this cluster's issuer is not known")
	contains(f.message, "--oidc-issuer")
}

test_trust_without_eks_provider_says_so if {
	ec2 := object.union(role(issuer), {"trustPolicy": {"statements": [{
		"index": 0, "at": ["AssumeRolePolicyDocument", "Statement", 0], "sid": null, "effect": "Allow",
		"principals": [{"type": "Service", "value": "ec2.amazonaws.com", "at": ["x"]}],
		"federated": [], "actions": ["sts:assumerole"], "notAction": false, "conditions": [],
	}]}})
	some f in rule.deny with input as inv("743263909644", issuer, {role_arn: ec2})
	contains(f.message, "names no EKS cluster's OIDC provider")
	not f.related
}

test_same_account_is_quiet if {
	count(rule.deny) == 0 with input as inv("222233334444", issuer, {role_arn: role(issuer)})
}

# Without the cluster's account there is nothing to compare with.
test_unknown_cluster_account_is_quiet if {
	count(rule.deny) == 0 with input as inv(null, issuer, {})
}

# A Pod Identity association wins over the annotation; the annotated
# role is not used.
test_pod_identity_association_is_quiet if {
	i := object.union(inv("743263909644", issuer, {}), {"podIdentityAssociations": {"reports/reader": {"key": "reports/reader", "roleArn": "arn:aws:iam::743263909644:role/reader"}}})
	count(rule.deny) == 0 with input as i
}

test_invalid_arn_is_quiet if {
	bad := object.union(sa, {"annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::2222333344:role/x"}})
	count(rule.deny) == 0 with input as object.union(inv("743263909644", issuer, {}), {"serviceAccounts": {"reports/reader": bad}})
}
