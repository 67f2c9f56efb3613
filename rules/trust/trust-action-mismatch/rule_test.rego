package irsalint.rules.trust["trust-action-mismatch_test"]

import data.irsalint.rules.trust["trust-action-mismatch"] as rule

# Normalized statements as `irsalint inventory` prints them: action names
# are lower-cased.

issuer := "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"

provider := concat("", ["arn:aws:iam::743263909644:oidc-provider/", issuer])

at(i, path) := array.concat(["AssumeRolePolicyDocument", "Statement", i], path)

oidc := {"value": provider, "kind": "oidc", "issuer": issuer, "keyPrefix": lower(issuer), "at": at(0, ["Principal", "Federated"])}

cognito := {"value": "cognito-identity.amazonaws.com", "kind": "web", "issuer": "cognito-identity.amazonaws.com", "keyPrefix": "cognito-identity.amazonaws.com", "at": at(0, ["Principal", "Federated"])}

saml := {"value": "arn:aws:iam::743263909644:saml-provider/CorpIdP", "kind": "saml", "issuer": "CorpIdP", "keyPrefix": "saml", "at": at(0, ["Principal", "Federated"])}

federated(f, actions) := stmt(0, [{"type": "Federated", "value": f.value, "at": f.at}], [f], actions)

service(name, actions) := stmt(0, [{"type": "Service", "value": name, "at": at(0, ["Principal", "Service"])}], [], actions)

aws(actions) := stmt(0, [{"type": "AWS", "value": "arn:aws:iam::743263909644:role/ops", "at": at(0, ["Principal", "AWS"])}], [], actions)

stmt(i, principals, fed, actions) := {
	"index": i, "sid": null, "at": at(i, []), "effect": "Allow",
	"principals": principals, "principalAt": at(i, ["Principal"]), "federated": fed,
	"actions": actions, "actionAt": at(i, ["Action"]), "notAction": false, "notPrincipal": false,
	"conditions": [],
}

not_action(s) := object.union(s, {"notAction": true, "actionAt": at(s.index, ["NotAction"])})

role(statements, lossy) := {
	"ref": "iam.json#0.RoleDetailList[2]", "key": "arn:aws:iam::743263909644:role/reports",
	"arn": "arn:aws:iam::743263909644:role/reports", "name": "reports",
	"trustPolicy": {"at": ["AssumeRolePolicyDocument"], "lossy": lossy, "problems": [], "statements": statements},
}

findings(statements) := fs if {
	fs := rule.deny with input as {"roles": {"arn:aws:iam::743263909644:role/reports": role(statements, false)}}
}

# (a) sts:AssumeRole with a Federated OIDC principal.
test_assume_role_with_oidc_provider_is_high if {
	fs := findings([federated(oidc, ["sts:assumerole"])])
	count(fs) == 1
	some f in fs
	f.severity == "high"
	f.ref == "iam.json#0.RoleDetailList[2]"
	f.at == ["AssumeRolePolicyDocument", "Statement", 0, "Action"]
	startswith(f.message, sprintf("role arn:aws:iam::743263909644:role/reports, statement 1 trusts the identity provider %s but allows only \"sts:AssumeRole\", not sts:AssumeRoleWithWebIdentity", [issuer]))
	contains(f.message, "cannot be assumed through that provider")
}

test_web_identity_provider_without_the_action_is_high if {
	some f in findings([federated(cognito, ["sts:assumerole", "sts:tagsession"])])
	f.severity == "high"
	contains(f.message, `identity provider cognito-identity.amazonaws.com but allows only "sts:AssumeRole", "sts:TagSession"`)
}

test_not_action_excluding_web_identity_is_reported_twice if {
	fs := findings([not_action(federated(oidc, ["sts:assumerolewithwebidentity"]))])
	count(fs) == 2
	every f in fs {
		f.severity == "high"
		f.at == ["AssumeRolePolicyDocument", "Statement", 0, "NotAction"]
	}
	some f in fs
	contains(f.message, `allows every action except "sts:AssumeRoleWithWebIdentity", not sts:AssumeRoleWithWebIdentity`)
}

# Case 24: all three forms permit web identity, so (a) stays silent; the
# wildcard is medium, NotAction high, the odd case nothing.
test_case_24_wildcard_is_medium_only if {
	fs := findings([federated(oidc, ["sts:assumerole*"])])
	count(fs) == 1
	some f in fs
	f.severity == "medium"
	contains(f.message, `allows "sts:assumerole*", which grants sts:AssumeRole, sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity: more than a web identity provider needs. Grant only sts:AssumeRoleWithWebIdentity.`)
}

test_case_24_action_case_is_silent if {
	count(findings([federated(oidc, ["sts:assumerolewithwebidentity"])])) == 0
}

test_case_24_not_action_is_high_only if {
	fs := findings([not_action(federated(oidc, ["sts:assumerole"]))])
	count(fs) == 1
	some f in fs
	f.severity == "high"
	f.at == ["AssumeRolePolicyDocument", "Statement", 0, "NotAction"]
	contains(f.message, `uses NotAction in an Allow statement, which grants every action except "sts:AssumeRole" (here sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity, sts:SetContext, sts:SetSourceIdentity, sts:TagSession)`)
	contains(f.message, "Name the actions a web identity provider needs")
}

test_tag_session_with_web_identity_is_fine if {
	count(findings([federated(oidc, ["sts:assumerolewithwebidentity", "sts:tagsession"])])) == 0
}

# (b) Pod Identity needs both actions.
test_pod_identity_without_tag_session_is_high if {
	fs := findings([service("pods.eks.amazonaws.com", ["sts:assumerole"])])
	count(fs) == 1
	some f in fs
	f.severity == "high"
	f.at == ["AssumeRolePolicyDocument", "Statement", 0, "Action"]
	contains(f.message, "trusts pods.eks.amazonaws.com but does not allow sts:TagSession:")
	contains(f.message, "fails when its pods fetch credentials")
}

test_pod_identity_missing_both_names_both if {
	some f in findings([service("pods.eks.amazonaws.com", ["sts:assumerolewithwebidentity"])])
	contains(f.message, "does not allow sts:AssumeRole or sts:TagSession:")
}

test_pod_identity_with_both_is_silent if {
	count(findings([service("pods.eks.amazonaws.com", ["sts:assumerole", "sts:tagsession"])])) == 0
}

# (c) "*" and "sts:*" for any principal.
test_star_actions_are_medium if {
	some f in findings([aws(["*"])])
	f.severity == "medium"
	contains(f.message, `allows "*", which grants sts:AssumeRole, sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity, sts:SetContext, sts:SetSourceIdentity, sts:TagSession: more than its principal needs`)
	fs := findings([service("pods.eks.amazonaws.com", ["sts:*"])])
	count(fs) == 1
	some g in fs
	g.severity == "medium"
	contains(g.message, "more than pods.eks.amazonaws.com needs. Grant only sts:AssumeRole and sts:TagSession.")
}

test_saml_wildcard_is_medium if {
	some f in findings([federated(saml, ["sts:assumerole*"])])
	f.severity == "medium"
	contains(f.message, "more than a SAML provider needs. Grant only sts:AssumeRoleWithSAML.")
}

# Wildcards other than "*" and "sts:*" only matter with a Federated principal.
test_service_wildcard_is_silent if {
	count(findings([service("ec2.amazonaws.com", ["sts:assumerole*"])])) == 0
}

# A role serving IRSA and Pod Identity in separate statements is fine.
test_separate_irsa_and_pod_identity_statements_are_silent if {
	count(findings([
		federated(oidc, ["sts:assumerolewithwebidentity"]),
		stmt(1, [{"type": "Service", "value": "pods.eks.amazonaws.com", "at": at(1, ["Principal", "Service"])}], [], ["sts:assumerole", "sts:tagsession"]),
	])) == 0
}

test_deny_statements_are_silent if {
	s := object.union(federated(oidc, ["*"]), {"effect": "Deny"})
	count(findings([s])) == 0
}

test_lossy_policy_is_not_judged if {
	r := role([federated(oidc, ["sts:assumerole"])], true)
	count(rule.deny) == 0 with input as {"roles": {r.arn: r}}
}

# A wildcard in a NotAction list narrows what is granted: only the NotAction
# finding applies.
test_wildcard_in_not_action_is_not_overbroad if {
	fs := findings([not_action(federated(oidc, ["sts:tag*"]))])
	count(fs) == 1
	some f in fs
	f.severity == "high"
	contains(f.message, `every action except "sts:tag*"`)
}

test_not_action_star_grants_nothing_but_is_still_reported if {
	some f in findings([not_action(aws(["*"]))])
	f.severity == "high"
	contains(f.message, `every action except "*" (here no action a trust policy uses)`)
}
