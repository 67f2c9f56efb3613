package k8s_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/k8s"
	"github.com/irsalint/irsalint/analyzer/source"
)

// file is the display path every test object is read from.
const file = "deploy/app.yaml"

// decode decodes a YAML text that must be valid.
func decode(t testing.TB, text string) []source.Doc {
	t.Helper()
	docs, err := source.Decode([]byte(text))
	if err != nil {
		t.Fatalf("source.Decode: %v\n%s", err, text)
	}
	return docs
}

// extract decodes a one-document text and extracts it.
func extract(t testing.TB, text string) k8s.Extraction {
	t.Helper()
	docs := decode(t, text)
	if len(docs) != 1 {
		t.Fatalf("%d documents, want 1", len(docs))
	}
	return k8s.Extract(file, docs[0])
}

// object extracts the only object of a one-document text; the text must
// extract without diagnostics.
func object(t testing.TB, text string) *k8s.Object {
	t.Helper()
	ex := extract(t, text)
	if len(ex.Diagnostics) > 0 || len(ex.Objects) != 1 {
		t.Fatalf("Extract: %d objects, diagnostics %v; want 1 object and none", len(ex.Objects), diagStrings(ex.Diagnostics))
	}
	return ex.Objects[0]
}

// workload normalizes the only object of text, which must be clean.
func workload(t testing.TB, text string) map[string]any {
	t.Helper()
	e, diags := k8s.Workload(object(t, text))
	if len(diags) > 0 {
		t.Fatalf("Workload: unexpected diagnostics %v", diagStrings(diags))
	}
	if e == nil {
		t.Fatal("Workload returned nil without diagnostics")
	}
	return e
}

func diagStrings(ds []analyzer.Diagnostic) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.String())
	}
	return out
}

// path is shorthand for an "at" path.
func path(els ...any) []any {
	if els == nil {
		return []any{}
	}
	return els
}

// equal compares with reflect.DeepEqual and reports both sides as JSON.
func equal(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, w := js(got), js(want)
		if g == w { // same JSON: the Go types differ (int vs int64, nil vs empty)
			g, w = fmt.Sprintf("%#v", got), fmt.Sprintf("%#v", want)
		}
		t.Errorf("%s:\n got  %s\n want %s", what, g, w)
	}
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return strings.TrimSpace(err.Error())
	}
	return string(b)
}
