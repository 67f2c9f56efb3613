package baseline

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/irsalint/irsalint/analyzer"
)

func TestRoundTrip(t *testing.T) {
	a := analyzer.Finding{Rule: "r1", Fingerprint: "aaa", Object: "ServiceAccount x/a", Location: analyzer.Location{File: "a.yaml", Line: 3}}
	b := analyzer.Finding{Rule: "r2", Fingerprint: "bbb", Location: analyzer.Location{File: "b.yaml", Line: 9}}
	var buf bytes.Buffer
	if err := Write(&buf, "irsalint 1.0", []analyzer.Finding{b, a, a}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "baseline.json")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	base, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(base.Findings) != 2 || base.Findings[0].Fingerprint != "aaa" {
		t.Fatalf("entries %+v", base.Findings)
	}
	// a moved lines (same fingerprint); b was fixed; c is new.
	moved := a
	moved.Location.Line = 30
	c := analyzer.Finding{Rule: "r1", Fingerprint: "ccc"}
	fresh, known, gone := base.Apply([]analyzer.Finding{moved, c})
	if len(fresh) != 1 || fresh[0].Fingerprint != "ccc" || len(known) != 1 || gone != 1 {
		t.Errorf("fresh %v known %v gone %d", fresh, known, gone)
	}
	for text, want := range map[string]string{"[]": "not a baseline", `{"version": 9}`: "baseline version 9"} {
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(p); err == nil || !bytes.Contains([]byte(err.Error()), []byte(want)) {
			t.Errorf("%s: %v", text, err)
		}
	}
	if _, err := Read(t.TempDir()); err == nil {
		t.Error("a folder is not a baseline")
	}
}
