package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The shipped custom-rule example passes its own tests, fires on its
// fixture, and a broken rule names the test that catches it, at its line.
func TestCustomRulesExample(t *testing.T) {
	r := runCLI(t, "", "test", "examples/custom-rules")
	if r.code != exitOK || !strings.Contains(r.stdout, "4 tests passed, 0 failed") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = runCLI(t, "", "lint", "--no-config", "-f", "json", "--rules", "examples/custom-rules", "examples/custom-rules/testdata")
	if r.code != exitFindings || !strings.Contains(r.stdout, `"rule": "role-name-prefix"`) || !strings.Contains(r.stdout, `"line": 17`) {
		t.Errorf("lint with the example rule: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	dir := t.TempDir()
	copyTree(t, filepath.Join(repoRoot(t), "examples", "custom-rules"), dir)
	rule := filepath.Join(dir, "role-name-prefix", "rule.rego")
	src, err := os.ReadFile(rule)
	if err != nil {
		t.Fatal(err)
	}
	// The classic slip: a prefix without its separator.
	broken := strings.Replace(string(src), `not startswith(role.name, concat("", [sa.namespace, "-"]))`, `not startswith(role.name, sa.namespace)`, 1)
	broken = strings.Replace(broken, "\t\tk8s.describe(sa), role.name, concat(\"\", [sa.namespace, \"-\"]),", "\t\tk8s.describe(sa), role.name, sa.namespace,", 1)
	if broken == string(src) {
		t.Fatal("the example rule changed: update this test's edit")
	}
	if err := os.WriteFile(rule, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runIn(t, dir, "", "test", ".")
	if r.code != exitFindings ||
		!strings.Contains(r.stdout, "role-name-prefix/rule_test.rego:26: FAIL ") ||
		!strings.Contains(r.stdout, "test_another_teams_role_is_reported_at_the_annotation") ||
		!strings.Contains(r.stdout, "rule_test.rego:32: contains(f.message") ||
		!strings.Contains(r.stdout, "3 tests passed, 1 failed") {
		t.Errorf("broken rule: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestTestCommandErrors(t *testing.T) {
	empty := t.TempDir()
	if r := runIn(t, empty, "", "test", "."); r.code != exitError || !strings.Contains(r.stderr, "no tests found") {
		t.Errorf("no tests: exit %d\n%s", r.code, r.stderr)
	}
	if r := runIn(t, empty, "", "test"); r.code != exitError || !strings.Contains(r.stderr, "name the folders") {
		t.Errorf("no folder: exit %d\n%s", r.code, r.stderr)
	}
	bad := t.TempDir()
	src := "package irsalint.custom.x_test\n\ntest_typo if {\n\tinput.serviceAccount == {}\n}\n"
	if err := os.WriteFile(filepath.Join(bad, "x_test.rego"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runIn(t, bad, "", "test", "."); r.code != exitError || !strings.Contains(r.stderr, "x_test.rego:4") {
		t.Errorf("a field the inventory does not have: exit %d\n%s", r.code, r.stderr)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
