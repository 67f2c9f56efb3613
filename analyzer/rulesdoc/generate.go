package rulesdoc

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/irsalint/irsalint/analyzer/engine"
)

// DocsDir and FixturesDir are relative to the repository root.
const (
	DocsDir     = "docs/rules"
	FixturesDir = "testdata/rules"
)

// Generate renders every page of docs/rules for the built-in rules, keyed by
// path relative to root. Examples come from each rule's first fail and pass
// fixtures.
func Generate(root string) (map[string][]byte, error) {
	eng, err := engine.New(engine.Options{})
	if err != nil {
		return nil, err
	}
	pages := map[string][]byte{}
	rules := eng.Rules()
	for _, r := range rules {
		examples, err := fixtureExamples(filepath.Join(root, FixturesDir, r.ID))
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := Page(&buf, r, examples); err != nil {
			return nil, err
		}
		pages[filepath.ToSlash(filepath.Join(DocsDir, r.ID+".md"))] = buf.Bytes()
	}
	var buf bytes.Buffer
	if err := Index(&buf, rules); err != nil {
		return nil, err
	}
	pages[DocsDir+"/README.md"] = buf.Bytes()
	return pages, nil
}

// Write replaces docs/rules with pages, removing pages of rules that no
// longer exist.
func Write(root string, pages map[string][]byte) error {
	dir := filepath.Join(root, DocsDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	for _, p := range old {
		rel, _ := filepath.Rel(root, p)
		if _, keep := pages[filepath.ToSlash(rel)]; !keep {
			if err := os.Remove(p); err != nil {
				return err
			}
		}
	}
	for rel, b := range pages {
		if err := os.WriteFile(filepath.Join(root, rel), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

var wantComment = regexp.MustCompile(`\s*# want: (.*)$`)

// fixtureExamples shows the first fail and first pass fixture, with want
// markers turned into arrows a reader understands.
func fixtureExamples(dir string) ([]Example, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("fixtures of %s: %w", filepath.Base(dir), err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	var out []Example
	for _, kind := range []struct{ prefix, title string }{{"fail", "Example that fires"}, {"pass", "Example that passes"}} {
		for _, n := range names {
			if !strings.HasPrefix(n, kind.prefix) {
				continue
			}
			p := filepath.Join(dir, n)
			if st, err := os.Stat(p); err != nil || st.IsDir() {
				continue
			}
			lang := strings.TrimPrefix(filepath.Ext(n), ".")
			if lang == "yml" {
				lang = "yaml"
			}
			if lang != "yaml" && lang != "json" {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
			var kept []string
			for _, l := range lines {
				if strings.HasPrefix(strings.TrimSpace(l), "# irsalint-flags:") {
					continue
				}
				kept = append(kept, wantComment.ReplaceAllString(l, "  # ← $1"))
			}
			out = append(out, Example{Title: kind.title, Lang: lang, Text: strings.Join(kept, "\n")})
			break
		}
	}
	return out, nil
}
