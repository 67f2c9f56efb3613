package rules_test

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/analyzer/rulesdoc"
	"github.com/irsalint/irsalint/rules"
)

// The meta-test keeps the catalogue complete: a rule without METADATA,
// Rego tests, fixtures or fresh docs turns the build red, saying what is
// missing.

const repo = ".."

func TestEveryRuleIsComplete(t *testing.T) {
	eng, err := engine.New(engine.Options{})
	if err != nil {
		t.Fatalf("loading the rules (METADATA, packages): %v", err)
	}
	testRE := regexp.MustCompile(`(?m)^test_[a-z0-9_]+\b`)
	for _, r := range eng.Rules() {
		dir := path.Join(r.Group, r.ID)
		if r.File != path.Join("rules", dir, "rule.rego") {
			t.Errorf("rule %s is defined in %s; want rules/%s/rule.rego", r.ID, r.File, dir)
		}
		test, err := fs.ReadFile(rules.FS, path.Join(dir, "rule_test.rego"))
		if err != nil {
			t.Errorf("rule %s has no Rego tests: add rules/%s/rule_test.rego", r.ID, dir)
		} else {
			pkg := `package irsalint.rules.` + r.Group + `["` + r.ID + `_test"]`
			if !bytes.Contains(test, []byte(pkg)) {
				t.Errorf("rules/%s/rule_test.rego: want %s", dir, pkg)
			}
			if n := len(testRE.FindAll(test, -1)); n < 2 {
				t.Errorf("rules/%s/rule_test.rego has %d test(s); test both a firing and a quiet case", dir, n)
			}
		}
		if src, err := fs.ReadFile(rules.FS, path.Join(dir, "rule.rego")); err == nil {
			meta, _, _ := bytes.Cut(src, []byte("\npackage "))
			if !bytes.Contains(meta, []byte("\n#   precision: ")) {
				t.Errorf("rule %s: METADATA lacks custom.precision (very-high for exact IAM or join semantics, high, medium for a heuristic)", r.ID)
			}
		}
		if !strings.HasSuffix(strings.TrimSpace(r.Remediation), ".") {
			t.Errorf("rule %s: custom.remediation should end with a period", r.ID)
		}
		if strings.HasSuffix(r.Title, ".") {
			t.Errorf("rule %s: title should not end with a period", r.ID)
		}
		for _, ref := range r.References {
			if !strings.HasPrefix(ref.URL, "https://") {
				t.Errorf("rule %s: reference %q is not an https URL", r.ID, ref.URL)
			}
		}
		fixtures := filepath.Join(repo, "testdata", "rules", r.ID)
		entries, err := os.ReadDir(fixtures)
		if err != nil {
			t.Errorf("rule %s has no fixtures: add testdata/rules/%s/fail.yaml and pass.yaml", r.ID, r.ID)
			continue
		}
		var fail, pass int
		for _, e := range entries {
			switch {
			case strings.HasSuffix(e.Name(), ".want"), strings.HasSuffix(e.Name(), ".flags"):
			case strings.HasPrefix(e.Name(), "fail"):
				fail++
			case strings.HasPrefix(e.Name(), "pass"):
				pass++
			}
		}
		if fail == 0 || pass == 0 {
			t.Errorf("rule %s: testdata/rules/%s needs at least one fail* and one pass* fixture (has %d and %d)", r.ID, r.ID, fail, pass)
		}
	}
}

// TestEveryRegoFileIsEmbedded guards the go:embed patterns: a rule in a
// folder they miss would silently never run.
func TestEveryRegoFileIsEmbedded(t *testing.T) {
	var onDisk, embedded []string
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".rego") {
			onDisk = append(onDisk, filepath.ToSlash(p))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = fs.WalkDir(rules.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			embedded = append(embedded, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(onDisk)
	sort.Strings(embedded)
	if strings.Join(onDisk, "\n") != strings.Join(embedded, "\n") {
		t.Errorf("go:embed in rules/embed.go does not cover the tree:\non disk:  %v\nembedded: %v", onDisk, embedded)
	}
	for _, p := range onDisk {
		if strings.HasPrefix(p, "lib/") && !strings.HasSuffix(p, "_test.rego") {
			if _, err := os.Stat(strings.TrimSuffix(p, ".rego") + "_test.rego"); err != nil {
				t.Errorf("rules/%s has no tests beside it", p)
			}
		}
	}
}

// TestDocsAreFresh compares docs/rules with what `go generate ./...`
// would write.
func TestDocsAreFresh(t *testing.T) {
	pages, err := rulesdoc.Generate(repo)
	if err != nil {
		t.Fatal(err)
	}
	for rel, want := range pages {
		got, err := os.ReadFile(filepath.Join(repo, rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale or missing: run `go generate ./...`", rel)
		}
	}
	existing, _ := filepath.Glob(filepath.Join(repo, rulesdoc.DocsDir, "*.md"))
	for _, p := range existing {
		rel, _ := filepath.Rel(repo, p)
		if _, ok := pages[filepath.ToSlash(rel)]; !ok {
			t.Errorf("%s documents no rule: run `go generate ./...`", filepath.ToSlash(rel))
		}
	}
}
