package analyzer

import (
	"fmt"
	"strings"
)

// Severity orders findings; a CI gate compares it with --fail-on.
type Severity int

// Severities from least to most severe. The zero value is not a severity.
// Info is worth knowing but never fails a gate: --fail-on low does not
// count it (only --fail-on info would).
const (
	SeverityInfo Severity = iota + 1
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = map[Severity]string{
	SeverityInfo:     "info",
	SeverityLow:      "low",
	SeverityMedium:   "medium",
	SeverityHigh:     "high",
	SeverityCritical: "critical",
}

func (s Severity) String() string {
	if n, ok := severityNames[s]; ok {
		return n
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Valid reports whether s is one of the five severities.
func (s Severity) Valid() bool { _, ok := severityNames[s]; return ok }

// ParseSeverity reads a severity name (case-insensitive).
func ParseSeverity(name string) (Severity, error) {
	for s, n := range severityNames {
		if strings.EqualFold(n, name) {
			return s, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want critical, high, medium, low or info)", name)
}

// MarshalText writes the severity's name, so JSON carries "high", not 3.
func (s Severity) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, fmt.Errorf("invalid severity %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a severity's name, so a JSON report reads back.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Position is a 1-based line and column in a file; zero means unknown.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Location is a position in a named file. File is the display path: relative to
// the working directory where possible, with forward slashes.
type Location struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

func (l Location) String() string {
	switch {
	case l.Line > 0 && l.Column > 0:
		return fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Column)
	case l.Line > 0:
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	default:
		return l.File
	}
}

// Related is a secondary location of a finding, such as the trust-policy
// condition that a service account's annotation fails to satisfy.
type Related struct {
	Location Location `json:"location"`
	Object   string   `json:"object,omitempty"`
	Message  string   `json:"message,omitempty"`
}

// Finding is one rule's verdict on one object.
type Finding struct {
	Rule     string    `json:"rule"`
	Severity Severity  `json:"severity"`
	Message  string    `json:"message"`
	Object   string    `json:"object"`
	Location Location  `json:"location"`
	Related  []Related `json:"related,omitempty"`
	// Path is the field the finding is about, relative to the object, as the
	// rule gave it (strings and integers).
	Path []any `json:"path,omitempty"`
	// Fingerprint identifies the finding independently of line numbers, so
	// moving unrelated lines does not make it look new.
	Fingerprint string `json:"fingerprint"`
	// Suppression, on a finding that is not reported, says why.
	Suppression *Suppression `json:"suppression,omitempty"`
}

// Suppression says why a finding is not reported.
type Suppression struct {
	// Kind is "inSource" for an annotation on the object, "external" for
	// the configuration's ignore entries and a baseline (SARIF's names).
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
	// Location is where the suppression is written.
	Location *Location `json:"location,omitempty"`
}

// DiagnosticLevel tells an error (the analysis cannot be trusted: exit 2) from
// a notice (something the user should know, such as a skipped Helm chart).
type DiagnosticLevel string

// Diagnostic levels.
const (
	LevelError  DiagnosticLevel = "error"
	LevelNotice DiagnosticLevel = "notice"
)

// Diagnostic is a message about the input or the run rather than about an
// object: a file that does not parse, a rule that fails, a skipped folder.
type Diagnostic struct {
	Level    DiagnosticLevel `json:"level"`
	Location Location        `json:"location"`
	Message  string          `json:"message"`
}

func (d Diagnostic) String() string {
	if d.Location.File == "" {
		return fmt.Sprintf("%s: %s", d.Level, d.Message)
	}
	return fmt.Sprintf("%s: %s: %s", d.Location, d.Level, d.Message)
}

// Reference is a link a rule cites.
type Reference struct {
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
}

// Rule describes one rule of the catalogue. Everything here comes from the
// rule's Rego METADATA block; nothing about a rule is written twice.
type Rule struct {
	ID          string      `json:"id"`
	Group       string      `json:"group"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Severity    Severity    `json:"severity"`
	Remediation string      `json:"remediation"`
	References  []Reference `json:"references,omitempty"`
	// HelpURI is the rule's documentation page.
	HelpURI string `json:"helpUri,omitempty"`
	// Scope is "workload" for a rule whose every finding is about one
	// workload and reads no other workload, "role" for one whose every
	// finding is about one role and reads no other role (METADATA
	// custom.scope): such a rule is evaluated on shards of the workloads
	// or of the roles in parallel.
	Scope string `json:"scope,omitempty"`
	// Needs names what the input must hold for the rule to find anything
	// at all (METADATA custom.needs): declared ServiceAccounts, IAM roles,
	// node groups or OIDC providers, any one of them. A run whose input
	// holds none skips the rule, and need not wait for it to compile.
	// Empty: the rule may find something in any input.
	Needs []string `json:"needs,omitempty"`
	// Precision is how often a finding of the rule is right, as SARIF and
	// GitHub grade it: "very-high" (exact semantics: an IAM evaluation, a
	// join), "high", "medium" (a heuristic: an image catalogue, a near
	// miss), "low" (METADATA custom.precision; "high" when not given).
	Precision string `json:"precision"`
	// Custom is true for rules loaded with --rules rather than shipped.
	Custom bool `json:"custom,omitempty"`
	// File is where the rule is defined (an embedded path or a user file).
	File string `json:"file,omitempty"`
}
