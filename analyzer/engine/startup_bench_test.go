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
// waits for) and preparing the queries of every rule New waited for. It
// is most of a one-file run, the pre-commit case, which "one-workload"
// times whole as such a run does it: New deferring every group, then an
// evaluation of one Deployment, which compiles the groups it feeds;
// "one-workload-with-sa" does the same with its annotated ServiceAccount.
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
	deployment := engine.Document{
		Base: map[string]any{"serviceAccounts": map[string]any{}, "roles": map[string]any{}},
		Workloads: []any{map[string]any{
			"ref": "d.yaml#0", "kind": "Deployment", "namespace": "shop", "name": "api",
			"serviceAccount": map[string]any{"name": "api", "key": "shop/api", "source": "serviceAccountName"},
			"containers":     []any{},
		}},
	}
	// The same Deployment with its annotated ServiceAccount, which feeds
	// the ServiceAccount and binding rules, and so the IAM library's users.
	withSA := engine.Document{
		Base: map[string]any{"serviceAccounts": map[string]any{"shop/api": map[string]any{
			"ref": "d.yaml#1", "kind": "ServiceAccount", "key": "shop/api", "namespace": "shop", "name": "api", "declared": true,
			"annotations": map[string]any{"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/shop-api"},
			"labels":      map[string]any{}, "at": []any{}, "usedBy": []any{"d.yaml#0"},
		}}, "roles": map[string]any{}},
		Workloads: deployment.Workloads,
	}
	for _, c := range []struct {
		name string
		doc  engine.Document
	}{{"one-workload", deployment}, {"one-workload-with-sa", withSA}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				e, err := engine.New(engine.Options{Defer: true})
				if err != nil {
					b.Fatal(err)
				}
				ids, _ := e.Select(nil, nil)
				q, err := e.Prepare(ctx, ids)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := q.Eval(ctx, c.doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
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
