package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"strconv"
	"testing"

	yaml "go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/internal/textpos"
)

// fuzzSeeds are shared by both fuzz targets.
var fuzzSeeds = []string{
	"",
	"a: 1\n",
	"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: x\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/r\n",
	"---\na: yes\n---\nb: [1, 2, {c: ~}]\n...\n",
	"a: &x {b: 1}\nc:\n  <<: *x\n  d: 2\n",
	"a: &a [x]\nb: &b [*a, *a]\nc: [*b, *b]\n",
	"{\"a\": [1, 2.5, true, null, \"s\"]}",
	"\xef\xbb\xbf{\r\n\t\"a\": 1\r\n}\r\n",
	"a: !!binary aGVsbG8=\nb: !!int \"12\"\nc: !Ref X\nd: ! 12\n",
	"0400: 0x1F\n1.5: .inf\ntrue: 2024-01-01\n",
	"a: |\n  x\nb: >-\n  y\n",
	"a: b: c\n",
	"- - - - x\n",
	"? a\n: b\n",
}

func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := Decode(data)
		src := textpos.New(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not an *Error: %v", err, err)
			}
			checkPos(t, src, e.Pos, true, "error")
		}
		for i, d := range docs {
			if d.Index != i {
				t.Fatalf("doc %d has Index %d", i, d.Index)
			}
			if d.Value == nil || d.Pos == nil {
				t.Fatalf("doc %d: nil value or positions", i)
			}
			checkTree(t, src, d.Value, d.Pos)
			for _, dup := range d.Duplicates {
				checkPos(t, src, dup.At, false, "duplicate")
				checkPos(t, src, dup.First, false, "duplicate first")
			}
		}
	})
}

// checkTree verifies that pos mirrors v: every path of v has an exact
// position inside the file, and there are no positions besides.
func checkTree(t *testing.T, src *textpos.Text, v any, pos *Positions) {
	t.Helper()
	checkPos(t, src, pos.Root(), false, "root")
	if n := checkBelow(t, src, v, pos, nil); n != len(pos.entries) {
		t.Fatalf("%d nodes below the root have %d positions", n, len(pos.entries))
	}
}

// checkBelow checks the nodes below path, whose value is v, and counts them.
func checkBelow(t *testing.T, src *textpos.Text, v any, pos *Positions, path []any) int {
	t.Helper()
	n := 0
	child := func(el, cv any) {
		p := append(path[:len(path):len(path)], el)
		at, exact := pos.Lookup(p)
		if !exact {
			t.Fatalf("no position for %s", FormatPath(p))
		}
		checkPos(t, src, at, false, "node")
		n += 1 + checkBelow(t, src, cv, pos, p)
	}
	absent := func(el any) {
		p := append(path[:len(path):len(path)], el)
		if at, exact := pos.Lookup(p); exact {
			t.Fatalf("%v at %s has a position %v for %s", v, FormatPath(path), at, FormatPath(p))
		}
	}
	switch v := v.(type) {
	case map[string]any:
		for k, cv := range v {
			child(k, cv)
		}
		absent(0)
	case []any:
		for i, cv := range v {
			child(i, cv)
		}
		absent(len(v))
		absent("0")
	case string, int64, float64, bool, nil:
		absent(0)
		absent("")
	default:
		t.Fatalf("unexpected value type %T", v)
	}
	return n
}

func checkPos(t *testing.T, src *textpos.Text, p analyzer.Position, zeroOK bool, what string) {
	t.Helper()
	if zeroOK && p.Line == 0 {
		return
	}
	if p.Column < 0 {
		t.Fatalf("%s position %d:%d has a negative column", what, p.Line, p.Column)
	}
	// Column 0 is a position that names a line only.
	if err := src.Check(p.Line, max(p.Column, 1)); err != nil {
		t.Fatalf("%s position %d:%d: %v", what, p.Line, p.Column, err)
	}
}

// FuzzDecodeMatchesSigsYAML checks that single-document inputs decode to what
// sigs.k8s.io/yaml (and so kubectl) makes of them.
func FuzzDecodeMatchesSigsYAML(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, s := range differentialCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, msg := compareWithSigs(data); msg != "" {
			t.Fatal(msg)
		}
	})
}

// compareWithSigs decodes a single-document input both ways and returns a
// description of any difference ("" when they agree); compared is false when
// the comparison does not apply.
//
// The comparison is of JSON texts, normalised: both are decoded with
// encoding/json's UseNumber and numbers are compared by value, because Decode
// deliberately gives float64 for integers beyond int64 (sigs.k8s.io/yaml
// keeps uint64 digits) and writes -0 as 0.
func compareWithSigs(data []byte) (compared bool, msg string) {
	if n, ok := streamDocuments(data); !ok || n > 1 {
		return false, "" // sigs.k8s.io/yaml reads only the first document
	}
	docs, err := Decode(data)
	want, werr := sigsyaml.YAMLToJSON(data)
	if werr != nil || err != nil {
		return false, ""
	}
	var got []byte = []byte("null")
	if len(docs) == 1 {
		if len(docs[0].Duplicates) > 0 {
			// Keys that collide only once turned into strings ("1" and
			// 1) make sigs.k8s.io/yaml's result depend on Go's map order.
			return false, ""
		}
		var jerr error
		got, jerr = json.Marshal(docs[0].Value)
		if jerr != nil {
			return false, "" // NaN or infinity: sigs.k8s.io/yaml fails too
		}
	}
	if len(docs) > 1 {
		return true, fmt.Sprintf("%d documents from a single-document stream", len(docs))
	}
	if !sameJSON(got, want) {
		return true, fmt.Sprintf("input %q:\n got %s\nwant %s", data, got, want)
	}
	return true, ""
}

// streamDocuments counts the documents of a stream, empty ones included.
func streamDocuments(data []byte) (n int, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			return n, true
		}
		if err != nil {
			return n, false
		}
		n++
	}
}

func sameJSON(a, b []byte) bool {
	va, ea := decodeNumbers(a)
	vb, eb := decodeNumbers(b)
	if ea != nil || eb != nil {
		return false
	}
	return sameValue(va, vb)
}

func decodeNumbers(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func sameValue(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			w, ok := bm[k]
			if !ok || !sameValue(v, w) {
				return false
			}
		}
		return true
	case []any:
		bs, ok := b.([]any)
		if !ok || len(a) != len(bs) {
			return false
		}
		for i := range a {
			if !sameValue(a[i], bs[i]) {
				return false
			}
		}
		return true
	case json.Number:
		bn, ok := b.(json.Number)
		if !ok {
			return false
		}
		if a == bn {
			return true
		}
		if x, err := strconv.ParseInt(string(a), 10, 64); err == nil {
			if y, err := strconv.ParseInt(string(bn), 10, 64); err == nil {
				return x == y // "-0" and "0"
			}
		}
		x, okx := new(big.Float).SetString(string(a))
		y, oky := new(big.Float).SetString(string(bn))
		if !okx || !oky {
			return false
		}
		// float64 precision: Decode keeps integers beyond int64 as float64.
		fx, _ := x.Float64()
		fy, _ := y.Float64()
		return fx == fy
	}
	return reflect.DeepEqual(a, b)
}
