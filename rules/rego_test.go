package rules_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/rules"
)

// TestRego runs every Rego unit test of the rules and the library in-process,
// compiled in strict mode so unused variables and deprecated built-ins fail.
func TestRego(t *testing.T) {
	mods, err := engine.LoadFS(rules.FS, "rules", true)
	if err != nil {
		t.Fatal(err)
	}
	modMap := map[string]*ast.Module{}
	for _, m := range mods {
		modMap[m.Name] = m.Module
	}
	ctx := context.Background()
	ch, err := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithEnablePrintStatements(true).WithStrict(true)).
		CapturePrintOutput(true).
		EnableTracing(true).
		RaiseBuiltinErrors(true).
		SetModules(modMap).
		RunTests(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for r := range ch {
		ran++
		name := strings.TrimPrefix(r.Package, "data.") + "." + r.Name
		t.Run(name, func(t *testing.T) {
			switch {
			case r.Error != nil:
				t.Errorf("%s:%d: error: %v\n%s", r.Location.File, r.Location.Row, r.Error, r.Output)
			case r.Fail:
				var buf bytes.Buffer
				rep := tester.PrettyReporter{Output: &buf, Verbose: false, FailureLine: true}
				one := make(chan *tester.Result, 1)
				one <- r
				close(one)
				_ = rep.Report(one)
				t.Errorf("%s:%d: FAIL\n%s\n%s", r.Location.File, r.Location.Row, buf.String(), r.Output)
			case r.Skip:
				t.Skipf("%s:%d: skipped (todo_ test)", r.Location.File, r.Location.Row)
			}
		})
	}
	if ran == 0 {
		t.Fatal("no Rego test ran")
	}
}
