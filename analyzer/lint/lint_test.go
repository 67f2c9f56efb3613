package lint_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/analyzer/inventory"
	"github.com/irsalint/irsalint/analyzer/lint"
	"github.com/irsalint/irsalint/rules"
)

// ruleMeta is the METADATA of the test rules; severity is filled in.
const ruleMeta = `# METADATA
# title: Test rule
# description: A rule of the lint tests.
# related_resources:
#   - ref: https://example.com/test
# custom:
#   severity: %s
#   remediation: Nothing.
`

// customRules are rules loaded with --rules next to the built-in ones.
var customRules = map[string]string{
	// no-team: every workload without a team label, at its labels.
	"no-team.rego": strings.Replace(ruleMeta, "%s", "medium", 1) + `package irsalint.rules.test["no-team"]

import data.irsalint.lib.result

deny contains result.finding(w, ["metadata", "labels"], sprintf("%s has no team label", [w.name])) if {
	some w in input.workloads
	not w.labels.team
}
`,
	// image: every container's image, graded critical for nginx, with
	// the workload's ServiceAccount as a related location.
	"image.rego": strings.Replace(ruleMeta, "%s", "low", 1) + `package irsalint.rules.test["image"]

import data.irsalint.lib.result

deny contains result.with_related(
	result.graded(w, array.concat(c.at, ["image"]), sprintf("%s runs %s", [c.name, c.image]), "critical"),
	[result.related(sa, ["metadata", "name"], "the ServiceAccount it runs as")],
) if {
	some w in input.workloads
	some c in w.containers
	c.image == "nginx"
	sa := input.serviceAccounts[w.serviceAccount.key]
}

deny contains result.finding(w, array.concat(c.at, ["image"]), sprintf("%s runs %s", [c.name, c.image])) if {
	some w in input.workloads
	some c in w.containers
	c.image != "nginx"
}
`,
	// nowhere: a finding on an object that does not exist.
	"nowhere.rego": strings.Replace(ruleMeta, "%s", "low", 1) + `package irsalint.rules.test["nowhere"]

deny contains {"ref": "nowhere.yaml#0", "message": "m"} if { count(input.workloads) > 0 }
`,
	// implicit: a finding on an implicit default ServiceAccount.
	"implicit.rego": strings.Replace(ruleMeta, "%s", "low", 1) + `package irsalint.rules.test["implicit"]

deny contains {"ref": sa.ref, "message": "implicit"} if {
	some sa in input.serviceAccounts
	not sa.declared
}
`,
	// related-nowhere: a related location on an object that does not exist.
	"related-nowhere.rego": strings.Replace(ruleMeta, "%s", "low", 1) + `package irsalint.rules.test["related-nowhere"]

deny contains {"ref": w.ref, "message": "m", "related": [{"ref": "gone#1"}]} if {
	some w in input.workloads
}
`,
}

// goodYAML: line numbers matter.
const goodYAML = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: prod
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
spec:
  template:
    spec:
      serviceAccountName: api
      containers:
        - name: app
          image: nginx
        - name: sidecar
          image: envoy
`

// brokenYAML has one good document before a syntax error.
const brokenYAML = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: early
  namespace: prod
---
apiVersion: v1
kind: Pod
metadata:
  name: p
 namespace: prod
`

func writeDir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// builtinRules stands in for the shipped rule tree: the shipped finding
// constructors and one rule, so that these tests do not depend on the
// built-in rules (TestBuiltinRulesEndToEnd uses those).
func builtinRules(t testing.TB) fstest.MapFS {
	t.Helper()
	result, err := fs.ReadFile(rules.FS, "lib/result.rego")
	if err != nil {
		t.Fatal(err)
	}
	return fstest.MapFS{
		"lib/result.rego": {Data: result},
		"workload/shipped-rule/rule.rego": {Data: []byte(strings.Replace(ruleMeta, "%s", "high", 1) +
			"package irsalint.rules.workload[\"shipped-rule\"]\n\ndeny contains 1 if { false }\n")},
	}
}

// newEngine loads builtinRules plus customRules from a --rules folder.
func newEngine(t testing.TB) *engine.Engine {
	t.Helper()
	eng, err := engine.New(engine.Options{Builtin: builtinRules(t), UserDirs: []string{writeDir(t, customRules)}})
	if err != nil {
		t.Fatalf("engine.New: %v", err)
	}
	return eng
}

// load reads the files of a new folder, displayed relative to it.
func load(t testing.TB, files map[string]string) (*inventory.Inventory, []analyzer.Diagnostic) {
	t.Helper()
	dir := writeDir(t, files)
	return lint.Load(context.Background(), lint.Input{Paths: []string{dir}, WorkingDir: dir, Settings: inventory.DefaultSettings()})
}

// run evaluates the given rules over inv.
func run(t testing.TB, eng *engine.Engine, inv *inventory.Inventory, ids ...string) (*lint.Result, error) {
	t.Helper()
	ctx := context.Background()
	q, err := eng.Prepare(ctx, ids)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return lint.Run(ctx, eng, q, inv)
}

func loc(file string, line, col int) analyzer.Location {
	return analyzer.Location{File: file, Line: line, Column: col}
}

func TestLoadKeepsGoodFiles(t *testing.T) {
	inv, diags := load(t, map[string]string{"good.yaml": goodYAML, "broken.yaml": brokenYAML, "notes.txt": "not read"})
	want := []analyzer.Diagnostic{{
		Level:    analyzer.LevelError,
		Location: loc("broken.yaml", 11, 2),
		Message:  "did not find expected key (while parsing a block mapping that starts at line 7, column 1)",
	}}
	if !reflect.DeepEqual(diags, want) {
		t.Errorf("diagnostics:\n got  %+v\n want %+v", diags, want)
	}
	sas := inv.Input["serviceAccounts"].(map[string]any)
	// The good file, and the document before the syntax error.
	if sas["prod/api"] == nil || sas["prod/early"] == nil {
		t.Errorf("serviceAccounts %v", sas)
	}
	if n := len(inv.Input["workloads"].([]any)); n != 1 {
		t.Errorf("%d workloads, want 1", n)
	}
	if inv.Stats.Files != 2 || inv.Stats.Documents != 3 {
		t.Errorf("Stats %+v", inv.Stats)
	}
	if inv.Sources["good.yaml#1"] == nil || inv.Sources["broken.yaml#0"] == nil {
		t.Errorf("sources %v", inv.Sources)
	}
}

func TestLoadDiagnosticsSorted(t *testing.T) {
	_, diags := load(t, map[string]string{
		"b.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostNetwork: 1}\n",
		"a.yaml": "a: [\n",
	})
	var got []string
	for _, d := range diags {
		got = append(got, d.String())
	}
	want := []string{
		"a.yaml:2:1: error: did not find expected node content",
		"b.yaml:3:1: error: Pod has no metadata.name",
		"b.yaml:8:8: error: spec.hostNetwork: expected a boolean, got number 1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics:\n got  %q\n want %q", got, want)
	}
}

func TestRunResolvesFindings(t *testing.T) {
	eng := newEngine(t)
	inv, diags := load(t, map[string]string{"good.yaml": goodYAML})
	if len(diags) > 0 {
		t.Fatalf("diagnostics %v", diags)
	}
	res, err := run(t, eng, inv, "no-team", "image")
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	for i := range res.Findings {
		if res.Findings[i].Fingerprint == "" {
			t.Errorf("finding %d has no fingerprint", i)
		}
		res.Findings[i].Fingerprint = ""
	}
	want := []analyzer.Finding{
		{
			Rule: "no-team", Severity: analyzer.SeverityMedium, Message: "api has no team label",
			Object: "Deployment prod/api", Location: loc("good.yaml", 9, 1), // no labels: their metadata
			Path: []any{"metadata", "labels"},
		},
		{
			// The finding's own severity overrides the rule's (low).
			Rule: "image", Severity: analyzer.SeverityCritical, Message: "app runs nginx",
			Object: "Deployment prod/api", Location: loc("good.yaml", 18, 11),
			Path: []any{"spec", "template", "spec", "containers", 0, "image"},
			Related: []analyzer.Related{{
				Location: loc("good.yaml", 4, 3), Object: "ServiceAccount prod/api", Message: "the ServiceAccount it runs as",
			}},
		},
		{
			Rule: "image", Severity: analyzer.SeverityLow, Message: "sidecar runs envoy",
			Object: "Deployment prod/api", Location: loc("good.yaml", 20, 11),
			Path: []any{"spec", "template", "spec", "containers", 1, "image"},
		},
	}
	if !reflect.DeepEqual(res.Findings, want) {
		t.Errorf("findings:\n got  %+v\n want %+v", res.Findings, want)
	}
	if len(res.Diagnostics) != 0 || len(res.Suppressed) != 0 || res.Inventory != inv {
		t.Errorf("diagnostics %v, suppressed %v", res.Diagnostics, res.Suppressed)
	}
}

func TestRunSeverityOverride(t *testing.T) {
	eng := newEngine(t)
	inv, _ := load(t, map[string]string{"good.yaml": goodYAML})
	q, err := eng.Prepare(context.Background(), []string{"no-team", "image"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := lint.RunWith(context.Background(), eng, q, inv, lint.RunOptions{Severity: map[string]analyzer.Severity{"image": analyzer.SeverityMedium}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]analyzer.Severity{}
	for _, f := range res.Findings {
		got[f.Rule+" "+f.Message] = f.Severity
	}
	want := map[string]analyzer.Severity{
		"no-team api has no team label": analyzer.SeverityMedium,
		// The configured severity wins over the rule's and the finding's.
		"image app runs nginx":     analyzer.SeverityMedium,
		"image sidecar runs envoy": analyzer.SeverityMedium,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("severities %v, want %v", got, want)
	}
}

func TestFingerprints(t *testing.T) {
	eng := newEngine(t)
	fingerprints := func(text string) map[string]analyzer.Finding {
		inv, diags := load(t, map[string]string{"good.yaml": text})
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		res, err := run(t, eng, inv, "no-team", "image")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]analyzer.Finding{}
		for _, f := range res.Findings {
			out[f.Message] = f
		}
		return out
	}
	before := fingerprints(goodYAML)
	// Unrelated lines and objects above the Deployment move it down and
	// change its document index (its ref), not what the finding is about.
	after := fingerprints("# moved\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: prod}\ndata:\n  a: b\n---\n" + goodYAML)
	if len(before) != 3 || len(after) != 3 {
		t.Fatalf("findings %v / %v", before, after)
	}
	seen := map[string]string{}
	for msg, b := range before {
		a := after[msg]
		if a.Location.Line != b.Location.Line+8 {
			t.Errorf("%s: moved from line %d to %d, want +8", msg, b.Location.Line, a.Location.Line)
		}
		if a.Fingerprint != b.Fingerprint {
			t.Errorf("%s: fingerprint changed from %s to %s", msg, b.Fingerprint, a.Fingerprint)
		}
		if len(b.Fingerprint) != 32 {
			t.Errorf("fingerprint %q: want 32 hex digits", b.Fingerprint)
		}
		// Different paths (containers 0 and 1 of one object, the same
		// object's labels) give different fingerprints.
		if other, dup := seen[b.Fingerprint]; dup {
			t.Errorf("%q and %q share a fingerprint", msg, other)
		}
		seen[b.Fingerprint] = msg
	}

	// The same finding in another file is another finding.
	inv, _ := load(t, map[string]string{"other.yaml": goodYAML})
	res, _ := run(t, eng, inv, "no-team")
	if len(res.Findings) != 1 || res.Findings[0].Fingerprint == before["api has no team label"].Fingerprint {
		t.Errorf("a finding in other.yaml has the fingerprint of good.yaml's: %+v", res.Findings)
	}
}

func TestRunSuppression(t *testing.T) {
	eng := newEngine(t)
	text := strings.Replace(goodYAML, "spec:\n  template:\n    spec:\n", "spec:\n  template:\n    metadata:\n      annotations:\n        irsalint.io/ignore: \"image, no-team: a demo image, owned by nobody\"\n    spec:\n", 1)
	inv, diags := load(t, map[string]string{"good.yaml": text})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	res, err := run(t, eng, inv, "no-team", "image")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 || len(res.Suppressed) != 3 || len(res.Diagnostics) != 0 {
		t.Fatalf("findings %+v, suppressed %v, diagnostics %v; want none, 3, none", res.Findings, res.Suppressed, res.Diagnostics)
	}
	for _, f := range res.Suppressed {
		if s := f.Suppression; s == nil || s.Kind != "inSource" || s.Justification != "a demo image, owned by nobody" || s.Location == nil || s.Location.Line != 16 {
			t.Errorf("suppression %+v", s)
		}
	}
	// Without a reason the annotation suppresses nothing, and says so at
	// its line.
	text = strings.Replace(text, ": a demo image, owned by nobody", "", 1)
	inv, _ = load(t, map[string]string{"good.yaml": text})
	res, _ = run(t, eng, inv, "no-team", "image")
	if len(res.Findings) != 3 || len(res.Suppressed) != 0 || len(res.Diagnostics) != 1 ||
		res.Diagnostics[0].Location.Line != 16 || !strings.Contains(res.Diagnostics[0].Message, "gives no reason, so it suppresses nothing") {
		t.Errorf("no reason: findings %d, suppressed %d, diagnostics %v", len(res.Findings), len(res.Suppressed), res.Diagnostics)
	}
}

func TestRunUnknownRefs(t *testing.T) {
	eng := newEngine(t)
	inv, _ := load(t, map[string]string{"good.yaml": goodYAML, "web.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: web, labels: {team: a}}\nspec:\n  containers: [{name: c, image: nginx}]\n"})
	custom := filepath.ToSlash(filepath.Dir(mustRule(t, eng, "nowhere").File))
	tests := []struct {
		ids  []string
		want string
	}{
		{[]string{"nowhere"}, `rule "nowhere" (` + custom + `/nowhere.rego) reported a finding on "nowhere.yaml#0", which is not an object read from a file`},
		{[]string{"implicit"}, strings.Join([]string{
			`rule "implicit" (` + custom + `/implicit.rego) reported a finding on "implicit:prod/default", which is not an object read from a file`,
			`rule "implicit" (` + custom + `/implicit.rego) reported a finding on "implicit:web/default", which is not an object read from a file`,
		}, "\n")},
		{[]string{"related-nowhere"}, strings.Join([]string{
			`rule "related-nowhere" (` + custom + `/related-nowhere.rego) named a related object "gone#1" that was not read from a file`,
			`rule "related-nowhere" (` + custom + `/related-nowhere.rego) named a related object "gone#1" that was not read from a file`,
		}, "\n")},
	}
	for _, tt := range tests {
		t.Run(tt.ids[0], func(t *testing.T) {
			res, err := run(t, eng, inv, append(tt.ids, "no-team")...)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error:\n got  %v\n want %s", err, tt.want)
			}
			// The findings that resolved are still there.
			if res == nil || len(res.Findings) != 1 || res.Findings[0].Rule != "no-team" {
				t.Errorf("result %+v", res)
			}
		})
	}
}

func mustRule(t *testing.T, eng *engine.Engine, id string) analyzer.Rule {
	t.Helper()
	r, ok := eng.Rule(id)
	if !ok {
		t.Fatalf("no rule %s", id)
	}
	return r
}

func TestRunRuleFailure(t *testing.T) {
	// A rule whose findings break the contract fails the run with its
	// message; the other rules' findings are kept.
	dir := writeDir(t, map[string]string{"bad.rego": strings.Replace(ruleMeta, "%s", "low", 1) + `package irsalint.rules.test["bad"]

deny contains {"ref": w.ref, "message": ""} if { some w in input.workloads }
`, "no-team.rego": customRules["no-team.rego"]})
	eng, err := engine.New(engine.Options{Builtin: builtinRules(t), UserDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := load(t, map[string]string{"good.yaml": goodYAML})
	res, err := run(t, eng, inv, "bad", "no-team")
	if err == nil || err.Error() != `rule "bad" returned a malformed finding: empty message` {
		t.Errorf("error %v", err)
	}
	if res == nil || len(res.Findings) != 1 {
		t.Errorf("result %+v", res)
	}
}

func TestFindingsSorted(t *testing.T) {
	eng := newEngine(t)
	second := strings.ReplaceAll(goodYAML, "name: api", "name: zeta")
	inv, _ := load(t, map[string]string{"b.yaml": goodYAML, "a.yaml": second})
	res, err := run(t, eng, inv, "image", "no-team")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Location.String()+" "+f.Rule+" "+f.Message)
	}
	want := []string{
		"a.yaml:9:1 no-team zeta has no team label",
		"a.yaml:18:11 image app runs nginx",
		"a.yaml:20:11 image sidecar runs envoy",
		"b.yaml:9:1 no-team api has no team label",
		"b.yaml:18:11 image app runs nginx",
		"b.yaml:20:11 image sidecar runs envoy",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n got  %q\n want %q", got, want)
	}
}

func TestSortFindings(t *testing.T) {
	fs := []analyzer.Finding{
		{Rule: "b", Message: "1", Location: loc("a", 2, 1)},
		{Rule: "a", Message: "2", Location: loc("a", 2, 1)},
		{Rule: "a", Message: "1", Location: loc("a", 2, 1)},
		{Rule: "z", Message: "z", Location: loc("a", 1, 9)},
		{Rule: "z", Message: "z", Location: loc("a", 10, 1)},
		{Rule: "a", Message: "a", Location: loc("b", 1, 1)},
		{Rule: "a", Message: "a", Location: loc("a", 2, 0)},
	}
	lint.SortFindings(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.Location.String()+" "+f.Rule+" "+f.Message)
	}
	want := []string{"a:1:9 z z", "a:2 a a", "a:2:1 a 1", "a:2:1 a 2", "a:2:1 b 1", "a:10:1 z z", "b:1:1 a a"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SortFindings:\n got  %q\n want %q", got, want)
	}
}

// withIgnore is goodYAML's Deployment named name annotated to ignore ids.
func withIgnore(name, ids string) string {
	return strings.Replace(strings.ReplaceAll(goodYAML, "name: api\n  namespace: prod\nspec", "name: "+name+"\n  namespace: prod\n  annotations:\n    irsalint.io/ignore: "+ids+"\nspec"),
		"kind: ServiceAccount", "kind: ConfigMap", 1)
}

func TestUnknownIgnoreNotice(t *testing.T) {
	eng := newEngine(t)
	inv, _ := load(t, map[string]string{
		// shipped-rule is a built-in rule, image a custom one: both are
		// known.
		"a.yaml": withIgnore("one", "not-a-rule, shipped-rule"),
		"b.yaml": withIgnore("two", "image,other-typo"),
	})
	res, err := run(t, eng, inv, "no-team")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range res.Diagnostics {
		got = append(got, d.String())
	}
	want := []string{
		`a.yaml:13:5: notice: irsalint.io/ignore names unknown rule "not-a-rule"`,
		`b.yaml:13:5: notice: irsalint.io/ignore names unknown rule "other-typo"`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics:\n got  %q\n want %q", got, want)
	}
}

// TestUnknownIgnoreNoticeDeterministic: one notice per unknown rule ID, at
// the first object (in file order) that names it, whatever the order in
// which the inventory's map of sources is walked.
func TestUnknownIgnoreNoticeDeterministic(t *testing.T) {
	eng := newEngine(t)
	files := map[string]string{}
	for _, name := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		files[name+".yaml"] = withIgnore(name, "not-a-rule")
	}
	inv, _ := load(t, files)
	for range 50 {
		res, err := run(t, eng, inv, "no-team")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range res.Diagnostics {
			got = append(got, d.String())
		}
		want := []string{`a.yaml:13:5: notice: irsalint.io/ignore names unknown rule "not-a-rule"`}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("diagnostics:\n got  %q\n want %q", got, want)
		}
	}
}

func TestBuiltinRulesEndToEnd(t *testing.T) {
	eng, err := engine.New(engine.Options{})
	if err != nil {
		t.Fatalf("engine.New with the shipped rules: %v", err)
	}
	inv, diags := load(t, map[string]string{"creds.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
spec:
  template:
    spec:
      serviceAccountName: api
      containers:
        - name: app
          image: amazon/aws-cli
          env:
            - name: AWS_ACCESS_KEY_ID
              value: AKIAIOSFODNN7EXAMPLE
`})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	res, err := run(t, eng, inv, "static-aws-credentials")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 {
		t.Fatalf("findings %+v", res.Findings)
	}
	f := res.Findings[0]
	if f.Rule != "static-aws-credentials" || f.Severity != analyzer.SeverityCritical || f.Location != loc("creds.yaml", 15, 15) ||
		f.Object != "Deployment prod/api" || !reflect.DeepEqual(f.Path, []any{"spec", "template", "spec", "containers", 0, "env", 0, "value"}) {
		t.Errorf("finding %+v", f)
	}
}

func TestLoadReportsProgress(t *testing.T) {
	dir := t.TempDir()
	for i := range 300 {
		name := filepath.Join(dir, fmt.Sprintf("sa-%03d.yaml", i))
		text := fmt.Sprintf("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-%d\n  namespace: x\n", i)
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu   sync.Mutex
		seen []lint.Progress
	)
	lint.Load(context.Background(), lint.Input{Paths: []string{dir}, WorkingDir: dir, Progress: func(p lint.Progress) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, p)
	}})
	sort.Slice(seen, func(i, j int) bool { return seen[i].Done < seen[j].Done })
	want := []lint.Progress{{Phase: "reading", Done: 256, Total: 300}, {Phase: "reading", Done: 300, Total: 300}}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("progress: %+v, want %+v", seen, want)
	}
}

// TestLoadScanned: Load tells the size of the files it found, once, before
// it decodes them.
func TestLoadScanned(t *testing.T) {
	files := map[string]string{
		"a.yaml":     "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: x}\n",
		"sub/b.json": `{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "b", "namespace": "x"}}`,
		"notes.txt":  "not an input",
	}
	dir := writeDir(t, files)
	var calls []int64
	in := lint.Input{Paths: []string{dir}, WorkingDir: dir, Settings: inventory.DefaultSettings(),
		Scanned: func(n int64) { calls = append(calls, n) }}
	inv, diags := lint.Load(context.Background(), in)
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	want := int64(len(files["a.yaml"]) + len(files["sub/b.json"]))
	if len(calls) != 1 || calls[0] != want {
		t.Errorf("Scanned heard %v, want [%d]", calls, want)
	}
	if n := len(inv.Input["serviceAccounts"].(map[string]any)); n != 2 {
		t.Errorf("%d ServiceAccounts, want 2", n)
	}
}

// TestLoadInputInfo: each input comes with what the scan saw of it, the
// same file as a stat of its path finds, so that the check that a report
// is no input needs no stat per input; files read by a renderer have none.
func TestLoadInputInfo(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"a.yaml":                  "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: x}\n",
		"sub/b.yaml":              "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: b, namespace: x}\n",
		"empty.yaml":              "# nothing\n",
		"kust/kustomization.yaml": "resources: [sa.yaml]\n",
		"kust/sa.yaml":            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: k, namespace: y}\n",
	})
	in := lint.Input{Paths: []string{dir}, WorkingDir: dir, Settings: inventory.DefaultSettings()}
	inv, diags := lint.Load(context.Background(), in)
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	if len(inv.InputInfo) != len(inv.Inputs) {
		t.Fatalf("%d infos for %d inputs", len(inv.InputInfo), len(inv.Inputs))
	}
	seen := map[string]bool{}
	for i, p := range inv.Inputs {
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		seen[rel] = true
		info := inv.InputInfo[i]
		if strings.HasPrefix(rel, "kust/") {
			if info != nil {
				t.Errorf("%s: read by the renderer, yet has scan info", rel)
			}
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info == nil || !os.SameFile(info, st) {
			t.Errorf("%s: scan info %v is not the file", rel, info)
		}
	}
	for _, want := range []string{"a.yaml", "sub/b.yaml", "kust/sa.yaml"} {
		if !seen[want] {
			t.Errorf("%s is not among the inputs %q", want, inv.Inputs)
		}
	}
	if seen["empty.yaml"] {
		t.Error("a file without objects is an input")
	}
}
