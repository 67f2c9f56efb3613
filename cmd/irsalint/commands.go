package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/spf13/cobra"
	"math"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/lint"
	"github.com/irsalint/irsalint/analyzer/rulesdoc"
)

const inventoryUsage = `Usage: irsalint inventory [flags] [PATH|-]...

Print, as JSON, the normalized inventory that rules receive as input: service
accounts by namespace/name, workloads with their effective service account,
containers, env and security context, and the cluster context. Use it to write
your own rules (see docs/inventory.md and docs/custom-rules.md).
Exit code 2 when an input could not be analyzed (the rest is still printed).
`

func inventoryCommand(sys system) *cobra.Command {
	return newErrCommand("inventory", inventoryUsage, sys, func(c *cobra.Command) runErrFunc {
		fs := c.Flags()
		var (
			in     inputFlags
			output string
		)
		fs.StringVarP(&output, "output", "o", "", "write the JSON to FILE instead of standard output")
		in.register(fs)
		return func(ctx context.Context, args []string) error {
			opts, err := in.options(args, sys)
			if err != nil {
				return err
			}
			outPath := resolvePath(output, opts.WorkingDir)
			if err := notAnInput(outPath, output, args, opts.WorkingDir); err != nil {
				return err
			}
			linter := lint.New(opts)
			if err := linter.PrepareInput(); err != nil {
				return usage(err)
			}
			ctx, stop := linter.Guard(ctx)
			defer stop()
			inv, diags := linter.Load(ctx)
			if err := notWrittenOverInput(outPath, output, inv); err != nil {
				return err
			}
			for _, d := range diags {
				fmt.Fprintln(sys.Stderr, d.String())
			}
			out, err := openOutput(outPath, output, sys)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return finish(enc.Encode(jsonSafe(inv.Printed())), out, diags)
		}
	})
}

// finish commits the output after a write and turns error diagnostics into
// exit code 2 (they were printed already).
func finish(writeErr error, out *output, diags []analyzer.Diagnostic) error {
	if writeErr != nil {
		out.abort()
		return fmt.Errorf("writing %s: %v", out.name, unwrapOS(writeErr))
	}
	if err := out.commit(); err != nil {
		return err
	}
	for _, d := range diags {
		if d.Level == analyzer.LevelError {
			return errAnalysis
		}
	}
	return nil
}

// jsonSafe replaces the floats JSON cannot carry (YAML's .nan and .inf) with
// their YAML spelling, so that printing the inventory never fails.
func jsonSafe(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonSafe(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonSafe(e)
		}
		return out
	case float64:
		switch {
		case math.IsNaN(x):
			return ".nan"
		case math.IsInf(x, 1):
			return ".inf"
		case math.IsInf(x, -1):
			return "-.inf"
		}
	}
	return v
}

// errAnalysis follows diagnostics already printed on standard error.
var errAnalysis = errors.New("some input could not be analyzed (see the messages above)")

const rulesUsage = `Usage: irsalint rules [flags]

List the rules: ID, severity, group and title.
`

func rulesCommand(sys system) *cobra.Command {
	return newErrCommand("rules", rulesUsage, sys, func(c *cobra.Command) runErrFunc {
		fs := c.Flags()
		var (
			format   string
			ruleDirs []string
		)
		fs.StringVarP(&format, "format", "f", "text", "output format: text, json or markdown")
		fs.StringArrayVar(&ruleDirs, "rules", nil, "directory (or .rego file) of extra rules; repeatable")
		return func(ctx context.Context, args []string) error {
			if len(args) > 0 {
				return usagef("rules takes no arguments (did you mean \"irsalint explain %s\"?)", args[0])
			}
			eng, err := newEngine(ruleDirs, sys)
			if err != nil {
				return err
			}
			rules := eng.Rules()
			switch format {
			case "text":
				tw := tabwriter.NewWriter(sys.Stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "RULE\tSEVERITY\tGROUP\tTITLE")
				for _, r := range rules {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Group, r.Title)
				}
				return tw.Flush()
			case "json":
				enc := json.NewEncoder(sys.Stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(rules)
			case "markdown":
				return rulesdoc.Index(sys.Stdout, rules)
			default:
				return usagef("unknown --format %q (want text, json or markdown)", format)
			}
		}
	})
}

const explainUsage = `Usage: irsalint explain [flags] RULE

Describe one rule: what it detects and why it matters, how to fix it, and
references. The text is the rule's METADATA, the same as its documentation
page and its SARIF help.
`

func explainCommand(sys system) *cobra.Command {
	return newErrCommand("explain", explainUsage, sys, func(c *cobra.Command) runErrFunc {
		fs := c.Flags()
		var ruleDirs []string
		fs.StringArrayVar(&ruleDirs, "rules", nil, "directory (or .rego file) of extra rules; repeatable")
		return func(ctx context.Context, args []string) error {
			if len(args) != 1 {
				return usagef("explain takes one rule ID")
			}
			eng, err := newEngine(ruleDirs, sys)
			if err != nil {
				return err
			}
			r, ok := eng.Rule(args[0])
			if !ok {
				return usagef("unknown rule %q (see \"irsalint rules\")%s", args[0], suggest(args[0], eng.Rules()))
			}
			return rulesdoc.Explain(sys.Stdout, r)
		}
	})
}

// suggest proposes the rule ID nearest to id by edit distance.
func suggest(id string, rules []analyzer.Rule) string {
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.ID
	}
	best, ok := closest(id, ids)
	if !ok {
		// An abbreviation: the one ID that starts with it.
		var starts []string
		for _, c := range ids {
			if len(id) >= 3 && strings.HasPrefix(c, id) {
				starts = append(starts, c)
			}
		}
		if len(starts) != 1 {
			return ""
		}
		best = starts[0]
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// Version is set at release time with -ldflags "-X main.Version=v1.2.3";
// otherwise the module version from the build info is used.
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	bi, ok := debug.ReadBuildInfo()
	if ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	// A build from a work tree: a semantic version that sorts before every
	// release, with the commit when the build recorded it (SARIF consumers
	// want a version, not "dev").
	v := "0.0.0-dev"
	if ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "+" + s.Value[:12]
			}
		}
	}
	return v
}

// versionInfo is what "version --json" prints.
func versionInfo() map[string]string {
	info := map[string]string{"version": version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		info["go"] = bi.GoVersion
		for _, d := range bi.Deps {
			if d.Path == "github.com/open-policy-agent/opa" {
				info["opa"] = d.Version
			}
		}
	}
	return info
}

const versionUsage = `Usage: irsalint version [--json]

Print irsalint's version, and the Go and OPA versions it was built with.
`

func versionCommand(sys system) *cobra.Command {
	return newErrCommand("version", versionUsage, sys, func(c *cobra.Command) runErrFunc {
		fs := c.Flags()
		asJSON := fs.Bool("json", false, "print {\"version\", \"go\", \"opa\"} as JSON")
		return func(ctx context.Context, args []string) error {
			if len(args) > 0 {
				return usagef("version takes no arguments")
			}
			if !*asJSON {
				fmt.Fprintf(sys.Stdout, "irsalint %s\n", versionString())
				return nil
			}
			enc := json.NewEncoder(sys.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(versionInfo())
		}
	})
}

func versionString() string {
	s := version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		s += " (" + bi.GoVersion
		for _, d := range bi.Deps {
			if d.Path == "github.com/open-policy-agent/opa" {
				s += ", OPA " + d.Version
			}
		}
		s += ")"
	}
	return s
}
