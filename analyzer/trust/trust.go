// Package trust decides whether a normalized trust policy (the inventory's
// roles[].trustPolicy, as analyzer/iam writes it) lets a request through,
// with IAM's semantics: statement applicability (action, principal,
// conditions), condition operators and their behaviour on missing keys,
// case, set qualifiers, wildcards that cross "/", and explicit Deny over
// Allow.
//
// It is the Go twin of the Rego library rules/lib/iam.rego, for the
// requests the inventory resolves in bulk (every ServiceAccount against the
// role it is annotated with, every exact subject a trust names). Where
// deciding would need Rego's number, date or address parsing (a Numeric,
// Date or IpAddress condition on a key the request carries), the answer is
// Undecided and the caller leaves the question to the rules. A differential
// test holds the two to the same answers.
package trust

import (
	"regexp"
	"strings"
	"sync"
)

// WebIdentityAction is sts:AssumeRoleWithWebIdentity, lower-cased as
// normalized actions are.
const WebIdentityAction = "sts:assumerolewithwebidentity"

// Request is one call to STS: a lower-cased action, the principal it comes
// as, and the context keys (lower-cased) with their values.
type Request struct {
	Action    string
	Principal Principal
	Context   map[string][]string
}

// Principal is a principal as a statement names it: a type (AWS,
// Federated, Service, CanonicalUser) and a value.
type Principal struct {
	Type, Value string
}

// Answer is a three-valued truth: a question this package decides, or one
// it leaves to the rules.
type Answer int8

const (
	No Answer = iota
	Yes
	Undecided
)

// Decision is how IAM ends a request against a policy.
type Decision string

const (
	Allow        Decision = "allow"
	Deny         Decision = "deny"
	ImplicitDeny Decision = "implicit-deny"
	// Unknown: some statement's applicability is Undecided and no
	// decided statement settles the outcome.
	Unknown Decision = ""
)

// Decide returns "deny" when an explicit Deny statement applies, "allow"
// when an Allow applies and no Deny does, and "implicit-deny" otherwise.
func Decide(policy map[string]any, r Request) Decision {
	switch anyApplies(policy, "Deny", r) {
	case Yes:
		return Deny
	case Undecided:
		return Unknown
	}
	switch anyApplies(policy, "Allow", r) {
	case Yes:
		return Allow
	case Undecided:
		return Unknown
	}
	return ImplicitDeny
}

// Denied says whether an explicit Deny statement of the policy applies.
func Denied(policy map[string]any, r Request) Answer {
	return anyApplies(policy, "Deny", r)
}

func anyApplies(policy map[string]any, effect string, r Request) Answer {
	out := No
	for _, raw := range list(policy["statements"]) {
		s, _ := raw.(map[string]any)
		if s == nil || s["effect"] != effect {
			continue
		}
		switch Applies(s, r) {
		case Yes:
			return Yes
		case Undecided:
			out = Undecided
		}
	}
	return out
}

// Applies says whether the statement's action, principal and every
// condition match the request.
func Applies(s map[string]any, r Request) Answer {
	if !ActionMatches(s, r.Action) || !principalMatches(s, r.Principal) {
		return No
	}
	out := Yes
	for _, raw := range list(s["conditions"]) {
		c, _ := raw.(map[string]any)
		if c == nil {
			return No
		}
		switch conditionHolds(c, r.Context) {
		case No:
			return No
		case Undecided:
			out = Undecided
		}
	}
	return out
}

// ActionMatches says whether the statement's Action (or NotAction) covers
// the action, ignoring principal and conditions: action names are
// case-insensitive and may hold * and ?; NotAction matches every action it
// does not list.
func ActionMatches(s map[string]any, action string) bool {
	action = strings.ToLower(action)
	listed := false
	for _, p := range list(s["actions"]) {
		if pattern, ok := p.(string); ok && globMatch(pattern, action, true) {
			listed = true
			break
		}
	}
	if s["notAction"] == true {
		return !listed
	}
	return listed
}

func principalMatches(s map[string]any, want Principal) bool {
	for _, raw := range list(s["principals"]) {
		p, _ := raw.(map[string]any)
		typ, typOK := p["type"].(string)
		value, valueOK := p["value"].(string)
		switch {
		case !typOK:
		case typ == "*", typ == "AWS" && value == "*":
			return true
		case typ == want.Type && valueOK && value == want.Value:
			return true
		}
	}
	return false
}

// conditionHolds evaluates one normalized condition (an operator and one
// key, with its values) against a request context.
func conditionHolds(c map[string]any, ctx map[string][]string) Answer {
	key, _ := c["key"].(string)
	values := ctx[key]
	present := len(values) > 0
	family, _ := c["family"].(string)
	if family == "Null" {
		// "true" tests that the key is absent, "false" that it is
		// present; several values are ORed.
		for _, raw := range list(c["values"]) {
			v, _ := raw.(string)
			switch strings.ToLower(v) {
			case "true":
				if !present {
					return Yes
				}
			case "false":
				if present {
					return Yes
				}
			}
		}
		return No
	}
	qualifier, _ := c["qualifier"].(string)
	// Rego's c.qualifier == null needs the key, set to null.
	q, hasQualifier := c["qualifier"]
	unqualified := hasQualifier && q == nil
	negated := c["negated"] == true
	if !present {
		// A missing key: ForAllValues is true, ForAnyValue false;
		// otherwise IfExists and negated operators are true, positive
		// operators false.
		switch {
		case qualifier == "ForAllValues":
			return Yes
		case unqualified && (c["ifExists"] == true || negated):
			return Yes
		}
		return No
	}
	if family == "Numeric" || family == "Date" || family == "IpAddress" {
		return Undecided
	}
	ok := func(v string) bool { return valueOK(c, family, negated, v) }
	switch {
	case qualifier == "ForAllValues", unqualified && negated:
		for _, v := range values {
			if !ok(v) {
				return No
			}
		}
		return Yes
	case qualifier == "ForAnyValue", unqualified && !negated:
		for _, v := range values {
			if ok(v) {
				return Yes
			}
		}
	}
	return No
}

// valueOK: a request value is ok when it matches one of the policy values
// (positive operators, OR over values) or matches none of them (negated
// operators, NOR over values).
func valueOK(c map[string]any, family string, negated bool, v string) bool {
	for _, raw := range list(c["values"]) {
		p, isString := raw.(string)
		if isString && matches(c, family, p, v) {
			return !negated
		}
	}
	return negated
}

// matches compares one policy value p with one request value v the way
// the operator's positive form does.
func matches(c map[string]any, family, p, v string) bool {
	switch family {
	case "String":
		like, ignoreCase := c["like"] == true, c["ignoreCase"] == true
		return like && globMatch(p, v, false) ||
			!like && !ignoreCase && p == v ||
			ignoreCase && lowerEqual(p, v)
	case "Arn":
		return arnMatch(p, v)
	case "Bool":
		return lowerEqual(p, v)
	case "Binary":
		return p == v
	}
	return false
}

// arnMatch: ArnEquals and ArnLike match each of the six colon-separated
// parts on its own, with * and ? wildcards (case-sensitive).
func arnMatch(p, v string) bool {
	pp, vp := splitARN(p), splitARN(v)
	if len(pp) != len(vp) {
		return false
	}
	for i := range pp {
		if !globMatch(pp[i], vp[i], false) {
			return false
		}
	}
	return true
}

func splitARN(s string) []string {
	if strings.Count(s, ":") < 5 {
		return []string{s}
	}
	return strings.SplitN(s, ":", 6)
}

// globMatch: IAM's * matches any run of characters, "/" and ":" included,
// and ? exactly one character; everything else is literal.
func globMatch(pattern, value string, ignoreCase bool) bool {
	if !strings.ContainsAny(pattern, "*?") {
		if ignoreCase {
			return lowerEqual(pattern, value)
		}
		return pattern == value
	}
	return globRegexp(pattern, ignoreCase).MatchString(value)
}

var globs sync.Map // [2]string{flags, pattern} → *regexp.Regexp

// globRegexp builds the same expression as the Rego library: quote every
// metacharacter, then \* becomes .* and \? becomes ".", anchored, with s
// (and i) flags.
func globRegexp(pattern string, ignoreCase bool) *regexp.Regexp {
	flags := "(?s)"
	if ignoreCase {
		flags = "(?is)"
	}
	k := [2]string{flags, pattern}
	if re, ok := globs.Load(k); ok {
		return re.(*regexp.Regexp)
	}
	body := strings.ReplaceAll(strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, ".*"), `\?`, ".")
	re := regexp.MustCompile(flags + "^" + body + "$")
	globs.Store(k, re)
	return re
}

// lowerEqual is Rego's lower(a) == lower(b). strings.EqualFold is not the
// same: it folds more ("ſ" equals "s"), so IAM's case-insensitive
// comparison as the Rego library makes it would differ on such text.
func lowerEqual(a, b string) bool {
	//lint:ignore SA6005 the comparison must be the Rego library's, lower() on both sides
	return strings.ToLower(a) == strings.ToLower(b)
}

// HasWildcard says whether an IAM value holds * or ?.
func HasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

func list(v any) []any {
	l, _ := v.([]any)
	return l
}
