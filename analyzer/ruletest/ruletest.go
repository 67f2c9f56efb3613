// Package ruletest runs the Rego unit tests of a user's rules the way
// irsalint's own rule tests run: beside irsalint's library and built-in
// rules, under the sandbox's capabilities, type-checked against the
// inventory's schema, with irsalint.resolve to add the facts irsalint
// resolves in Go to a hand-written input.
package ruletest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/analyzer/regotest"
	"github.com/irsalint/irsalint/rules"
)

// Result is the outcome of one test rule.
type Result struct {
	Name   string // data.<package>.<rule>
	File   string
	Line   int
	Fail   bool
	Error  error
	Skip   bool   // a todo_ test
	Output string // what the test printed
	// Trace is the evaluation of a failed test, note by note.
	Trace string
}

// Passed tells a test that neither failed nor erred.
func (r Result) Passed() bool { return !r.Fail && r.Error == nil }

// ErrNoTests is returned when the folders hold no test rule.
var ErrNoTests = errors.New("no tests found (test rules are named test_*, in files named *_test.rego)")

// Run compiles the .rego files of dirs (rules, libraries and their tests)
// with irsalint's library and rules, and runs every test the user's files
// define, in file and line order. A rule whose METADATA the linter would
// refuse is an error too, so that a suite cannot pass on a rule irsalint
// will not load.
func Run(ctx context.Context, dirs []string) ([]Result, error) {
	if _, err := engine.New(engine.Options{UserDirs: dirs}); err != nil {
		return nil, err
	}
	builtin, err := engine.LoadFS(rules.FS, "rules", false)
	if err != nil {
		return nil, err
	}
	mods := map[string]*ast.Module{}
	for _, m := range builtin {
		mods[m.Name] = m.Module
	}
	user := map[string]bool{}
	for _, dir := range dirs {
		ms, err := engine.LoadDir(dir, true, false)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			mods[m.Name] = m.Module
			user[m.Name] = true
		}
	}
	schemas, err := engine.InputSchema()
	if err != nil {
		return nil, err
	}
	runner := func(trace bool) *tester.Runner {
		return tester.NewRunner().
			SetCompiler(ast.NewCompiler().WithEnablePrintStatements(true).WithStrict(true).
				WithCapabilities(regotest.Capabilities()).WithSchemas(schemas)).
			AddCustomBuiltins(regotest.Builtins()).
			CapturePrintOutput(true).
			EnableTracing(trace).
			RaiseBuiltinErrors(true).
			SetModules(mods)
	}
	ch, err := runner(false).RunTests(ctx, nil)
	if err != nil {
		return nil, compileError(err)
	}
	var out []Result
	var failed []string
	for r := range ch {
		if !user[r.Location.File] {
			continue
		}
		res := Result{
			Name: strings.TrimPrefix(r.Package, "data.") + "." + r.Name,
			File: r.Location.File, Line: r.Location.Row,
			Fail: r.Fail, Error: r.Error, Skip: r.Skip, Output: string(r.Output),
		}
		if r.Fail {
			failed = append(failed, r.Package+"."+r.Name)
		}
		out = append(out, res)
	}
	if len(out) == 0 {
		return nil, ErrNoTests
	}
	if len(failed) > 0 {
		traces, err := trace(ctx, runner(true), failed)
		if err != nil {
			return nil, err
		}
		for i := range out {
			out[i].Trace = traces[out[i].Name]
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out, nil
}

// trace runs each failed test again with tracing, for the expression that
// failed and the values it saw.
func trace(ctx context.Context, r *tester.Runner, names []string) (map[string]string, error) {
	out := map[string]string{}
	for _, name := range names {
		ch, err := r.Filter("^"+regexp.QuoteMeta(name)+"$").RunTests(ctx, nil)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		rep := tester.PrettyReporter{Output: &buf, FailureLine: true}
		if err := rep.Report(ch); err != nil {
			return nil, err
		}
		out[strings.TrimPrefix(name, "data.")] = failureLine(buf.String())
	}
	return out, nil
}

var locationLine = regexp.MustCompile(`^\s*(\S+\.rego:\d+):$`)

// failureLine picks, from OPA's report of one failed test, the expression
// that failed and where ("rule_test.rego:32: contains(f.message, ...)"):
// the last location the report names, and the line under it.
func failureLine(report string) string {
	lines := strings.Split(report, "\n")
	for i := len(lines) - 2; i >= 0; i-- {
		if m := locationLine.FindStringSubmatch(lines[i]); m != nil {
			if expr := strings.TrimSpace(lines[i+1]); expr != "" {
				return "failed at " + m[1] + ": " + expr
			}
		}
	}
	return ""
}

// compileError lists a compilation's errors one per line, as file:line:
// message.
func compileError(err error) error {
	var errs ast.Errors
	if !errors.As(err, &errs) {
		return err
	}
	lines := make([]string, 0, len(errs))
	for _, e := range errs {
		if e.Location != nil {
			lines = append(lines, fmt.Sprintf("%s:%d: %s", e.Location.File, e.Location.Row, e.Message))
		} else {
			lines = append(lines, e.Message)
		}
	}
	return errors.New(strings.Join(lines, "\n"))
}
