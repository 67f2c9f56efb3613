package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"strings"
	"sync"

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
	return writeDocument(w, jsonDocumentOf(r))
}

func jsonDocumentOf(r *Report) jsonDocument {
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
	return doc
}

// writeDocument writes doc as encodeJSON would, field by field: the
// findings are most of a report's bytes (7 MB for 6,000 findings, 50 ms
// to encode on one core), so the two lists of findings are encoded in
// parallel, each finding at the indentation it has inside the document,
// and each part goes to w as it is ready rather than into one buffer
// that grows (and is cleared) by doubling.
func writeDocument(w io.Writer, doc jsonDocument) error {
	fields := []struct {
		name  string
		value any
		list  func(io.Writer) error
	}{
		{name: "version", value: doc.Version},
		{name: "tool", value: doc.Tool},
		{name: "findings", list: func(w io.Writer) error { return writeList(w, doc.Findings, 1) }},
		{name: "diagnostics", value: doc.Diagnostics},
		{name: "suppressed", list: func(w io.Writer) error { return writeList(w, doc.Suppressed, 1) }},
		{name: "summary", value: doc.Summary},
	}
	ew := &errWriter{w: w}
	ew.WriteString("{\n")
	for i, f := range fields {
		ew.WriteString(jsonIndent + `"` + f.name + `": `)
		if f.list != nil {
			if err := f.list(ew); err != nil {
				return err
			}
		} else {
			var b bytes.Buffer
			if err := encodeAt(&b, f.value, jsonIndent); err != nil {
				return err
			}
			ew.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
		}
		if i < len(fields)-1 {
			ew.WriteString(",")
		}
		ew.WriteString("\n")
	}
	ew.WriteString("}\n")
	return ew.err
}

const jsonIndent = "  "

// encodeAt appends v to b as encodeJSON encodes it nested under prefix:
// lines after the first start with prefix; a newline at the end.
func encodeAt(b *bytes.Buffer, v any, prefix string) error {
	return newEncoder(b, prefix).Encode(v)
}

// newEncoder is the encoder of every report: two-space indent after
// prefix, no HTML escaping (so "<stdin>" and "a && b" stay readable).
func newEncoder(w io.Writer, prefix string) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetIndent(prefix, jsonIndent)
	enc.SetEscapeHTML(false)
	return enc
}

// parallelFrom is the fewest findings worth encoding on several cores.
const parallelFrom = 256

// writeList writes a list as encodeJSON writes it at the given depth of
// nesting (1: a field of the document), its elements encoded on every
// core in chunks written in order; no newline at the end.
func writeList[T any](w io.Writer, list []T, depth int) error {
	chunks := 1
	if len(list) >= parallelFrom {
		chunks = min(runtime.GOMAXPROCS(0), len(list)/(parallelFrom/2))
	}
	return writeListIn(w, list, depth, chunks)
}

// writeListIn is writeList in the given number of chunks (at most one per
// element).
func writeListIn[T any](w io.Writer, list []T, depth, chunks int) error {
	if len(list) == 0 {
		_, err := io.WriteString(w, "[]")
		return err
	}
	inner := strings.Repeat(jsonIndent, depth+1)
	chunks = max(1, min(chunks, len(list)))
	out := make([]bytes.Buffer, chunks)
	errs := make([]error, chunks)
	var wg sync.WaitGroup
	for c := range chunks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := &out[c]
			enc := newEncoder(b, inner)
			for i := c * len(list) / chunks; i < (c+1)*len(list)/chunks; i++ {
				b.WriteString(inner)
				if err := enc.Encode(list[i]); err != nil {
					errs[c] = err
					return
				}
				if i < len(list)-1 {
					b.Truncate(b.Len() - 1) // Encode's newline
					b.WriteString(",\n")
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "[\n"); err != nil {
		return err
	}
	for i := range out {
		if _, err := w.Write(out[i].Bytes()); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, strings.Repeat(jsonIndent, depth)+"]")
	return err
}

// errWriter keeps the first error of a series of writes.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) WriteString(s string) { _, _ = io.WriteString(e, s) }

// encodeJSON writes v as newEncoder encodes it, with a trailing newline.
// encoding/json sorts map keys, so the bytes are deterministic.
func encodeJSON(w io.Writer, v any) error {
	return newEncoder(w, "").Encode(v)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
