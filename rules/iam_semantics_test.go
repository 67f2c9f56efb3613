package rules_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/analyzer/iam"
	"github.com/irsalint/irsalint/analyzer/source"
	"github.com/irsalint/irsalint/rules"
)

// These tests run whole policy documents through the Go normalizer
// (analyzer/iam) and then the Rego IAM library, and write down the verdict of
// every trust-policy edge case the rules must get right.

const (
	issuer   = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
	provider = "arn:aws:iam::743263909644:oidc-provider/" + issuer
	other    = "oidc.eks.eu-west-1.amazonaws.com/id/AAAABBBBCCCCDDDDEEEEFFFF00001111"
	lbcSub   = "system:serviceaccount:kube-system:aws-load-balancer-controller"
)

var (
	libOnce     sync.Once
	libCompiler *ast.Compiler
	libErr      error
)

func lib(t *testing.T) *ast.Compiler {
	t.Helper()
	libOnce.Do(func() {
		mods, err := engine.LoadFS(rules.FS, "rules", false)
		if err != nil {
			libErr = err
			return
		}
		m := map[string]*ast.Module{}
		for _, mod := range mods {
			m[mod.Name] = mod.Module
		}
		libCompiler = ast.NewCompiler()
		if libCompiler.Compile(m); libCompiler.Failed() {
			libErr = libCompiler.Errors
		}
	})
	if libErr != nil {
		t.Fatal(libErr)
	}
	return libCompiler
}

// query evaluates a Rego expression over {"policy": …, "request": …}; nil
// when undefined.
func query(t *testing.T, expr string, input map[string]any) any {
	t.Helper()
	rs, err := rego.New(rego.Query("x := "+expr), rego.Compiler(lib(t)), rego.Input(input), rego.StrictBuiltinErrors(true)).Eval(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	if len(rs) == 0 {
		return nil
	}
	return rs[0].Bindings["x"]
}

func policy(t *testing.T, text string) map[string]any {
	t.Helper()
	docs, err := source.Decode([]byte(text))
	if err != nil || len(docs) != 1 {
		t.Fatalf("decode: %v (%d docs)", err, len(docs))
	}
	return iam.ReadTrustPolicy(docs[0])
}

// webIdentity is the request a pod of the seed's cluster makes.
func webIdentity(sub string) map[string]any {
	ctx := map[string]any{strings.ToLower(issuer) + ":aud": []any{"sts.amazonaws.com"}}
	if sub != "" {
		ctx[strings.ToLower(issuer)+":sub"] = []any{sub}
	}
	return map[string]any{
		"action":    "sts:AssumeRoleWithWebIdentity",
		"principal": map[string]any{"type": "Federated", "value": provider},
		"context":   ctx,
	}
}

func decision(t *testing.T, p map[string]any, sub string) string {
	t.Helper()
	return query(t, "data.irsalint.lib.iam.decision(input.policy, input.request)", map[string]any{"policy": p, "request": webIdentity(sub)}).(string)
}

// openness says whether statement i admits every subject: "any" (a random
// subject gets in), "missing" (a token without sub gets in) or "" (scoped).
func openness(t *testing.T, p map[string]any, i int) string {
	t.Helper()
	v := query(t, `data.irsalint.lib.iam.open_to_any_subject(input.policy, input.policy.statements[input.i], input.policy.statements[input.i].federated[0])`,
		map[string]any{"policy": p, "i": i})
	if v == nil {
		return ""
	}
	return v.(string)
}

func trust(conditions string) string {
	return `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
	  "Principal": {"Federated": "` + provider + `"},
	  "Action": "sts:AssumeRoleWithWebIdentity"` + conditions + `}]}`
}

func TestSeedTrustPolicyAdmitsOnlyTheController(t *testing.T) {
	p := policy(t, trust(`, "Condition": {"StringEquals": {
	  "`+issuer+`:aud": "sts.amazonaws.com", "`+issuer+`:sub": "`+lbcSub+`"}}`))
	if got := decision(t, p, lbcSub); got != "allow" {
		t.Errorf("the controller: %s, want allow", got)
	}
	if got := decision(t, p, "system:serviceaccount:kube-system:other"); got != "implicit-deny" {
		t.Errorf("another SA: %s", got)
	}
	if got := openness(t, p, 0); got != "" {
		t.Errorf("openness %q, want scoped", got)
	}
}

// Case 13: documents from the IAM API arrive URL-encoded; "+" must stay "+"
// (QueryUnescape would make it a space) and "%20" becomes a space.
func TestCase13URLEncodedDocument(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"a+b c"}}}]}`
	// RFC 3986 leaves "+" as it is: only a decoder that keeps it is right.
	encoded := url.PathEscape(doc)
	if !strings.Contains(encoded, "a+b%20c") {
		t.Fatalf("encoding: %s", encoded)
	}
	if q, _ := url.QueryUnescape(encoded); strings.Contains(q, "a+b") {
		t.Fatal("test input should tell PathUnescape from QueryUnescape")
	}
	role := map[string]any{"Role": map[string]any{"Arn": "arn:aws:iam::111122223333:role/x", "RoleName": "x", "AssumeRolePolicyDocument": encoded}}
	b, _ := json.Marshal(role)
	docs, err := source.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	ex := iam.Extract("get-role.json", docs[0])
	if len(ex.Roles) != 1 || len(ex.Diagnostics) > 0 {
		t.Fatalf("roles %d, diagnostics %v", len(ex.Roles), ex.Diagnostics)
	}
	tp := ex.Roles[0].Entry["trustPolicy"].(map[string]any)
	c := tp["statements"].([]any)[0].(map[string]any)["conditions"].([]any)[0].(map[string]any)
	if got := c["values"].([]any)[0]; got != "a+b c" {
		t.Errorf("decoded value %q, want %q", got, "a+b c")
	}
	if tp["encoded"] != true {
		t.Error("encoded not recorded")
	}
}

// Case 14: an already-decoded document (object, or a string holding JSON)
// is never decoded again, so "%20" in a value stays.
func TestCase14NoDoubleDecoding(t *testing.T) {
	for _, doc := range []string{
		`{"Role": {"Arn": "arn:aws:iam::1:role/x", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "a%20b"}}}]}}}`,
		`{"Role": {"Arn": "arn:aws:iam::1:role/x", "AssumeRolePolicyDocument": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::1:root\"}, \"Action\": \"sts:AssumeRole\", \"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \"a%20b\"}}}]}"}}`,
	} {
		docs, err := source.Decode([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		ex := iam.Extract("role.json", docs[0])
		if len(ex.Roles) != 1 {
			t.Fatalf("%v", ex.Diagnostics)
		}
		c := ex.Roles[0].Entry["trustPolicy"].(map[string]any)["statements"].([]any)[0].(map[string]any)["conditions"].([]any)[0].(map[string]any)
		if got := c["values"].([]any)[0]; got != "a%20b" {
			t.Errorf("value %q, want a%%20b", got)
		}
	}
}

// Case 15: every string-or-array form normalizes to the same policy.
func TestCase15StringOrArrayForms(t *testing.T) {
	a := policy(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
	  "Principal": {"Federated": "`+provider+`"}, "Action": "sts:AssumeRoleWithWebIdentity",
	  "Condition": {"StringEquals": {"`+issuer+`:sub": "`+lbcSub+`"}}}}`)
	b := policy(t, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
	  "Principal": {"Federated": ["`+provider+`"]}, "Action": ["sts:AssumeRoleWithWebIdentity"],
	  "Condition": {"StringEquals": {"`+issuer+`:sub": ["`+lbcSub+`"]}}}]}`)
	for _, p := range []map[string]any{a, b} {
		if got := decision(t, p, lbcSub); got != "allow" {
			t.Errorf("decision %s, want allow", got)
		}
		if p["lossy"] != false {
			t.Errorf("problems: %v", p["problems"])
		}
	}
}

// Case 16: condition key names are case-insensitive; values are not.
func TestCase16KeyCaseAndValueCase(t *testing.T) {
	p := policy(t, trust(`, "Condition": {"StringEquals": {"`+strings.ToUpper(issuer)+`:SUB": "`+lbcSub+`"}}`))
	if got := decision(t, p, lbcSub); got != "allow" {
		t.Errorf("upper-case key: %s, want allow", got)
	}
	p = policy(t, trust(`, "Condition": {"StringEquals": {"`+issuer+`:sub": "system:serviceaccount:KUBE-SYSTEM:AWS-LOAD-BALANCER-CONTROLLER"}}`))
	if got := decision(t, p, lbcSub); got != "implicit-deny" {
		t.Errorf("upper-case value: %s, want implicit-deny", got)
	}
}

// Case 17: StringEquals takes "*" literally: the role admits nobody real.
func TestCase17StringEqualsWildcardIsLiteral(t *testing.T) {
	p := policy(t, trust(`, "Condition": {"StringEquals": {"`+issuer+`:sub": "system:serviceaccount:ns:*"}}`))
	if got := decision(t, p, "system:serviceaccount:ns:app"); got != "implicit-deny" {
		t.Errorf("%s, want implicit-deny", got)
	}
	if got := decision(t, p, "system:serviceaccount:ns:*"); got != "allow" {
		t.Errorf("the literal subject: %s, want allow", got)
	}
}

// Case 18: StringLike prod* crosses the namespace boundary; prod:* does not.
func TestCase18StringLikeGrades(t *testing.T) {
	p := policy(t, trust(`, "Condition": {"StringLike": {"`+issuer+`:sub": "system:serviceaccount:prod*"}}`))
	if got := decision(t, p, "system:serviceaccount:prod-sandbox:anything"); got != "allow" {
		t.Errorf("prod*: %s, want allow", got)
	}
	f := map[string]any{"issuer": issuer, "keyPrefix": strings.ToLower(issuer), "value": provider, "kind": "oidc"}
	grade := func(pattern string) string {
		return query(t, "data.irsalint.lib.iam.sub_pattern_scope(input.f, input.p).severity", map[string]any{"f": f, "p": pattern}).(string)
	}
	if g := grade("system:serviceaccount:prod*"); g != "high" {
		t.Errorf("prod*: %s, want high", g)
	}
	if g := grade("system:serviceaccount:prod:*"); g != "medium" {
		t.Errorf("prod:*: %s, want medium", g)
	}
	p = policy(t, trust(`, "Condition": {"StringLike": {"`+issuer+`:sub": "system:serviceaccount:prod:*"}}`))
	if got := decision(t, p, "system:serviceaccount:prod-sandbox:anything"); got != "implicit-deny" {
		t.Errorf("prod:* admits another namespace: %s", got)
	}
}

// Case 19: a negated operator alone on sub admits everyone else.
func TestCase19NegatedOperatorAlone(t *testing.T) {
	p := policy(t, trust(`, "Condition": {"StringNotEquals": {"`+issuer+`:sub": "system:serviceaccount:kube-system:evil"}}`))
	if got := openness(t, p, 0); got != "any" {
		t.Errorf("openness %q, want any", got)
	}
	if got := decision(t, p, "system:serviceaccount:kube-system:evil"); got != "implicit-deny" {
		t.Errorf("the excluded SA: %s", got)
	}
}

// Case 20: IfExists on another cluster's key: the key is absent, so the
// condition passes and anyone gets in; plain StringEquals makes the role
// unusable.
func TestCase20OtherIssuerKey(t *testing.T) {
	p := policy(t, trust(`, "Condition": {"StringEqualsIfExists": {"`+other+`:sub": "`+lbcSub+`"}}`))
	if got := openness(t, p, 0); got != "any" {
		t.Errorf("IfExists: openness %q, want any", got)
	}
	p = policy(t, trust(`, "Condition": {"StringEquals": {"`+other+`:sub": "`+lbcSub+`"}}`))
	if got := decision(t, p, lbcSub); got != "implicit-deny" {
		t.Errorf("StringEquals: %s, want implicit-deny (unusable)", got)
	}
	if got := openness(t, p, 0); got != "" {
		t.Errorf("StringEquals: openness %q, want none", got)
	}
}

// Case 21: ForAllValues on sub is true when the key is missing.
func TestCase21ForAllValues(t *testing.T) {
	p := policy(t, trust(`, "Condition": {"ForAllValues:StringEquals": {
	  "`+issuer+`:aud": "sts.amazonaws.com", "`+issuer+`:sub": "`+lbcSub+`"}}`))
	if got := openness(t, p, 0); got != "missing" {
		t.Errorf("openness %q, want missing", got)
	}
	if got := decision(t, p, "system:serviceaccount:x:y"); got != "implicit-deny" {
		t.Errorf("a present, other sub: %s", got)
	}
}

// Case 22: statements are a union: an unscoped second statement opens the role.
func TestCase22UnionOfStatements(t *testing.T) {
	p := policy(t, `{"Version": "2012-10-17", "Statement": [
	  {"Effect": "Allow", "Principal": {"Federated": "`+provider+`"}, "Action": "sts:AssumeRoleWithWebIdentity",
	   "Condition": {"StringEquals": {"`+issuer+`:sub": "system:serviceaccount:ns:app"}}},
	  {"Effect": "Allow", "Principal": {"Federated": "`+provider+`"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}`)
	if got := decision(t, p, "system:serviceaccount:anyone:at-all"); got != "allow" {
		t.Errorf("%s, want allow", got)
	}
	if a, b := openness(t, p, 0), openness(t, p, 1); a != "" || b != "any" {
		t.Errorf("openness %q %q, want scoped and any", a, b)
	}
}

// Case 23: an explicit Deny beats the matching Allow.
func TestCase23ExplicitDeny(t *testing.T) {
	p := policy(t, `{"Version": "2012-10-17", "Statement": [
	  {"Effect": "Allow", "Principal": {"Federated": "`+provider+`"}, "Action": "sts:AssumeRoleWithWebIdentity",
	   "Condition": {"StringEquals": {"`+issuer+`:sub": "`+lbcSub+`"}}},
	  {"Effect": "Deny", "Principal": {"Federated": "`+provider+`"}, "Action": "sts:AssumeRoleWithWebIdentity",
	   "Condition": {"StringLike": {"`+issuer+`:sub": "system:serviceaccount:*"}}}]}`)
	if got := decision(t, p, lbcSub); got != "deny" {
		t.Errorf("%s, want deny", got)
	}
}

// Case 24: action wildcards, case, and NotAction all permit web identity.
func TestCase24ActionForms(t *testing.T) {
	for _, action := range []string{`"Action": "sts:AssumeRole*"`, `"Action": "STS:assumerolewithwebidentity"`, `"NotAction": "sts:AssumeRole"`} {
		p := policy(t, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "`+provider+`"}, `+action+`,
		  "Condition": {"StringEquals": {"`+issuer+`:sub": "`+lbcSub+`"}}}]}`)
		if got := decision(t, p, lbcSub); got != "allow" {
			t.Errorf("%s: %s, want allow", action, got)
		}
	}
}

// Case 25: Principal "*" matches every provider; its OIDC conditions are all
// that stands in the way.
func TestCase25WildcardPrincipal(t *testing.T) {
	p := policy(t, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
	  "Action": "sts:AssumeRoleWithWebIdentity",
	  "Condition": {"StringEquals": {"`+issuer+`:sub": "`+lbcSub+`", "`+issuer+`:aud": "sts.amazonaws.com"}}}]}`)
	r := webIdentity(lbcSub)
	r["principal"] = map[string]any{"type": "Federated", "value": "arn:aws:iam::999999999999:oidc-provider/attacker.example.com"}
	if got := query(t, "data.irsalint.lib.iam.decision(input.policy, input.request)", map[string]any{"policy": p, "request": r}); got != "allow" {
		t.Errorf("another provider with the same claims: %v, want allow", got)
	}
}

// Case 26: duplicate operator keys: Go keeps the last (aud only); the
// reading is lossy and other rules must not run on it.
func TestCase26DuplicateKeys(t *testing.T) {
	p := policy(t, trust(`, "Condition": {
	  "StringEquals": {"`+issuer+`:sub": "`+lbcSub+`"},
	  "StringEquals": {"`+issuer+`:aud": "sts.amazonaws.com"}}`))
	if p["lossy"] != true {
		t.Fatalf("not lossy: %v", p["problems"])
	}
	probs := p["problems"].([]any)
	if len(probs) != 1 || probs[0].(map[string]any)["kind"] != "duplicate-key" {
		t.Errorf("problems %v", probs)
	}
	if got := openness(t, p, 0); got != "any" {
		t.Errorf("the lossy reading is open (%q): that is why rules must skip it", got)
	}
}

// Case 27: the webhook README example: duplicate __doc_comment (harmless)
// and both StringEquals and StringLike on sub (ANDed: one service account).
func TestCase27WebhookReadmeExample(t *testing.T) {
	p := policy(t, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
	  "Principal": {"Federated": "`+provider+`"}, "Action": "sts:AssumeRoleWithWebIdentity",
	  "__doc_comment": "scope the role to the service account (optional)",
	  "__doc_comment": "scope the role to the audience (optional)",
	  "Condition": {
	    "StringEquals": {"`+issuer+`:aud": "sts.amazonaws.com"},
	    "StringLike": {"`+issuer+`:sub": "system:serviceaccount:default:my-serviceaccount"}}}]}`)
	if p["lossy"] != false {
		t.Errorf("a duplicate non-element key should not make the reading lossy: %v", p["problems"])
	}
	if got := decision(t, p, "system:serviceaccount:default:my-serviceaccount"); got != "allow" {
		t.Errorf("%s, want allow", got)
	}
	if got := openness(t, p, 0); got != "" {
		t.Errorf("openness %q, want scoped", got)
	}
}

// Case 28: AWS's cross-account example: Federated with no Condition admits
// every subject; the Account B role with "Condition": {} trusts a root
// principal and is not a web-identity statement.
func TestCase28CrossAccountExamples(t *testing.T) {
	p := policy(t, trust(``))
	if got := openness(t, p, 0); got != "any" {
		t.Errorf("no Condition: openness %q, want any", got)
	}
	b := policy(t, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
	  "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole", "Condition": {}}]}`)
	if n := query(t, "count(data.irsalint.lib.iam.web_identity_statements(input.policy))", map[string]any{"policy": b}); json.Number("0") != n {
		t.Errorf("web identity statements: %v, want 0", n)
	}
}

// GitHub's former AWS example (github/docs, removed in PR #17463) used
// ForAllValues:StringEquals on both claims: a token without the claim passes.
func TestGitHubForAllValuesExample(t *testing.T) {
	const gh = "token.actions.githubusercontent.com"
	p := policy(t, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
	  "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/`+gh+`"},
	  "Action": "sts:AssumeRoleWithWebIdentity",
	  "Condition": {"ForAllValues:StringEquals": {
	    "`+gh+`:aud": "sts.amazonaws.com",
	    "`+gh+`:sub": "repo:octo-org/octo-repo:ref:refs/heads/main"}}}]}`)
	if got := openness(t, p, 0); got != "missing" {
		t.Errorf("openness %q, want missing (a token without sub gets in)", got)
	}
	scope := query(t, "data.irsalint.lib.iam.provider_description(input.policy.statements[0].federated[0])", map[string]any{"policy": p})
	if scope != "every GitHub Actions workflow of every repository on GitHub" {
		t.Errorf("blast radius %q", scope)
	}
}
