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
)

// TestShardedEqualsWhole: rules of scope "workload" see the workloads in
// shards; on every fixture and scenario, findings must be those of one
// evaluation over everything, so a rule that reads another workload than
// the one it reports on cannot be marked so by mistake.
func TestShardedEqualsWhole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	whole, qw := everyRule(t, engine.Options{Workers: 1})
	// As many shards as workloads: each workload alone.
	sharded, qs := everyRule(t, engine.Options{Workers: 1000, MinShard: 1})
	root := filepath.Join("..", "..", "testdata")
	var paths []string
	for _, dir := range []string{"rules", "scenarios"} {
		groups, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range groups {
			if !g.IsDir() {
				continue
			}
			if dir == "scenarios" {
				paths = append(paths, filepath.Join(root, dir, g.Name()))
				continue
			}
			entries, _ := os.ReadDir(filepath.Join(root, dir, g.Name()))
			for _, e := range entries {
				paths = append(paths, filepath.Join(root, dir, g.Name(), e.Name()))
			}
		}
	}
	// And all of it at once: many workloads, several per shard.
	paths = append(paths, filepath.Join(root, "rules"))
	inputs := make([]lint.Input, 0, len(paths)+1)
	for _, p := range paths {
		inputs = append(inputs, lint.Input{Paths: []string{p}, WorkingDir: root, Settings: inventory.DefaultSettings()})
	}
	if _, err := os.Stat("../../../shared/bench/gencorpus/main.go"); err == nil && !testing.Short() {
		corpus := genCorpus(t, 300, 60)
		inputs = append(inputs, lint.Input{Paths: []string{filepath.Join(corpus, "manifests"), filepath.Join(corpus, "iam/account-authorization-details.json")},
			WorkingDir: corpus, Settings: inventory.DefaultSettings()})
	}
	compared := 0
	for _, in := range inputs {
		p := in.Paths
		inv, _ := lint.Load(ctx, in)
		a, errA := lint.Run(ctx, whole, qw, inv)
		b, errB := lint.Run(ctx, sharded, qs, inv)
		if (errA == nil) != (errB == nil) {
			t.Errorf("%s: errors %v / %v", p, errA, errB)
			continue
		}
		if !reflect.DeepEqual(a.Findings, b.Findings) {
			t.Errorf("%s: sharded findings differ:\n whole   %v\n sharded %v", p, a.Findings, b.Findings)
		}
		compared++
	}
	if compared < 100 {
		t.Errorf("compared %d inputs", compared)
	}
}
