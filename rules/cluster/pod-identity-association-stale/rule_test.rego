package irsalint.rules.cluster["pod-identity-association-stale_test"]

import data.irsalint.rules.cluster["pod-identity-association-stale"] as rule

assoc(ns, name) := {
	"ref": sprintf("a-%s-%s", [ns, name]), "namespace": ns, "serviceAccount": name, "key": sprintf("%s/%s", [ns, name]),
	"roleArn": "arn:aws:iam::111122223333:role/cart", "associationArn": sprintf("arn:aws:eks:us-west-2:111122223333:podidentityassociation/demo/a-%s", [name]),
}

sa(ns, name, annotations) := {"ref": sprintf("sa-%s", [name]), "key": sprintf("%s/%s", [ns, name]), "name": name, "namespace": ns, "kind": "ServiceAccount", "declared": true, "annotations": annotations}

inv(complete, assocs) := {
	"facts": {"clusterObjectsComplete": complete},
	"namespaces": {"shop": {"name": "shop", "declared": true}, "ghost": {"name": "ghost", "declared": false}},
	"serviceAccounts": {"shop/cart": sa("shop", "cart", {}), "shop/feed": sa("shop", "feed", {"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/feed"})},
	"podIdentityAssociations": {a.key: a | some a in assocs},
}

test_a_missing_service_account_or_namespace_is_stale if {
	findings := rule.deny with input as inv(true, [assoc("shop", "cart"), assoc("shop", "carts"), assoc("ghost", "x"), assoc("shop", "default")])
	{f.ref | some f in findings} == {"a-shop-carts", "a-ghost-x"}
	some f in findings
	f.ref == "a-shop-carts"
	contains(f.message, "namespace shop has no ServiceAccount carts")
	some g in findings
	g.ref == "a-ghost-x"
	contains(g.message, "the cluster has no namespace ghost")
}

test_without_complete_cluster_objects_missing_ones_are_not_judged if {
	count(rule.deny) == 0 with input as inv(false, [assoc("shop", "carts")])
}

test_an_association_over_an_irsa_annotation_is_reported_either_way if {
	findings := rule.deny with input as inv(false, [assoc("shop", "feed")])
	count(findings) == 1
	some f in findings
	contains(f.message, "also annotated with IRSA role arn:aws:iam::111122223333:role/feed: Pod Identity takes precedence")
	f.related[0].ref == "sa-feed"
}
