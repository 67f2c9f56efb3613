package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/irsalint/irsalint/analyzer/report"
)

// runFunc runs a command with the arguments its flags left; runErrFunc is
// one whose only outcomes are success and an error.
type (
	runFunc    func(ctx context.Context, args []string) (int, error)
	runErrFunc func(ctx context.Context, args []string) error
)

// exitStatus carries a command's exit code through cobra.
type exitStatus struct{ code int }

func (e exitStatus) Error() string { return fmt.Sprintf("exit %d", e.code) }

// newCommand makes one irsalint command: define registers its flags on c
// and returns what runs it. Its help is its usage text and flags, once.
func newCommand(name, usage string, sys system, define func(c *cobra.Command) runFunc) *cobra.Command {
	c := &cobra.Command{
		Use:   name,
		Short: shortOf(name),
		// Arguments are checked by each command, with its own message.
		Args:                  cobra.ArbitraryArgs,
		DisableFlagsInUseLine: true,
	}
	c.Flags().SortFlags = false
	c.SetHelpFunc(func(c *cobra.Command, _ []string) {
		fmt.Fprint(sys.Stdout, usage)
		fmt.Fprintln(sys.Stdout, "\nFlags:")
		fmt.Fprint(sys.Stdout, c.LocalFlags().FlagUsages())
	})
	run := define(c)
	c.RunE = func(c *cobra.Command, args []string) error {
		code, err := run(c.Context(), args)
		if err != nil {
			return err
		}
		return exitStatus{code}
	}
	return c
}

func newErrCommand(name, usage string, sys system, define func(c *cobra.Command) runErrFunc) *cobra.Command {
	return newCommand(name, usage, sys, func(c *cobra.Command) runFunc {
		run := define(c)
		return func(ctx context.Context, args []string) (int, error) { return exitOK, run(ctx, args) }
	})
}

// shortOf is the one-line description of a command, from the main usage.
func shortOf(name string) string {
	for _, line := range strings.Split(mainUsage, "\n") {
		f := strings.Fields(line)
		// "  irsalint lint [PATH|-]...       analyze files and folders"
		if len(f) > 2 && f[0] == "irsalint" && f[1] == name {
			if j := strings.LastIndex(line, "  "); j > 0 {
				return strings.TrimSpace(line[j:])
			}
		}
	}
	return ""
}

// commands are the command names, for suggestions.
var commands = []string{"lint", "audit", "merge", "identities", "inventory", "rules", "explain", "test", "version", "completion", "help"}

// rootCommand builds the command tree for one run: nothing is shared
// between runs, so tests run commands in parallel.
func rootCommand(sys system) *cobra.Command {
	root := &cobra.Command{
		Use:           "irsalint",
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(sys.Stdout)
	root.SetErr(sys.Stderr)
	root.SetIn(sys.Stdin)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err.Error()} })
	root.AddCommand(lintCommand(sys), auditCommand(sys), mergeCommand(sys), identitiesCommand(sys),
		inventoryCommand(sys), rulesCommand(sys), explainCommand(sys), testCommand(sys), versionCommand(sys))
	root.SetHelpCommand(&cobra.Command{
		Use:    "help [COMMAND]",
		Short:  "the usage of irsalint or of one command",
		Hidden: true,
		Run: func(c *cobra.Command, args []string) {
			if len(args) > 0 {
				if sub, _, err := root.Find(args); err == nil && sub != root {
					sub.HelpFunc()(sub, nil)
					return
				}
			}
			fmt.Fprint(sys.Stdout, mainUsage)
		},
	})
	completions(root, sys)
	return root
}

// completions adds what shell completion offers beyond flag names: the
// values of enumerated flags and the rule IDs of explain.
func completions(root *cobra.Command, sys system) {
	fixed := func(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return values, cobra.ShellCompDirectiveNoFileComp
		}
	}
	severities := []string{"critical", "high", "medium", "low", "info", "none"}
	for _, c := range root.Commands() {
		if c.Name() == "explain" {
			c.ValidArgsFunction = func(_ *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
				if len(args) > 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				eng, err := newEngine(nil, sys)
				if err != nil {
					return nil, cobra.ShellCompDirectiveError
				}
				var ids []string
				for _, r := range eng.Rules() {
					if strings.HasPrefix(r.ID, prefix) {
						ids = append(ids, r.ID+"\t"+r.Title)
					}
				}
				return ids, cobra.ShellCompDirectiveNoFileComp
			}
		}
		if f := c.Flags().Lookup("format"); f != nil {
			switch c.Name() {
			case "lint", "audit", "merge":
				_ = c.RegisterFlagCompletionFunc("format", fixed(report.Names()...))
			case "identities":
				_ = c.RegisterFlagCompletionFunc("format", fixed("text", "json", "csv"))
			case "rules":
				_ = c.RegisterFlagCompletionFunc("format", fixed("text", "json", "markdown"))
			}
		}
		for _, name := range []string{"fail-on", "min-severity"} {
			if c.Flags().Lookup(name) != nil {
				_ = c.RegisterFlagCompletionFunc(name, fixed(severities...))
			}
		}
	}
}

func run(ctx context.Context, args []string, sys system) int {
	if len(args) == 0 {
		fmt.Fprint(sys.Stderr, mainUsage)
		return exitError
	}
	switch cmd := args[0]; {
	case cmd == "--version":
		args = append([]string{"version"}, args[1:]...)
	case cmd == "-h" || cmd == "--help":
		fmt.Fprint(sys.Stdout, mainUsage)
		return exitOK
	case !strings.HasPrefix(cmd, "__complete") && !slices.Contains(commands, cmd):
		hint := ""
		if best, ok := closest(cmd, commands); ok {
			hint = fmt.Sprintf("; did you mean %q?", best)
		}
		fmt.Fprintf(sys.Stderr, "irsalint: unknown command %q%s\nRun \"irsalint help\" for the commands.\n", cmd, hint)
		return exitError
	}
	root := rootCommand(sys)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var st exitStatus
	switch {
	case err == nil:
		return exitOK // help, completion
	case errors.As(err, &st):
		return st.code
	case errors.Is(err, pflag.ErrHelp):
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(sys.Stderr, "irsalint: %v\nRun \"irsalint %s --help\" for usage.\n", err, args[0])
	} else {
		fmt.Fprintf(sys.Stderr, "irsalint: %v\n", err)
	}
	return exitError
}
