package irsalint.rules.binding["trust-does-not-admit-sa_test"]

import data.irsalint.rules.binding["trust-does-not-admit-sa"] as rule

# --- Inputs shaped like `irsalint inventory` output ----------------------------

issuer := "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"

other_issuer := "oidc.eks.us-west-2.amazonaws.com/id/5C1D2F3E4A5B6C7D8E9F0A1B2C3D4E5F"

role_arn := "arn:aws:iam::743263909644:role/cart"

annotation_at := ["metadata", "annotations", "eks.amazonaws.com/role-arn"]

audience_at := ["metadata", "annotations", "eks.amazonaws.com/audience"]

sa_with(ns, name, annotations) := {
	"ref": "sa.yaml#0", "kind": "ServiceAccount", "namespace": ns, "name": name, "key": sprintf("%s/%s", [ns, name]),
	"declared": true, "labels": {}, "annotations": object.union({"eks.amazonaws.com/role-arn": role_arn}, annotations),
	"usedBy": [], "at": [],
}

shop_cart := sa_with("shop", "cart", {})

statement_at(i) := ["AssumeRolePolicyDocument", "Statement", i]

# cond is a positive String condition of statement i on "<iss>:<claim>".
cond(op, iss, claim, values, i) := {
	"operator": op, "written": op, "base": op, "family": "String",
	"negated": false, "like": op == "StringLike", "ignoreCase": false, "ifExists": false, "qualifier": null,
	"key": lower(sprintf("%s:%s", [iss, claim])), "keyWritten": sprintf("%s:%s", [iss, claim]),
	"values": values,
	"at": array.concat(statement_at(i), ["Condition", op, sprintf("%s:%s", [iss, claim])]),
	"operatorAt": array.concat(statement_at(i), ["Condition", op]),
}

sub(values, i) := cond("StringEquals", issuer, "sub", values, i)

aud(values, i) := cond("StringEquals", issuer, "aud", values, i)

federated(iss, i) := {
	"value": sprintf("arn:aws:iam::743263909644:oidc-provider/%s", [iss]),
	"at": array.concat(statement_at(i), ["Principal", "Federated"]),
	"kind": "oidc", "issuer": iss, "keyPrefix": lower(iss), "partition": "aws", "account": "743263909644",
}

statement(i, effect, iss, conditions) := {
	"index": i, "at": statement_at(i), "sid": null, "effect": effect, "effectAt": array.concat(statement_at(i), ["Effect"]),
	"principals": [{"type": "Federated", "value": federated(iss, i).value, "at": federated(iss, i).at}],
	"principalAt": array.concat(statement_at(i), ["Principal"]), "notPrincipal": false,
	"federated": [federated(iss, i)],
	"actions": ["sts:assumerolewithwebidentity"], "actionAt": array.concat(statement_at(i), ["Action"]), "notAction": false,
	"conditions": conditions, "conditionAt": array.concat(statement_at(i), ["Condition"]),
}

# allow is the canonical statement 0 for this cluster with one sub value.
allow(subject) := statement(0, "Allow", issuer, [aud(["sts.amazonaws.com"], 0), sub([subject], 0)])

service_statement(service) := {
	"index": 0, "at": statement_at(0), "sid": null, "effect": "Allow", "effectAt": array.concat(statement_at(0), ["Effect"]),
	"principals": [{"type": "Service", "value": service, "at": array.concat(statement_at(0), ["Principal", "Service"])}],
	"principalAt": array.concat(statement_at(0), ["Principal"]), "notPrincipal": false, "federated": [],
	"actions": ["sts:assumerole", "sts:tagsession"], "actionAt": array.concat(statement_at(0), ["Action"]), "notAction": false,
	"conditions": [], "conditionAt": array.concat(statement_at(0), ["Condition"]),
}

role(statements) := {
	"ref": "iam.json#0.RoleDetailList[0]", "key": role_arn, "arn": role_arn, "name": "cart", "path": "/",
	"account": "743263909644", "partition": "aws", "source": "authorization-details",
	"attachedPolicies": [], "inlinePolicies": [], "tags": {},
	"trustPolicy": {"at": ["AssumeRolePolicyDocument"], "version": "2012-10-17", "statements": statements, "problems": [], "lossy": false},
}

inv_with(sa, r, configured) := {
	"cluster": {"oidcIssuer": configured, "accountId": "743263909644", "region": "us-west-2", "partition": "aws"},
	"serviceAccounts": {sa.key: sa},
	"roles": {role_arn: r},
	"podIdentityAssociations": {},
}

inv(r) := inv_with(shop_cart, r, issuer)

only(findings) := f if {
	count(findings) == 1
	some f in findings
}

# --- The acceptance case and the near misses -----------------------

test_other_namespace_fires_with_did_you_mean if {
	f := only(rule.deny) with input as inv(role([allow("system:serviceaccount:checkout:cart")]))
	f.ref == "sa.yaml#0"
	f.at == annotation_at
	object.keys(f) == {"ref", "at", "message", "related"}
	startswith(f.message, "ServiceAccount shop/cart is annotated with arn:aws:iam::743263909644:role/cart, but the role's trust policy does not admit system:serviceaccount:shop:cart: for this cluster's provider it admits only checkout/cart.")
	contains(f.message, "Did you mean namespace checkout?")
	contains(f.message, "either the ServiceAccount is in the wrong namespace or the trust names the wrong one")
	contains(f.message, "AccessDenied")
	not contains(f.message, "inferred")
	f.related == [{
		"ref": "iam.json#0.RoleDetailList[0]",
		"at": sub([], 0).at,
		"message": sprintf("this StringEquals condition on %s:sub does not match system:serviceaccount:shop:cart", [issuer]),
	}]
}

test_admitted_service_account_is_quiet if {
	count(rule.deny) == 0 with input as inv(role([allow("system:serviceaccount:shop:cart")]))
}

# Condition key names are case-insensitive (the inventory lower-cases
# them), so an upper-case key still matches.
test_upper_case_condition_key_is_admitted if {
	upper_key := object.union(sub(["system:serviceaccount:shop:cart"], 0), {"keyWritten": upper(issuer)})
	r := role([statement(0, "Allow", issuer, [aud(["sts.amazonaws.com"], 0), upper_key])])
	count(rule.deny) == 0 with input as inv(r)
}

test_plural_serviceaccounts_is_the_group_not_the_subject if {
	f := only(rule.deny) with input as inv(role([allow("system:serviceaccounts:shop:cart")]))
	contains(f.message, `it admits only "system:serviceaccounts:shop:cart"`)
	contains(f.message, `Did you mean "system:serviceaccount:shop:cart"? The trust's value "system:serviceaccounts:shop:cart" says serviceaccounts (plural)`)
	contains(f.message, "the group of all service accounts")
}

test_trailing_and_leading_spaces_are_named if {
	f := only(rule.deny) with input as inv(role([allow("system:serviceaccount:shop:cart ")]))
	contains(f.message, `The trust's value "system:serviceaccount:shop:cart " has a trailing space.`)
	g := only(rule.deny) with input as inv(role([allow(" system:serviceaccount:shop:cart")]))
	contains(g.message, "has a leading space")
}

# Kubernetes names are lower case; StringEquals is case-sensitive.
test_upper_case_value_never_matches if {
	f := only(rule.deny) with input as inv(role([allow("system:serviceaccount:Shop:Cart")]))
	contains(f.message, `Did you mean "system:serviceaccount:shop:cart"?`)
	contains(f.message, "has upper-case letters: Kubernetes names are lower case and StringEquals is case-sensitive")
}

test_several_spelling_problems_are_all_named if {
	f := only(rule.deny) with input as inv(role([allow("system:serviceaccounts:shop:Cart ")]))
	contains(f.message, "says serviceaccounts (plural)")
	contains(f.message, " and has a trailing space and has upper-case letters")
}

test_other_name_in_the_same_namespace if {
	f := only(rule.deny) with input as inv(role([allow("system:serviceaccount:shop:checkout")]))
	contains(f.message, "it admits only shop/checkout.")
	contains(f.message, "The trust names checkout, another ServiceAccount in the same namespace")
}

# A near spelling beats a same-name-other-namespace hint.
test_spelling_hint_comes_first if {
	r := role([statement(0, "Allow", issuer, [aud(["sts.amazonaws.com"], 0), sub(["system:serviceaccount:checkout:cart", "system:serviceaccount:shop:cart "], 0)])])
	f := only(rule.deny) with input as inv(r)
	contains(f.message, `it admits only "system:serviceaccount:shop:cart ", checkout/cart.`)
	contains(f.message, "has a trailing space")
	not contains(f.message, "Did you mean namespace")
}

# * is literal under StringEquals.
test_wildcard_under_string_equals_is_literal if {
	f := only(rule.deny) with input as inv(role([allow("system:serviceaccount:shop:*")]))
	contains(f.message, "it admits no ServiceAccount by name")
	contains(f.message, `The trust's value "system:serviceaccount:shop:*" would match under StringLike, but StringEquals compares * and ? literally.`)
}

test_string_like_pattern_for_another_namespace_names_its_scope if {
	like := cond("StringLike", issuer, "sub", ["system:serviceaccount:jobs:*"], 0)
	r := role([statement(0, "Allow", issuer, [aud(["sts.amazonaws.com"], 0), like])])
	f := only(rule.deny) with input as inv(r)
	contains(f.message, `it admits only "system:serviceaccount:jobs:*" (every service account in namespace jobs).`)
	f.related[0].at == like.at
}

test_string_like_pattern_that_matches_is_quiet if {
	like := cond("StringLike", issuer, "sub", ["system:serviceaccount:shop:*"], 0)
	r := role([statement(0, "Allow", issuer, [aud(["sts.amazonaws.com"], 0), like])])
	count(rule.deny) == 0 with input as inv(r)
}

# --- Deny, issuers, audiences --------------------------------------------------

# An explicit Deny beats the Allow that admits the subject.
test_explicit_deny_is_named if {
	deny_all := object.union(
		statement(1, "Deny", issuer, [cond("StringLike", issuer, "sub", ["system:serviceaccount:*"], 1)]),
		{"sid": "DenyEveryServiceAccount"},
	)
	r := role([allow("system:serviceaccount:shop:cart"), deny_all])
	f := only(rule.deny) with input as inv(r)
	f.at == annotation_at
	contains(f.message, `system:serviceaccount:shop:cart is denied by an explicit Deny in statement "DenyEveryServiceAccount" of the role's trust policy, which overrides the Allow that admits it.`)
	f.related[0].at == statement_at(1)
	f.related[0].message == "this Deny statement matches system:serviceaccount:shop:cart"
}

test_deny_for_another_subject_is_quiet if {
	deny_other := statement(1, "Deny", issuer, [cond("StringEquals", issuer, "sub", ["system:serviceaccount:kube-system:evil"], 1)])
	count(rule.deny) == 0 with input as inv(role([allow("system:serviceaccount:shop:cart"), deny_other]))
}

test_trust_keyed_to_another_cluster_names_both_issuers if {
	r := role([statement(0, "Allow", other_issuer, [
		cond("StringEquals", other_issuer, "aud", ["sts.amazonaws.com"], 0),
		cond("StringEquals", other_issuer, "sub", ["system:serviceaccount:shop:cart"], 0),
	])])
	f := only(rule.deny) with input as inv(r)
	contains(f.message, sprintf("the role's trust policy is keyed to another cluster: it trusts the OIDC provider of issuer %s, not this cluster's issuer %s.", [other_issuer, issuer]))
	contains(f.message, sprintf("It would admit this ServiceAccount on the cluster with issuer %s", [other_issuer]))
	f.related[0].at == federated(other_issuer, 0).at
}

# Plain StringEquals: the Federated principal is this
# cluster's, but the sub key names another cluster's issuer.
test_condition_key_of_another_issuer_is_always_false if {
	wrong := cond("StringEquals", other_issuer, "sub", ["system:serviceaccount:shop:cart"], 0)
	r := role([statement(0, "Allow", issuer, [aud(["sts.amazonaws.com"], 0), wrong])])
	f := only(rule.deny) with input as inv(r)
	contains(f.message, sprintf("conditions on key %q, which names another issuer than the trusted provider's (%s)", [wrong.keyWritten, issuer]))
	contains(f.message, sprintf("Write %q.", [sprintf("%s:sub", [issuer])]))
	f.related[0].at == wrong.at
}

test_inferred_issuer_is_said if {
	f := only(rule.deny) with input as inv_with(shop_cart, role([allow("system:serviceaccount:checkout:cart")]), null)
	contains(f.message, sprintf("(The cluster's issuer was inferred from the role's trust policy: %s; pass --oidc-issuer to be sure.)", [issuer]))
}

test_custom_audience_not_in_the_trust_points_at_the_audience_annotation if {
	vault := sa_with("shop", "cart", {"eks.amazonaws.com/audience": "vault"})
	f := only(rule.deny) with input as inv_with(vault, role([allow("system:serviceaccount:shop:cart")]), issuer)
	f.at == audience_at
	contains(f.message, `statement 1 of the role's trust policy requires the audience "sts.amazonaws.com", while this ServiceAccount's tokens carry "vault" (its eks.amazonaws.com/audience annotation)`)
	f.related[0].at == aud([], 0).at
	contains(f.message, `Either add "vault" to the trust's aud values or remove the annotation.`)
}

test_custom_audience_in_the_trust_is_quiet if {
	vault := sa_with("shop", "cart", {"eks.amazonaws.com/audience": "vault"})
	r := role([statement(0, "Allow", issuer, [aud(["vault"], 0), sub(["system:serviceaccount:shop:cart"], 0)])])
	count(rule.deny) == 0 with input as inv_with(vault, r, issuer)
}

test_trust_requiring_a_custom_audience_points_at_the_role_annotation if {
	r := role([statement(0, "Allow", issuer, [aud(["vault"], 0), sub(["system:serviceaccount:shop:cart"], 0)])])
	f := only(rule.deny) with input as inv(r)
	f.at == annotation_at
	contains(f.message, `carry "sts.amazonaws.com" (the default; set eks.amazonaws.com/audience to change it)`)
}

# --- Statements ----------------------------------------------------------------

# The union of statements decides; one admitting
# statement is enough.
test_second_statement_admits if {
	r := role([allow("system:serviceaccount:checkout:cart"), statement(1, "Allow", issuer, [sub(["system:serviceaccount:shop:cart"], 1)])])
	count(rule.deny) == 0 with input as inv(r)
}

# The closest statement (fewest failing conditions) is the one explained.
test_closest_statement_is_explained if {
	far := statement(0, "Allow", issuer, [aud(["vault"], 0), sub(["system:serviceaccount:a:b"], 0)])
	near := statement(1, "Allow", issuer, [aud(["sts.amazonaws.com"], 1), sub(["system:serviceaccount:checkout:cart"], 1)])
	f := only(rule.deny) with input as inv(role([far, near]))
	f.related[0].at == sub([], 1).at
	contains(f.message, "it admits only a/b, checkout/cart.")
	contains(f.message, "Did you mean namespace checkout?")
}

test_no_web_identity_statement_for_this_cluster if {
	f := only(rule.deny) with input as inv(role([service_statement("ec2.amazonaws.com")]))
	contains(f.message, sprintf("the role's trust policy has no web-identity statement for this cluster's OIDC provider (issuer %s; it trusts Service ec2.amazonaws.com)", [issuer]))
	f.related[0].at == ["AssumeRolePolicyDocument"]
}

test_pod_identity_role_suggests_an_association if {
	f := only(rule.deny) with input as inv(role([service_statement("pods.eks.amazonaws.com")]))
	contains(f.message, "create a Pod Identity association for this ServiceAccount instead of the annotation")
}

test_federated_statement_without_the_web_identity_action if {
	wrong_action := object.union(allow("system:serviceaccount:shop:cart"), {"actions": ["sts:assumerole"]})
	f := only(rule.deny) with input as inv(role([wrong_action]))
	contains(f.message, "does not allow sts:AssumeRoleWithWebIdentity")
	f.related[0].at == array.concat(statement_at(0), ["Action"])
}

# Without a configured issuer and with a role that trusts no EKS provider:
# a role with no web-identity statement at all cannot work for any cluster.
test_unknown_issuer_and_no_web_identity_fires if {
	f := only(rule.deny) with input as inv_with(shop_cart, role([service_statement("ec2.amazonaws.com")]), null)
	contains(f.message, "has no web-identity statement for any cluster's OIDC provider (it trusts Service ec2.amazonaws.com)")
	not contains(f.message, "inferred")
}

# A non-EKS OIDC provider may be a self-managed cluster's issuer: without a
# configured issuer, no claim is made.
test_unknown_issuer_and_self_managed_provider_is_quiet if {
	self_managed := "s3.us-west-2.amazonaws.com/kops-oidc-store"
	r := role([statement(0, "Allow", self_managed, [cond("StringEquals", self_managed, "sub", ["system:serviceaccount:checkout:cart"], 0)])])
	count(rule.deny) == 0 with input as inv_with(shop_cart, r, null)
}

# --- Skipped links ---------------------------------------------------------------

# A Pod Identity association wins; IRSA is not used.
test_pod_identity_association_is_quiet if {
	i := object.union(inv(role([allow("system:serviceaccount:checkout:cart")])), {"podIdentityAssociations": {"shop/cart": {"key": "shop/cart", "roleArn": "arn:aws:iam::743263909644:role/cart-pod-identity"}}})
	count(rule.deny) == 0 with input as i
}

test_role_outside_the_scan_is_quiet if {
	i := object.union(object.remove(inv(role([allow("system:serviceaccount:checkout:cart")])), ["roles"]), {"roles": {}})
	count(rule.deny) == 0 with input as i
}

test_lossy_trust_is_left_to_trust_policy_malformed if {
	r := role([allow("system:serviceaccount:checkout:cart")])
	lossy := object.union(r, {"trustPolicy": {"lossy": true}})
	count(rule.deny) == 0 with input as inv(lossy)
}

# Principal "*" with web identity and conditions on this
# cluster's claims admits the pod like a Federated principal would.
wildcard_statement(subject) := object.union(allow(subject), {
	"principals": [{"type": "*", "value": "*", "at": array.concat(statement_at(0), ["Principal"])}],
	"federated": [],
})

test_wildcard_principal_is_evaluated_with_its_conditions if {
	count(rule.deny) == 0 with input as inv(role([wildcard_statement("system:serviceaccount:shop:cart")]))
	f := only(rule.deny) with input as inv(role([wildcard_statement("system:serviceaccount:checkout:cart")]))
	contains(f.message, "it admits only checkout/cart.")
	f.related[0].at == sub([], 0).at
}

# Without a configured issuer such a role names no provider to infer the
# issuer from: no claim is made.
test_wildcard_principal_without_issuer_is_quiet if {
	count(rule.deny) == 0 with input as inv_with(shop_cart, role([wildcard_statement("system:serviceaccount:checkout:cart")]), null)
}

# A trust is judged only through a ServiceAccount annotated with its role:
# a role nobody uses, admitting a ServiceAccount the scan lacks, is
# orphan-trust's business.
test_role_no_service_account_uses_is_quiet if {
	used := role([allow("system:serviceaccount:shop:cart")])
	unused := object.union(role([allow("system:serviceaccount:old-ns:old-sa")]), {"key": "arn:aws:iam::743263909644:role/old", "arn": "arn:aws:iam::743263909644:role/old"})
	i := object.union(inv(used), {"roles": {"arn:aws:iam::743263909644:role/old": unused}})
	count(i.roles) == 2
	count(rule.deny) == 0 with input as i
}

test_trusted_principals_are_listed_sorted if {
	ec2 := service_statement("ec2.amazonaws.com")
	everyone := object.union(service_statement("x"), {"index": 1, "principals": [{"type": "*", "value": "*", "at": ["p"]}]})
	f := only(rule.deny) with input as inv(role([ec2, everyone]))
	contains(f.message, `(issuer oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56; it trusts "*" (everyone), Service ec2.amazonaws.com)`)
}
