package report

import (
	"encoding/json"
	"io"

	"github.com/irsalint/irsalint/analyzer"
)

// JSONVersion is the version of the JSON document. It changes only when a
// field is removed or changes meaning; adding a field does not change it.
// docs/json-output.md describes every field.
const JSONVersion = 1

type jsonDocument struct {
	Version     int                   `json:"version"`
	Tool        Tool                  `json:"tool"`
	Findings    []analyzer.Finding    `json:"findings"`
	Diagnostics []analyzer.Diagnostic `json:"diagnostics"`
	// Suppressed are the findings not reported, with why.
	Suppressed []analyzer.Finding `json:"suppressed"`
	Summary    jsonSummary        `json:"summary"`
}

type jsonSummary struct {
	Findings   int            `json:"findings"`
	BySeverity jsonSeverities `json:"bySeverity"`
	// FailOn is the --fail-on threshold ("none" without one) and Failing the
	// number of findings at or above it.
	FailOn           string         `json:"failOn"`
	Failing          int            `json:"failing"`
	Files            int            `json:"files"`
	Documents        int            `json:"documents"`
	Objects          map[string]int `json:"objects"`
	IgnoredDocuments int            `json:"ignoredDocuments"`
	Suppressed       int            `json:"suppressed"`
	Errors           int            `json:"errors"`
	Notices          int            `json:"notices"`
}

// jsonSeverities is a struct, not a map, so that the keys keep this order.
type jsonSeverities struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
}

// JSON writes the report as one JSON document (docs/json-output.md). Arrays
// are [] when empty, never null.
func JSON(w io.Writer, r *Report, _ Options) error {
	c := count(r)
	doc := jsonDocument{
		Version:     JSONVersion,
		Tool:        r.Tool,
		Findings:    nonNil(r.Findings),
		Diagnostics: nonNil(r.Diagnostics),
		Suppressed:  nonNil(r.Suppressed),
		Summary: jsonSummary{
			Findings: len(r.Findings),
			BySeverity: jsonSeverities{
				Critical: c.bySeverity[analyzer.SeverityCritical],
				High:     c.bySeverity[analyzer.SeverityHigh],
				Medium:   c.bySeverity[analyzer.SeverityMedium],
				Low:      c.bySeverity[analyzer.SeverityLow],
				Info:     c.bySeverity[analyzer.SeverityInfo],
			},
			FailOn:           "none",
			Failing:          c.failing,
			Files:            r.Stats.Files,
			Documents:        r.Stats.Documents,
			Objects:          r.Stats.Objects,
			IgnoredDocuments: r.Stats.Ignored,
			Suppressed:       r.Stats.Suppressed,
			Errors:           c.errors,
			Notices:          c.notices,
		},
	}
	if r.FailOn.Valid() {
		doc.Summary.FailOn = r.FailOn.String()
	}
	if doc.Summary.Objects == nil {
		doc.Summary.Objects = map[string]int{}
	}
	return encodeJSON(w, doc)
}

// encodeJSON writes v with two-space indent, no HTML escaping (so "<stdin>"
// and "a && b" stay readable) and a trailing newline. encoding/json sorts map
// keys, so the bytes are deterministic.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
