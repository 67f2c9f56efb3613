package lint_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/analyzer/inventory"
	"github.com/irsalint/irsalint/analyzer/lint"
	"github.com/irsalint/irsalint/rules"
)

// trustReference computes, with the Rego IAM library alone, what the
// inventory's trust facts (serviceAccounts[].trust, roles[].admits) say,
// and lists where they differ. It is the join as the binding library
// evaluated it before the inventory resolved it in Go.
const trustReference = `package irsalint.test.trust_reference

import data.irsalint.lib.binding
import data.irsalint.lib.iam
import data.irsalint.lib.k8s

# Every declared ServiceAccount annotated with a decidable role of the scan.
links contains sa.key if {
	some sa in input.serviceAccounts
	sa.declared
	r := input.roles[k8s.role_arn(sa)]
	iam.decidable(r)
}

verdict_mismatches contains [key, sa.trust, v] if {
	some key in links
	sa := input.serviceAccounts[key]
	sa.trust
	v := binding.verdict(sa, input.roles[k8s.role_arn(sa)])
	sa.trust != v
}

# The inventory left these to the rules.
undecided_links contains key if {
	some key in links
	not input.serviceAccounts[key].trust
}

stray_verdicts contains sa.key if {
	some sa in input.serviceAccounts
	sa.trust
	not links[sa.key]
}

reference_admits(r) := [entry |
	iam.usable(r)
	some [s, f] in iam.web_identity_statements(r.trustPolicy)
	binding.is_this_cluster(f)
	some si, st in r.trustPolicy.statements
	st == s
	some fi, fe in s.federated
	fe == f
	some ci, c in s.conditions
	c.key == iam.claim_key(f, "sub")
	iam.positive(c)
	c.family == "String"
	not c.like
	not c.unrendered
	some v in c.values
	parts := regex.find_all_string_submatch_n(` + "`" + `^system:serviceaccount:([^:]+):([^:]+)$` + "`" + `, v, 1)
	count(parts) == 1
	entry := {"namespace": parts[0][1], "name": parts[0][2], "statement": si, "federated": fi, "condition": ci}
]

admits_mismatches contains [r.key, got, want] if {
	some r in input.roles
	got := [object.remove(a, ["admitted"]) | some a in r.admits]
	want := reference_admits(r)
	got != want
}

reference_admitted(e) if {
	request := iam.request(e.provider, binding.subject(e), iam.probe_audience(e.statement, e.provider))
	iam.applies(e.statement, request)
	not iam.denied(e.role.trustPolicy, request)
}

admitted_mismatches contains [e.role.key, e.namespace, e.name, e.admitted] if {
	some e in binding.admitted
	e.admitted == false
	reference_admitted(e)
}

admitted_mismatches contains [e.role.key, e.namespace, e.name, e.admitted] if {
	some e in binding.admitted
	e.admitted == true
	not reference_admitted(e)
}

undecided_admits contains r.key if {
	some r in input.roles
	some a in r.admits
	a.admitted == null
}

counts := {
	"links": count(links),
	"verdicts": count([1 | some sa in input.serviceAccounts; sa.trust]),
	"admits": count(binding.admitted),
}

report := {
	"verdict_mismatches": verdict_mismatches,
	"undecided_links": undecided_links,
	"stray_verdicts": stray_verdicts,
	"admits_mismatches": admits_mismatches,
	"admitted_mismatches": admitted_mismatches,
	"undecided_admits": undecided_admits,
	"counts": counts,
}
`

type trustReport struct {
	VerdictMismatches  []any          `json:"verdict_mismatches"`
	UndecidedLinks     []string       `json:"undecided_links"`
	StrayVerdicts      []string       `json:"stray_verdicts"`
	AdmitsMismatches   []any          `json:"admits_mismatches"`
	AdmittedMismatches []any          `json:"admitted_mismatches"`
	UndecidedAdmits    []string       `json:"undecided_admits"`
	Counts             map[string]int `json:"counts"`
}

func trustReferenceQuery(t *testing.T) rego.PreparedEvalQuery {
	t.Helper()
	mods, err := engine.LoadFS(rules.FS, "rules", false)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*ast.Module{}
	for _, mod := range mods {
		m[mod.Name] = mod.Module
	}
	ref, err := ast.ParseModuleWithOpts("trust_reference.rego", trustReference, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		t.Fatal(err)
	}
	m["trust_reference.rego"] = ref
	c := ast.NewCompiler()
	if c.Compile(m); c.Failed() {
		t.Fatal(c.Errors)
	}
	q, err := rego.New(rego.Query("r := data.irsalint.test.trust_reference.report"), rego.Compiler(c)).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestTrustFactsEqualRego holds the trust facts the inventory computes in
// Go to what the Rego IAM library decides on the same inventory: on every
// fixture (with the issuer inferred, and configured), on random trust
// policies and ServiceAccounts, and on the generated corpus when it is
// here. Where the inventory left a decision to the rules, the policy must
// hold a condition only Rego decides.
func TestTrustFactsEqualRego(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	q := trustReferenceQuery(t)
	root := filepath.Join("..", "..", "testdata")
	var inputs []lint.Input
	groups, err := os.ReadDir(filepath.Join(root, "rules"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		entries, _ := os.ReadDir(filepath.Join(root, "rules", g.Name()))
		for _, e := range entries {
			inputs = append(inputs, lint.Input{Paths: []string{filepath.Join(root, "rules", g.Name(), e.Name())}, WorkingDir: root, Settings: inventory.DefaultSettings()})
		}
	}
	for _, dir := range []string{"scenarios", "realistic"} {
		entries, _ := os.ReadDir(filepath.Join(root, dir))
		for _, e := range entries {
			if e.IsDir() {
				inputs = append(inputs, lint.Input{Paths: []string{filepath.Join(root, dir, e.Name())}, WorkingDir: root, Settings: inventory.DefaultSettings()})
			}
		}
	}
	random := t.TempDir()
	writeRandomTrust(t, random, 7, 1030)
	inputs = append(inputs, lint.Input{Paths: []string{random}, WorkingDir: random, Settings: inventory.DefaultSettings()})
	if _, err := os.Stat("../../../shared/bench/gencorpus/main.go"); err == nil && !testing.Short() {
		corpus := genCorpus(t, 2000, 400)
		inputs = append(inputs, lint.Input{Paths: []string{filepath.Join(corpus, "manifests"), filepath.Join(corpus, "iam/account-authorization-details.json")},
			WorkingDir: corpus, Settings: inventory.DefaultSettings()})
	} else {
		t.Log("../shared/bench/gencorpus is not here: the generated corpus is not compared")
	}
	totals := map[string]int{}
	for _, in := range inputs {
		inv, _ := lint.Load(ctx, in)
		// With the issuer inferred, then configured as the first EKS
		// issuer the inventory's roles trust.
		runs := []*inventory.Inventory{inv}
		if issuer := firstEKSIssuer(inv.Input); issuer != "" {
			in.Cluster.OIDCIssuer = issuer
			configured, _ := lint.Load(ctx, in)
			runs = append(runs, configured)
		}
		for _, run := range runs {
			rep := evalTrustReference(t, q, run.Input)
			name := fmt.Sprintf("%s (issuer %v)", strings.Join(in.Paths, ","), run.Input["cluster"].(map[string]any)["oidcIssuer"])
			if len(rep.VerdictMismatches)+len(rep.StrayVerdicts)+len(rep.AdmitsMismatches)+len(rep.AdmittedMismatches) > 0 {
				t.Errorf("%s: Go and Rego disagree:\n verdicts %v\n stray %v\n admits %v\n admitted %v", name,
					rep.VerdictMismatches, rep.StrayVerdicts, rep.AdmitsMismatches, rep.AdmittedMismatches)
			}
			roles, _ := run.Input["roles"].(map[string]any)
			for _, key := range rep.UndecidedAdmits {
				if !needsRego(roles[key]) {
					t.Errorf("%s: role %s: an admission was left to Rego, but its trust has no condition only Rego decides", name, key)
				}
			}
			sas, _ := run.Input["serviceAccounts"].(map[string]any)
			for _, key := range rep.UndecidedLinks {
				arn, _ := sas[key].(map[string]any)["annotations"].(map[string]any)["eks.amazonaws.com/role-arn"].(string)
				if !needsRego(roles[arn]) {
					t.Errorf("%s: ServiceAccount %s: its verdict was left to Rego, but the trust of %s has no condition only Rego decides", name, key, arn)
				}
			}
			for k, n := range rep.Counts {
				totals[k] += n
			}
			totals["undecided"] += len(rep.UndecidedLinks) + len(rep.UndecidedAdmits)
		}
	}
	t.Logf("compared %d inputs: %v", len(inputs), totals)
	if totals["verdicts"] < 500 || totals["admits"] < 500 || totals["undecided"] == 0 {
		t.Errorf("too little compared: %v", totals)
	}
}

func evalTrustReference(t *testing.T, q rego.PreparedEvalQuery, input map[string]any) trustReport {
	t.Helper()
	v, err := ast.InterfaceToValue(input)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := q.Eval(context.Background(), rego.EvalParsedInput(v))
	if err != nil || len(rs) != 1 {
		t.Fatalf("reference: %v (%d results)", err, len(rs))
	}
	b, _ := json.Marshal(rs[0].Bindings["r"])
	var rep trustReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

func firstEKSIssuer(input map[string]any) string {
	roles, _ := input["roles"].(map[string]any)
	best := ""
	for _, r := range roles {
		for _, s := range asList(asObj(asObj(r)["trustPolicy"])["statements"]) {
			for _, f := range asList(asObj(s)["federated"]) {
				issuer, _ := asObj(f)["issuer"].(string)
				if asObj(f)["kind"] == "oidc" && strings.HasPrefix(strings.ToLower(issuer), "oidc.eks.") && (best == "" || issuer < best) {
					best = issuer
				}
			}
		}
	}
	return best
}

// needsRego: a Numeric, Date or IpAddress condition (on any key; the
// requests carry only sub and aud, and either may be the key).
func needsRego(role any) bool {
	for _, s := range asList(asObj(asObj(role)["trustPolicy"])["statements"]) {
		for _, c := range asList(asObj(s)["conditions"]) {
			switch asObj(c)["family"] {
			case "Numeric", "Date", "IpAddress":
				return true
			}
		}
	}
	return false
}

func asObj(v any) map[string]any { m, _ := v.(map[string]any); return m }
func asList(v any) []any         { l, _ := v.([]any); return l }

// writeRandomTrust writes an account's authorization details with roles
// random trust policies, and ServiceAccounts annotated with them (some
// with a custom audience, some with none), into dir.
func writeRandomTrust(t *testing.T, dir string, seed uint64, nRoles int) {
	t.Helper()
	rnd := rand.New(rand.NewPCG(seed, seed))
	pick := func(l ...string) string { return l[rnd.IntN(len(l))] }
	issuers := []string{
		"oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56",
		"oidc.eks.eu-west-1.amazonaws.com/id/5E8B3C0A7D2F4916B1C6E0A9D3F7B248",
		"token.actions.githubusercontent.com",
	}
	const account = "743263909644"
	namespaces := []string{"shop", "billing", "kube-system"}
	for i := range 100 {
		namespaces = append(namespaces, fmt.Sprintf("team-%d", i))
	}
	names := []string{"cart", "api", "default", "worker", "cart-v1"}
	// Role i is made for ServiceAccount i (mod their number): half its
	// subjects name it, some with its namespace in upper case.
	var keys [][2]string
	for _, ns := range namespaces {
		for _, n := range names {
			keys = append(keys, [2]string{ns, n})
		}
	}
	var mine [2]string
	subject := func() string {
		switch rnd.IntN(12) {
		case 0:
			return "system:serviceaccount:" + mine[0] + ":*"
		case 1:
			return pick("*", "system:serviceaccount:*", "system:serviceaccounts:"+mine[0], "system:serviceaccount:"+mine[0]+":"+mine[1]+" ", "repo:org/app:*", "system:serviceaccount:"+mine[0][:1]+"?"+mine[0][2:]+":"+mine[1])
		case 2:
			return "system:serviceaccount:" + strings.ToUpper(mine[0][:1]) + mine[0][1:] + ":" + mine[1]
		case 3, 4, 5, 6, 7:
			return "system:serviceaccount:" + mine[0] + ":" + mine[1]
		}
		return "system:serviceaccount:" + pick(namespaces...) + ":" + pick(names...)
	}
	audience := func() string {
		return pick("sts.amazonaws.com", "sts.amazonaws.com", "STS.amazonaws.com", "vault", "sts.*", "12", "2024-01-01T00:00:00Z")
	}
	operators := []string{
		"StringEquals", "StringEquals", "StringLike", "StringNotEquals", "StringNotLike", "StringEqualsIgnoreCase",
		"StringNotEqualsIgnoreCase", "StringEqualsIfExists", "StringLikeIfExists", "ForAnyValue:StringEquals",
		"ForAllValues:StringLike", "ForAllValues:StringNotEquals", "ForAnyValue:StringNotLike", "Null", "ArnLike",
		"ArnEquals", "Bool", "BinaryEquals", "NumericEquals", "NumericLessThan", "DateGreaterThan", "IpAddress",
	}
	var roles []any
	roleARNs := make([]string, nRoles)
	for i := range nRoles {
		arn := fmt.Sprintf("arn:aws:iam::%s:role/r%d", account, i)
		roleARNs[i] = arn
		mine = keys[i%len(keys)]
		var statements []any
		for range 1 + rnd.IntN(3) {
			issuer := pick(issuers...)
			s := map[string]any{"Effect": "Allow"}
			if rnd.IntN(5) == 0 {
				s["Effect"] = "Deny"
			}
			switch rnd.IntN(10) {
			case 0:
				s["Principal"] = "*"
			case 1:
				s["Principal"] = map[string]any{"AWS": "arn:aws:iam::" + account + ":root"}
			default:
				s["Principal"] = map[string]any{"Federated": "arn:aws:iam::" + account + ":oidc-provider/" + issuer}
			}
			switch rnd.IntN(8) {
			case 0:
				s["Action"] = "sts:AssumeRole*"
			case 1:
				s["NotAction"] = "sts:AssumeRole"
			case 2:
				s["Action"] = []any{"sts:TagSession", "STS:AssumeRoleWithWebIdentity"}
			default:
				s["Action"] = "sts:AssumeRoleWithWebIdentity"
			}
			cond := map[string]any{}
			for j := range rnd.IntN(4) {
				op := operators[rnd.IntN(len(operators))]
				claim := pick("sub", "sub", "aud", "amr")
				if j == 0 && rnd.IntN(3) != 0 {
					// Mostly the usual sub condition, under operators
					// that decide by case and wildcards.
					op, claim = pick("StringEquals", "StringEquals", "StringLike", "StringEqualsIgnoreCase", "ForAnyValue:StringEquals", "StringNotEquals"), "sub"
				}
				keyIssuer := issuer
				if rnd.IntN(6) == 0 {
					keyIssuer = pick(issuers...)
				}
				key := keyIssuer + ":" + claim
				if rnd.IntN(8) == 0 {
					key = strings.ToUpper(keyIssuer[:4]) + keyIssuer[4:] + ":" + claim
				}
				var values []any
				for range 1 + rnd.IntN(3) {
					switch {
					case op == "Null" || op == "Bool":
						values = append(values, pick("true", "false"))
					case op == "IpAddress":
						values = append(values, pick("10.0.0.0/8", "203.0.113.7"))
					case claim == "aud":
						values = append(values, audience())
					case strings.HasPrefix(op, "Arn"):
						values = append(values, pick("arn:aws:iam::*:role/*", "system:serviceaccount:shop:*", "*"))
					default:
						values = append(values, subject())
					}
				}
				keys, _ := cond[op].(map[string]any)
				if keys == nil {
					keys = map[string]any{}
					cond[op] = keys
				}
				keys[key] = values
			}
			if len(cond) > 0 {
				s["Condition"] = cond
			}
			statements = append(statements, s)
		}
		roles = append(roles, map[string]any{
			"RoleName": fmt.Sprintf("r%d", i), "Path": "/", "Arn": arn,
			"AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": statements},
		})
	}
	details, _ := json.MarshalIndent(map[string]any{"RoleDetailList": roles}, "", " ")
	if err := os.WriteFile(filepath.Join(dir, "iam.json"), details, 0o644); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i, k := range keys {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: %s\n  namespace: %s\n", k[1], k[0])
		if rnd.IntN(8) == 0 {
			continue // no role: only the trusts name it
		}
		// Mostly the role made for it, else any.
		arn := roleARNs[i%nRoles]
		if rnd.IntN(3) == 0 {
			arn = roleARNs[rnd.IntN(nRoles)]
		}
		fmt.Fprintf(&b, "  annotations:\n    eks.amazonaws.com/role-arn: %s\n", arn)
		if rnd.IntN(4) == 0 {
			fmt.Fprintf(&b, "    eks.amazonaws.com/audience: %q\n", pick("vault", "sts.amazonaws.com", "12", ""))
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "serviceaccounts.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
