package engine_test

import (
	"context"
	"testing"

	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/rules"
)

// BenchmarkStartup times what every run pays before it reads a file:
// parsing the shipped rules, compiling them (engine.New, parsing
// included; "compile" waits for every group, "new" only for what New
// waits for, which is all a run that feeds no IAM rule waits for) and
// preparing the queries of every rule New waited for. It is most of a
// one-file run, the pre-commit case.
func BenchmarkStartup(b *testing.B) {
	ctx := context.Background()
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			if _, err := engine.LoadFS(rules.FS, "rules", false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("compile", func(b *testing.B) {
		for b.Loop() {
			e, err := engine.New(engine.Options{})
			if err != nil {
				b.Fatal(err)
			}
			e.Wait()
		}
	})
	b.Run("new", func(b *testing.B) {
		for b.Loop() {
			e, err := engine.New(engine.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			e.Wait() // not into the next iteration
			b.StartTimer()
		}
	})
	eng, err := engine.New(engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ids, _ := eng.Select(nil, nil)
	b.Run("prepare", func(b *testing.B) {
		for b.Loop() {
			if _, err := eng.Prepare(ctx, ids); err != nil {
				b.Fatal(err)
			}
		}
	})
}
