package rules_test

import (
	"bytes"
	"context"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/analyzer/regotest"
	"github.com/irsalint/irsalint/rules"
)

// TestRego runs every Rego unit test of the rules and the library in-process,
// compiled in strict mode so unused variables and deprecated built-ins fail.
// Tests run in parallel without tracing; a failing test is run once more
// with tracing, for the report.
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
	schemas, err := engine.InputSchema()
	if err != nil {
		t.Fatal(err)
	}
	runner := func(trace bool) *tester.Runner {
		return tester.NewRunner().
			SetCompiler(ast.NewCompiler().WithEnablePrintStatements(true).WithStrict(true).WithCapabilities(regotest.Capabilities()).WithSchemas(schemas)).
			AddCustomBuiltins(regotest.Builtins()).
			CapturePrintOutput(true).
			EnableTracing(trace).
			RaiseBuiltinErrors(true).
			SetModules(modMap)
	}
	ch, err := runner(false).SetParallel(runtime.GOMAXPROCS(0)).RunTests(ctx, nil)
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
				t.Errorf("%s:%d: FAIL\n%s", r.Location.File, r.Location.Row, traced(ctx, runner(true), r))
			case r.Skip:
				t.Skipf("%s:%d: skipped (todo_ test)", r.Location.File, r.Location.Row)
			}
		})
	}
	if ran == 0 {
		t.Fatal("no Rego test ran")
	}
}

// traced runs one failed test again with tracing and returns the report.
func traced(ctx context.Context, runner *tester.Runner, failed *tester.Result) string {
	ch, err := runner.Filter("^"+regexp.QuoteMeta(failed.Package+"."+failed.Name)+"$").RunTests(ctx, nil)
	if err != nil {
		return err.Error()
	}
	var buf bytes.Buffer
	rep := tester.PrettyReporter{Output: &buf, FailureLine: true}
	_ = rep.Report(ch)
	return buf.String()
}
