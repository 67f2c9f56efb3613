# METADATA
# title: IAM policy semantics
# description: |
#   How IAM evaluates a trust policy, over the normalized policies of
#   input.roles[_].trustPolicy (docs/inventory.md): statement applicability
#   (action, principal, conditions), condition operators and their behaviour
#   on missing keys, case, AND/OR/NOR combination, set
#   qualifiers, wildcards that cross "/", action matching, and
#   the policy decision (explicit Deny beats Allow). Also: which subjects a
#   web-identity statement admits, used to grade blast radius.
package irsalint.lib.iam

# --- Requests and decisions ------------------------------------------------
#
# A request is {"action": "sts:AssumeRoleWithWebIdentity",
#               "principal": {"type": "Federated", "value": "<provider ARN>"},
#               "context": {"<lower-cased key>": ["value", ...]}}.

web_identity_action := "sts:assumerolewithwebidentity"

# decision is "deny" (an explicit Deny applies), "allow" (an Allow applies and
# no Deny does) or "implicit-deny".
decision(policy, request) := "deny" if {
	some s in policy.statements
	s.effect == "Deny"
	applies(s, request)
} else := "allow" if {
	some s in policy.statements
	s.effect == "Allow"
	applies(s, request)
} else := "implicit-deny"

# denied_by returns the Deny statements that apply to a request.
denied_by(policy, request) := [s |
	some s in policy.statements
	s.effect == "Deny"
	applies(s, request)
]

# applies: the statement's action, principal and every condition match.
# denied: an explicit Deny statement of the policy applies to the request.
denied(policy, request) if {
	some s in policy.statements
	s.effect == "Deny"
	applies(s, request)
}

applies(s, request) if {
	action_matches(s, request.action)
	principal_matches(s, request.principal)
	conditions_hold(s, request.context)
}

# action_matches: action names are case-insensitive and may hold * and ?;
# NotAction matches every action it does not list.
action_matches(s, action) if {
	not s.notAction
	some pattern in s.actions
	glob_match(pattern, lower(action), true)
}

action_matches(s, action) if {
	s.notAction
	not listed_action(s, lower(action))
}

listed_action(s, action) if {
	some pattern in s.actions
	glob_match(pattern, action, true)
}

# allows_action: the statement grants the action (ignoring principal and
# conditions).
allows_action(s, action) if action_matches(s, action)

principal_matches(s, _) if {
	some p in s.principals
	p.type == "*"
}

# {"AWS": "*"} is the other wildcard form.
principal_matches(s, _) if {
	some p in s.principals
	p.type == "AWS"
	p.value == "*"
}

principal_matches(s, principal) if {
	some p in s.principals
	p.type == principal.type
	p.value == principal.value
}

conditions_hold(s, context) if {
	every c in s.conditions {
		condition_holds(c, context)
	}
}

# --- Conditions --------------------------------------------------------------

# present: the request carries at least one value for the key.
present(context, key) if count(object.get(context, key, [])) > 0

# condition_holds evaluates one normalized condition (an operator and one
# key, with its values) against a request context.
condition_holds(c, context) if {
	c.family == "Null"
	null_holds(c, context)
}

condition_holds(c, context) if {
	c.family != "Null"
	not present(context, c.key)
	missing_key_passes(c)
}

condition_holds(c, context) if {
	c.family != "Null"
	present(context, c.key)
	present_key_passes(c, context[c.key])
}

# Null: "true" tests that the key is absent, "false" that it is present;
# several values are ORed.
null_holds(c, context) if {
	some v in c.values
	lower(v) == "true"
	not present(context, c.key)
}

null_holds(c, context) if {
	some v in c.values
	lower(v) == "false"
	present(context, c.key)
}

# A missing key: ForAllValues is true, ForAnyValue false; otherwise
# IfExists and negated operators are true, positive operators false.
missing_key_passes(c) if c.qualifier == "ForAllValues"

missing_key_passes(c) if {
	c.qualifier == null
	c.ifExists
}

missing_key_passes(c) if {
	c.qualifier == null
	c.negated
}

# With the key present, each request value is "ok" when it matches one of
# the policy values (positive operators, OR over values) or matches none of
# them (negated operators, NOR over values).
present_key_passes(c, values) if {
	c.qualifier == "ForAllValues"
	every v in values {
		value_ok(c, v)
	}
}

present_key_passes(c, values) if {
	c.qualifier == "ForAnyValue"
	some v in values
	value_ok(c, v)
}

present_key_passes(c, values) if {
	c.qualifier == null
	not c.negated
	some v in values
	value_ok(c, v)
}

present_key_passes(c, values) if {
	c.qualifier == null
	c.negated
	every v in values {
		value_ok(c, v)
	}
}

value_ok(c, v) if {
	not c.negated
	some p in c.values
	matches(c, p, v)
}

value_ok(c, v) if {
	c.negated
	not matches_any(c, v)
}

matches_any(c, v) if {
	some p in c.values
	matches(c, p, v)
}

# matches compares one policy value p with one request value v the way the
# operator's positive form does.
matches(c, p, v) if {
	c.family == "String"
	c.like
	glob_match(p, v, false)
}

matches(c, p, v) if {
	c.family == "String"
	not c.like
	not c.ignoreCase
	p == v
}

matches(c, p, v) if {
	c.family == "String"
	c.ignoreCase
	lower(p) == lower(v)
}

matches(c, p, v) if {
	c.family == "Arn"
	arn_match(p, v)
}

matches(c, p, v) if {
	c.family == "Bool"
	lower(p) == lower(v)
}

matches(c, p, v) if {
	c.family == "Binary"
	p == v
}

matches(c, p, v) if {
	c.family == "IpAddress"
	net.cidr_contains(cidr(p), v)
}

matches(c, p, v) if {
	c.family == "Numeric"
	compare(c.base, to_number(v), to_number(p))
}

matches(c, p, v) if {
	c.family == "Date"
	compare(c.base, date_ns(v), date_ns(p))
}

cidr(p) := p if contains(p, "/")

else := concat("", [p, "/128"]) if contains(p, ":")

else := concat("", [p, "/32"])

date_ns(s) := time.parse_rfc3339_ns(s) if {
	contains(s, "T")
} else := time.parse_ns("2006-01-02", s) if {
	regex.match(`^\d{4}-\d{2}-\d{2}$`, s)
} else := to_number(s) * 1000000000

compare(base, a, b) if {
	endswith(base, "Equals")
	not endswith(base, "ThanEquals")
	a == b
}

compare(base, a, b) if {
	endswith(base, "LessThan")
	a < b
}

compare(base, a, b) if {
	endswith(base, "LessThanEquals")
	a <= b
}

compare(base, a, b) if {
	endswith(base, "GreaterThan")
	a > b
}

compare(base, a, b) if {
	endswith(base, "GreaterThanEquals")
	a >= b
}

# arn_match: ArnEquals and ArnLike match each of the six colon-separated
# parts on its own, with * and ? wildcards (case-sensitive).
arn_match(p, v) if {
	pp := split_arn(p)
	vp := split_arn(v)
	count(pp) == count(vp)
	every i, part in pp {
		glob_match(part, vp[i], false)
	}
}

split_arn(s) := parts if {
	fields := split(s, ":")
	count(fields) >= 6
	parts := array.concat(array.slice(fields, 0, 5), [concat(":", array.slice(fields, 5, count(fields)))])
} else := [s]

# --- Wildcards -----------------------------------------------------------------

# glob_match: IAM's * matches any run of characters, "/" and ":" included
# (not filepath.Match), and ? exactly one character; everything else is
# literal.
glob_match(pattern, value, ignore_case) if {
	not contains(pattern, "*")
	not contains(pattern, "?")
	not ignore_case
	pattern == value
}

glob_match(pattern, value, true) if {
	not contains(pattern, "*")
	not contains(pattern, "?")
	lower(pattern) == lower(value)
}

glob_match(pattern, value, ignore_case) if {
	has_wildcard(pattern)
	regex.match(glob_regex(pattern, ignore_case), value)
}

has_wildcard(s) if contains(s, "*")

has_wildcard(s) if contains(s, "?")

glob_regex(pattern, ignore_case) := concat("", [flags(ignore_case), "^", body, "$"]) if {
	quoted := strings.replace_n(regex_escapes, pattern)
	body := replace(replace(quoted, `\*`, ".*"), `\?`, ".")
}

flags(true) := "(?is)"

flags(false) := "(?s)"

regex_escapes := {
	`\`: `\\`, ".": `\.`, "+": `\+`, "*": `\*`, "?": `\?`, "(": `\(`, ")": `\)`,
	"[": `\[`, "]": `\]`, "{": `\{`, "}": `\}`, "^": `\^`, "$": `\$`, "|": `\|`,
}

# --- Web identity: providers, subjects, blast radius ----------------------------

# web_identity_statements are the Allow statements of a policy that let an
# OIDC (or well-known web) identity provider call AssumeRoleWithWebIdentity,
# each with the provider: [statement, federated].
web_identity_statements(policy) := [[s, f] |
	some s in policy.statements
	s.effect == "Allow"
	not s.unrendered
	some f in s.federated
	f.kind in {"oidc", "web"}
	allows_action(s, web_identity_action)
]

# claim_key is the condition key of a claim of provider f ("<issuer>:sub").
claim_key(f, claim) := concat(":", [f.keyPrefix, claim])

# conditions_on returns the statement's conditions on key.
conditions_on(s, key) := [c | some c in s.conditions; c.key == key]

# positive: an operator that needs the key present and a value that matches
# (no negation, no IfExists, no ForAllValues; Null is a test of presence).
positive(c) if {
	not c.negated
	not c.ifExists
	c.qualifier != "ForAllValues"
	c.family != "Null"
}

# permissive: passes when the key is missing or holds an unexpected value.
permissive(c) if not positive(c)

# issuer_keys are condition keys that name an OIDC issuer: "<host/path>:<claim>".
issuer_key(key) := prefix if {
	parts := split(key, ":")
	count(parts) >= 2
	prefix := concat(":", array.slice(parts, 0, count(parts) - 1))
	contains(prefix, ".")
}

claim_of(key) := parts[count(parts) - 1] if parts := split(key, ":")

# probe_subjects are subjects no trust policy names on purpose: if one of
# them is admitted, every subject is.
probe_subject(f) := "repo:irsalint-probe/irsalint-probe:ref:refs/heads/main" if {
	github(f)
} else := "system:serviceaccount:irsalint-probe-ns:irsalint-probe-sa"

github(f) if lower(f.issuer) == "token.actions.githubusercontent.com"

eks(f) if regex.match(`^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/`, lower(f.issuer))

# probe_audience satisfies the statement's own audience conditions, so that
# probes test the subject alone: the first wildcard-free value of a positive
# aud condition, else sts.amazonaws.com.
probe_audience(s, f) := sort(values)[0] if {
	values := {v |
		some c in conditions_on(s, claim_key(f, "aud"))
		positive(c)
		some v in c.values
		not has_wildcard(v)
	}
	count(values) > 0
} else := "sts.amazonaws.com"

# request builds the AssumeRoleWithWebIdentity request provider f makes for a
# token with subject sub (null: no sub claim) and audience aud.
request(f, sub, aud) := {
	"action": web_identity_action,
	"principal": {"type": "Federated", "value": f.value},
	"context": object.union({claim_key(f, "aud"): [aud]}, sub_context(f, sub)),
}

sub_context(_, null) := {}

sub_context(f, sub) := {claim_key(f, "sub"): [sub]} if sub != null

# open_to_any_subject: the statement admits a token with an arbitrary subject,
# or with none, and no Deny statement of the policy stops it. Returns the
# probe that got through ("any" or "missing").
open_to_any_subject(policy, s, f) := "any" if {
	r := request(f, probe_subject(f), probe_audience(s, f))
	applies(s, r)
	decision(policy, r) != "deny"
} else := "missing" if {
	r := request(f, null, probe_audience(s, f))
	applies(s, r)
	decision(policy, r) != "deny"
}

# exact_subjects: the subjects a statement's positive, wildcard-free sub
# conditions name (several such conditions are ANDed: their intersection).
exact_subjects(s, f) := subjects if {
	sets := [{v | some v in c.values; not has_wildcard(v)} |
		some c in conditions_on(s, claim_key(f, "sub"))
		positive(c)
		c.family == "String"
		not c.like
		not c.ignoreCase
	]
	count(sets) > 0
	subjects := intersection({x | some x in sets})
}

# --- Describing who is admitted --------------------------------------------------

# provider_description names the provider's population for messages.
provider_description(f) := "every GitHub Actions workflow of every repository on GitHub" if {
	github(f)
} else := sprintf("every service account of the EKS cluster with OIDC issuer %s", [f.issuer]) if {
	eks(f)
} else := sprintf("every identity that %s issues tokens for", [f.issuer])

# sub_pattern_scope grades a StringLike pattern on the sub claim by what it
# can match: {"severity", "scope"}, severity one of critical, high, medium,
# or "ok" for a pattern that is fine as it is.
sub_pattern_scope(f, p) := {"severity": "critical", "scope": provider_description(f)} if {
	glob_match(p, probe_subject(f), false)
} else := eks_scope(f, p) if {
	eks(f)
} else := github_scope(p) if {
	github(f)
} else := {"severity": "medium", "scope": sprintf("every subject matching %q", [p])}

sa_prefix := "system:serviceaccount:"

eks_scope(f, p) := {"severity": "medium", "scope": sprintf("service accounts matching %q", [p])} if {
	# Only ? wildcards: one character at a time.
	not contains(p, "*")
} else := scope if {
	startswith(p, sa_prefix)
	rest := substring(p, count(sa_prefix), -1)
	[ns, sa] := split_once(rest, ":")
	scope := namespace_scope(f, ns, sa)
} else := {"severity": "high", "scope": sprintf("every service account in every namespace whose name matches %q (the wildcard crosses the namespace boundary)", [substring(p, count(sa_prefix), -1)])} if {
	startswith(p, sa_prefix)
} else := {"severity": "high", "scope": sprintf("every subject matching %q", [p])}

namespace_scope(f, ns, sa) := {"severity": "high", "scope": sprintf("service accounts named %q in every namespace of the cluster (%s)", [sa, f.issuer])} if {
	ns == "*"
	not has_wildcard(sa)
} else := {"severity": "high", "scope": sprintf("service accounts matching %q in every namespace of the cluster (%s)", [sa, f.issuer])} if {
	ns == "*"
} else := {"severity": "high", "scope": sprintf("service accounts matching %q in every namespace matching %q, including namespaces anyone may create later", [sa, ns])} if {
	has_wildcard(ns)
} else := {"severity": "medium", "scope": sprintf("every service account in namespace %s", [ns])} if {
	sa == "*"
} else := {"severity": "medium", "scope": sprintf("service accounts matching %q in namespace %s", [sa, ns])}

# A single repository with any ref ("repo:org/app:*") is the documented
# pattern: "ok", not reported.
github_scope(p) := {"severity": "medium", "scope": sprintf("every repository of GitHub organization %s", [org])} if {
	m := regex.find_all_string_submatch_n(`^repo:([^/*?]+)/\*`, p, 1)[0]
	org := m[1]
} else := {"severity": "ok", "scope": sprintf("workflows matching %q", [p])}

split_once(s, sep) := [substring(s, 0, i), substring(s, i + count(sep), -1)] if {
	i := indexof(s, sep)
	i >= 0
}

# --- Principals ------------------------------------------------------------------

wildcard_principal(s) if {
	some p in s.principals
	p.type == "*"
}

wildcard_principal(s) if {
	some p in s.principals
	p.type == "AWS"
	p.value == "*"
}

# service_principal: the statement trusts the AWS service name.
service_principal(s, name) if {
	some p in s.principals
	p.type == "Service"
	p.value == name
}

# describe names a role or a bare trust policy for messages.
describe(role) := sprintf("role %s", [role.arn]) if {
	role.arn != null
} else := sprintf("trust policy %s", [role.name])

# usable: the policy was read without loss; rules other than
# trust-policy-malformed judge only usable policies.
usable(role) if not role.trustPolicy.lossy

# decidable: the policy is usable and holds no unrendered placeholder, so who
# it admits can be decided ("$OIDC_PROVIDER:sub" may be any issuer's key).
decidable(role) if {
	usable(role)
	not role.trustPolicy.unrendered
}

# statement_name names a statement in messages: its Sid, or its position.
statement_name(s) := sprintf("statement %q", [s.sid]) if {
	is_string(s.sid)
	s.sid != ""
} else := sprintf("statement %d", [s.index + 1])

# matches_everything: a wildcard condition whose value is only "*" (a
# StringLike or ARN pattern): it restricts nothing.
matches_everything(c) if {
	c.like
	some v in c.values
	regex.match(`^\*+$`, v)
}

matches_everything(c) if {
	c.family == "Arn"
	some v in c.values
	regex.match(`^\*+$`, v)
}

# condition_value_at points at one value of a condition: the value's own
# line when the condition lists several, else the condition's key.
condition_value_at(c, value) := array.concat(c.at, [i]) if {
	count(c.values) > 1
	i := [j | some j, v in c.values; v == value][0]
} else := c.at
