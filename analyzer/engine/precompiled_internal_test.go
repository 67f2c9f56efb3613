package engine

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/version"

	"github.com/irsalint/irsalint/rules"
)

// TestPrecompiled: rules/compiled.bin is what go generate writes now, it
// holds every group a run of the shipped rules compiles, and its modules
// are final: compiling them again with every stage, the ones a
// precompiled group skips included, changes none of them. So skipping
// those stages gives the compiler the same modules.
func TestPrecompiled(t *testing.T) {
	data, err := Precompiled()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, rules.Compiled) {
		t.Fatal("rules/compiled.bin is stale: run go generate ./...")
	}
	index, err := precompiledGroups()
	if err != nil || index == nil {
		t.Fatalf("rules/compiled.bin: %v, %d groups", err, len(index))
	}
	groups, scopes, err := shippedGroups()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		for _, m := range g {
			ast.WalkRefs(m.Module, func(r ast.Ref) bool {
				if r.Equal(ast.Print.Ref()) {
					t.Errorf("%s calls print: a precompiled group would drop it", m.Name)
				}
				return false
			})
		}
	}
	if len(index) != len(groups) {
		t.Errorf("rules/compiled.bin has %d groups, the rules %d", len(index), len(groups))
	}
	stubs, _, err := loadShipped(rules.FS, rules.Catalogue)
	if err != nil {
		t.Fatal(err)
	}
	deferred, _ := partition(stubs, scopes)
	for g := range groups {
		mods := precompiled(groups[g])
		if mods == nil || precompiled(deferred[g]) == nil {
			t.Fatalf("group %d is not in rules/compiled.bin", g)
		}
		before := map[string]string{}
		for name, m := range mods {
			before[name] = m.String()
		}
		again := func(skips ...ast.StageID) map[string]*ast.Module {
			cp := make(map[string]*ast.Module, len(mods))
			for name, m := range mods {
				cp[name] = m.Copy()
			}
			c := ast.NewCompiler().WithCapabilities(SandboxCapabilities()).WithSkipStages(skips...)
			if c.Compile(cp); len(c.Errors) > 0 {
				t.Fatalf("group %d compiled again: %v", g, c.Errors)
			}
			return c.Modules
		}
		// The stages a precompiled group runs change nothing.
		for name, m := range again(precompiledSkips...) {
			if m.String() != before[name] {
				t.Errorf("group %d: compiling %s again changed it:\n%s\nwas\n%s", g, name, m, before[name])
			}
		}
		// Every stage: the skipped ones give variables new names and
		// bind each every's domain to one more variable, nothing else.
		for name, m := range again() {
			if got, want := renumbered(unbound(m.String())), renumbered(before[name]); got != want {
				t.Errorf("group %d: compiling %s again changed more than names:\n%s\nwas\n%s", g, name, got, want)
			}
		}
	}
}

// rebound is a variable bound to another just before an every, which
// unbound takes out when the every's domain is that variable.
var rebound = regexp.MustCompile(`(__local[0-9]+__) = (__local[0-9]+__); every ([^{]*?) in (__local[0-9]+__) \{`)

func unbound(text string) string {
	return rebound.ReplaceAllStringFunc(text, func(s string) string {
		m := rebound.FindStringSubmatch(s)
		if m[1] != m[4] {
			return s
		}
		return "every " + m[3] + " in " + m[2] + " {"
	})
}

var generatedVar = regexp.MustCompile(`__local[0-9]+__`)

// renumbered names the compiler's generated variables of a module's text
// by their order of first appearance.
func renumbered(text string) string {
	seen := map[string]string{}
	return generatedVar.ReplaceAllStringFunc(text, func(v string) string {
		if n, ok := seen[v]; ok {
			return n
		}
		seen[v] = fmt.Sprintf("v%d", len(seen))
		return seen[v]
	})
}

// TestPrecompiledOtherRelease: a file written by another OPA release is
// not read (its compiler may leave other modules), and one that is not a
// compiled rule set is an error.
func TestPrecompiledOtherRelease(t *testing.T) {
	if index, err := indexPrecompiled(rules.Compiled, version.Version+"-other"); err != nil || index != nil {
		t.Errorf("another release: %d groups, %v; want none and no error", len(index), err)
	}
	if _, err := indexPrecompiled([]byte("not compiled rules"), version.Version); err == nil {
		t.Error("a file that is not a compiled rule set was read")
	}
	head := len(precompiledMagic + "opa " + version.Version + "\n")
	for _, n := range []int{head, head + 1, head + 40, len(rules.Compiled) - 1} {
		if _, err := indexPrecompiled(rules.Compiled[:n], version.Version); err == nil {
			t.Errorf("the first %d bytes were read without error", n)
		}
	}
}

// TestPrecompiledEditedSource: a group whose source changed since go
// generate is not read from rules/compiled.bin, so an edited rule runs as
// written, not as it was.
func TestPrecompiledEditedSource(t *testing.T) {
	index, err := precompiledGroups()
	if err != nil {
		t.Fatal(err)
	}
	groups, _, err := shippedGroups()
	if err != nil {
		t.Fatal(err)
	}
	same := fstest.MapFS{}
	if err := fs.WalkDir(rules.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(rules.FS, p)
		same[p] = &fstest.MapFile{Data: b}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	edited := maps.Clone(same)
	edited["lib/k8s.rego"] = &fstest.MapFile{Data: append(slices.Clone(same["lib/k8s.rego"].Data), "\n# edited\n"...)}
	for g, group := range groups {
		uses := slices.ContainsFunc(group, func(m Module) bool { return m.Name == "rules/lib/k8s.rego" })
		if lookupPrecompiled(index, same, group) == nil {
			t.Errorf("group %d: not read from the same source", g)
		}
		if got := lookupPrecompiled(index, edited, group); (got == nil) != uses {
			t.Errorf("group %d (uses lib/k8s.rego: %v): read after the edit: %v", g, uses, got != nil)
		}
	}
}

// TestPartitionCustomApart: custom rules are grouped apart from the
// shipped ones, so that every shipped group is still read from
// rules/compiled.bin; a custom module in a shipped library's package
// joins each group that uses the library, which is then compiled from
// source.
func TestPartitionCustomApart(t *testing.T) {
	stubs, entries, err := loadShipped(rules.FS, rules.Catalogue)
	if err != nil {
		t.Fatal(err)
	}
	custom := func(name, src string) Module {
		m, err := parse(name, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return Module{Name: name, Module: m, Custom: true}
	}
	rule := custom("policy/mine.rego", "package irsalint.rules.custom[\"mine\"]\n\nimport data.irsalint.lib.k8s\n\ndeny contains k8s.role_arn_key if false\n")
	scopes := map[string]string{"mine": ""}
	for _, e := range entries {
		scopes[e.rule.ID] = e.rule.Scope
	}
	groups, groupOf := partition(append(slices.Clone(stubs), rule), scopes)
	if len(groups) != 5 {
		t.Fatalf("%d groups, want the 4 shipped ones and 1 custom", len(groups))
	}
	shippedRule := func(m Module) bool {
		return strings.HasPrefix(m.Name, "rules/") && !strings.HasPrefix(m.Name, "rules/lib/")
	}
	for id, g := range groupOf {
		hasCustom := slices.ContainsFunc(groups[g], func(m Module) bool { return m.Custom })
		switch {
		case id == "mine" && slices.ContainsFunc(groups[g], shippedRule):
			t.Errorf("the custom rule's group holds a shipped rule")
		case id != "mine" && hasCustom:
			t.Errorf("rule %s's group holds a custom module", id)
		case id != "mine" && precompiled(groups[g]) == nil:
			t.Errorf("rule %s's group is not read from rules/compiled.bin beside a custom rule", id)
		}
	}
	extension := custom("policy/k8s_more.rego", "package irsalint.lib.k8s\n\nmore := 1\n")
	groups, groupOf = partition(append(slices.Clone(stubs), rule, extension), scopes)
	g := groupOf["nonroot-missing-fsgroup"]
	if !slices.ContainsFunc(groups[g], func(m Module) bool { return m.Name == extension.Name }) {
		t.Fatal("a module in lib/k8s's package is not in a group that uses lib/k8s")
	}
	if precompiled(groups[g]) != nil {
		t.Error("a group with a custom module in it is read from rules/compiled.bin")
	}
}
