package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/irsalint/irsalint/analyzer/engine"
)

// Fixture layout (see testdata/rules/README.md): testdata/rules/<rule-id>/
// holds fail*.{yaml,yml,json} and pass*.{…} files, or fail*/ and pass*/
// folders linted as a whole. Every expected finding is written on its line as
// "# want: rule-a, rule-b" (YAML) or in a sibling <name>.want file of
// "LINE rule-id" lines (JSON). Terraform files (.tf, .tfvars) take "# want:"
// comments too. Extra flags go in a "# irsalint-flags: …" line
// or a sibling <name>.flags file (a folder's flags file is <folder>/flags).
// Every finding must be wanted and every want must be found, for all rules,
// so a fixture also proves the other rules stay quiet on it.

var wantRE = regexp.MustCompile(`#\s*want:\s*(.+?)\s*$`)

type expectation struct {
	file string
	line int
	rule string
}

func (e expectation) String() string { return fmt.Sprintf("%s:%d %s", e.file, e.line, e.rule) }

func TestRuleFixtures(t *testing.T) {
	root := repoRoot(t)
	eng, err := sharedCompile(engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := os.ReadDir(filepath.Join(root, "testdata", "rules"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		id := d.Name()
		if _, ok := eng.Rule(id); !ok {
			t.Errorf("testdata/rules/%s: no rule with that ID", id)
			continue
		}
		ruleDir := filepath.Join("testdata", "rules", id)
		entries, err := os.ReadDir(filepath.Join(root, ruleDir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := e.Name()
			isFail, isPass := strings.HasPrefix(name, "fail"), strings.HasPrefix(name, "pass")
			if !isFail && !isPass || strings.HasSuffix(name, ".want") || strings.HasSuffix(name, ".flags") {
				continue
			}
			rel := filepath.ToSlash(filepath.Join(ruleDir, name))
			t.Run(id+"/"+name, func(t *testing.T) {
				t.Parallel()
				checkFixture(t, root, rel, id, isFail)
			})
		}
	}
}

// TestRealisticRepositories lints each folder of testdata/realistic as a
// whole: repositories written the way public EKS projects write theirs, with
// every finding they must give (rule, line and severity) written down and
// everything else silent. docs/precision.md tells how they were made.
func TestRealisticRepositories(t *testing.T) {
	root := repoRoot(t)
	dirs, err := os.ReadDir(filepath.Join(root, "testdata", "realistic"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if d.IsDir() {
			n++
			rel := filepath.ToSlash(filepath.Join("testdata", "realistic", d.Name()))
			t.Run(d.Name(), func(t *testing.T) {
				t.Parallel()
				checkFixture(t, root, rel, "", false)
			})
		}
	}
	if n == 0 {
		t.Fatal("testdata/realistic holds no repository")
	}
}

// TestScenarios lints each folder of testdata/scenarios as a whole: whole
// inputs (an account's roles, a repository) whose every expected finding,
// of any rule, is written down beside them.
func TestScenarios(t *testing.T) {
	root := repoRoot(t)
	dirs, err := os.ReadDir(filepath.Join(root, "testdata", "scenarios"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if d.IsDir() {
			rel := filepath.ToSlash(filepath.Join("testdata", "scenarios", d.Name()))
			t.Run(d.Name(), func(t *testing.T) {
				t.Parallel()
				checkFixture(t, root, rel, "", false)
			})
		}
	}
}

func checkFixture(t *testing.T, root, rel, rule string, isFail bool) {
	t.Helper()
	wants, flags := readExpectations(t, root, rel)
	args := append([]string{"lint", "--format", "json", "--fail-on", "none"}, flags...)
	args = append(args, rel)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, testSystem(root, "", &stdout, &stderr))
	if code != exitOK {
		t.Fatalf("exit code %d, want 0; stderr:\n%s", code, stderr.String())
	}
	var rep jsonReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("JSON report: %v\n%s", err, stdout.String())
	}
	got := map[expectation]string{}
	gotSeverity := map[expectation]string{}
	for _, f := range rep.Findings {
		e := expectation{f.Location.File, f.Location.Line, f.Rule}
		got[e], gotSeverity[e] = f.Message, f.Severity
	}
	wantSet := map[expectation]bool{}
	fires := false
	var problems []string
	for _, w := range wants {
		// "rule-id (severity)" also wants the finding's severity.
		if id, sev, ok := strings.Cut(w.rule, " ("); ok {
			w.rule, sev = id, strings.TrimSuffix(sev, ")")
			if g, found := gotSeverity[w]; found && g != sev {
				problems = append(problems, fmt.Sprintf("severity  %s is %s, want %s", w, g, sev))
			}
		}
		wantSet[w] = true
		if w.rule == rule {
			fires = true
		}
	}
	if rule != "" && isFail && !fires {
		t.Errorf("%s is a fail fixture but wants no %s finding", rel, rule)
	}
	if rule != "" && !isFail && fires {
		t.Errorf("%s is a pass fixture but wants a %s finding", rel, rule)
	}
	for w := range wantSet {
		if _, ok := got[w]; !ok {
			problems = append(problems, fmt.Sprintf("missing   %s", w))
		}
	}
	for g, msg := range got {
		if !wantSet[g] {
			problems = append(problems, fmt.Sprintf("unexpected %s: %s", g, msg))
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// jsonReport is the part of the JSON report the tests read.
type jsonReport struct {
	Findings []jsonFinding
}

type jsonFinding struct {
	Rule     string
	Severity string
	Message  string
	Location struct {
		File string
		Line int
	}
	Related []struct {
		Location struct {
			File string
			Line int
		}
	}
}

// readExpectations collects "# want:" markers and .want files, and the
// fixture's extra flags.
func readExpectations(t *testing.T, root, rel string) ([]expectation, []string) {
	t.Helper()
	abs := filepath.Join(root, rel)
	st, err := os.Stat(abs)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	var flags []string
	if st.IsDir() {
		err := filepath.WalkDir(abs, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		flags = append(flags, readFlagsFile(t, filepath.Join(abs, "flags"))...)
	} else {
		files = []string{abs}
		flags = append(flags, readFlagsFile(t, abs+".flags")...)
	}
	var wants []expectation
	for _, f := range files {
		fr, _ := filepath.Rel(root, f)
		fr = filepath.ToSlash(fr)
		switch {
		case strings.HasSuffix(f, ".want"):
			wants = append(wants, readWantFile(t, f, strings.TrimSuffix(fr, ".want"))...)
		case strings.HasSuffix(f, ".yaml"), strings.HasSuffix(f, ".yml"), strings.HasSuffix(f, ".json"),
			strings.HasSuffix(f, ".tf"), strings.HasSuffix(f, ".tfvars"):
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(string(b), "\n") {
				if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "# irsalint-flags:"); ok {
					flags = append(flags, strings.Fields(rest)...)
					continue
				}
				if m := wantRE.FindStringSubmatch(line); m != nil {
					for _, r := range strings.Split(m[1], ",") {
						wants = append(wants, expectation{fr, i + 1, strings.TrimSpace(r)})
					}
				}
			}
			if !st.IsDir() {
				wants = append(wants, readWantFile(t, f+".want", fr)...)
			}
		}
	}
	return wants, flags
}

// readWantFile reads "LINE rule-id" lines expected in target; a missing
// file expects nothing.
func readWantFile(t *testing.T, path, target string) []expectation {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []expectation
	for _, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var n int
		var r string
		if _, err := fmt.Sscanf(line, "%d %s", &n, &r); err != nil {
			t.Fatalf("%s: bad line %q (want \"LINE rule-id\")", path, line)
		}
		out = append(out, expectation{target, n, r})
	}
	return out
}

func readFlagsFile(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// repoRoot is the directory holding go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if fileExists(filepath.Join(dir, "go.mod")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}
