package engine

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/irsalint/irsalint/rules"
	"github.com/open-policy-agent/opa/v1/ast"
)

// TestPartitionShippedRules checks the groups the shipped rules compile
// in: every rule has a group, the group holds the rule and every package
// it refers to (or the rule would not compile alone), and the result does
// not depend on the order the modules come in.
func TestPartitionShippedRules(t *testing.T) {
	mods, err := LoadFS(rules.FS, "rules", false)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := catalogue(mods)
	if err != nil {
		t.Fatal(err)
	}
	scopes := map[string]string{}
	for _, e := range entries {
		scopes[e.rule.ID] = e.rule.Scope
	}
	groups, groupOf := partition(mods, scopes)
	// The IAM library's users on the whole input and by role, the others
	// on the whole input and by workload.
	if len(groups) != 4 {
		t.Fatalf("%d groups, want 4", len(groups))
	}
	// A group holds rules of one scope, all users of the IAM library or
	// none: evaluation keeps scopes apart, and a group that mixed them
	// would not be left out of runs whose input cannot feed it.
	scopeOf, heavyOf := map[int]string{}, map[int]bool{}
	for _, e := range entries {
		g := groupOf[e.rule.ID]
		heavy := false
		for _, m := range groups[g] {
			heavy = heavy || m.Module.Package.Path.Equal(heavyLibrary)
		}
		if s, ok := scopeOf[g]; ok && (s != e.rule.Scope || heavyOf[g] != heavy) {
			t.Errorf("group %d holds rules of scopes %q and %q, or with and without the IAM library", g, s, e.rule.Scope)
		}
		scopeOf[g], heavyOf[g] = e.rule.Scope, heavy
	}
	inGroup := make([]map[string]bool, len(groups))
	for g, group := range groups {
		inGroup[g] = map[string]bool{}
		for _, m := range group {
			inGroup[g][m.Module.Package.Path.String()] = true
		}
	}
	for _, e := range entries {
		g, ok := groupOf[e.rule.ID]
		if !ok {
			t.Fatalf("rule %s has no group", e.rule.ID)
		}
		if !inGroup[g][e.ref.String()] {
			t.Errorf("rule %s is not in its group %d", e.rule.ID, g)
		}
	}
	// partition reads a built-in module's imports only: no rule body may
	// name another package in full.
	for _, m := range mods {
		for _, r := range m.Module.Rules {
			ast.WalkRefs(r, func(ref ast.Ref) bool {
				if ref.HasPrefix(ast.DefaultRootRef) {
					t.Errorf("%s:%d: %v: import the package instead", m.Name, r.Location.Row, ref)
				}
				return false
			})
		}
	}
	// Each group compiles alone: a reference to a package outside it
	// fails there.
	for g, group := range groups {
		for _, m := range group {
			for _, imp := range m.Module.Imports {
				if p := imp.Path.String(); strings.HasPrefix(p, "data.") && !inGroup[g][p] {
					t.Errorf("group %d: %s imports %s, which is not in the group", g, m.Name, p)
				}
			}
		}
	}
	reversed := make([]Module, len(mods))
	for i, m := range mods {
		reversed[len(mods)-1-i] = m
	}
	if _, again := partition(reversed, scopes); !reflect.DeepEqual(again, groupOf) {
		t.Errorf("groups depend on module order:\n%v\n%v", groupOf, again)
	}
}

// TestShippedRulesPassSkippedChecks compiles the shipped rules with every
// stage, in strict mode, under the capabilities they run with: New skips
// the checking stages for them, which is safe only while this passes.
func TestShippedRulesPassSkippedChecks(t *testing.T) {
	mods, err := LoadFS(rules.FS, "rules", false)
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := InputSchema()
	if err != nil {
		t.Fatal(err)
	}
	modMap := make(map[string]*ast.Module, len(mods))
	for _, m := range mods {
		modMap[m.Name] = m.Module
	}
	c := ast.NewCompiler().WithStrict(true).WithCapabilities(SandboxCapabilities()).WithSchemas(schemas)
	if c.Compile(modMap); len(c.Errors) > 0 {
		t.Fatal(c.Errors)
	}
	// The check must be able to fail: a module that calls a function
	// nobody defines does not compile.
	broken, err := parse("broken.rego", []byte("package irsalint.lib.broken\n\nx if nothing_defines_this(1)\n"))
	if err != nil {
		t.Fatal(err)
	}
	modMap["broken.rego"] = broken
	c = ast.NewCompiler().WithStrict(true).WithCapabilities(SandboxCapabilities()).WithSchemas(schemas)
	if c.Compile(modMap); len(c.Errors) == 0 {
		t.Fatal("an undefined function compiled")
	}
}

// TestShippedIndex: rules/catalogue.json is what go generate writes from
// the shipped rules now, and the modules and catalogue it gives a deferring
// New are those of the rules parsed in full: the same catalogue, the same
// groups, and each module parsed on demand equal to LoadFS's.
func TestShippedIndex(t *testing.T) {
	index, err := ShippedIndex()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(index, rules.Catalogue) {
		t.Fatal("rules/catalogue.json is stale: run go generate ./...")
	}
	full, err := LoadFS(rules.FS, "rules", false)
	if err != nil {
		t.Fatal(err)
	}
	want, err := catalogue(full)
	if err != nil {
		t.Fatal(err)
	}
	stubs, got, err := loadShipped(rules.FS, rules.Catalogue)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("rules/catalogue.json has %d rules, the modules %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i].rule, want[i].rule) || !got[i].ref.Equal(want[i].ref) {
			t.Errorf("rule %s from rules/catalogue.json differs from the module's", want[i].rule.ID)
		}
	}
	scopes := map[string]string{}
	for _, e := range want {
		scopes[e.rule.ID] = e.rule.Scope
	}
	wantGroups, wantOf := partition(full, scopes)
	gotGroups, gotOf := partition(stubs, scopes)
	if !reflect.DeepEqual(gotOf, wantOf) || len(gotGroups) != len(wantGroups) {
		t.Fatalf("groups from rules/catalogue.json %v, from the modules %v", gotOf, wantOf)
	}
	for g := range wantGroups {
		if len(gotGroups[g]) != len(wantGroups[g]) {
			t.Fatalf("group %d: %d modules, want %d", g, len(gotGroups[g]), len(wantGroups[g]))
		}
		for i, m := range gotGroups[g] {
			if m.Name != wantGroups[g][i].Name {
				t.Errorf("group %d module %d: %s, want %s", g, i, m.Name, wantGroups[g][i].Name)
			}
		}
		parsed, err := parseFull(gotGroups[g])
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range wantGroups[g] {
			if !parsed[m.Name].Equal(m.Module) {
				t.Errorf("%s parsed in full differs from LoadFS's", m.Name)
			}
		}
	}
}
