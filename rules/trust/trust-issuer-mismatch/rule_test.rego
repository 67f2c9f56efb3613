package irsalint.rules.trust["trust-issuer-mismatch_test"]

import data.irsalint.rules.trust["trust-issuer-mismatch"] as rule

# Hand-built inventory entries in the shape `irsalint inventory` prints.

issuer := "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"

other_issuer := "oidc.eks.us-west-2.amazonaws.com/id/5E8B3C0A7D2F4916B1C6E0A9D3F7B248"

provider(iss) := sprintf("arn:aws:iam::743263909644:oidc-provider/%s", [iss])

fed(iss, i) := {
	"value": provider(iss), "kind": "oidc", "issuer": iss, "keyPrefix": lower(iss),
	"partition": "aws", "account": "743263909644", "at": ["Statement", i, "Principal", "Federated"],
}

cond(op, key, values, extra) := object.union(
	{
		"operator": op, "base": op, "family": "String", "negated": false, "like": false,
		"ignoreCase": false, "ifExists": false, "qualifier": null, "key": lower(key),
		"keyWritten": key, "values": values, "at": ["Statement", 0, "Condition", op, key],
	},
	extra,
)

equals(key, v) := cond("StringEquals", key, [v], {})

aud := sprintf("%s:aud", [issuer])

sub := sprintf("%s:sub", [issuer])

stmt(i, effect, feds, conditions) := {
	"index": i, "sid": null, "effect": effect, "at": ["Statement", i],
	"conditionAt": ["Statement", i, "Condition"],
	"principals": [{"type": "Federated", "value": f.value, "at": f.at} | some f in feds],
	"principalAt": ["Statement", i, "Principal"],
	"actions": ["sts:assumerolewithwebidentity"], "actionAt": ["Statement", i, "Action"], "notAction": false,
	"conditions": conditions, "federated": feds,
}

allow(conditions) := stmt(0, "Allow", [fed(issuer, 0)], conditions)

# no_condition is a statement without a Condition element.
no_condition(i) := object.remove(stmt(i, "Allow", [fed(issuer, i)], []), ["conditionAt"])

roles(statements) := {"roles": {"arn:aws:iam::743263909644:role/app": {
	"ref": "iam.json#doc.Role", "key": "arn:aws:iam::743263909644:role/app",
	"arn": "arn:aws:iam::743263909644:role/app", "name": "app", "source": "get-role",
	"trustPolicy": {"at": ["AssumeRolePolicyDocument"], "version": "2012-10-17", "lossy": false, "problems": [], "statements": statements},
}}}

only(findings) := f if {
	count(findings) == 1
	some f in findings
}

with_cluster(doc, iss) := object.union(doc, {"cluster": {"oidcIssuer": iss}})

keyed(prefix, claim) := sprintf("%s:%s", [prefix, claim])

test_https_prefix_under_string_equals_is_high if {
	k := keyed(concat("", ["https://", issuer]), "sub")
	f := only(rule.deny) with input as roles([allow([equals(aud, "sts.amazonaws.com"), equals(k, "system:serviceaccount:a:b")])])
	f.severity == "high"
	f.ref == "iam.json#doc.Role"
	f.at == ["Statement", 0, "Condition", "StringEquals", k]
	contains(f.message, sprintf("has condition key %q, but the statement's Federated provider has issuer %s (the key starts with https://)", [k, issuer]))
	contains(f.message, "StringEquals is always false and the statement never matches")
	contains(f.message, sprintf("Write %q.", [sub]))
	f.related == [{"ref": "iam.json#doc.Role", "at": ["Statement", 0, "Principal", "Federated"], "message": sprintf("the Federated provider trusted here has issuer %s", [issuer])}]
}

test_trailing_slash_is_named if {
	f := only(rule.deny) with input as roles([allow([equals(keyed(concat("", [issuer, "/"]), "sub"), "system:serviceaccount:a:b")])])
	contains(f.message, "(the key ends with a slash)")
}

test_scheme_and_trailing_slash_are_named_together if {
	f := only(rule.deny) with input as roles([allow([equals(keyed(concat("", ["https://", issuer, "/"]), "aud"), "sts.amazonaws.com")])])
	contains(f.message, "(the key starts with https:// and ends with a slash)")
	contains(f.message, sprintf("Write %q.", [aud]))
}

test_region_typo_is_named if {
	typo := replace(issuer, "us-west-2", "us-east-2")
	f := only(rule.deny) with input as roles([allow([equals(keyed(typo, "sub"), "system:serviceaccount:a:b")])])
	contains(f.message, "the key has a region typo: us-east-2 instead of us-west-2, same cluster ID")
}

test_another_cluster_is_named if {
	f := only(rule.deny) with input as roles([allow([equals(keyed(other_issuer, "sub"), "system:serviceaccount:a:b")])])
	contains(f.message, "the key names another EKS cluster's issuer in the same region: ID 5E8B3C0A7D2F4916B1C6E0A9D3F7B248, not 1029FF88CB872B6B7A1CC65D44191A56")
}

test_another_cluster_elsewhere_is_named if {
	elsewhere := "oidc.eks.eu-west-1.amazonaws.com/id/AAAABBBBCCCCDDDDEEEEFFFF00001111"
	f := only(rule.deny) with input as roles([allow([equals(keyed(elsewhere, "sub"), "system:serviceaccount:a:b")])])
	contains(f.message, "region eu-west-1 and ID AAAABBBBCCCCDDDDEEEEFFFF00001111, not us-west-2 and 1029FF88CB872B6B7A1CC65D44191A56")
}

test_another_provider_is_named if {
	f := only(rule.deny) with input as roles([allow([cond("StringLike", "token.actions.githubusercontent.com:sub", ["repo:acme-corp/storefront:*"], {"like": true})])])
	f.severity == "high"
	contains(f.message, "the key names another provider altogether")
}

test_same_host_other_path_is_named if {
	f := only(rule.deny) with input as roles([allow([equals("oidc.eks.us-west-2.amazonaws.com/1029FF88CB872B6B7A1CC65D44191A56:sub", "system:serviceaccount:a:b")])])
	contains(f.message, `the key has the same host but the path "/1029ff88cb872b6b7a1cc65d44191a56" instead of "/id/1029ff88cb872b6b7a1cc65d44191a56"`)
}

# Case 20: IfExists on another cluster's key passes; nothing else restricts sub.
test_case20_if_exists_with_nothing_else_is_critical if {
	c := cond("StringEqualsIfExists", keyed(other_issuer, "sub"), ["system:serviceaccount:a:b"], {"ifExists": true})
	f := only(rule.deny) with input as roles([allow([equals(aud, "sts.amazonaws.com"), c])])
	f.severity == "critical"
	contains(f.message, "StringEqualsIfExists always passes, and nothing else in the statement restricts the subject: every service account of the EKS cluster with OIDC issuer oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56 can assume the role")
}

test_negated_with_nothing_else_is_critical if {
	c := cond("StringNotEquals", keyed(other_issuer, "sub"), ["system:serviceaccount:a:evil"], {"negated": true})
	f := only(rule.deny) with input as roles([allow([c])])
	f.severity == "critical"
}

test_vacuous_condition_next_to_exact_sub_is_medium if {
	c := cond("StringEqualsIfExists", keyed(other_issuer, "sub"), ["system:serviceaccount:a:b"], {"ifExists": true})
	f := only(rule.deny) with input as roles([allow([equals(aud, "sts.amazonaws.com"), equals(sub, "system:serviceaccount:a:b"), c])])
	f.severity == "medium"
	contains(f.message, "it restricts nothing")
}

# Null "false" needs the key present: on a key that is never there it fails.
test_null_false_on_another_issuers_key_is_high if {
	c := cond("Null", keyed(other_issuer, "sub"), ["false"], {"family": "Null", "base": "Null"})
	f := only(rule.deny) with input as roles([allow([c])])
	f.severity == "high"
}

# Case 16: key names are case-insensitive.
test_case16_upper_case_key_of_the_right_issuer_is_quiet if {
	count(rule.deny) == 0 with input as roles([allow([
		equals(upper(aud), "sts.amazonaws.com"),
		equals(upper(sub), "system:serviceaccount:kube-system:aws-load-balancer-controller"),
	])])
}

test_global_and_service_keys_are_quiet if {
	count(rule.deny) == 0 with input as roles([allow([
		equals(sub, "system:serviceaccount:a:b"),
		equals("aws:RequestTag/app.example.com:team", "payments"),
		equals("sts:ExternalId", "x.y"),
		equals("aws:SourceIp", "10.0.0.1"),
	])])
}

test_key_of_a_second_provider_of_the_statement_is_quiet if {
	s := stmt(0, "Allow", [fed(issuer, 0), fed(other_issuer, 0)], [equals(keyed(other_issuer, "sub"), "system:serviceaccount:a:b")])
	count(rule.deny) == 0 with input as roles([s])
}

test_cluster_issuer_other_than_the_provider_is_high_at_the_principal if {
	doc := with_cluster(roles([stmt(0, "Allow", [fed(other_issuer, 0)], [equals(keyed(other_issuer, "sub"), "system:serviceaccount:a:b")])]), issuer)
	f := only(rule.deny) with input as doc
	f.severity == "high"
	f.at == ["Statement", 0, "Principal", "Federated"]
	contains(f.message, sprintf("trusts the OIDC provider of the EKS cluster with issuer %s, but the cluster being linted has issuer %s", [other_issuer, issuer]))
	contains(f.message, sprintf("Trust this cluster's provider instead (arn:aws:iam::743263909644:oidc-provider/%s)", [issuer]))
}

test_cluster_issuer_compares_case_insensitively if {
	count(rule.deny) == 0 with input as with_cluster(roles([allow([equals(sub, "system:serviceaccount:a:b")])]), lower(issuer))
}

test_cluster_issuer_is_not_checked_on_account_wide_sources if {
	doc := with_cluster(roles([stmt(0, "Allow", [fed(other_issuer, 0)], [equals(keyed(other_issuer, "sub"), "system:serviceaccount:a:b")])]), issuer)
	details := json.patch(doc, [{"op": "replace", "path": "/roles/arn:aws:iam::743263909644:role~1app/source", "value": "authorization-details"}])
	count(rule.deny) == 0 with input as details
}

test_role_trusting_this_cluster_and_another_is_quiet if {
	green := allow([equals(sub, "system:serviceaccount:a:b")])
	blue := stmt(1, "Allow", [fed(other_issuer, 1)], [object.union(equals(keyed(other_issuer, "sub"), "system:serviceaccount:a:b"), {"at": ["Statement", 1]})])
	count(rule.deny) == 0 with input as with_cluster(roles([green, blue]), issuer)
}

test_unknown_cluster_issuer_is_quiet if {
	doc := roles([stmt(0, "Allow", [fed(other_issuer, 0)], [equals(keyed(other_issuer, "sub"), "system:serviceaccount:a:b")])])
	count(rule.deny) == 0 with input as with_cluster(doc, null)
}

test_lossy_policies_are_skipped if {
	lossy := json.patch(roles([allow([equals(keyed(other_issuer, "sub"), "x")])]), [{"op": "replace", "path": "/roles/arn:aws:iam::743263909644:role~1app/trustPolicy/lossy", "value": true}])
	count(rule.deny) == 0 with input as lossy
}

test_saml_provider_of_the_same_statement_is_not_the_blast_radius if {
	saml := {"value": "arn:aws:iam::743263909644:saml-provider/Okta", "kind": "saml", "issuer": "Okta", "keyPrefix": "saml", "partition": "aws", "account": "743263909644", "at": ["Statement", 0, "Principal", "Federated", 0]}
	c := cond("StringEqualsIfExists", keyed(other_issuer, "sub"), ["system:serviceaccount:a:b"], {"ifExists": true})
	s := object.union(stmt(0, "Allow", [saml, fed(issuer, 0)], [c, equals("SAML:aud", "https://signin.aws.amazon.com/saml")]), {"actions": ["sts:assumerolewithwebidentity", "sts:assumerolewithsaml"]})
	f := only(rule.deny) with input as roles([s])
	f.severity == "medium"
	contains(f.message, sprintf("the statement's Federated provider has issuer %s", [issuer]))
}
