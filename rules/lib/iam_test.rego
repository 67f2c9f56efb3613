package irsalint.lib.iam_test

import data.irsalint.lib.iam

# Hand-normalized conditions, as analyzer/iam writes them. The end-to-end
# verdicts on whole policy documents are in
# rules/iam_semantics_test.go, which runs the Go normalizer first.

cond(base, key, values, extra) := object.union(
	{
		"operator": base, "base": base, "family": "String", "negated": false, "like": false,
		"ignoreCase": false, "ifExists": false, "qualifier": null, "key": lower(key), "values": values,
	},
	extra,
)

equals(key, values) := cond("StringEquals", key, values, {})

like(key, values) := cond("StringLike", key, values, {"like": true})

not_equals(key, values) := cond("StringNotEquals", key, values, {"negated": true})

issuer := "oidc.eks.us-west-2.amazonaws.com/id/ABC"

provider := sprintf("arn:aws:iam::111122223333:oidc-provider/%s", [issuer])

fed := {"value": provider, "kind": "oidc", "issuer": issuer, "keyPrefix": lower(issuer)}

stmt(effect, conditions) := {
	"index": 0, "sid": null, "effect": effect,
	"principals": [{"type": "Federated", "value": provider}],
	"actions": ["sts:assumerolewithwebidentity"], "notAction": false,
	"conditions": conditions, "federated": [fed],
}

sub := sprintf("%s:sub", [lower(issuer)])

aud := sprintf("%s:aud", [lower(issuer)])

req(context) := {"action": "sts:AssumeRoleWithWebIdentity", "principal": {"type": "Federated", "value": provider}, "context": context}

# A positive operator on a missing key is false; negated, IfExists and
# ForAllValues are true; ForAnyValue is false.
test_missing_key_behaviour if {
	not iam.condition_holds(equals(sub, ["x"]), {})
	iam.condition_holds(not_equals(sub, ["x"]), {})
	iam.condition_holds(cond("StringEqualsIfExists", sub, ["x"], {"ifExists": true}), {})
	iam.condition_holds(cond("ForAllValues:StringEquals", sub, ["x"], {"qualifier": "ForAllValues"}), {})
	not iam.condition_holds(cond("ForAnyValue:StringEquals", sub, ["x"], {"qualifier": "ForAnyValue"}), {})
}

# Values of one key are ORed; for a negated operator NORed.
test_values_or_and_negated_nor if {
	iam.condition_holds(equals(sub, ["a", "b"]), {sub: ["b"]})
	not iam.condition_holds(equals(sub, ["a", "b"]), {sub: ["c"]})
	not iam.condition_holds(not_equals(sub, ["a", "b"]), {sub: ["b"]})
	iam.condition_holds(not_equals(sub, ["a", "b"]), {sub: ["c"]})
}

# Values are case-sensitive unless IgnoreCase.
test_value_case if {
	not iam.condition_holds(equals(sub, ["system:serviceaccount:NS:SA"]), {sub: ["system:serviceaccount:ns:sa"]})
	iam.condition_holds(cond("StringEqualsIgnoreCase", sub, ["A"], {"ignoreCase": true}), {sub: ["a"]})
}

# StringLike * crosses "/" and ":"; ? is one character; other regex
# characters are literal; StringEquals takes * literally.
test_wildcards if {
	iam.condition_holds(like(sub, ["system:serviceaccount:*"]), {sub: ["system:serviceaccount:a/b:c"]})
	iam.condition_holds(like(sub, ["repo:o/r:ref:refs/heads/?"]), {sub: ["repo:o/r:ref:refs/heads/x"]})
	not iam.condition_holds(like(sub, ["repo:o/r:ref:refs/heads/?"]), {sub: ["repo:o/r:ref:refs/heads/xy"]})
	not iam.condition_holds(like(sub, ["a.c"]), {sub: ["abc"]})
	iam.condition_holds(like(sub, ["a[1]*"]), {sub: ["a[1]z"]})
	not iam.condition_holds(equals(sub, ["system:serviceaccount:ns:*"]), {sub: ["system:serviceaccount:ns:app"]})
}

# ForAllValues requires every request value to match; ForAnyValue one.
test_set_qualifiers if {
	for_all := cond("ForAllValues:StringEquals", "aws:tagkeys", ["a", "b"], {"qualifier": "ForAllValues"})
	iam.condition_holds(for_all, {"aws:tagkeys": ["a", "b"]})
	not iam.condition_holds(for_all, {"aws:tagkeys": ["a", "c"]})
	for_any := cond("ForAnyValue:StringEquals", "aws:tagkeys", ["a"], {"qualifier": "ForAnyValue"})
	iam.condition_holds(for_any, {"aws:tagkeys": ["c", "a"]})
	not iam.condition_holds(for_any, {"aws:tagkeys": ["c"]})
}

test_null_operator if {
	iam.condition_holds(cond("Null", sub, ["true"], {"family": "Null"}), {})
	not iam.condition_holds(cond("Null", sub, ["true"], {"family": "Null"}), {sub: ["x"]})
	iam.condition_holds(cond("Null", sub, ["false"], {"family": "Null"}), {sub: ["x"]})
}

test_other_families if {
	iam.condition_holds(cond("ArnLike", "aws:sourcearn", ["arn:aws:eks:*:111122223333:cluster/*"], {"family": "Arn", "like": true}), {"aws:sourcearn": ["arn:aws:eks:us-west-2:111122223333:cluster/prod"]})
	not iam.condition_holds(cond("ArnLike", "aws:sourcearn", ["arn:aws:eks:*:111122223333:cluster/*"], {"family": "Arn", "like": true}), {"aws:sourcearn": ["arn:aws:eks:us-west-2:999999999999:cluster/prod"]})
	iam.condition_holds(cond("Bool", "aws:securetransport", ["true"], {"family": "Bool"}), {"aws:securetransport": ["TRUE"]})
	iam.condition_holds(cond("NumericLessThan", "aws:multifactorauthage", ["3600"], {"family": "Numeric"}), {"aws:multifactorauthage": ["60"]})
	not iam.condition_holds(cond("NumericLessThan", "aws:multifactorauthage", ["3600"], {"family": "Numeric"}), {"aws:multifactorauthage": ["3600"]})
	iam.condition_holds(cond("IpAddress", "aws:sourceip", ["10.0.0.0/8"], {"family": "IpAddress"}), {"aws:sourceip": ["10.1.2.3"]})
	iam.condition_holds(cond("DateLessThan", "aws:currenttime", ["2030-01-01T00:00:00Z"], {"family": "Date"}), {"aws:currenttime": ["2026-11-27T00:00:00Z"]})
}

# AND across keys and operators; explicit Deny beats Allow.
test_statements_and_decision if {
	allow := stmt("Allow", [equals(sub, ["system:serviceaccount:ns:app"]), equals(aud, ["sts.amazonaws.com"])])
	ok := req({sub: ["system:serviceaccount:ns:app"], aud: ["sts.amazonaws.com"]})
	iam.decision({"statements": [allow]}, ok) == "allow"
	wrong_aud := req({sub: ["system:serviceaccount:ns:app"], aud: ["other"]})
	iam.decision({"statements": [allow]}, wrong_aud) == "implicit-deny"
	deny := stmt("Deny", [like(sub, ["system:serviceaccount:*"])])
	iam.decision({"statements": [allow, deny]}, ok) == "deny"
}

# Actions are case-insensitive with wildcards; NotAction inverts.
test_actions if {
	iam.allows_action({"actions": ["sts:assumerole*"], "notAction": false}, "sts:AssumeRoleWithWebIdentity")
	iam.allows_action({"actions": ["sts:assumerolewithwebidentity"], "notAction": false}, "STS:AssumeRoleWithWebIdentity")
	iam.allows_action({"actions": ["sts:assumerole"], "notAction": true}, "sts:AssumeRoleWithWebIdentity")
	not iam.allows_action({"actions": ["sts:assumerole"], "notAction": false}, "sts:AssumeRoleWithWebIdentity")
}

test_open_to_any_subject if {
	iam.open_to_any_subject({"statements": [stmt("Allow", [])]}, stmt("Allow", []), fed) == "any"
	scoped := stmt("Allow", [equals(sub, ["system:serviceaccount:ns:app"])])
	not iam.open_to_any_subject({"statements": [scoped]}, scoped, fed)
	forall := stmt("Allow", [cond("ForAllValues:StringEquals", sub, ["system:serviceaccount:ns:app"], {"qualifier": "ForAllValues"})])
	iam.open_to_any_subject({"statements": [forall]}, forall, fed) == "missing"
}

test_exact_subjects_intersect if {
	s := stmt("Allow", [equals(sub, ["a", "b"]), equals(sub, ["b", "c"]), like(sub, ["*"])])
	iam.exact_subjects(s, fed) == {"b"}
}

test_sub_pattern_scope if {
	iam.sub_pattern_scope(fed, "*").severity == "critical"
	iam.sub_pattern_scope(fed, "system:serviceaccount:*").severity == "critical"
	iam.sub_pattern_scope(fed, "system:serviceaccount:*:app").severity == "high"
	iam.sub_pattern_scope(fed, "system:serviceaccount:prod*").severity == "high"
	iam.sub_pattern_scope(fed, "system:serviceaccount:team-*:app").severity == "high"
	iam.sub_pattern_scope(fed, "system:serviceaccount:prod:*") == {"severity": "medium", "scope": "every service account in namespace prod"}
	iam.sub_pattern_scope(fed, "system:serviceaccount:prod:app-?").severity == "medium"
	gh := {"value": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com", "kind": "oidc", "issuer": "token.actions.githubusercontent.com", "keyPrefix": "token.actions.githubusercontent.com"}
	iam.sub_pattern_scope(gh, "repo:*").severity == "critical"
	iam.sub_pattern_scope(gh, "repo:acme/*").severity == "medium"
	iam.sub_pattern_scope(gh, "repo:acme/app:*").severity == "ok"
}

test_issuer_key if {
	iam.issuer_key(sub) == lower(issuer)
	not iam.issuer_key("aws:requesttag/kubernetes-namespace")
	not iam.issuer_key("sts:externalid")
}

test_matches_everything_and_value_positions if {
	iam.matches_everything(like("aws:principalarn", ["**"]))
	not iam.matches_everything(like("aws:principalarn", ["arn:aws:iam::1:role/*"]))
	not iam.matches_everything(equals("aws:principalarn", ["*"]))
	c := object.union(equals(sub, ["a", "b"]), {"at": ["Condition", "StringEquals", sub]})
	iam.condition_value_at(c, "b") == ["Condition", "StringEquals", sub, 1]
	iam.condition_value_at(object.union(c, {"values": ["a"]}), "a") == ["Condition", "StringEquals", sub]
}

test_denied_by_an_explicit_deny_only if {
	request := {"action": "sts:AssumeRoleWithWebIdentity", "principal": {"type": "Federated", "value": "arn:aws:iam::111122223333:oidc-provider/x"}, "context": {}}
	deny := {"effect": "Deny", "actions": ["sts:*"], "principals": [{"type": "*", "value": "*"}], "conditions": []}
	allow := object.union(deny, {"effect": "Allow"})
	iam.denied({"statements": [allow, deny]}, request)
	not iam.denied({"statements": [allow]}, request)
}
