// Command rulecost prints what each built-in rule costs to evaluate alone
// over an inventory (what `irsalint inventory` prints): the rules and the
// inventory are parsed and compiled once, then each rule's deny is
// evaluated -count times on one goroutine, and the median and the fastest
// run are printed in milliseconds with the number of findings. A rule's
// time includes the library values it uses (binding.links, for one), so
// rules that share them overlap; "all" evaluates every rule in one query,
// each value once. --without times all but one rule, for each rule, so
// that what a rule adds to a run is all's time less its line's.
// bench/rules.sh runs it on a generated corpus.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/spf13/pflag"

	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/rules"
)

func main() {
	input := pflag.StringP("input", "i", "", "the inventory, as `irsalint inventory` prints it (required)")
	count := pflag.Int("count", 5, "evaluations of each query")
	only := pflag.StringSlice("rules", nil, "rule IDs to time (default: every rule); all the rules timed are then timed together")
	without := pflag.Bool("without", false, "time every rule but each one in turn instead of each alone: what a rule adds to a run is all's time less its line's")
	pflag.Parse()
	if *input == "" || *count < 1 {
		fmt.Fprintln(os.Stderr, "usage: rulecost -i INVENTORY.json [--count N] [--rules ID,...] [--without]")
		os.Exit(2)
	}
	if err := run(os.Stdout, *input, *count, *only, *without); err != nil {
		fmt.Fprintln(os.Stderr, "rulecost:", err)
		os.Exit(2)
	}
}

// rule is a rule's ID and the package its deny is in.
type rule struct {
	id  string
	pkg ast.Ref
}

func run(w io.Writer, inputPath string, count int, only []string, without bool) error {
	modules, ruleSet, err := load()
	if err != nil {
		return err
	}
	if len(only) > 0 {
		for _, id := range only {
			if !slices.ContainsFunc(ruleSet, func(r rule) bool { return r.id == id }) {
				return fmt.Errorf("no built-in rule %q", id)
			}
		}
		ruleSet = slices.DeleteFunc(ruleSet, func(r rule) bool { return !slices.Contains(only, r.id) })
	}
	if without && len(ruleSet) < 2 {
		return fmt.Errorf("--without needs two rules or more")
	}
	c := ast.NewCompiler()
	if c.Compile(modules); c.Failed() {
		return c.Errors
	}
	f, err := os.Open(inputPath)
	if err != nil {
		return err
	}
	defer f.Close()
	value, err := ast.ValueFromReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", inputPath, err)
	}
	queries := make([]string, len(ruleSet))
	for i, r := range ruleSet {
		queries[i] = fmt.Sprintf("count(%s.deny)", r.pkg)
	}
	fmt.Fprintf(w, "%-36s %10s %10s %9s\n", "rule", "median ms", "min ms", "findings")
	for i, r := range ruleSet {
		name, q := r.id, queries[i]
		if without {
			name, q = "-"+r.id, strings.Join(slices.Delete(slices.Clone(queries), i, i+1), " + ")
		}
		if err := measure(w, c, value, name, q, count); err != nil {
			return err
		}
	}
	if len(ruleSet) > 1 {
		return measure(w, c, value, "all", strings.Join(queries, " + "), count)
	}
	return nil
}

// load parses the rules and libraries as the engine does, without their
// tests (they call irsalint.resolve, a built-in only irsalint's test
// runner has). A rule's ID is the last part of its package path
// (irsalint.rules.<group>["<id>"]).
func load() (map[string]*ast.Module, []rule, error) {
	mods, err := engine.LoadFS(rules.FS, "rules", false)
	if err != nil {
		return nil, nil, err
	}
	modules := make(map[string]*ast.Module, len(mods))
	var ruleSet []rule
	for _, m := range mods {
		modules[m.Name] = m.Module
		path := m.Module.Package.Path
		if len(path) == len(engine.RulesRoot)+2 && path.HasPrefix(engine.RulesRoot) {
			if id, ok := path[len(path)-1].Value.(ast.String); ok {
				ruleSet = append(ruleSet, rule{id: string(id), pkg: path})
			}
		}
	}
	slices.SortFunc(ruleSet, func(a, b rule) int { return strings.Compare(a.id, b.id) })
	return modules, ruleSet, nil
}

// measure evaluates query count times after one untimed evaluation, and
// prints the median, the fastest and the query's result.
func measure(w io.Writer, c *ast.Compiler, input ast.Value, name, query string, count int) error {
	ctx := context.Background()
	pq, err := rego.New(rego.Query(query), rego.Compiler(c)).PrepareForEval(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	eval := func() (any, error) {
		rs, err := pq.Eval(ctx, rego.EvalParsedInput(input))
		if err != nil {
			return nil, err
		}
		if len(rs) != 1 || len(rs[0].Expressions) != 1 {
			return nil, fmt.Errorf("no result (is input the inventory?)")
		}
		return rs[0].Expressions[0].Value, nil
	}
	findings, err := eval()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	times := make([]time.Duration, count)
	for i := range times {
		start := time.Now()
		if _, err := eval(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		times[i] = time.Since(start)
	}
	slices.Sort(times)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Fprintf(w, "%-36s %10.1f %10.1f %9v\n", name, ms(times[len(times)/2]), ms(times[0]), findings)
	return nil
}
