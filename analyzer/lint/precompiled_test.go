package lint_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/irsalint/irsalint/analyzer"
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
	// runner returns a run of every rule of an engine built with opts.
	runner := func(opts engine.Options) func(*inventory.Inventory) []analyzer.Finding {
		eng, q := everyRule(t, opts)
		return func(inv *inventory.Inventory) []analyzer.Finding {
			res, err := lint.Run(ctx, eng, q, inv)
			if err != nil {
				t.Fatal(err)
			}
			return res.Findings
		}
	}
	// With a custom rule beside them, the shipped groups are still read
	// compiled, and the custom one compiled from source.
	custom := []string{"../../examples/custom-rules"}
	pairs := []struct {
		name        string
		precompiled func(*inventory.Inventory) []analyzer.Finding
		fromSource  func(*inventory.Inventory) []analyzer.Finding
	}{
		{"", runner(engine.Options{}), runner(engine.Options{Builtin: rules.FS})},
		{", with a custom rule", runner(engine.Options{UserDirs: custom}), runner(engine.Options{Builtin: rules.FS, UserDirs: custom})},
	}
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
		for i, p := range pairs {
			a, b := p.precompiled(inv), p.fromSource(inv)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s%s: precompiled rules found %d, the rules from source %d, or other findings", dir, p.name, len(a), len(b))
			}
			for _, f := range a {
				if i == 0 {
					total++
				} else if f.Rule == "role-name-prefix" {
					customFound++
				}
			}
		}
	}
	// The comparison must have something to compare.
	if total < 100 || customFound == 0 {
		t.Errorf("%d findings in all, %d of the custom rule: the fixtures were not read", total, customFound)
	}
}
