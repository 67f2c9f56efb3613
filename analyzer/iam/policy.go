package iam

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/irsalint/irsalint/analyzer/source"
)

// Policy elements (IAM JSON policy element reference). Element names are
// matched case-insensitively; a spelling that differs from these is reported.
var (
	topElements       = []string{"Version", "Id", "Statement"}
	statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
	principalTypes    = []string{"AWS", "Federated", "Service", "CanonicalUser"}
)

// policyReader normalizes one policy document and collects its problems.
type policyReader struct {
	problems []any
	lossy    bool
	// where says where line numbers of the document count from: "" for the
	// file itself, " of the decoded document" for a document held in a
	// string (its lines are not the file's).
	where string
	// placeholders are the unrendered values met ({"at", "text",
	// "placeholder"}); unrendered marks the statement being read when one
	// is in a principal or a condition key.
	placeholders []any
	unrendered   bool
	// selfAccount and selfPartition are the role's own account and
	// partition when its ARN writes them as placeholders: a provider ARN
	// naming those same placeholders names the role's own account's
	// provider, which is what IAM requires, so they are not unknowns about
	// who is admitted.
	selfAccount, selfPartition string
}

// unrenderedValue records s at path at when it holds a placeholder.
func (r *policyReader) unrenderedValue(s string, at []any) bool {
	ph, ok := placeholder(s)
	if ok {
		r.placeholders = append(r.placeholders, map[string]any{"at": at, "text": s, "placeholder": ph})
	}
	return ok
}

func (r *policyReader) problem(kind string, at []any, lossy bool, format string, args ...any) {
	r.problems = append(r.problems, map[string]any{
		"kind":    kind,
		"message": fmt.Sprintf(format, args...),
		"at":      at,
		"lossy":   lossy,
	})
	if lossy {
		r.lossy = true
	}
}

// readTrustPolicy normalizes the policy document doc found at path at
// (relative to the object). dups are the duplicate keys of the document,
// with paths relative to the document itself.
func readTrustPolicy(doc any, at []any, dups []source.Duplicate, encoded bool, self roleARN) map[string]any {
	r := &policyReader{}
	if _, ok := placeholder(self.account); ok {
		r.selfAccount = self.account
	}
	if _, ok := placeholder(self.partition); ok {
		r.selfPartition = self.partition
	}
	if encoded {
		r.where = " of the decoded document"
	}
	out := map[string]any{"at": at, "version": nil, "statements": []any{}}
	r.duplicates(at, dups)
	m, ok := doc.(map[string]any)
	if !ok {
		r.problem("not-a-policy", at, true, "the policy document is %s, not an object", describe(doc))
		out["problems"], out["lossy"] = r.problems, r.lossy
		return out
	}
	elems := r.elements(m, at, topElements)
	switch v, ok := elems["Version"]; {
	case !ok:
		r.problem("missing-version", at, false, `the policy has no "Version": IAM then uses 2008-10-17, which does not support policy variables; write "Version": "2012-10-17"`)
	case v.value != "2012-10-17":
		vs, _ := v.value.(string)
		out["version"] = vs
		r.problem("old-version", v.at, false, `"Version" is %s: write "2012-10-17" (the only other version, 2008-10-17, does not support policy variables)`, describe(v.value))
	default:
		out["version"] = "2012-10-17"
	}
	st, ok := elems["Statement"]
	if !ok {
		r.problem("missing-statement", at, true, `the policy has no "Statement"`)
	} else {
		out["statements"] = r.statements(st)
	}
	out["problems"] = nonNilList(r.problems)
	out["lossy"] = r.lossy
	// A placeholder is not a value: statements that name one in a
	// principal or a condition key are not judged, conditions with one in a
	// value do not decide who is admitted.
	out["unrendered"] = len(r.placeholders) > 0
	out["placeholders"] = nonNilList(r.placeholders)
	return out
}

type element struct {
	value   any
	at      []any
	written string
}

// elements reads the known elements of a policy or statement mapping,
// case-insensitively, reporting unknown names, case variants and two keys
// that differ only in case.
func (r *policyReader) elements(m map[string]any, at []any, known []string) map[string]element {
	out := map[string]element{}
	keys := sortedKeys(m)
	for _, k := range keys {
		name := canonical(k, known)
		if name == "" {
			r.problem("unknown-element", join(at, k), false, "%q is not an IAM policy element%s; IAM rejects or ignores it", k, suggestion(k, known))
			continue
		}
		if prev, dup := out[name]; dup {
			r.problem("case-variant-key", join(at, k), true, "%q and %q differ only in case: readers disagree on which one counts", prev.written, k)
			continue
		}
		if k != name {
			r.problem("element-case", join(at, k), false, "%q is spelled %q in IAM's policy grammar", k, name)
		}
		out[name] = element{value: m[k], at: join(at, k), written: k}
	}
	return out
}

func (r *policyReader) statements(st element) []any {
	var list []any
	var paths [][]any
	switch v := st.value.(type) {
	case map[string]any:
		// A single statement object instead of an array is valid IAM.
		list, paths = []any{v}, [][]any{st.at}
	case []any:
		for i, s := range v {
			list = append(list, s)
			paths = append(paths, join(st.at, i))
		}
	default:
		r.problem("bad-statement", st.at, true, `"Statement" is %s, not an object or an array of objects`, describe(st.value))
		return []any{}
	}
	out := []any{}
	for i, s := range list {
		m, ok := s.(map[string]any)
		if !ok {
			r.problem("bad-statement", paths[i], true, "statement %d is %s, not an object", i+1, describe(s))
			continue
		}
		out = append(out, r.statement(m, i, paths[i]))
	}
	return out
}

func (r *policyReader) statement(m map[string]any, index int, at []any) map[string]any {
	el := r.elements(m, at, statementElements)
	r.unrendered = false
	s := map[string]any{
		"index":        index,
		"at":           at,
		"sid":          nil,
		"effect":       nil,
		"principals":   []any{},
		"notPrincipal": false,
		"actions":      []any{},
		"notAction":    false,
		"conditions":   []any{},
		"federated":    []any{},
	}
	if v, ok := el["Sid"]; ok {
		s["sid"] = stringish(v.value)
	}
	switch v, ok := el["Effect"]; {
	case !ok:
		r.problem("missing-effect", at, true, "statement %s has no \"Effect\"", label(s, index))
	case v.value == "Allow" || v.value == "Deny":
		s["effect"], s["effectAt"] = v.value, v.at
	default:
		r.problem("bad-effect", v.at, true, `"Effect" is %s: IAM accepts only "Allow" or "Deny"`, describe(v.value))
	}
	if v, ok := el["NotPrincipal"]; ok {
		s["notPrincipal"] = true
		s["principalAt"] = v.at
		r.problem("not-principal", v.at, false, `"NotPrincipal" cannot be used in a role trust policy (IAM rejects it); name the trusted principals in "Principal"`)
	}
	if v, ok := el["Principal"]; ok {
		s["principalAt"] = v.at
		s["principals"], s["federated"] = r.principals(v)
	} else if _, notP := el["NotPrincipal"]; !notP {
		r.problem("missing-principal", at, true, "statement %s has no \"Principal\": a trust policy must name who may assume the role", label(s, index))
	}
	act, hasAct := el["Action"]
	notAct, hasNot := el["NotAction"]
	switch {
	case hasAct && hasNot:
		r.problem("action-and-not-action", notAct.at, true, `statement %s has both "Action" and "NotAction"`, label(s, index))
	case hasAct:
		s["actions"], s["actionAt"] = r.actions(act), act.at
	case hasNot:
		s["actions"], s["actionAt"], s["notAction"] = r.actions(notAct), notAct.at, true
	default:
		r.problem("missing-action", at, true, "statement %s has no \"Action\"", label(s, index))
	}
	if v, ok := el["Condition"]; ok {
		s["conditionAt"] = v.at
		s["conditions"] = r.conditions(v)
	}
	s["unrendered"] = r.unrendered
	return s
}

func label(s map[string]any, index int) string {
	if sid, ok := s["sid"].(string); ok && sid != "" {
		return strconv.Quote(sid)
	}
	return strconv.Itoa(index + 1)
}

func (r *policyReader) principals(p element) (principals, federated []any) {
	principals, federated = []any{}, []any{}
	switch v := p.value.(type) {
	case string:
		if v != "*" {
			r.problem("bad-principal", p.at, true, `"Principal" is the string %q: only "*" may be written without a type`, v)
			return
		}
		principals = append(principals, map[string]any{"type": "*", "value": "*", "at": p.at})
	case map[string]any:
		for _, k := range sortedKeys(v) {
			typ := canonical(k, principalTypes)
			kat := join(p.at, k)
			if typ == "" {
				r.problem("bad-principal", kat, true, "%q is not a principal type (AWS, Federated, Service or CanonicalUser)", k)
				continue
			}
			if typ != k {
				r.problem("element-case", kat, false, "principal type %q is spelled %q", k, typ)
			}
			values, ats, ok := r.strings(v[k], kat)
			if !ok {
				continue
			}
			for i, val := range values {
				checked := val.(string)
				if typ == "Federated" {
					if r.selfAccount != "" {
						checked = strings.Replace(checked, ":iam::"+r.selfAccount+":", ":iam::000000000000:", 1)
					}
					if r.selfPartition != "" && strings.HasPrefix(checked, "arn:"+r.selfPartition+":") {
						checked = "arn:aws:" + strings.TrimPrefix(checked, "arn:"+r.selfPartition+":")
					}
				}
				if r.unrenderedValue(checked, ats[i]) {
					r.unrendered = true
				}
				principals = append(principals, map[string]any{"type": typ, "value": val, "at": ats[i]})
				if typ == "Federated" {
					federated = append(federated, parseFederated(val.(string), ats[i]))
				}
			}
		}
	default:
		r.problem("bad-principal", p.at, true, `"Principal" is %s`, describe(p.value))
	}
	return principals, federated
}

// parseFederated reads an identity provider: an IAM OIDC or SAML provider
// ARN, or the host of a well-known web identity provider.
func parseFederated(v string, at []any) map[string]any {
	f := map[string]any{"value": v, "at": at, "kind": "web", "issuer": v, "keyPrefix": strings.ToLower(v), "partition": nil, "account": nil}
	parts := strings.SplitN(v, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" {
		f["partition"], f["account"] = parts[1], parts[4]
		switch res := parts[5]; {
		case strings.HasPrefix(res, "oidc-provider/"):
			// Condition keys name the provider as "<issuer>:<claim>", matched
			// case-insensitively: keyPrefix is what they must start with.
			issuer := strings.TrimPrefix(res, "oidc-provider/")
			f["kind"], f["issuer"], f["keyPrefix"] = "oidc", issuer, strings.ToLower(issuer)
		case strings.HasPrefix(res, "saml-provider/"):
			f["kind"], f["issuer"], f["keyPrefix"] = "saml", strings.TrimPrefix(res, "saml-provider/"), "saml"
		default:
			f["kind"], f["issuer"], f["keyPrefix"] = "unknown", nil, nil
		}
	}
	return f
}

func (r *policyReader) actions(a element) []any {
	values, _, ok := r.strings(a.value, a.at)
	if !ok {
		return []any{}
	}
	out := make([]any, len(values))
	for i, v := range values {
		// Action names are case-insensitive.
		out[i] = strings.ToLower(v.(string))
	}
	return out
}

func (r *policyReader) conditions(c element) []any {
	out := []any{}
	m, ok := c.value.(map[string]any)
	if !ok {
		r.problem("bad-condition", c.at, true, `"Condition" is %s, not an object of operators`, describe(c.value))
		return out
	}
	for _, opName := range sortedKeys(m) {
		opAt := join(c.at, opName)
		op, ok := parseOperator(opName)
		if !ok {
			r.problem("unknown-operator", opAt, true, "%q is not an IAM condition operator; IAM rejects the policy, and irsalint cannot evaluate it", opName)
			continue
		}
		if op.CaseDiffers {
			r.problem("operator-case", opAt, false, "condition operator %q is spelled %q", opName, op.Canonical())
		}
		if op.Family == "Null" && op.IfExists {
			r.problem("null-if-exists", opAt, false, "%q: Null already tests whether the key exists; IfExists makes no sense with it", opName)
		}
		keys, ok := m[opName].(map[string]any)
		if !ok {
			r.problem("bad-condition", opAt, true, "%q holds %s, not an object of condition keys", opName, describe(m[opName]))
			continue
		}
		seen := map[string]string{}
		for _, k := range sortedKeys(keys) {
			kat := join(opAt, k)
			lk := strings.ToLower(k)
			if prev, dup := seen[lk]; dup {
				// Condition key names are case-insensitive: two spellings
				// of one key under one operator are duplicates.
				r.problem("case-variant-key", kat, true, "condition keys %q and %q are the same key (key names are case-insensitive): readers disagree on which values count", prev, k)
				continue
			}
			seen[lk] = k
			if r.unrenderedValue(k, kat) {
				r.unrendered = true
			}
			values, vats, ok := r.strings(keys[k], kat)
			if !ok {
				continue
			}
			unrenderedValues := false
			for i, v := range values {
				if r.unrenderedValue(v.(string), vats[i]) {
					unrenderedValues = true
				}
			}
			out = append(out, map[string]any{
				"unrendered": unrenderedValues,
				"operator":   op.Canonical(),
				"written":    opName,
				"base":       op.Name,
				"family":     op.Family,
				"negated":    op.Negated,
				"like":       op.Like,
				"ignoreCase": op.IgnoreCase,
				"ifExists":   op.IfExists,
				"qualifier":  nilIfEmpty(op.Qualifier),
				"key":        lk,
				"keyWritten": k,
				"values":     values,
				"at":         kat,
				"operatorAt": opAt,
			})
		}
	}
	return out
}

// strings reads a value IAM allows as a string or an array of strings;
// booleans and numbers are read as their text (IAM compares text).
func (r *policyReader) strings(v any, at []any) ([]any, [][]any, bool) {
	one := func(x any) (string, bool) {
		switch t := x.(type) {
		case string:
			return t, true
		case bool:
			return strconv.FormatBool(t), true
		case int64:
			return strconv.FormatInt(t, 10), true
		case float64:
			if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
				return strconv.FormatInt(int64(t), 10), true
			}
			return strconv.FormatFloat(t, 'g', -1, 64), true
		}
		return "", false
	}
	if s, ok := one(v); ok {
		return []any{s}, [][]any{at}, true
	}
	list, ok := v.([]any)
	if !ok {
		r.problem("bad-value", at, true, "expected a string or an array of strings, got %s", describe(v))
		return nil, nil, false
	}
	out := make([]any, 0, len(list))
	ats := make([][]any, 0, len(list))
	for i, x := range list {
		s, ok := one(x)
		if !ok {
			r.problem("bad-value", join(at, i), true, "expected a string, got %s", describe(x))
			return nil, nil, false
		}
		out = append(out, s)
		ats = append(ats, join(at, i))
	}
	return out, ats, true
}

// duplicates reports keys repeated in one mapping. They make the reading
// lossy when the key means something to IAM: Go's decoder and irsalint keep
// the last occurrence, and IAM's behaviour is not documented.
func (r *policyReader) duplicates(at []any, dups []source.Duplicate) {
	for _, d := range dups {
		semantic := canonical(d.Key, topElements) != "" || canonical(d.Key, statementElements) != "" ||
			canonical(d.Key, principalTypes) != "" || inside(d.Path, "Condition") || inside(d.Path, "Principal")
		if _, ok := parseOperator(d.Key); ok {
			semantic = true
		}
		p := join(append(append([]any{}, at...), d.Path...), d.Key)
		if semantic {
			r.problem("duplicate-key", p, true, "key %q appears twice in one object (first at line %d%s): JSON readers keep one or the other — Go and irsalint keep the last, IAM does not document which; remove one", d.Key, d.First.Line, r.where)
		} else {
			r.problem("duplicate-key", p, false, "key %q appears twice in one object (first at line %d%s); it means nothing to IAM, but remove one", d.Key, d.First.Line, r.where)
		}
	}
}

func inside(path []any, name string) bool {
	for _, p := range path {
		if s, ok := p.(string); ok && strings.EqualFold(s, name) {
			return true
		}
	}
	return false
}

// canonical returns the known name k spells (case-insensitively), or "".
func canonical(k string, known []string) string {
	for _, n := range known {
		if strings.EqualFold(k, n) {
			return n
		}
	}
	return ""
}

func suggestion(k string, known []string) string {
	nk := strings.ToLower(strings.Trim(k, " _-"))
	for _, n := range known {
		if strings.ToLower(n) == nk {
			return fmt.Sprintf(" (did you mean %q?)", n)
		}
	}
	return ""
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func join(path []any, elems ...any) []any {
	out := make([]any, 0, len(path)+len(elems))
	return append(append(out, path...), elems...)
}

func stringish(v any) any {
	if s, ok := v.(string); ok {
		return s
	}
	return nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNilList(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	case bool:
		return "the boolean " + strconv.FormatBool(x)
	case int64, float64:
		return fmt.Sprintf("the number %v", x)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
