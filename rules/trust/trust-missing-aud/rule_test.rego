package irsalint.rules.trust["trust-missing-aud_test"]

import data.irsalint.rules.trust["trust-missing-aud"] as rule

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

lbc := "system:serviceaccount:kube-system:aws-load-balancer-controller"

test_sub_without_aud_is_reported_at_the_condition if {
	f := only(rule.deny) with input as roles([allow([equals(sub, lbc)])])
	f.ref == "iam.json#doc.Role"
	f.at == ["Statement", 0, "Condition"]
	object.get(f, "severity", "low (the default)") == "low (the default)"
	contains(f.message, "role arn:aws:iam::743263909644:role/app: statement 1 checks the subject but not the audience")
	contains(f.message, `Add StringEquals "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56:aud": "sts.amazonaws.com" (or the ServiceAccount's eks.amazonaws.com/audience)`)
}

test_string_like_sub_without_aud_is_reported if {
	c := cond("StringLike", sub, ["system:serviceaccount:reports:*"], {"like": true})
	f := only(rule.deny) with input as roles([allow([c])])
	f.at == ["Statement", 0, "Condition"]
}

test_seed_policy_with_aud_is_quiet if {
	count(rule.deny) == 0 with input as roles([allow([equals(aud, "sts.amazonaws.com"), equals(sub, lbc)])])
}

test_any_aud_condition_counts if {
	c := cond("StringLike", upper(aud), ["sts.*"], {"like": true})
	count(rule.deny) == 0 with input as roles([allow([c, equals(sub, lbc)])])
}

test_aud_keyed_to_another_issuer_is_left_to_issuer_mismatch if {
	c := equals(sprintf("https://%s:aud", [issuer]), "sts.amazonaws.com")
	count(rule.deny) == 0 with input as roles([allow([c, equals(sub, lbc)])])
}

test_no_sub_is_trust_missing_subs_case if {
	count(rule.deny) == 0 with input as roles([allow([])])
}

test_permissive_sub_alone_is_trust_permissive_operators_case if {
	c := cond("StringNotEquals", sub, ["system:serviceaccount:a:evil"], {"negated": true})
	count(rule.deny) == 0 with input as roles([allow([c])])
}

test_github_audience_hint if {
	gh := object.union(fed("token.actions.githubusercontent.com", 0), {"keyPrefix": "token.actions.githubusercontent.com"})
	c := cond("StringLike", "token.actions.githubusercontent.com:sub", ["repo:acme-corp/storefront:*"], {"like": true})
	f := only(rule.deny) with input as roles([stmt(0, "Allow", [gh], [c])])
	contains(f.message, `Add StringEquals "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" (the audience aws-actions/configure-aws-credentials requests)`)
}

test_one_finding_per_statement_and_provider if {
	s2 := object.union(allow([equals(sub, lbc)]), {"index": 1, "conditionAt": ["Statement", 1, "Condition"]})
	findings := rule.deny with input as roles([allow([equals(sub, lbc)]), s2])
	count(findings) == 2
	{f.at | some f in findings} == {["Statement", 0, "Condition"], ["Statement", 1, "Condition"]}
}

test_lossy_policies_are_skipped if {
	lossy := json.patch(roles([allow([equals(sub, lbc)])]), [{"op": "replace", "path": "/roles/arn:aws:iam::743263909644:role~1app/trustPolicy/lossy", "value": true}])
	count(rule.deny) == 0 with input as lossy
}
