package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/irsalint/irsalint/analyzer/ruletest"
)

const testUsage = `Usage: irsalint test [flags] DIR...

Run the Rego tests (test_* rules in *_test.rego files) of your rules in the
named folders (or .rego files), the way irsalint's own rule tests run: with
irsalint's library (data.irsalint.lib.*) and built-in rules loaded, under the
rule sandbox, type-checked against the inventory's schema, and with
irsalint.resolve(input), which adds to a hand-written input the facts
irsalint resolves in Go (effective identities, AWS-use signs, the index). A
rule whose METADATA irsalint would refuse fails the run too.

Exit codes: 0 every test passed; 1 a test failed or erred; 2 the rules did
not compile, or there is no test.
`

func testCommand(sys system) *cobra.Command {
	return newCommand("test", testUsage, sys, func(c *cobra.Command) runFunc {
		verbose := c.Flags().BoolP("verbose", "v", false, "list every test, not only the failures")
		return func(ctx context.Context, args []string) (int, error) {
			if len(args) == 0 {
				return 0, usagef("name the folders of rules to test")
			}
			wd, err := sys.Getwd()
			if err != nil {
				return 0, fmt.Errorf("working directory: %w", err)
			}
			dirs := make([]string, len(args))
			for i, a := range args {
				dirs[i] = resolvePath(a, wd)
			}
			results, err := ruletest.Run(ctx, dirs)
			if errors.Is(err, ruletest.ErrNoTests) {
				return 0, fmt.Errorf("%s: %w", strings.Join(args, ", "), err)
			}
			if err != nil {
				return 0, err
			}
			passed, failed := 0, 0
			for _, r := range results {
				switch {
				case r.Error != nil:
					failed++
					fmt.Fprintf(sys.Stdout, "%s:%d: ERROR %s: %v\n", display(r.File, wd), r.Line, r.Name, r.Error)
				case r.Fail:
					failed++
					fmt.Fprintf(sys.Stdout, "%s:%d: FAIL %s\n", display(r.File, wd), r.Line, r.Name)
					if r.Trace != "" {
						fmt.Fprintln(sys.Stdout, indent(r.Trace))
					}
				case r.Skip:
					if *verbose {
						fmt.Fprintf(sys.Stdout, "%s:%d: SKIP %s\n", display(r.File, wd), r.Line, r.Name)
					}
				default:
					passed++
					if *verbose {
						fmt.Fprintf(sys.Stdout, "%s:%d: PASS %s\n", display(r.File, wd), r.Line, r.Name)
					}
				}
				if r.Output != "" && (*verbose || !r.Passed()) {
					fmt.Fprint(sys.Stdout, indent(r.Output))
				}
			}
			fmt.Fprintf(sys.Stdout, "%s passed, %d failed\n", plural(passed, "test", "tests"), failed)
			if failed > 0 {
				return exitFindings, nil
			}
			return exitOK, nil
		}
	})
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// display shows a rule file relative to the working directory.
func display(p, wd string) string {
	if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(p)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
