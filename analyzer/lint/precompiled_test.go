package lint_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/analyzer/inventory"
	"github.com/irsalint/irsalint/analyzer/lint"
	"github.com/irsalint/irsalint/rules"
)

// TestPrecompiledRulesMatchSource: the shipped rules read from
// rules/compiled.bin find exactly what the same rules parsed and compiled
// with every check find, over the shipped example and every fixture
// folder, alone and beside the example's custom rule. (An engine given
// the rule tree explicitly compiles it from source.)
func TestPrecompiledRulesMatchSource(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	prepare := func(opts engine.Options) (*engine.Engine, *engine.Query) {
		eng, err := engine.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		ids, _ := eng.Select(nil, nil)
		q, err := eng.Prepare(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		return eng, q
	}
	pre, preQ := prepare(engine.Options{})
	src, srcQ := prepare(engine.Options{Builtin: rules.FS})
	// With a custom rule beside them, the shipped groups are still read
	// compiled, and the custom one compiled from source.
	custom := []string{"../../examples/custom-rules"}
	preCustom, preCustomQ := prepare(engine.Options{UserDirs: custom})
	srcCustom, srcCustomQ := prepare(engine.Options{Builtin: rules.FS, UserDirs: custom})
	dirs := []string{"../../examples", "../../testdata/realistic", "../../testdata/scenarios"}
	fixtures, err := os.ReadDir("../../testdata/rules")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fixtures {
		dirs = append(dirs, filepath.Join("../../testdata/rules", f.Name()))
	}
	total, customFound := 0, 0
	for _, dir := range dirs {
		// A relative path through .. reads as a hidden folder.
		if dir, err = filepath.Abs(dir); err != nil {
			t.Fatal(err)
		}
		inv, _ := lint.Load(ctx, lint.Input{Paths: []string{dir}, WorkingDir: dir, Settings: inventory.DefaultSettings()})
		a, err := lint.Run(ctx, pre, preQ, inv)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		b, err := lint.Run(ctx, src, srcQ, inv)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if !reflect.DeepEqual(a.Findings, b.Findings) {
			t.Errorf("%s: precompiled rules found %d, the rules from source %d, or other findings", dir, len(a.Findings), len(b.Findings))
		}
		total += len(a.Findings)
		c, err := lint.Run(ctx, preCustom, preCustomQ, inv)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		d, err := lint.Run(ctx, srcCustom, srcCustomQ, inv)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if !reflect.DeepEqual(c.Findings, d.Findings) {
			t.Errorf("%s, with a custom rule: precompiled rules found %d, the rules from source %d, or other findings", dir, len(c.Findings), len(d.Findings))
		}
		for _, f := range c.Findings {
			if f.Rule == "role-name-prefix" {
				customFound++
			}
		}
	}
	// The comparison must have something to compare.
	if total < 100 || customFound == 0 {
		t.Errorf("%d findings in all, %d of the custom rule: the fixtures were not read", total, customFound)
	}
}
