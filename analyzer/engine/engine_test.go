package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/engine"
)

// meta is a complete package METADATA block; the package clause is on the
// line after it (line 11 of a file that starts with it).
const meta = `# METADATA
# title: Workloads carry a team label
# description: |
#   Every workload names the team that owns it.
# related_resources:
#   - ref: https://example.com/labels
#     description: Labels guide
#   - ref: https://example.com/other
# custom:
#   severity: high
#   remediation: Add metadata.labels.team.
`

// metaLines is the number of lines of meta: the package clause is on line
// metaLines+1.
const metaLines = 11

// denyNoTeam reports workloads without a team label.
const denyNoTeam = `
deny contains {"ref": w.ref, "at": ["metadata", "labels"], "message": sprintf("%s has no team label", [w.name])} if {
	some w in input.workloads
	not w.labels.team
}
`

// ruleText is a rule file: METADATA, package, body.
func ruleText(group, id, metadata, body string) string {
	return fmt.Sprintf("%spackage irsalint.rules.%s[%q]\n%s", metadata, group, id, body)
}

// builtin is a built-in rule tree of rule files by path.
func builtin(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

func newEngine(t *testing.T, opts engine.Options) *engine.Engine {
	t.Helper()
	e, err := engine.New(opts)
	if err != nil {
		t.Fatalf("engine.New: %v", err)
	}
	return e
}

// newErr expects engine.New to fail and returns the error text.
func newErr(t *testing.T, opts engine.Options) string {
	t.Helper()
	e, err := engine.New(opts)
	if err == nil {
		t.Fatalf("engine.New succeeded with rules %v", e.Rules())
	}
	return err.Error()
}

// writeFiles writes files under a new temporary directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
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

func TestCatalogueCompleteRule(t *testing.T) {
	dir := writeFiles(t, map[string]string{"team.rego": ruleText("custom", "team-label", meta, denyNoTeam)})
	e := newEngine(t, engine.Options{
		Builtin: builtin(map[string]string{
			"workload/no-team/rule.rego": ruleText("workload", "no-team", meta, denyNoTeam),
			// A library: not a rule, not in the catalogue.
			"lib/util.rego": "package irsalint.lib.util\n\ntwo := 2\n",
			// Tests are left out of the runtime set.
			"workload/no-team/rule_test.rego": "package irsalint.rules.workload[\"no-team\"]_test\nthis does not parse\n",
			"README.md":                       "not rego",
		}),
		UserDirs: []string{dir},
	})
	refs := []analyzer.Reference{
		{URL: "https://example.com/labels", Description: "Labels guide"},
		{URL: "https://example.com/other"},
	}
	want := []analyzer.Rule{
		{
			ID: "no-team", Group: "workload", Title: "Workloads carry a team label",
			Description: "Every workload names the team that owns it.", Severity: analyzer.SeverityHigh,
			Remediation: "Add metadata.labels.team.", References: refs,
			HelpURI: engine.DocsBase + "no-team.md", Precision: "high", File: "rules/workload/no-team/rule.rego",
		},
		{
			ID: "team-label", Group: "custom", Title: "Workloads carry a team label",
			Description: "Every workload names the team that owns it.", Severity: analyzer.SeverityHigh,
			Remediation: "Add metadata.labels.team.", References: refs,
			HelpURI: "https://example.com/labels", Precision: "high", Custom: true, File: filepath.ToSlash(dir) + "/team.rego",
		},
	}
	if got := e.Rules(); !reflect.DeepEqual(got, want) {
		t.Errorf("Rules():\n got  %+v\n want %+v", got, want)
	}
	if r, ok := e.Rule("team-label"); !ok || !reflect.DeepEqual(r, want[1]) {
		t.Errorf("Rule(team-label) = %+v, %v", r, ok)
	}
	if _, ok := e.Rule("nope"); ok {
		t.Error("Rule(nope) found")
	}
}

func TestCatalogueSeverities(t *testing.T) {
	for name, want := range map[string]analyzer.Severity{
		"critical": analyzer.SeverityCritical, "high": analyzer.SeverityHigh,
		"medium": analyzer.SeverityMedium, "low": analyzer.SeverityLow, "Medium": analyzer.SeverityMedium,
	} {
		m := strings.Replace(meta, "severity: high", "severity: "+name, 1)
		e := newEngine(t, engine.Options{Builtin: builtin(map[string]string{"g/x/rule.rego": ruleText("g", "x", m, denyNoTeam)})})
		if r, _ := e.Rule("x"); r.Severity != want {
			t.Errorf("severity %q read as %v, want %v", name, r.Severity, want)
		}
	}
}

func TestCatalogueMetadataProblems(t *testing.T) {
	without := func(lines ...string) string {
		m := meta
		for _, l := range lines {
			if !strings.Contains(m, l) {
				t.Fatalf("meta has no %q", l)
			}
			m = strings.Replace(m, l, "", 1)
		}
		return m
	}
	loc := fmt.Sprintf("rules/g/x/rule.rego:%d", metaLines+1)
	tests := []struct {
		name     string
		metadata string
		want     string
	}{
		{"no title", without("# title: Workloads carry a team label\n"), fmt.Sprintf("rules/g/x/rule.rego:%d", metaLines) + `: rule "x": METADATA lacks title`},
		{"no description", without("# description: |\n#   Every workload names the team that owns it.\n"), fmt.Sprintf("rules/g/x/rule.rego:%d", metaLines-1) + `: rule "x": METADATA lacks description`},
		{"no severity", without("#   severity: high\n"), fmt.Sprintf("rules/g/x/rule.rego:%d", metaLines) + `: rule "x": METADATA lacks custom.severity`},
		{"no remediation", without("#   remediation: Add metadata.labels.team.\n"), fmt.Sprintf("rules/g/x/rule.rego:%d", metaLines) + `: rule "x": METADATA lacks custom.remediation`},
		{"no related_resources", without("# related_resources:\n#   - ref: https://example.com/labels\n#     description: Labels guide\n#   - ref: https://example.com/other\n"),
			fmt.Sprintf("rules/g/x/rule.rego:%d", metaLines-3) + `: rule "x": METADATA lacks related_resources`},
		{"several missing", without("# title: Workloads carry a team label\n", "#   severity: high\n", "#   remediation: Add metadata.labels.team.\n"),
			fmt.Sprintf("rules/g/x/rule.rego:%d", metaLines-2) + `: rule "x": METADATA lacks title, custom.severity, custom.remediation`},
		{"blank title", strings.Replace(meta, "title: Workloads carry a team label", `title: "  "`, 1), loc + `: rule "x": METADATA lacks title`},
		{"bad severity", strings.Replace(meta, "severity: high", "severity: urgent", 1),
			loc + `: rule "x": custom.severity: unknown severity "urgent" (want critical, high, medium, low or info)`},
		{"bad scope", strings.Replace(meta, "severity: high", "severity: high\n#   scope: cluster", 1),
			fmt.Sprintf("rules/g/x/rule.rego:%d", metaLines+2) + `: rule "x": custom.scope: "cluster" is not a scope (one of workload, role)`},
		{"empty scope", strings.Replace(meta, "severity: high", `severity: high
#   scope: ""`, 1),
			fmt.Sprintf("rules/g/x/rule.rego:%d", metaLines+2) + `: rule "x": custom.scope: "" is not a scope (one of workload, role)`},
		{"unknown need", strings.Replace(meta, "severity: high", "severity: high\n#   needs: [roles, pods]", 1),
			fmt.Sprintf("rules/g/x/rule.rego:%d", metaLines+2) + `: rule "x": custom.needs: pods is not one of duplicates, nodegroups, oidcProviders, podIdentityAssociations, roles, serviceAccounts`},
		{"empty needs", strings.Replace(meta, "severity: high", "severity: high\n#   needs: []", 1),
			fmt.Sprintf("rules/g/x/rule.rego:%d", metaLines+2) + `: rule "x": custom.needs: an empty list; leave it out when the rule needs nothing`},
		{"needs not a list", strings.Replace(meta, "severity: high", "severity: high\n#   needs: roles", 1),
			fmt.Sprintf("rules/g/x/rule.rego:%d", metaLines+2) + `: rule "x": custom.needs: want a list of names (duplicates, nodegroups, oidcProviders, podIdentityAssociations, roles, serviceAccounts)`},
		{"no METADATA", "", `rules/g/x/rule.rego: rule "x" has no package-scoped # METADATA block (title, description, custom.severity, custom.remediation, related_resources)`},
		{"rule-scoped METADATA only", "", `rules/g/x/rule.rego: rule "x" has no package-scoped # METADATA block (title, description, custom.severity, custom.remediation, related_resources)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := denyNoTeam
			if tt.name == "rule-scoped METADATA only" {
				body = "\n# METADATA\n# title: A rule-scoped block\n" + strings.TrimPrefix(denyNoTeam, "\n")
			}
			got := newErr(t, engine.Options{Builtin: builtin(map[string]string{"g/x/rule.rego": ruleText("g", "x", tt.metadata, body)})})
			if got != tt.want {
				t.Errorf("error:\n got  %s\n want %s", got, tt.want)
			}
		})
	}
}

func TestCatalogueIdentityProblems(t *testing.T) {
	const shape = `a rule package must be irsalint.rules.<group>["<rule-id>"]`
	const words = "group and rule id must be lower-case words joined by hyphens"
	tests := []struct {
		pkg  string
		want string
	}{
		{`irsalint.rules`, `package data.irsalint.rules: ` + shape},
		{`irsalint.rules.custom`, `package data.irsalint.rules.custom: ` + shape},
		{`irsalint.rules.custom["a"]["b"]`, `package data.irsalint.rules.custom.a.b: ` + shape},
		{`irsalint.rules.custom["Team-Label"]`, `package data.irsalint.rules.custom["Team-Label"]: ` + words},
		{`irsalint.rules.custom["team_label"]`, `package data.irsalint.rules.custom.team_label: ` + words},
		{`irsalint.rules.custom["team--label"]`, `package data.irsalint.rules.custom["team--label"]: ` + words},
		{`irsalint.rules.custom["-team"]`, `package data.irsalint.rules.custom["-team"]: ` + words},
		{`irsalint.rules.custom[""]`, `package data.irsalint.rules.custom[""]: ` + words},
		{`irsalint.rules.My_Group["team-label"]`, `package data.irsalint.rules.My_Group["team-label"]: ` + words},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			text := meta + "package " + tt.pkg + "\n" + denyNoTeam
			got := newErr(t, engine.Options{Builtin: builtin(map[string]string{"x.rego": text})})
			if want := fmt.Sprintf("rules/x.rego:%d: %s", metaLines+1, tt.want); got != want {
				t.Errorf("error:\n got  %s\n want %s", got, want)
			}
		})
	}
	// The dotted and bracketed forms name the same package.
	e := newEngine(t, engine.Options{Builtin: builtin(map[string]string{"x.rego": meta + "package irsalint.rules.custom.team\n" + denyNoTeam})})
	if r, ok := e.Rule("team"); !ok || r.Group != "custom" {
		t.Errorf("irsalint.rules.custom.team: %+v, %v", r, ok)
	}
}

func TestCatalogueConflicts(t *testing.T) {
	loc := func(name string) string { return fmt.Sprintf("%s:%d", name, metaLines+1) }
	t.Run("same id in two groups", func(t *testing.T) {
		got := newErr(t, engine.Options{Builtin: builtin(map[string]string{
			"a/x/rule.rego": ruleText("a", "x", meta, denyNoTeam),
			"b/x/rule.rego": ruleText("b", "x", meta, denyNoTeam),
		})})
		if want := loc("rules/b/x/rule.rego") + `: rule id "x" is already used in group "a" (rules/a/x/rule.rego)`; got != want {
			t.Errorf("error:\n got  %s\n want %s", got, want)
		}
	})
	t.Run("custom rule reuses a built-in id", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"mine.rego": ruleText("g", "x", meta, denyNoTeam)})
		got := newErr(t, engine.Options{
			Builtin:  builtin(map[string]string{"g/x/rule.rego": ruleText("g", "x", meta, denyNoTeam)}),
			UserDirs: []string{dir},
		})
		if want := loc(filepath.ToSlash(dir)+"/mine.rego") + `: rule id "x" is already a built-in rule`; got != want {
			t.Errorf("error:\n got  %s\n want %s", got, want)
		}
	})
	t.Run("custom rule reuses a built-in id in another group", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"mine.rego": ruleText("custom", "x", meta, denyNoTeam)})
		got := newErr(t, engine.Options{
			Builtin:  builtin(map[string]string{"g/x/rule.rego": ruleText("g", "x", meta, denyNoTeam)}),
			UserDirs: []string{dir},
		})
		if want := loc(filepath.ToSlash(dir)+"/mine.rego") + `: rule id "x" is already used in group "g" (rules/g/x/rule.rego)`; got != want {
			t.Errorf("error:\n got  %s\n want %s", got, want)
		}
	})
	// The same two, against the shipped rules, whose catalogue comes from
	// rules/catalogue.json.
	t.Run("custom rule reuses a shipped id", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"mine.rego": ruleText("workload", "nonroot-missing-fsgroup", meta, denyNoTeam)})
		got := newErr(t, engine.Options{UserDirs: []string{dir}})
		if want := loc(filepath.ToSlash(dir)+"/mine.rego") + `: rule id "nonroot-missing-fsgroup" is already a built-in rule`; got != want {
			t.Errorf("error:\n got  %s\n want %s", got, want)
		}
	})
	t.Run("custom rule reuses a shipped id in another group", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"mine.rego": ruleText("custom", "nonroot-missing-fsgroup", meta, denyNoTeam)})
		got := newErr(t, engine.Options{UserDirs: []string{dir}})
		if want := loc(filepath.ToSlash(dir)+"/mine.rego") + `: rule id "nonroot-missing-fsgroup" is already used in group "workload" (rules/workload/nonroot-missing-fsgroup/rule.rego)`; got != want {
			t.Errorf("error:\n got  %s\n want %s", got, want)
		}
	})
	t.Run("second package METADATA block", func(t *testing.T) {
		got := newErr(t, engine.Options{Builtin: builtin(map[string]string{
			"g/x/a.rego": ruleText("g", "x", meta, denyNoTeam),
			"g/x/b.rego": ruleText("g", "x", meta, "\nhelper := 1\n"),
		})})
		if want := loc("rules/g/x/b.rego") + `: rule "x" has a second package METADATA block (first in rules/g/x/a.rego)`; got != want {
			t.Errorf("error:\n got  %s\n want %s", got, want)
		}
	})
	t.Run("second package METADATA block in the same file", func(t *testing.T) {
		// OPA's parser refuses it: the first block is package-scoped by
		// position, the second is redeclared.
		got := newErr(t, engine.Options{Builtin: builtin(map[string]string{
			"g/x/rule.rego": "# METADATA\n# title: First\n" + ruleText("g", "x", meta, denyNoTeam),
		})})
		if want := "rules/g/x/rule.rego:3:1: package annotation redeclared: rules/g/x/rule.rego:1"; got != want {
			t.Errorf("error:\n got  %s\n want %s", got, want)
		}
		got = newErr(t, engine.Options{Builtin: builtin(map[string]string{
			"g/x/rule.rego": ruleText("g", "x", meta, "\n# METADATA\n# title: Second\n# scope: package\n"+denyNoTeam),
		})})
		if want := fmt.Sprintf("loading built-in rules: rules/g/x/rule.rego:%d:1: annotation scope 'package' must be applied to package (have rule)", metaLines+3); got != want {
			t.Errorf("error:\n got  %s\n want %s", got, want)
		}
	})
	t.Run("a rule split over two files", func(t *testing.T) {
		e := newEngine(t, engine.Options{Builtin: builtin(map[string]string{
			"g/x/a.rego": "package irsalint.rules.g[\"x\"]\n\nhelper := 1\n",
			"g/x/b.rego": ruleText("g", "x", meta, denyNoTeam),
		})})
		if r, _ := e.Rule("x"); r.File != "rules/g/x/b.rego" || r.Title == "" {
			t.Errorf("rule %+v: File is where the METADATA is", r)
		}
	})
	t.Run("no deny", func(t *testing.T) {
		got := newErr(t, engine.Options{Builtin: builtin(map[string]string{
			"g/x/rule.rego": ruleText("g", "x", meta, "\nviolation contains 1 if { true }\n"),
		})})
		if want := "rules/g/x/rule.rego: rule \"x\" defines no `deny contains finding if { ... }`"; got != want {
			t.Errorf("error:\n got  %s\n want %s", got, want)
		}
	})
	t.Run("problems of several rules, sorted", func(t *testing.T) {
		got := newErr(t, engine.Options{Builtin: builtin(map[string]string{
			"g/b/rule.rego": ruleText("g", "b", strings.Replace(meta, "severity: high", "severity: x", 1), denyNoTeam),
			"g/a/rule.rego": ruleText("g", "a", "", denyNoTeam),
			"g/c/rule.rego": ruleText("g", "c", meta, "\nhelper := 1\n"),
		})})
		want := strings.Join([]string{
			`rules/g/a/rule.rego: rule "a" has no package-scoped # METADATA block (title, description, custom.severity, custom.remediation, related_resources)`,
			loc("rules/g/b/rule.rego") + `: rule "b": custom.severity: unknown severity "x" (want critical, high, medium, low or info)`,
			"rules/g/c/rule.rego: rule \"c\" defines no `deny contains finding if { ... }`",
		}, "\n")
		if got != want {
			t.Errorf("error:\n got  %s\n want %s", got, want)
		}
	})
}

func TestRegoErrors(t *testing.T) {
	t.Run("syntax error", func(t *testing.T) {
		got := newErr(t, engine.Options{Builtin: builtin(map[string]string{
			"g/x/rule.rego": ruleText("g", "x", meta, "\ndeny contains 1 if {\n\tsome w in input.workloads\n\tw.name ==\n}\n"),
		})})
		if want := fmt.Sprintf("loading built-in rules: rules/g/x/rule.rego:%d:1: unexpected } token", metaLines+6); got != want {
			t.Errorf("error:\n got  %s\n want %s", got, want)
		}
	})
	t.Run("compile error", func(t *testing.T) {
		got := newErr(t, engine.Options{Builtin: builtin(map[string]string{
			"g/x/rule.rego": ruleText("g", "x", meta, "\ndeny contains 1 if {\n\tnot_a_function(input)\n}\n"),
		})})
		if want := fmt.Sprintf("rules/g/x/rule.rego:%d:2: undefined function not_a_function", metaLines+4); got != want {
			t.Errorf("error:\n got  %s\n want %s", got, want)
		}
	})
	t.Run("syntax error in a user rule", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"bad.rego": "package irsalint.rules.custom[\"x\"]\n\ndeny contains x if {\n"})
		// The end of the file has no column.
		_, err := engine.LoadDir(dir, false, false)
		if want := filepath.ToSlash(dir) + "/bad.rego:4: unexpected eof token"; err == nil || err.Error() != want {
			t.Errorf("LoadDir: %v, want %s", err, want)
		}
		// Every error of the parser, one per line.
		dir = writeFiles(t, map[string]string{"x.rego": "package p\n\nx := [1,\n\ny := 2\n"})
		_, err = engine.LoadDir(dir, false, false)
		want := filepath.ToSlash(dir) + "/x.rego:5:3: unexpected assign token: expected \",\" or \"]\"\n" +
			filepath.ToSlash(dir) + "/x.rego:5:3: unexpected assign token: expected rule value term (e.g., x := <VALUE> { ... })"
		if err == nil || err.Error() != want {
			t.Errorf("LoadDir:\n got  %v\n want %s", err, want)
		}
	})
}

// doc splits an input into the engine's document.
func doc(input map[string]any) engine.Document {
	base := map[string]any{}
	for k, v := range input {
		if k != "workloads" {
			base[k] = v
		}
	}
	workloads, _ := input["workloads"].([]any)
	return engine.Document{Base: base, Workloads: workloads}
}

// evalRules builds an engine over the given built-in files, prepares every
// rule and evaluates them over input.
func evalRules(t *testing.T, opts engine.Options, input map[string]any) ([]engine.RawFinding, error) {
	t.Helper()
	e := newEngine(t, opts)
	ids, err := e.Select(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	q, err := e.Prepare(ctx, ids)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return q.Eval(ctx, doc(input))
}

var twoWorkloads = map[string]any{
	"workloads": []any{
		map[string]any{"ref": "a.yaml#0", "name": "api", "labels": map[string]any{"team": "x"}},
		map[string]any{"ref": "a.yaml#1", "name": "web", "labels": map[string]any{}},
		map[string]any{"ref": "b.yaml#0", "name": "db", "labels": map[string]any{}},
	},
}

func TestPrepareAndEval(t *testing.T) {
	got, err := evalRules(t, engine.Options{Builtin: builtin(map[string]string{
		"g/no-team/rule.rego": ruleText("g", "no-team", meta, denyNoTeam),
		"g/all/rule.rego": ruleText("g", "all", meta, `
deny contains {"ref": w.ref, "at": ["spec", 0, "x"], "message": "m", "severity": "low",
	"related": [{"ref": "other#0", "at": [1], "message": "there"}, {"ref": "other#1"}]} if {
	some w in input.workloads
	w.name == "api"
}
`),
	})}, twoWorkloads)
	if err != nil {
		t.Fatalf("Eval: %v", err)
	}
	want := []engine.RawFinding{
		{Rule: "all", Ref: "a.yaml#0", At: []any{"spec", 0, "x"}, Message: "m", Severity: analyzer.SeverityLow, Related: []engine.RawRelated{
			{Ref: "other#0", At: []any{1}, Message: "there"},
			{Ref: "other#1", At: []any{}},
		}},
		// By rule, then ref: never the order of evaluation.
		{Rule: "no-team", Ref: "a.yaml#1", At: []any{"metadata", "labels"}, Message: "web has no team label"},
		{Rule: "no-team", Ref: "b.yaml#0", At: []any{"metadata", "labels"}, Message: "db has no team label"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Eval:\n got  %#v\n want %#v", got, want)
	}
}

func TestPrepareSubsetAndUnknown(t *testing.T) {
	e := newEngine(t, engine.Options{Builtin: builtin(map[string]string{
		"g/no-team/rule.rego": ruleText("g", "no-team", meta, denyNoTeam),
		"g/broken/rule.rego":  ruleText("g", "broken", meta, "\ndeny := 1\n"),
	})})
	ctx := context.Background()
	if _, err := e.Prepare(ctx, []string{"no-team", "zz"}); err == nil || err.Error() != `unknown rule "zz"` {
		t.Errorf("Prepare(zz): %v", err)
	}
	// Only the prepared rules run: the broken one is not evaluated.
	q, err := e.Prepare(ctx, []string{"no-team"})
	if err != nil {
		t.Fatal(err)
	}
	v := doc(twoWorkloads)
	got, err := q.Eval(ctx, v)
	if err != nil || len(got) != 2 {
		t.Errorf("Eval = %v, %v", got, err)
	}
	// No rule at all.
	q, err = e.Prepare(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := q.Eval(ctx, v); err != nil || len(got) != 0 {
		t.Errorf("Eval with no rules = %v, %v", got, err)
	}
}

func TestEvalDenyNotASet(t *testing.T) {
	for name, body := range map[string]string{
		"a number":  "\ndeny := 1\n",
		"an object": "\ndeny[x] := 1 if { some x in [\"a\"] }\n",
		"a string":  "\ndeny := \"oops\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			got, err := evalRules(t, engine.Options{Builtin: builtin(map[string]string{
				"g/x/rule.rego":  ruleText("g", "x", meta, body),
				"g/ok/rule.rego": ruleText("g", "ok", meta, denyNoTeam),
			})}, twoWorkloads)
			if err == nil || !strings.HasPrefix(err.Error(), `rule "x": deny must be a set of findings, got `) {
				t.Errorf("error %v", err)
			}
			// The other rule's findings are still returned.
			if len(got) != 2 || got[0].Rule != "ok" {
				t.Errorf("findings %+v", got)
			}
		})
	}
	t.Run("undefined", func(t *testing.T) {
		_, err := evalRules(t, engine.Options{Builtin: builtin(map[string]string{
			"g/x/rule.rego": ruleText("g", "x", meta, "\ndeny := 1 if { false }\n"),
		})}, twoWorkloads)
		if err == nil || err.Error() != "evaluating rules: 0 results, want 1 (a rule's deny is not a set?)" {
			t.Errorf("error %v", err)
		}
	})
	t.Run("runtime error", func(t *testing.T) {
		_, err := evalRules(t, engine.Options{Builtin: builtin(map[string]string{
			"g/x/rule.rego": ruleText("g", "x", meta, "\ndeny contains {\"ref\": \"r\", \"message\": m} if {\n\tm := sprintf(\"%d\", [to_number(\"x\")])\n}\n"),
		})}, twoWorkloads)
		if err == nil || !strings.HasPrefix(err.Error(), "evaluating rules: ") || !strings.Contains(err.Error(), fmt.Sprintf("rules/g/x/rule.rego:%d: eval_builtin_error: to_number: ", metaLines+4)) {
			t.Errorf("error %v", err)
		}
	})
}

func TestEvalFindingContract(t *testing.T) {
	const bad = `rule "x" returned a malformed finding: `
	tests := []struct {
		name    string
		finding string // a Rego object (or other value) the rule emits
		want    string // "" for a valid finding
	}{
		{"minimal", `{"ref": "r", "message": "m"}`, ""},
		{"not an object", `"r"`, bad + "want an object with ref, at and message, got string"},
		{"missing ref", `{"message": "m"}`, bad + "missing ref (the object's ref from the input)"},
		{"empty ref", `{"ref": "", "message": "m"}`, bad + "missing ref (the object's ref from the input)"},
		{"ref a number", `{"ref": 1, "message": "m"}`, bad + "missing ref (the object's ref from the input)"},
		{"missing message", `{"ref": "r"}`, bad + "empty message"},
		{"empty message", `{"ref": "r", "message": ""}`, bad + "empty message"},
		{"message a number", `{"ref": "r", "message": 1}`, bad + "message must be a string"},
		{"at a string", `{"ref": "r", "message": "m", "at": "metadata"}`, bad + "at must be an array of keys and indices"},
		{"at with a fraction", `{"ref": "r", "message": "m", "at": ["spec", 1.5]}`, bad + "at[1]: path elements must be strings or integers, got 1.5"},
		{"at with a negative index", `{"ref": "r", "message": "m", "at": [-1]}`, bad + "at[0]: path elements must be strings or integers, got -1"},
		{"at with an object", `{"ref": "r", "message": "m", "at": [{"a": 1}]}`, bad + "at[0]: path elements must be strings or integers, got map[a:1]"},
		{"at with a boolean", `{"ref": "r", "message": "m", "at": [true]}`, bad + "at[0]: path elements must be strings or integers, got true"},
		{"at with null", `{"ref": "r", "message": "m", "at": [null]}`, bad + "at[0]: path elements must be strings or integers, got <nil>"},
		{"unknown field", `{"ref": "r", "message": "m", "sev": "high"}`, bad + `unknown field "sev"`},
		{"bad severity", `{"ref": "r", "message": "m", "severity": "urgent"}`, bad + `severity: unknown severity "urgent" (want critical, high, medium, low or info)`},
		{"related not an array", `{"ref": "r", "message": "m", "related": {"ref": "s"}}`, bad + "related must be an array"},
		{"related entry not an object", `{"ref": "r", "message": "m", "related": ["s"]}`, bad + "related entries must be objects"},
		{"related entry without ref", `{"ref": "r", "message": "m", "related": [{"message": "x"}]}`, bad + "related: missing ref (the object's ref from the input)"},
		{"related entry with a bad at", `{"ref": "r", "message": "m", "related": [{"ref": "s", "at": [0.5]}]}`, bad + "related: at[0]: path elements must be strings or integers, got 0.5"},
		{"related entry with an unknown field", `{"ref": "r", "message": "m", "related": [{"ref": "s", "mesage": "typo"}]}`, bad + `related: unknown field "mesage"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := evalRules(t, engine.Options{Builtin: builtin(map[string]string{
				"g/x/rule.rego": ruleText("g", "x", meta, "\ndeny contains "+tt.finding+" if { true }\n"),
			})}, twoWorkloads)
			if tt.want == "" {
				if err != nil || len(got) != 1 {
					t.Errorf("Eval = %+v, %v", got, err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("error:\n got  %v\n want %s", err, tt.want)
			}
			if len(got) != 0 {
				t.Errorf("a malformed finding was returned: %+v", got)
			}
		})
	}
}

func TestEvalSeveralProblemsSorted(t *testing.T) {
	got, err := evalRules(t, engine.Options{Builtin: builtin(map[string]string{
		"g/x/rule.rego": ruleText("g", "x", meta, `
deny contains {"ref": "r", "message": ""} if { true }
deny contains {"message": "m"} if { true }
deny contains {"ref": "ok", "message": "fine"} if { true }
`),
	})}, twoWorkloads)
	want := "rule \"x\" returned a malformed finding: empty message\nrule \"x\" returned a malformed finding: missing ref (the object's ref from the input)"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got  %v\n want %s", err, want)
	}
	if len(got) != 1 || got[0].Ref != "ok" {
		t.Errorf("findings %+v", got)
	}
}

const printRule = `
deny contains {"ref": w.ref, "message": "m"} if {
	some w in input.workloads
	print("visiting", w.name)
	w.name == "api"
}
`

func TestPrint(t *testing.T) {
	var buf bytes.Buffer
	got, err := evalRules(t, engine.Options{
		Builtin: builtin(map[string]string{"g/x/rule.rego": ruleText("g", "x", meta, printRule)}),
		Print:   &buf,
	}, twoWorkloads)
	if err != nil || len(got) != 1 {
		t.Fatalf("Eval = %+v, %v", got, err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := map[string]bool{"visiting api": true, "visiting web": true, "visiting db": true}
	if len(lines) != 3 {
		t.Fatalf("print output %q", buf.String())
	}
	for _, l := range lines {
		if !want[l] {
			t.Errorf("print output %q", buf.String())
		}
	}
}

func TestPrintDroppedWithoutWriter(t *testing.T) {
	// Capture the process's standard output and error: print() must go
	// nowhere when Options.Print is nil.
	stdout, stderr := os.Stdout, os.Stderr
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout, os.Stderr = w, w
	got, evalErr := evalRules(t, engine.Options{
		Builtin: builtin(map[string]string{"g/x/rule.rego": ruleText("g", "x", meta, printRule)}),
	}, twoWorkloads)
	os.Stdout, os.Stderr = stdout, stderr
	w.Close()
	out, _ := io.ReadAll(r)
	if evalErr != nil || len(got) != 1 {
		t.Fatalf("Eval = %+v, %v", got, evalErr)
	}
	if len(out) > 0 {
		t.Errorf("print() wrote %q without Options.Print", out)
	}
}

func TestSelect(t *testing.T) {
	files := map[string]string{}
	for _, id := range []string{"c", "a", "b"} {
		files["g/"+id+"/rule.rego"] = ruleText("g", id, meta, denyNoTeam)
	}
	e := newEngine(t, engine.Options{Builtin: builtin(files)})
	tests := []struct {
		name            string
		enable, disable []string
		want            []string
		err             string
	}{
		{"all", nil, nil, []string{"a", "b", "c"}, ""},
		{"empty lists are all", []string{}, []string{}, []string{"a", "b", "c"}, ""},
		{"enable", []string{"c", "a"}, nil, []string{"a", "c"}, ""},
		{"enable twice", []string{"b", "b", "a", "b"}, nil, []string{"a", "b"}, ""},
		{"disable", nil, []string{"b"}, []string{"a", "c"}, ""},
		{"disable wins over enable", []string{"a", "b"}, []string{"b"}, []string{"a"}, ""},
		{"disable everything", nil, []string{"a", "b", "c"}, nil, ""},
		{"unknown enable", []string{"a", "zz"}, nil, nil, `unknown rule "zz" (see ` + "`irsalint rules`)"},
		{"unknown in both", []string{"x"}, []string{"a", "y"}, nil, `unknown rule "x", "y" (see ` + "`irsalint rules`)"},
		{"case matters", []string{"A"}, nil, nil, `unknown rule "A" (see ` + "`irsalint rules`)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Select(tt.enable, tt.disable)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("error %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) {
				t.Errorf("Select = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestBuiltinRules(t *testing.T) {
	e := newEngine(t, engine.Options{})
	rules := e.Rules()
	if len(rules) < 10 {
		t.Fatalf("%d built-in rules", len(rules))
	}
	for i, r := range rules {
		if i > 0 && rules[i-1].ID >= r.ID {
			t.Errorf("rules not sorted: %s before %s", rules[i-1].ID, r.ID)
		}
		if r.Custom || r.HelpURI != engine.DocsBase+r.ID+".md" || r.File != "rules/"+r.Group+"/"+r.ID+"/rule.rego" ||
			!r.Severity.Valid() || r.Title == "" || r.Description == "" || r.Remediation == "" || len(r.References) == 0 {
			t.Errorf("rule %+v", r)
		}
	}
	r, ok := e.Rule("static-aws-credentials")
	if !ok || r.Group != "workload" || r.Severity != analyzer.SeverityCritical || r.Title != "Static AWS access keys in a container's environment" {
		t.Errorf("static-aws-credentials = %+v, %v", r, ok)
	}
}

func TestLoadDir(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"b.rego":            "package b\n",
		"a/z.rego":          "package a.z\n",
		"a/z_test.rego":     "package a.z_test\n",
		"notes.md":          "# not rego",
		"a/.hidden/x.rego":  "package hidden\n",
		"sub/deeper/y.rego": "package y\n",
	})
	slash := filepath.ToSlash(dir)
	names := func(mods []engine.Module) []string {
		var out []string
		for _, m := range mods {
			if !m.Custom || m.Module == nil {
				t.Errorf("module %s: Custom %v", m.Name, m.Custom)
			}
			out = append(out, m.Name)
		}
		return out
	}
	mods, err := engine.LoadDir(dir, false, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{slash + "/a/.hidden/x.rego", slash + "/a/z.rego", slash + "/b.rego", slash + "/sub/deeper/y.rego"}
	if got := names(mods); !reflect.DeepEqual(got, want) {
		t.Errorf("LoadDir:\n got  %v\n want %v", got, want)
	}
	mods, err = engine.LoadDir(dir, true, false)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{slash + "/a/.hidden/x.rego", slash + "/a/z.rego", slash + "/a/z_test.rego", slash + "/b.rego", slash + "/sub/deeper/y.rego"}
	if got := names(mods); !reflect.DeepEqual(got, want) {
		t.Errorf("LoadDir with tests:\n got  %v\n want %v", got, want)
	}

	// A single .rego file.
	mods, err = engine.LoadDir(filepath.Join(dir, "b.rego"), false, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(mods); !reflect.DeepEqual(got, []string{slash + "/b.rego"}) || mods[0].Module.Package.Path.String() != "data.b" {
		t.Errorf("LoadDir(file) = %v", got)
	}

	// Not a directory or .rego file; missing.
	if _, err := engine.LoadDir(filepath.Join(dir, "notes.md"), false, false); err == nil || err.Error() != "rules "+filepath.Join(dir, "notes.md")+": not a directory or .rego file" {
		t.Errorf("LoadDir(notes.md): %v", err)
	}
	missing := filepath.Join(dir, "missing")
	if _, err := engine.LoadDir(missing, false, false); err == nil || err.Error() != "rules directory "+missing+": no such file or directory" {
		t.Errorf("LoadDir(missing): %v", err)
	}
	if _, err := engine.New(engine.Options{UserDirs: []string{missing}}); err == nil || err.Error() != "rules directory "+missing+": no such file or directory" {
		t.Errorf("New with a missing --rules: %v", err)
	}
}

func TestCustomRuleFromSingleFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{"team.rego": ruleText("custom", "team-label", meta, denyNoTeam)})
	file := filepath.Join(dir, "team.rego")
	e := newEngine(t, engine.Options{
		Builtin:  builtin(map[string]string{"g/x/rule.rego": ruleText("g", "x", meta, denyNoTeam)}),
		UserDirs: []string{file},
	})
	r, ok := e.Rule("team-label")
	if !ok || !r.Custom || r.File != filepath.ToSlash(file) || r.HelpURI != "https://example.com/labels" {
		t.Errorf("rule %+v, %v", r, ok)
	}
}

// TestSandbox: a rule calling a built-in that reaches the network, the
// environment, the clock or randomness does not compile, and the error
// names the rule and the built-in.
func TestSandbox(t *testing.T) {
	for _, call := range []string{
		`http.send({"method": "GET", "url": "http://127.0.0.1:1/"})`,
		`net.lookup_ip_addr("example.com")`,
		`opa.runtime()`,
		`rand.intn("x", 10)`,
		`uuid.rfc4122("x")`,
		`time.now_ns()`,
		`trace("x")`,
	} {
		name := strings.SplitN(call, "(", 2)[0]
		dir := writeFiles(t, map[string]string{"r.rego": ruleText("custom", "calls-out", meta, "\ndeny contains {\"ref\": \"x\", \"message\": sprintf(\"%v\", [v])} if {\n\tv := "+call+"\n}\n")})
		got := newErr(t, engine.Options{UserDirs: []string{dir}})
		at := fmt.Sprintf("%s/r.rego:%d:", filepath.ToSlash(dir), metaLines+4)
		msg := fmt.Sprintf(`rule "calls-out" calls %s, which irsalint does not allow: rules run without network access, the process's environment, the clock or randomness`, name)
		if !strings.HasPrefix(got, at) || !strings.Contains(got, msg) {
			t.Errorf("%s:\n got  %s\n want %s…%s", call, got, at, msg)
		}
	}
	// The pure CIDR functions stay.
	dir := writeFiles(t, map[string]string{"r.rego": ruleText("custom", "cidr", meta, "\ndeny contains {\"ref\": \"x\", \"message\": \"m\"} if {\n\tnet.cidr_contains(\"10.0.0.0/8\", \"10.1.2.3\")\n\tinput.cluster.oidcIssuer == \"x\"\n}\n")})
	newEngine(t, engine.Options{UserDirs: []string{dir}})
}

// TestSandboxDocumented: docs/custom-rules.md names every built-in the
// sandbox leaves out.
func TestSandboxDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "custom-rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range engine.ForbiddenBuiltins() {
		if !strings.Contains(string(doc), "`"+name+"`") {
			t.Errorf("docs/custom-rules.md does not name %s", name)
		}
	}
}

// TestUserRulesTypeChecked: a custom rule that reads a field the inventory
// does not have does not compile, and the error says which fields there are.
func TestUserRulesTypeChecked(t *testing.T) {
	dir := writeFiles(t, map[string]string{"r.rego": ruleText("custom", "typo", meta, "\ndeny contains {\"ref\": w.ref, \"message\": \"m\"} if {\n\tsome w in input.workloads\n\tw.serviceAcount.name == \"default\"\n}\n")})
	got := newErr(t, engine.Options{UserDirs: []string{dir}})
	for _, want := range []string{"r.rego:16:2: undefined ref: w.serviceAcount.name", `"serviceAccount"`} {
		if !strings.Contains(got, want) {
			t.Errorf("error %q lacks %q", got, want)
		}
	}
}

// TestShardsSeeTheirPart: a rule of scope "role" sees a shard of
// input.roles and everything else whole; one of scope "workload" sees a
// shard of the workloads and every role; an unscoped rule sees it all. The
// message of each finding counts what the rule saw.
func TestShardsSeeTheirPart(t *testing.T) {
	scoped := func(scope string) string {
		return strings.Replace(meta, "severity: high", "severity: high\n#   scope: "+scope, 1)
	}
	counting := `
deny contains {"ref": "r#0", "message": sprintf("%d roles, %d workloads", [count(input.roles), count(input.workloads)])} if {
	some _ in input.roles
}
`
	files := map[string]string{
		"g/by-role/rule.rego":     ruleText("g", "by-role", scoped("role"), counting),
		"g/by-workload/rule.rego": ruleText("g", "by-workload", scoped("workload"), counting),
		"g/whole/rule.rego":       ruleText("g", "whole", meta, counting),
	}
	in := map[string]any{
		"workloads": twoWorkloads["workloads"],
		"roles": map[string]any{
			"arn:aws:iam::111122223333:role/a": map[string]any{"key": "a"},
			"arn:aws:iam::111122223333:role/b": map[string]any{"key": "b"},
			"arn:aws:iam::111122223333:role/c": map[string]any{"key": "c"},
		},
	}
	for _, tt := range []struct {
		workers int
		want    map[string][]string
	}{
		{1, map[string][]string{"by-role": {"3 roles, 3 workloads"}, "by-workload": {"3 roles, 3 workloads"}, "whole": {"3 roles, 3 workloads"}}},
		{3, map[string][]string{"by-role": {"1 roles, 3 workloads"}, "by-workload": {"3 roles, 1 workloads"}, "whole": {"3 roles, 3 workloads"}}},
	} {
		got, err := evalRules(t, engine.Options{Builtin: builtin(files), Workers: tt.workers, MinShard: 1}, in)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string][]string{}
		for _, f := range got {
			seen[f.Rule] = append(seen[f.Rule], f.Message)
		}
		if !reflect.DeepEqual(seen, tt.want) {
			t.Errorf("%d workers: %v, want %v", tt.workers, seen, tt.want)
		}
	}
}

// heavyLib stands for the IAM library: its users are compiled in a group of
// their own (partition.go).
const heavyLib = `package irsalint.lib.iam

allows(r) if r.trustPolicy
`

// TestNeedsSkipRules: a rule whose custom.needs the input does not hold is
// not evaluated, and when every rule of a compiler's group needs something,
// New does not wait for that group: here it does not even compile, which
// only an input that feeds it shows.
func TestNeedsSkipRules(t *testing.T) {
	needsRoles := strings.Replace(meta, "severity: high", "severity: high\n#   needs: [roles]", 1)
	needsSAs := strings.Replace(meta, "severity: high", "severity: high\n#   needs: [serviceAccounts, nodegroups]", 1)
	files := map[string]string{
		"lib/iam.rego": heavyLib,
		// Both claim more than they read: a rule that lied about its needs
		// would be skipped all the same.
		"g/roles/rule.rego": ruleText("g", "roles", needsRoles, `
import data.irsalint.lib.iam

deny contains {"ref": "r", "message": "evaluated"} if iam.allows({"trustPolicy": true})
`),
		"g/sas/rule.rego": ruleText("g", "sas", needsSAs, `
deny contains {"ref": "s", "message": "evaluated"} if true
`),
		"g/no-team/rule.rego": ruleText("g", "no-team", meta, denyNoTeam),
	}
	rules := func(fs []engine.RawFinding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Rule)
		}
		return out
	}
	for _, tt := range []struct {
		name  string
		input map[string]any
		want  []string
	}{
		{"workloads only", twoWorkloads, []string{"no-team", "no-team"}},
		{"an implicit ServiceAccount", map[string]any{"serviceAccounts": map[string]any{"a/default": map[string]any{"declared": false}}}, nil},
		{"a declared ServiceAccount", map[string]any{"serviceAccounts": map[string]any{"a/x": map[string]any{"declared": true}}}, []string{"sas"}},
		{"a node group", map[string]any{"nodegroups": map[string]any{"c/ng": map[string]any{}}}, []string{"sas"}},
		{"a role", map[string]any{"roles": map[string]any{"arn:aws:iam::1:role/r": map[string]any{}}}, []string{"roles"}},
	} {
		for _, deferred := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/defer=%v", tt.name, deferred), func(t *testing.T) {
				got, err := evalRules(t, engine.Options{Builtin: builtin(files), Defer: deferred}, tt.input)
				if err != nil {
					t.Fatalf("Eval: %v", err)
				}
				if g := rules(got); !reflect.DeepEqual(g, tt.want) {
					t.Errorf("rules that found something: %v, want %v", g, tt.want)
				}
			})
		}
	}

	// The IAM library's group does not compile: New and an evaluation it
	// cannot feed succeed, one it feeds reports the error.
	files["lib/iam.rego"] = heavyLib + "\nbroken(x) if undefined_function(x)\n"
	got, err := evalRules(t, engine.Options{Builtin: builtin(files)}, twoWorkloads)
	if err != nil || len(got) != 2 {
		t.Fatalf("Eval on workloads: %v, %v", got, err)
	}
	_, err = evalRules(t, engine.Options{Builtin: builtin(files)}, map[string]any{"roles": map[string]any{"arn:aws:iam::1:role/r": map[string]any{}}})
	if err == nil || !strings.Contains(err.Error(), "undefined_function") {
		t.Errorf("Eval on a role: %v, want the compile error", err)
	}

	// With Defer, not even a group whose rules need nothing is compiled
	// before an evaluation: New succeeds, the evaluation reports the error.
	files["lib/iam.rego"] = heavyLib
	files["g/no-team/rule.rego"] = ruleText("g", "no-team", meta, denyNoTeam+"\nbroken(x) if undefined_function(x)\n")
	if got := newErr(t, engine.Options{Builtin: builtin(files)}); !strings.Contains(got, "undefined_function") {
		t.Errorf("New with a broken rule: %s", got)
	}
	_, err = evalRules(t, engine.Options{Builtin: builtin(files), Defer: true}, twoWorkloads)
	if err == nil || !strings.Contains(err.Error(), "undefined_function") {
		t.Errorf("Eval, deferred, on workloads: %v, want the compile error", err)
	}
	files["g/no-team/rule.rego"] = ruleText("g", "no-team", meta, denyNoTeam)

	// A custom rule's mistakes stop New, needs or not, deferred or not.
	delete(files, "lib/iam.rego")
	user := writeFiles(t, map[string]string{
		"iam.rego": heavyLib,
		"mine.rego": ruleText("custom", "mine", needsRoles, `
import data.irsalint.lib.iam

deny contains {"ref": "r", "message": "m"} if iam.allows(undefined_function(1))
`),
	})
	for _, deferred := range []bool{false, true} {
		if got := newErr(t, engine.Options{Builtin: builtin(files), UserDirs: []string{user}, Defer: deferred}); !strings.Contains(got, "undefined_function") {
			t.Errorf("New (Defer %v) with a broken custom rule: %s", deferred, got)
		}
	}
}
