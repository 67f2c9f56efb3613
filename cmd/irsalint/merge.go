package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/spf13/cobra"
	"os"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/lint"
	"github.com/irsalint/irsalint/analyzer/report"
)

const mergeUsage = `Usage: irsalint merge [flags] REPORT...

Combine JSON reports (irsalint lint or audit -f json), typically the shards of
an audit run with --shard I/N, into one report in any format. Findings and
diagnostics are put in the order one run would give them; a finding present
in several reports (a file given to every shard) is kept once; the counts
add up. Give the rule flags the shards ran with (--rules, --enable,
--disable) so that SARIF describes the same rules.

Exit codes are those of lint: 0, 1 (findings at or above --fail-on), 2 (a
report is not an irsalint JSON report, or holds an error diagnostic).
`

// mergedReport is the part of a JSON report (docs/json-output.md) merge
// reads back.
type mergedReport struct {
	Version     int                   `json:"version"`
	Tool        report.Tool           `json:"tool"`
	Findings    []analyzer.Finding    `json:"findings"`
	Diagnostics []analyzer.Diagnostic `json:"diagnostics"`
	Summary     struct {
		Files            int            `json:"files"`
		Documents        int            `json:"documents"`
		Objects          map[string]int `json:"objects"`
		IgnoredDocuments int            `json:"ignoredDocuments"`
		Suppressed       int            `json:"suppressed"`
	} `json:"summary"`
}

func mergeCommand(sys system) *cobra.Command {
	return newCommand("merge", mergeUsage, sys, func(c *cobra.Command) runFunc {
		fs := c.Flags()
		var rf reportFlags
		rf.registerOutput(fs)
		fs.StringArrayVar(&rf.ruleDirs, "rules", nil, "directory (or .rego file) of extra rules the shards ran; repeatable")
		fs.StringSliceVar(&rf.enable, "enable", nil, "the rules the shards ran (comma-separated, repeatable)")
		fs.StringSliceVar(&rf.disable, "disable", nil, "the rules the shards did not run (comma-separated, repeatable)")
		fs.BoolVar(&rf.noColor, "no-color", false, "never colour the text output (colour is only used on a terminal)")
		return func(ctx context.Context, args []string) (int, error) {
			if len(args) == 0 {
				return 0, usagef("name the JSON reports to merge")
			}
			reporter, threshold, err := rf.check()
			if err != nil {
				return 0, err
			}
			wd, err := sys.Getwd()
			if err != nil {
				return 0, fmt.Errorf("working directory: %w", err)
			}
			var (
				tool     *report.Tool
				findings []analyzer.Finding
				diags    []analyzer.Diagnostic
				stats    = report.Stats{Objects: map[string]int{}}

				seenFindings, seenDiags = map[string]bool{}, map[string]bool{}
			)
			for _, name := range args {
				r, err := readReport(resolvePath(name, wd), name)
				if err != nil {
					return 0, err
				}
				if tool == nil {
					tool = &r.Tool
				} else if *tool != r.Tool {
					return 0, fmt.Errorf("%s: written by %s %s, the first report by %s %s: merge reports of one irsalint", name, r.Tool.Name, r.Tool.Version, tool.Name, tool.Version)
				}
				findings = appendNew(findings, r.Findings, seenFindings)
				diags = appendNew(diags, r.Diagnostics, seenDiags)
				stats.Files += r.Summary.Files
				stats.Documents += r.Summary.Documents
				stats.Ignored += r.Summary.IgnoredDocuments
				stats.Suppressed += r.Summary.Suppressed
				for k, v := range r.Summary.Objects {
					stats.Objects[k] += v
				}
			}
			minSev, _ := rf.min()
			findings = keepAtLeast(findings, minSev)
			lint.SortFindings(findings)
			lint.SortDiagnostics(diags)

			linter := lint.New(lint.Options{WorkingDir: wd, NoConfig: true, RuleDirs: rf.ruleDirs, Enable: rf.enable, Disable: rf.disable, Getenv: sys.Getenv, Compile: sys.Compile})
			if err := linter.Prepare(ctx); err != nil {
				return 0, usage(err)
			}
			rep := &report.Report{
				Tool: *tool, Rules: linter.Rules(), Findings: findings, Diagnostics: diags,
				Stats: stats, WorkingDir: wd, FailOn: threshold,
			}
			targets, err := rf.targets(reporter, wd)
			if err != nil {
				return 0, err
			}
			for _, t := range targets {
				if err := notAnInput(t.path, t.name, args, wd); err != nil {
					return 0, err
				}
				if err := writeReport(t, rep, &rf, sys); err != nil {
					return 0, err
				}
			}
			for _, d := range diags {
				if d.Level == analyzer.LevelError {
					return exitError, nil
				}
			}
			for _, f := range findings {
				if threshold != 0 && f.Severity >= threshold {
					return exitFindings, nil
				}
			}
			return exitOK, nil
		}
	})
}

// readReport reads one JSON report, strictly.
func readReport(path, name string) (*mergedReport, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, unwrapOS(err))
	}
	if bytes.Contains(data[:min(len(data), 512)], []byte(`"$schema"`)) {
		return nil, fmt.Errorf("%s: a SARIF log; merge reads JSON reports (run the shards with -f json, and merge with -f sarif)", name)
	}
	var r mergedReport
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: not an irsalint JSON report: %v", name, err)
	}
	if r.Version != report.JSONVersion || r.Tool.Name != "irsalint" {
		return nil, fmt.Errorf("%s: not an irsalint JSON report of version %d", name, report.JSONVersion)
	}
	return &r, nil
}

// appendNew appends the items of add that list does not hold yet; seen
// holds the JSON of those in list.
func appendNew[T any](list, add []T, seen map[string]bool) []T {
	for _, a := range add {
		key, _ := json.Marshal(a)
		if !seen[string(key)] {
			seen[string(key)] = true
			list = append(list, a)
		}
	}
	return list
}
