package report

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/irsalint/irsalint/analyzer"
)

// TestWriteDocumentIsEncodeJSON: the document written field by field, its
// findings in parallel chunks, has the bytes of encoding it whole, for
// reports on both sides of the size where chunks start and strings that
// encoding/json escapes.
func TestWriteDocumentIsEncodeJSON(t *testing.T) {
	odd := []string{"", "plain", "<stdin> && a > b", "quote \" and \\ backslash", "tab\tnew\nline\r",
		"\u2028 and \u2029", "ünïcødé ☃", "bad \xff\xfe utf-8", "\x00\x01\x1f control"}
	rnd := rand.New(rand.NewPCG(1, 2))
	pick := func() string { return odd[rnd.IntN(len(odd))] }
	finding := func(i int) analyzer.Finding {
		f := analyzer.Finding{
			Rule: fmt.Sprintf("rule-%d", i%7), Severity: analyzer.Severity(i%5 + 1), Message: pick(), Object: pick(),
			Location:    analyzer.Location{File: pick(), Line: i % 40, Column: i % 3},
			Fingerprint: fmt.Sprintf("%016x", rnd.Uint64()),
		}
		if i%3 == 0 {
			f.Related = []analyzer.Related{{Location: analyzer.Location{File: pick(), Line: 2}, Object: pick(), Message: pick()}}
		}
		if i%2 == 0 {
			f.Path = []any{"spec", "template", i % 4, pick()}
		}
		if i%5 == 0 {
			f.Suppression = &analyzer.Suppression{Kind: "external", Justification: pick(), Location: &analyzer.Location{File: pick(), Line: 1}}
		}
		return f
	}
	for _, n := range []int{0, 1, 2, parallelFrom - 1, parallelFrom, parallelFrom + 1, 1000, 2049} {
		r := &Report{Tool: Tool{Name: "irsalint", Version: pick()}, Stats: Stats{Files: n, Objects: map[string]int{"b": 2, "a<": 1}}}
		for i := range n {
			r.Findings = append(r.Findings, finding(i))
			if i%4 == 0 {
				r.Suppressed = append(r.Suppressed, finding(i+1))
			}
		}
		if n%2 == 1 {
			r.Diagnostics = []analyzer.Diagnostic{{Level: analyzer.LevelError, Location: analyzer.Location{File: pick()}, Message: pick()}}
		}
		var got bytes.Buffer
		if err := JSON(&got, r, Options{}); err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		doc := jsonDocumentOf(r)
		if err := encodeJSON(&want, doc); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			g, w := got.Bytes(), want.Bytes()
			i := 0
			for i < min(len(g), len(w)) && g[i] == w[i] {
				i++
			}
			t.Errorf("%d findings: bytes differ at %d:\ngot  %q\nwant %q", n, i, g[max(0, i-80):min(len(g), i+80)], w[max(0, i-80):min(len(w), i+80)])
		}
		// Whatever the number of cores: the list alone, in any number of
		// chunks, is the list as the whole document holds it.
		var whole bytes.Buffer
		if err := encodeAt(&whole, nonNil(r.Findings), jsonIndent); err != nil {
			t.Fatal(err)
		}
		for chunks := 1; chunks <= 5; chunks++ {
			var b bytes.Buffer
			if err := writeListIn(&b, nonNil(r.Findings), 1, chunks); err != nil {
				t.Fatal(err)
			}
			if b.String()+"\n" != whole.String() {
				t.Errorf("%d findings in %d chunks: not the list encoded whole", n, chunks)
			}
		}
	}
}

// TestWriteSARIFIsEncodeJSON: a SARIF log whose results are encoded in
// parallel has the bytes of encoding it whole.
func TestWriteSARIFIsEncodeJSON(t *testing.T) {
	base := fixture()
	rnd := rand.New(rand.NewPCG(3, 4))
	odd := []string{"plain", "<b> && c", "quote \" \\", "\u2028", "ünï ☃", "bad \xff"}
	for _, n := range []int{0, 1, parallelFrom - 1, parallelFrom, 1500} {
		r := *base
		r.Findings, r.Suppressed = nil, nil
		for i := range n {
			f := base.Findings[i%len(base.Findings)]
			f.Message = odd[rnd.IntN(len(odd))] + fmt.Sprint(i)
			f.Fingerprint = fmt.Sprintf("%016x", rnd.Uint64())
			r.Findings = append(r.Findings, f)
		}
		for _, cat := range []string{"", "irsalint/manifests"} {
			r.Category = cat
			var got bytes.Buffer
			if err := SARIF(&got, &r, Options{}); err != nil {
				t.Fatal(err)
			}
			log, err := sarifLogOf(&r)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := encodeJSON(&want, log); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("%d results, category %q: the bytes differ from encoding the log whole", n, cat)
			}
		}
	}
}
