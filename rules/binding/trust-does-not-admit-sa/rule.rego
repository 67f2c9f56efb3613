# METADATA
# title: Role's trust policy does not admit the ServiceAccount annotated with it
# description: |
#   The role a ServiceAccount is annotated with is in the scan, and its trust
#   policy, evaluated against the exact request the ServiceAccount's pods
#   make, gives no Allow or an explicit Deny. The request is
#   AssumeRoleWithWebIdentity with the Federated principal
#   `arn:<partition>:iam::<role's account>:oidc-provider/<cluster issuer>`,
#   the claim `<issuer>:sub` = `system:serviceaccount:<namespace>:<name>`
#   and `<issuer>:aud` = the ServiceAccount's eks.amazonaws.com/audience
#   annotation or `sts.amazonaws.com`, evaluated with IAM's condition
#   semantics (operators, missing keys, case-sensitive values, Deny beats
#   Allow). This is the runtime `AccessDenied` predicted before deploy: the
#   webhook injects the role, and every pod's AssumeRoleWithWebIdentity call
#   is refused.
#
#   The finding points at the annotation and, as a related location, at the
#   part of the trust that refuses: the `sub` or `aud` condition, the Deny
#   statement, or the Federated principal of another cluster. It says what
#   the trust admits instead and gives a "did you mean" for the usual near
#   misses: the same name in another namespace, `system:serviceaccounts:`
#   (plural, the group of all service accounts, never a token's subject), a
#   leading or trailing space, upper case (Kubernetes names are lower case
#   and StringEquals is case-sensitive), `*` under StringEquals (literal),
#   a condition key or Federated principal naming another cluster's issuer,
#   and a custom audience the trust does not list.
#
#   The cluster's issuer comes from `--oidc-issuer` or configuration. Without
#   it, the issuer is inferred from the EKS providers the role trusts, and the
#   finding says so. A ServiceAccount covered by an EKS Pod Identity
#   association is skipped: the association wins over the annotation and IRSA
#   is not used. A trust policy that cannot be read unambiguously is left to
#   trust-policy-malformed.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: EKS user guide — the trust policy for a ServiceAccount (sub and aud conditions)
#   - ref: https://github.com/aws/amazon-eks-pod-identity-webhook#amazon-eks-pod-identity-webhook
#     description: Amazon EKS Pod Identity Webhook — what it injects and the audience annotation
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/
#     description: Kubernetes — ServiceAccount names are lower-case DNS subdomain names
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
#     description: IAM user guide — an explicit Deny overrides any Allow
# custom:
#   needs: [serviceAccounts]
#   severity: high
#   precision: very-high
#   remediation: |
#     Make the trust admit this exact ServiceAccount, or annotate the
#     ServiceAccount the trust names. In the statement that trusts this
#     cluster's OIDC provider (arn:aws:iam::<account>:oidc-provider/<issuer>),
#     use StringEquals with "<issuer>:sub":
#     "system:serviceaccount:<namespace>:<name>" and "<issuer>:aud": the
#     ServiceAccount's audience (sts.amazonaws.com unless annotated). Remove
#     Deny statements that match it. Restart the pods after changing the
#     annotation.
package irsalint.rules.binding["trust-does-not-admit-sa"]

import data.irsalint.lib.binding
import data.irsalint.lib.iam
import data.irsalint.lib.k8s
import data.irsalint.lib.result

deny contains f if {
	some link in binding.links
	link.verdict != null
	link.verdict.decision != "allow"
	link.association == null
	why := reason(link)
	message := sprintf("%s is annotated with %s, but %s.%s Pods running as this ServiceAccount will get AccessDenied from AssumeRoleWithWebIdentity, so their AWS calls fail.%s", [
		k8s.describe(link.sa), link.arn, why.text, hint_sentence(why), binding.verdict_note(link.verdict),
	])
	f := result.with_related(
		result.finding(link.sa, object.get(why, "primary", k8s.annotation_at(k8s.role_arn_key)), message),
		[result.related(link.role, why.at, why.note)],
	)
}

hint_sentence(why) := concat("", [" ", why.hint]) if why.hint != ""

else := ""

# --- Why the trust refuses ------------------------------------------------------
#
# reason returns {text, hint, at, note} (and primary, when the field at
# fault is not the role annotation): text completes "…, but <text>"; at and
# note are the related location in the trust policy.

# An explicit Deny.
reason(link) := {
	"text": sprintf("%s is denied by an explicit Deny in %s of the role's trust policy%s", [
		binding.subject(link.sa), iam.statement_name(s), overridden(policy, req),
	]),
	"hint": "",
	"at": s.at,
	"note": sprintf("this Deny statement matches %s", [binding.subject(link.sa)]),
} if {
	link.verdict.decision == "deny"
	policy := link.role.trustPolicy
	req := binding.sa_request(link.sa, link.role, link.verdict.issuer)
	s := iam.denied_by(policy, req)[0]
} else := no_cluster_issuer(link) if {
	link.verdict.issuer == null
} else := provider_reason(link, link.verdict.issuer) if {
	is_string(link.verdict.issuer)
}

overridden(policy, req) := ", which overrides the Allow that admits it" if {
	some s in policy.statements
	s.effect == "Allow"
	iam.applies(s, req)
} else := ""

# No configured issuer and the role trusts no EKS cluster. Only reported when
# the role cannot be a web-identity role of any cluster: a non-EKS OIDC
# provider may be a self-managed cluster's issuer, and Principal "*" with
# conditions on some issuer's claims may admit this cluster,
# so those are left alone.
no_cluster_issuer(link) := {
	"text": sprintf("the role's trust policy has no web-identity statement for any cluster's OIDC provider (%s)", [trusted_summary(policy)]),
	"hint": pod_identity_hint(policy),
	"at": policy.at,
	"note": "this trust policy names no OIDC provider for sts:AssumeRoleWithWebIdentity",
} if {
	policy := link.role.trustPolicy
	not web_identity_allowed(policy)
}

# web_identity_allowed: some Allow statement grants AssumeRoleWithWebIdentity
# (to any provider, or to "*" with conditions that may name an issuer).
web_identity_allowed(policy) if {
	some s in policy.statements
	s.effect == "Allow"
	iam.allows_action(s, iam.web_identity_action)
}

# trusted_summary lists the principals the trust's Allow statements name.
trusted_summary(policy) := sprintf("it trusts %s", [concat(", ", sort(principals))]) if {
	principals := {principal_text(p) |
		some s in policy.statements
		s.effect == "Allow"
		some p in s.principals
	}
	count(principals) > 0
} else := "it has no Allow statement"

principal_text(p) := `"*" (everyone)` if p.type == "*"

else := sprintf("%s %s", [p.type, p.value])

pod_identity_hint(policy) := "The role is set up for EKS Pod Identity (pods.eks.amazonaws.com): create a Pod Identity association for this ServiceAccount instead of the annotation." if {
	some s in policy.statements
	s.effect == "Allow"
	iam.service_principal(s, "pods.eks.amazonaws.com")
} else := ""

# provider_reason explains a refusal for this cluster's issuer.
provider_reason(link, issuer) := statements_reason(link, issuer, mine_for(link, issuer))

# No web-identity statement for this cluster's provider: another cluster's
# provider, a statement without the web-identity action, or nothing at all.
statements_reason(link, issuer, []) := other_cluster_reason(link, issuer, others) if {
	others := [f |
		some pair in iam.web_identity_statements(link.role.trustPolicy)
		f := pair[1]
		iam.eks(f)
	]
	count(others) > 0
} else := {
	"text": sprintf("the role's trust policy has a statement for this cluster's OIDC provider (issuer %s) that does not allow sts:AssumeRoleWithWebIdentity", [issuer]),
	"hint": "",
	"at": s.actionAt,
	"note": "this statement's actions do not include sts:AssumeRoleWithWebIdentity",
} if {
	s := [s |
		some s in link.role.trustPolicy.statements
		s.effect == "Allow"
		some f in s.federated
		f.keyPrefix == lower(issuer)
	][0]
} else := {
	"text": sprintf("the role's trust policy has no web-identity statement for this cluster's OIDC provider (issuer %s; %s)", [issuer, trusted_summary(link.role.trustPolicy)]),
	"hint": pod_identity_hint(link.role.trustPolicy),
	"at": link.role.trustPolicy.at,
	"note": sprintf("this trust policy names no OIDC provider for issuer %s", [issuer]),
}

# Statements for this provider exist: none names the provider ARN STS
# matches (the role's account), or the closest one has a failing condition.
statements_reason(link, issuer, mine) := r if {
	count(mine) > 0
	principal := binding.sa_request(link.sa, link.role, issuer).principal.value
	matching := [pair | some pair in mine; pair[1].value == principal]
	r := matching_reason(link, issuer, mine, matching, principal)
}

matching_reason(_, _, mine, [], principal) := {
	"text": sprintf("the role's trust policy names the OIDC provider %s, while STS matches the provider of this cluster's issuer in the role's account, %s", [mine[0][1].value, principal]),
	"hint": "",
	"at": mine[0][1].at,
	"note": sprintf("this Federated principal is not %s", [principal]),
}

matching_reason(link, issuer, _, matching, _) := condition_reason(link, issuer, s, f, failing) if {
	count(matching) > 0
	context := binding.sa_request(link.sa, link.role, issuer).context
	ranked := sort([[count(bad), pair[0].index, i] |
		some i, pair in matching
		bad := [c | some c in pair[0].conditions; not iam.condition_holds(c, context)]
	])
	[s, f] := matching[ranked[0][2]]
	failing := [c | some c in s.conditions; not iam.condition_holds(c, context)]
}

# other_cluster_reason: the trust names other EKS clusters' providers only.
other_cluster_reason(link, issuer, others) := {
	"text": sprintf("the role's trust policy is keyed to another cluster: it trusts the OIDC provider of issuer %s, not this cluster's issuer %s", [f.issuer, issuer]),
	"hint": would_admit_there(link, others),
	"at": f.at,
	"note": sprintf("this Federated principal is the provider of issuer %s, not %s", [f.issuer, issuer]),
} if {
	f := others[0]
}

would_admit_there(link, others) := sprintf("It would admit this ServiceAccount on the cluster with issuer %s: check --oidc-issuer, or add this cluster's provider to the trust (for example after a blue/green cluster move).", [admitting[0]]) if {
	admitting := [f.issuer |
		some f in others
		iam.decision(link.role.trustPolicy, binding.sa_request(link.sa, link.role, f.issuer)) == "allow"
	]
	count(admitting) > 0
} else := ""

# --- The closest statement's failing condition ----------------------------------

# A condition key that names another issuer is never in the request.
condition_reason(link, issuer, s, f, failing) := {
	"text": sprintf("%s of the role's trust policy conditions on key %q, which names another issuer than the trusted provider's (%s): STS never sends that key, so the %s condition is always false", [
		iam.statement_name(s), c.keyWritten, f.issuer, c.operator,
	]),
	"hint": sprintf("Write %q.", [iam.claim_key({"keyPrefix": f.issuer}, iam.claim_of(c.key))]),
	"at": c.at,
	"note": sprintf("this condition key names another issuer than %s", [issuer]),
} if {
	c := [c |
		some c in failing
		iam.issuer_key(c.key) != f.keyPrefix
		iam.claim_of(c.key) in {"sub", "aud"}
	][0]
} else := sub_reason(link, issuer, c) if {
	c := [c | some c in failing; c.key == iam.claim_key(f, "sub")][0]
} else := aud_reason(link, s, c) if {
	c := [c | some c in failing; c.key == iam.claim_key(f, "aud")][0]
} else := {
	"text": sprintf("%s of the role's trust policy requires %s on %q (%s), which the pod's request does not satisfy", [
		iam.statement_name(s), c.operator, c.keyWritten, concat(", ", c.values),
	]),
	"hint": "",
	"at": c.at,
	"note": "the pod's request does not satisfy this condition",
} if {
	c := failing[0]
}

# mine_for lists [statement, provider] for the web-identity Allow statements
# that can apply to this cluster: those whose Federated provider has this
# cluster's issuer, and those with Principal "*", paired with
# the provider STS would present.
mine_for(link, issuer) := array.concat(
	[pair | some pair in iam.web_identity_statements(link.role.trustPolicy); pair[1].keyPrefix == lower(issuer)],
	[[s, presented] |
		some s in link.role.trustPolicy.statements
		s.effect == "Allow"
		iam.wildcard_principal(s)
		iam.allows_action(s, iam.web_identity_action)
		presented := {
			"value": binding.sa_request(link.sa, link.role, issuer).principal.value,
			"at": s.principalAt, "kind": "oidc", "issuer": issuer, "keyPrefix": lower(issuer),
		}
	],
)

# --- sub ------------------------------------------------------------------------

sub_reason(link, issuer, c) := {
	"text": sprintf("the role's trust policy does not admit %s: %s", [subject, admits(mine)]),
	"hint": sub_hint(link.sa, mine),
	"at": c.at,
	"note": sprintf("this %s condition on %s:sub does not match %s", [c.operator, issuer, subject]),
} if {
	subject := binding.subject(link.sa)
	mine := mine_for(link, issuer)
}

# admits describes who the trust admits for this cluster's provider.
admits(mine) := sprintf("for this cluster's provider it admits only %s", [concat(", ", items)]) if {
	items := array.concat(sort({short(v) | some v in exact_subjects(mine)}), sort(patterns(mine)))
	count(items) > 0
} else := "for this cluster's provider it admits no ServiceAccount by name"

exact_subjects(mine) := {v |
	some pair in mine
	some v in iam.exact_subjects(pair[0], pair[1])
}

patterns(mine) := {sprintf("%q (%s)", [v, iam.sub_pattern_scope(f, v).scope]) |
	some pair in mine
	[s, f] := pair
	some c in iam.conditions_on(s, iam.claim_key(f, "sub"))
	iam.positive(c)
	c.family == "String"
	c.like
	some v in c.values
	iam.has_wildcard(v)
}

# short writes system:serviceaccount:<ns>:<name> as ns/name.
short(v) := sprintf("%s/%s", [m[1], m[2]]) if {
	m := regex.find_all_string_submatch_n(`^system:serviceaccount:([a-z0-9][a-z0-9.-]*):([a-z0-9][a-z0-9.-]*)$`, v, 1)[0]
} else := sprintf("%q", [v])

# sub_hint is the best "did you mean" over the values the trust's positive
# sub conditions name, in order: a near spelling (plural, spaces, case), a
# literal wildcard under StringEquals, the same name in another namespace,
# another name in the same namespace.
sub_hint(sa, mine) := hints[0][1] if {
	hints := sort([h |
		some pair in mine
		[s, f] := pair
		some c in iam.conditions_on(s, iam.claim_key(f, "sub"))
		iam.positive(c)
		c.family == "String"
		some v in c.values
		h := value_hint(sa, c, v)
	])
	count(hints) > 0
} else := ""

value_hint(sa, c, v) := [0, sprintf("Did you mean %q? The trust's value %q %s.", [subject, v, concat(" and ", problems)])] if {
	subject := binding.subject(sa)
	not c.like
	v != subject
	lower(trim_space(replace(v, "system:serviceaccounts:", "system:serviceaccount:"))) == subject
	problems := spelling_problems(v)
	count(problems) > 0
} else := [1, sprintf("The trust's value %q would match under StringLike, but %s compares * and ? literally.", [v, c.operator])] if {
	not c.like
	iam.has_wildcard(v)
	iam.glob_match(v, binding.subject(sa), false)
} else := [2, sprintf("Did you mean namespace %s? The trust names this ServiceAccount's name in namespace %s: either the ServiceAccount is in the wrong namespace or the trust names the wrong one.", [ns, ns])] if {
	[ns, name] := parts(v)
	name == sa.name
	ns != sa.namespace
} else := [3, sprintf("The trust names %s, another ServiceAccount in the same namespace: either the annotation is on the wrong ServiceAccount or the trust names the wrong one.", [name])] if {
	[ns, name] := parts(v)
	ns == sa.namespace
	name != sa.name
}

parts(v) := [m[1], m[2]] if {
	m := regex.find_all_string_submatch_n(`^system:serviceaccount:([^:]+):([^:]+)$`, v, 1)[0]
}

spelling_problems(v) := [p |
	some check in [
		[contains(v, "system:serviceaccounts:"), "says serviceaccounts (plural): that is the group of all service accounts, never a token's subject"],
		[startswith(v, " "), "has a leading space"],
		[endswith(v, " "), "has a trailing space"],
		[regex.match(`[A-Z]`, v), "has upper-case letters: Kubernetes names are lower case and StringEquals is case-sensitive"],
	]
	check[0]
	p := check[1]
]

# --- aud ------------------------------------------------------------------------

aud_reason(link, s, c) := {
	"text": sprintf("%s of the role's trust policy requires the audience %s, while this ServiceAccount's tokens carry %q%s", [
		iam.statement_name(s), concat(" or ", [sprintf("%q", [v]) | some v in c.values]), binding.audience(link.sa), audience_origin(link.sa),
	]),
	"hint": audience_hint(link.sa),
	"at": c.at,
	"note": sprintf("this %s condition on %s does not accept %q", [c.operator, c.keyWritten, binding.audience(link.sa)]),
	"primary": audience_at(link.sa),
}

audience_hint(sa) := sprintf("Either add %q to the trust's aud values or remove the annotation.", [binding.audience(sa)]) if {
	custom_audience(sa)
} else := sprintf("Either add %q to the trust's aud values or set %s to the audience the trust expects.", [binding.audience(sa), k8s.audience_key])

audience_origin(sa) := sprintf(" (its %s annotation)", [k8s.audience_key]) if {
	custom_audience(sa)
} else := sprintf(" (the default; set %s to change it)", [k8s.audience_key])

audience_at(sa) := k8s.annotation_at(k8s.audience_key) if custom_audience(sa)

else := k8s.annotation_at(k8s.role_arn_key)

custom_audience(sa) if sa.annotations[k8s.audience_key] != ""
