// Package report renders one neutral Report as text, JSON, SARIF or GitHub
// workflow commands. Every reporter is a pure function of the Report.
package report

import (
	"io"
	"slices"
	"strconv"

	"github.com/irsalint/irsalint/analyzer"
)

// Reporter writes r to w in one format. It must be deterministic: the same
// Report gives the same bytes.
type Reporter func(w io.Writer, r *Report, opts Options) error

// Reporters maps a --format name to its reporter. An unknown name is the
// caller's usage error; there is no fallback format.
var Reporters = map[string]Reporter{
	"text":   Text,
	"json":   JSON,
	"sarif":  SARIF,
	"github": GitHub,
	"gitlab": GitLab,
	"junit":  JUnit,
}

// Names returns the format names, sorted, for usage messages.
func Names() []string {
	names := make([]string, 0, len(Reporters))
	for n := range Reporters {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Tool names the program that produced a report.
type Tool struct {
	Name           string `json:"name"`
	Version        string `json:"version"`
	InformationURI string `json:"informationUri,omitempty"`
}

// Stats counts what the run read, so that nothing is passed over silently.
type Stats struct {
	// Files is the number of files read (stdin counts as one).
	Files int `json:"files"`
	// Documents is the number of non-empty YAML/JSON documents (List items
	// count one each).
	Documents int `json:"documents"`
	// Objects counts the analyzed objects by kind (Deployment, ServiceAccount, Role…).
	Objects map[string]int `json:"objects"`
	// Ignored is the number of documents that are not something irsalint reads
	// (other Kubernetes kinds, non-Kubernetes YAML/JSON).
	Ignored int `json:"ignored"`
	// Suppressed counts findings silenced by an annotation, an ignore entry
	// or a baseline.
	Suppressed int `json:"suppressed"`
}

// Report is everything a run produced. Findings and Diagnostics are sorted
// by the producer; reporters keep the order.
type Report struct {
	Tool Tool
	// Rules are the enabled rules, sorted by ID. SARIF describes every one of
	// them, not only those that fired.
	Rules       []analyzer.Rule
	Findings    []analyzer.Finding
	Diagnostics []analyzer.Diagnostic
	// Suppressed are the findings not reported, each with its Suppression:
	// JSON lists them apart, SARIF carries them as suppressed results.
	Suppressed []analyzer.Finding
	Stats      Stats
	// WorkingDir is the absolute directory relative file paths are relative
	// to. Empty means unknown.
	WorkingDir string
	// Root is the repository's top folder, SARIF's %SRCROOT%, which file
	// URIs are made relative to whatever the working directory ("" is
	// WorkingDir).
	Root string
	// FailOn is the --fail-on threshold (zero: none), shown in summaries.
	FailOn analyzer.Severity
	// Category, when set, becomes SARIF's automationDetails.id (category + "/"),
	// so that one commit can carry several code-scanning uploads (for example
	// "irsalint/manifests" and "irsalint/account-123456789012").
	Category string
}

// Options tune presentation, never content.
type Options struct {
	// Color enables ANSI colours in the text format.
	Color bool
	// Quiet leaves the summary line out of the text format: only the
	// findings are printed.
	Quiet bool
}

// stdinName is the display name of standard input when the user gave none.
const stdinName = "<stdin>"

// counts summarizes a Report; every reporter that prints totals uses it.
type counts struct {
	bySeverity map[analyzer.Severity]int
	// findingFiles is the number of distinct files with at least one finding.
	findingFiles int
	// failing is the number of findings at or above r.FailOn (0 without one).
	failing int
	objects int
	errors  int
	notices int
	// errorFiles is the number of distinct files named by error diagnostics;
	// errorsWithoutFile counts the error diagnostics that name none.
	errorFiles        int
	errorsWithoutFile int
}

func count(r *Report) counts {
	c := counts{bySeverity: map[analyzer.Severity]int{}}
	files := map[string]bool{}
	for _, f := range r.Findings {
		c.bySeverity[f.Severity]++
		files[f.Location.File] = true
		if r.FailOn.Valid() && f.Severity >= r.FailOn {
			c.failing++
		}
	}
	c.findingFiles = len(files)
	for _, n := range r.Stats.Objects {
		c.objects += n
	}
	errFiles := map[string]bool{}
	for _, d := range r.Diagnostics {
		switch d.Level {
		case analyzer.LevelError:
			c.errors++
			if d.Location.File == "" {
				c.errorsWithoutFile++
			} else {
				errFiles[d.Location.File] = true
			}
		default:
			c.notices++
		}
	}
	c.errorFiles = len(errFiles)
	return c
}

// severitiesDesc lists the severities from most to least severe.
var severitiesDesc = []analyzer.Severity{
	analyzer.SeverityCritical,
	analyzer.SeverityHigh,
	analyzer.SeverityMedium,
	analyzer.SeverityLow,
	analyzer.SeverityInfo,
}

// plural returns "1 file" or "3 files".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
