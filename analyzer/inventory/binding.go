package inventory

import (
	"regexp"
	"sort"
	"strings"

	"github.com/irsalint/irsalint/analyzer/trust"
)

// The join of ServiceAccounts to trust policies is resolution too: which
// role a ServiceAccount's pods would assume and whether its trust lets them,
// and which exact ServiceAccounts each trust names. Deciding one such pair
// is a whole IAM evaluation, thousands of them on a large scan, so they are
// decided here once, as facts the binding rules read:
//
//	serviceAccounts[k].trust  the verdict of the role the ServiceAccount is annotated with
//	roles[k].admits           the exact ServiceAccounts the role's trust names for this cluster
//
// Where deciding needs what only the Rego library evaluates (a Numeric,
// Date or IpAddress condition on sub or aud), the fact is left out (trust)
// or null (admits[].admitted), and the rules evaluate it themselves.

const audienceAnnotation = "eks.amazonaws.com/audience"

// defaultAudience is the audience the pod identity webhook requests when
// the ServiceAccount names none.
const defaultAudience = "sts.amazonaws.com"

var (
	// eksIssuer matches the host/path of an EKS cluster's OIDC issuer.
	eksIssuer = regexp.MustCompile(`^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/`)
	// exactSubject is a ServiceAccount's token subject.
	exactSubject = regexp.MustCompile(`^system:serviceaccount:([^:]+):([^:]+)$`)
)

// resolveTrust sets out["serviceAccounts"] and out["roles"] to copies that
// carry the trust facts; the maps it was given are not changed.
func resolveTrust(out map[string]any) {
	sas, _ := out["serviceAccounts"].(map[string]any)
	roles, _ := out["roles"].(map[string]any)
	cluster, _ := out["cluster"].(map[string]any)
	tc := thisCluster(cluster, sas, roles)
	// Each ServiceAccount and each role is decided on its own, but on one
	// goroutine. The join takes 0.10–0.13 s on 10k; decided in chunks on
	// every core, the whole run was 0.04 s faster and its peak 28 MiB
	// higher, because the collector's first large mark runs while the
	// join allocates.
	if sas != nil {
		out["serviceAccounts"] = mapValues(sas, func(raw any) any { return tc.withVerdict(raw, roles) })
	}
	if roles != nil {
		out["roles"] = mapValues(roles, tc.withAdmits)
	}
}

// withVerdict is the ServiceAccount with the verdict of the role it is
// annotated with, when there is one to give.
func (tc cluster) withVerdict(raw any, roles map[string]any) any {
	sa, _ := raw.(map[string]any)
	if sa == nil {
		return raw
	}
	var v map[string]any
	arn, _ := asMap(sa["annotations"])[roleARNAnnotation].(string)
	if r, _ := roles[arn].(map[string]any); sa["declared"] == true && r != nil && decidable(r) {
		v, _ = tc.verdict(sa, r)
	}
	// An input resolved before keeps no verdict of its own.
	if _, stale := sa["trust"]; v == nil && !stale {
		return raw
	}
	entry := make(map[string]any, len(sa)+1)
	for f, x := range sa {
		entry[f] = x
	}
	delete(entry, "trust")
	if v != nil {
		entry["trust"] = v
	}
	return entry
}

// withAdmits is the role with the ServiceAccounts its trust admits.
func (tc cluster) withAdmits(raw any) any {
	r, _ := raw.(map[string]any)
	if r == nil {
		return raw
	}
	entry := make(map[string]any, len(r)+1)
	for f, x := range r {
		entry[f] = x
	}
	entry["admits"] = tc.admits(r)
	return entry
}

// mapValues is a new map with f of each value of m.
func mapValues(m map[string]any, f func(any) any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = f(v)
	}
	return out
}

// cluster is the issuers findings treat as this cluster's: the configured
// one, or else those of the EKS providers trusted by the roles the scanned
// ServiceAccounts are annotated with (inferred).
type cluster struct {
	issuers  []string // as written, sorted
	lowered  map[string]bool
	inferred bool
}

func thisCluster(c map[string]any, sas, roles map[string]any) cluster {
	set := map[string]bool{}
	configured, ok := c["oidcIssuer"].(string)
	if ok {
		set[configured] = true
	} else {
		for _, raw := range sas {
			arn, _ := asMap(asMap(raw)["annotations"])[roleARNAnnotation].(string)
			for _, f := range eksProviders(asMap(roles[arn])) {
				set[f] = true
			}
		}
	}
	tc := cluster{lowered: map[string]bool{}, inferred: !ok}
	for i := range set {
		tc.issuers = append(tc.issuers, i)
		tc.lowered[strings.ToLower(i)] = true
	}
	sort.Strings(tc.issuers)
	return tc
}

// eksProviders are the issuers of the EKS OIDC providers a role's trust
// names in any statement.
func eksProviders(r map[string]any) []string {
	var out []string
	for _, rs := range list(asMap(r["trustPolicy"])["statements"]) {
		for _, rf := range list(asMap(rs)["federated"]) {
			f := asMap(rf)
			issuer, ok := f["issuer"].(string)
			if ok && f["kind"] == "oidc" && eksIssuer.MatchString(strings.ToLower(issuer)) {
				out = append(out, issuer)
			}
		}
	}
	return out
}

// verdict evaluates role r's trust for the request the pods of
// ServiceAccount sa make: {"decision", "issuer" (the one used, null when
// there was none to try), "inferred"}. Without a configured issuer every
// EKS issuer the role trusts is tried, in order, and one that allows wins.
// ok is false when a decision is left to the rules.
func (tc cluster) verdict(sa, r map[string]any) (map[string]any, bool) {
	candidates := tc.issuers
	if tc.inferred {
		candidates = sortedUnique(eksProviders(r))
	}
	policy, isPolicy := r["trustPolicy"].(map[string]any)
	if len(candidates) == 0 || !isPolicy {
		return map[string]any{"decision": string(trust.ImplicitDeny), "issuer": nil, "inferred": tc.inferred}, true
	}
	partition, ok1 := r["partition"].(string)
	account, ok2 := r["account"].(string)
	subject, ok3 := subjectOf(sa)
	audience, ok4 := audienceOf(sa)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, false
	}
	chosen := -1
	decisions := make([]trust.Decision, len(candidates))
	for i, issuer := range candidates {
		key := strings.ToLower(issuer)
		d := trust.Decide(policy, trust.Request{
			Action:    trust.WebIdentityAction,
			Principal: trust.Principal{Type: "Federated", Value: "arn:" + partition + ":iam::" + account + ":oidc-provider/" + issuer},
			Context:   map[string][]string{key + ":sub": {subject}, key + ":aud": {audience}},
		})
		if d == trust.Unknown {
			return nil, false
		}
		decisions[i] = d
		if d == trust.Allow && chosen < 0 {
			chosen = i
		}
	}
	if chosen < 0 {
		chosen = 0
	}
	return map[string]any{"decision": string(decisions[chosen]), "issuer": candidates[chosen], "inferred": tc.inferred}, true
}

// admits lists the exact ServiceAccounts (StringEquals-family conditions on
// sub naming system:serviceaccount:<namespace>:<name>) that the Allow
// web-identity statements of a usable trust name for this cluster's
// issuer, in statement, provider, condition and value order, each with
// positions into the policy and whether the trust really admits it.
func (tc cluster) admits(r map[string]any) []any {
	out := []any{}
	if !usable(r) {
		return out
	}
	policy := asMap(r["trustPolicy"])
	for si, rs := range list(policy["statements"]) {
		s := asMap(rs)
		if s["effect"] != "Allow" || s["unrendered"] == true {
			continue
		}
		for fi, rf := range list(s["federated"]) {
			f := asMap(rf)
			prefix, ok := f["keyPrefix"].(string)
			if kind := f["kind"]; !ok || kind != "oidc" && kind != "web" || !tc.lowered[prefix] {
				continue
			}
			if !trust.ActionMatches(s, trust.WebIdentityAction) {
				continue
			}
			var audience string
			for ci, rc := range list(s["conditions"]) {
				c := asMap(rc)
				if c["key"] != prefix+":sub" || !positive(c) || c["family"] != "String" || c["like"] == true || c["unrendered"] == true {
					continue
				}
				for _, rv := range list(c["values"]) {
					v, _ := rv.(string)
					m := exactSubject.FindStringSubmatch(v)
					if m == nil {
						continue
					}
					if audience == "" {
						audience = probeAudience(s, prefix)
					}
					out = append(out, map[string]any{
						"namespace": m[1], "name": m[2],
						"statement": si, "federated": fi, "condition": ci,
						"admitted": admitted(policy, s, f, v, audience),
					})
				}
			}
		}
	}
	return out
}

// admitted: every condition of the statement passes for a token of that
// subject with the statement's own audience, and no Deny of the policy
// stops it (the statement is an Allow). nil when left to the rules.
func admitted(policy, s, f map[string]any, subject, audience string) any {
	prefix, _ := f["keyPrefix"].(string)
	value, _ := f["value"].(string)
	req := trust.Request{
		Action:    trust.WebIdentityAction,
		Principal: trust.Principal{Type: "Federated", Value: value},
		Context:   map[string][]string{prefix + ":sub": {subject}, prefix + ":aud": {audience}},
	}
	applies, denied := trust.Applies(s, req), trust.Denied(policy, req)
	switch {
	case applies == trust.No || denied == trust.Yes:
		return false
	case applies == trust.Yes && denied == trust.No:
		return true
	}
	return nil
}

// probeAudience satisfies the statement's own audience conditions: the
// least wildcard-free value of a positive aud condition, else
// sts.amazonaws.com.
func probeAudience(s map[string]any, prefix string) string {
	best, found := "", false
	for _, rc := range list(s["conditions"]) {
		c := asMap(rc)
		if c["key"] != prefix+":aud" || !positive(c) {
			continue
		}
		for _, rv := range list(c["values"]) {
			if v, ok := rv.(string); ok && !trust.HasWildcard(v) && (!found || v < best) {
				best, found = v, true
			}
		}
	}
	if !found {
		return defaultAudience
	}
	return best
}

// positive: an operator that needs the key present and a value that
// matches (no negation, no IfExists, no ForAllValues, not Null).
func positive(c map[string]any) bool {
	q, hasQualifier := c["qualifier"]
	return c["negated"] != true && c["ifExists"] != true && hasQualifier && q != "ForAllValues" && c["family"] != "Null"
}

// usable: the policy was read without loss. decidable: and it holds no
// unrendered placeholder.
func usable(r map[string]any) bool { return asMap(r["trustPolicy"])["lossy"] != true }

func decidable(r map[string]any) bool {
	return usable(r) && asMap(r["trustPolicy"])["unrendered"] != true
}

func subjectOf(sa map[string]any) (string, bool) {
	ns, ok1 := sa["namespace"].(string)
	name, ok2 := sa["name"].(string)
	return "system:serviceaccount:" + ns + ":" + name, ok1 && ok2
}

// audienceOf is the audience of the ServiceAccount's tokens: its audience
// annotation, unless empty, else sts.amazonaws.com.
func audienceOf(sa map[string]any) (string, bool) {
	raw, ok := asMap(sa["annotations"])[audienceAnnotation]
	if !ok {
		return defaultAudience, true
	}
	a, isString := raw.(string)
	if !isString {
		return "", false
	}
	if a == "" {
		return defaultAudience, true
	}
	return a, true
}

func sortedUnique(l []string) []string {
	sort.Strings(l)
	out := l[:0]
	for i, s := range l {
		if i == 0 || s != l[i-1] {
			out = append(out, s)
		}
	}
	return out
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}
