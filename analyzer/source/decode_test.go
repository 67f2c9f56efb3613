package source

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/irsalint/irsalint/analyzer"
)

func at(line, col int) analyzer.Position { return analyzer.Position{Line: line, Column: col} }

// decodeOne decodes input that must hold exactly one document.
func decodeOne(t *testing.T, in string) Doc {
	t.Helper()
	docs, err := Decode([]byte(in))
	if err != nil {
		t.Fatalf("Decode(%q): %v", in, err)
	}
	if len(docs) != 1 {
		t.Fatalf("Decode(%q): %d documents, want 1", in, len(docs))
	}
	return docs[0]
}

// decodeErr decodes input that must fail and returns the *Error.
func decodeErr(t *testing.T, in string) ([]Doc, *Error) {
	t.Helper()
	docs, err := Decode([]byte(in))
	if err == nil {
		t.Fatalf("Decode(%q) succeeded, want an error", in)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Decode(%q) error %T %v is not an *Error", in, err, err)
	}
	return docs, e
}

func lookup(t *testing.T, d Doc, path ...any) analyzer.Position {
	t.Helper()
	p, exact := d.Pos.Lookup(path)
	if !exact {
		t.Fatalf("Lookup(%v) not exact (stopped at %v)", path, p)
	}
	return p
}

func TestDecodeStreams(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		kinds []string // kind of each document, in order
		first []analyzer.Position
	}{
		{"separators", "kind: A\n---\nkind: B\n---\nkind: C\n", []string{"A", "B", "C"}, []analyzer.Position{at(1, 1), at(3, 1), at(5, 1)}},
		{"leading separator and document end", "---\nkind: A\n...\n---\nkind: B\n...\n", []string{"A", "B"}, []analyzer.Position{at(2, 1), at(5, 1)}},
		{"empty documents skipped", "---\n---\nkind: A\n---\n# only a comment\n---\nnull\n---\n~\n--- \nkind: B\n", []string{"A", "B"}, []analyzer.Position{at(3, 1), at(11, 1)}},
		{"leading comments", "# header\n# more\n\nkind: A\n", []string{"A"}, []analyzer.Position{at(4, 1)}},
		{"helm template output", "---\n# Source: chart/templates/sa.yaml\napiVersion: v1\nkind: A\n---\n# Source: chart/templates/deploy.yaml\napiVersion: apps/v1\nkind: B\n", []string{"A", "B"}, []analyzer.Position{at(3, 1), at(7, 1)}},
		{"directive", "%YAML 1.1\n---\nkind: A\n", []string{"A"}, []analyzer.Position{at(3, 1)}},
		{"crlf", "kind: A\r\n---\r\nkind: B\r\n", []string{"A", "B"}, []analyzer.Position{at(1, 1), at(3, 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := Decode([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != len(tt.kinds) {
				t.Fatalf("%d documents, want %d", len(docs), len(tt.kinds))
			}
			for i, d := range docs {
				if d.Index != i {
					t.Errorf("doc %d: Index %d", i, d.Index)
				}
				if got := d.Value.(map[string]any)["kind"]; got != tt.kinds[i] {
					t.Errorf("doc %d: kind %v, want %v", i, got, tt.kinds[i])
				}
				if d.Pos.Root() != tt.first[i] {
					t.Errorf("doc %d: root at %v, want %v", i, d.Pos.Root(), tt.first[i])
				}
				if p, exact := d.Pos.Lookup(nil); p != tt.first[i] || !exact {
					t.Errorf("doc %d: the empty path is at %v (exact %v), not the root's position", i, p, exact)
				}
			}
		})
	}
}

func TestDecodeKindList(t *testing.T) {
	d := decodeOne(t, `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: a
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: b
`)
	want := map[string]any{
		"apiVersion": "v1",
		"kind":       "List",
		"items": []any{
			map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": "a"}},
			map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": "b"}},
		},
	}
	if !reflect.DeepEqual(d.Value, want) {
		t.Fatalf("got %#v", d.Value)
	}
	if p := lookup(t, d, "items", 1); p != at(8, 3) {
		t.Errorf("items[1] at %v, want 8:3", p)
	}
	if p := lookup(t, d, "items", 1, "metadata", "name"); p != at(11, 5) {
		t.Errorf("items[1].metadata.name at %v, want 11:5", p)
	}
}

const roleARN = "arn:aws:iam::111122223333:role/app"

func TestDecodeJSON(t *testing.T) {
	want := map[string]any{
		"kind": "ServiceAccount",
		"metadata": map[string]any{
			"annotations": map[string]any{"eks.amazonaws.com/role-arn": roleARN},
			"ports":       []any{int64(80), 1.5},
		},
	}
	path := []any{"metadata", "annotations", "eks.amazonaws.com/role-arn"}
	tests := []struct {
		name      string
		in        string
		key, item analyzer.Position // key of path, metadata.ports[1]
	}{
		{"four spaces", `{
    "kind": "ServiceAccount",
    "metadata": {
        "annotations": {
            "eks.amazonaws.com/role-arn": "` + roleARN + `"
        },
        "ports": [80, 1.5]
    }
}
`, at(5, 13), at(7, 23)},
		{"tabs", "{\n\t\"kind\": \"ServiceAccount\",\n\t\"metadata\": {\n\t\t\"annotations\": {\n\t\t\t\"eks.amazonaws.com/role-arn\": \"" + roleARN + "\"\n\t\t},\n\t\t\"ports\": [80, 1.5]\n\t}\n}\n", at(5, 4), at(7, 17)},
		{"bom and crlf", "\ufeff{\r\n  \"kind\": \"ServiceAccount\",\r\n  \"metadata\": {\r\n    \"annotations\": {\r\n      \"eks.amazonaws.com/role-arn\": \"" + roleARN + "\"\r\n    },\r\n    \"ports\": [80, 1.5]\r\n  }\r\n}\r\n", at(5, 7), at(7, 19)},
		{"minified", `{"kind":"ServiceAccount","metadata":{"annotations":{"eks.amazonaws.com/role-arn":"` + roleARN + `"},"ports":[80,1.5]}}`, at(1, 53), at(1, 132)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decodeOne(t, tt.in)
			if !reflect.DeepEqual(d.Value, want) {
				t.Fatalf("got %#v", d.Value)
			}
			if p := lookup(t, d, path...); p != tt.key {
				t.Errorf("role-arn key at %v, want %v", p, tt.key)
			}
			if p := lookup(t, d, "metadata", "ports", 1); p != tt.item {
				t.Errorf("ports[1] at %v, want %v", p, tt.item)
			}
			if d.Pos.Root() != at(1, 1) {
				t.Errorf("root at %v", d.Pos.Root())
			}
		})
	}
}

// TestDecodeJSONStrings holds the JSON scanner's strings and numbers to
// encoding/json's: escapes, surrogate pairs, lone surrogates, invalid UTF-8
// and non-ASCII text, in keys and in values.
func TestDecodeJSONStrings(t *testing.T) {
	values := []string{
		`"plain"`, `""`, `"caf\u00e9"`, `"café"`, `"\ud83d\ude00"`, `"\ud83d"`, `"a\"b\\c\/d"`,
		`"tab\there\nnew"`, "\"bad \xff utf-8\"", "\"bad \xff and \\u0041\"", `"\u0000"`, "\"\u007f\u0085\"",
		`0`, `-1.5e+3`, `12345678901234567890123`, `1E30`, `true`, `null`,
	}
	for _, v := range values {
		key := `"l"`
		if strings.HasPrefix(v, `"`) {
			key = v[:len(v)-1] + `x"` // the same text as a key
		}
		in := `{"k": ` + v + `, ` + key + `: [` + v + `]}`
		if !json.Valid([]byte(in)) {
			t.Fatalf("test input %q is not JSON", in)
		}
		docs, err := Decode([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		got, err := json.Marshal(docs[0].Value)
		if err != nil {
			t.Fatal(err)
		}
		var want any
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		wantJSON, _ := json.Marshal(want)
		if !sameJSON(got, wantJSON) {
			t.Errorf("%s:\n got %s\nwant %s", in, got, wantJSON)
		}
		// json.Marshal replaces invalid UTF-8: strings are compared as
		// they are.
		if w, ok := want.(map[string]any)["k"].(string); ok {
			if g := docs[0].Value.(map[string]any)["k"]; g != w {
				t.Errorf("%s: value %q, want %q", in, g, w)
			}
		}
	}
}

// TestDecodeJSONThatYAMLRejects covers valid JSON that libyaml cannot read;
// kubectl reads JSON with encoding/json, so these must decode.
func TestDecodeJSONThatYAMLRejects(t *testing.T) {
	longKey := strings.Repeat("k", 1100)
	tests := []struct {
		name string
		in   string
		path []any
		key  analyzer.Position
	}{
		{"escaped slash", "{\n  \"a\": \"arn:aws:iam::1:role\\/x\",\n  \"b\": [1, 2.5, true, null]\n}", []any{"b"}, at(3, 3)},
		{"surrogate pair", "{\"emoji\": \"\\ud83d\\ude00\", \"n\": 1e2}", []any{"n"}, at(1, 27)},
		{"long key", "{\n\"" + longKey + "\": {\"x\": [0]}}", []any{longKey, "x", 0}, at(2, 1112)},
		{"delete character", "\ufeff[\"\x7f\", {\"k\": -0.5}]", []any{1, "k"}, at(1, 8)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decodeOne(t, tt.in)
			var want any
			body := strings.TrimPrefix(tt.in, "\ufeff")
			if err := json.Unmarshal([]byte(body), &want); err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(d.Value)
			if !sameJSON(got, mustJSON(t, want)) {
				t.Errorf("got %s, want %s", got, mustJSON(t, want))
			}
			if p := lookup(t, d, tt.path...); p != tt.key {
				t.Errorf("%v at %v, want %v", tt.path, p, tt.key)
			}
		})
	}
	d := decodeOne(t, `{"a": 1, "b": 1.5, "c": 1.0, "a": 2}`)
	if want := map[string]any{"a": int64(2), "b": 1.5, "c": int64(1)}; !reflect.DeepEqual(d.Value, want) {
		t.Errorf("got %#v", d.Value)
	}
	if len(d.Duplicates) != 1 || d.Duplicates[0].At != at(1, 30) || d.Duplicates[0].First != at(1, 2) {
		t.Errorf("duplicates %+v", d.Duplicates)
	}
	// A number float64 cannot hold stays text, as sigs.k8s.io/yaml reads it.
	if d := decodeOne(t, "{\"x\": \"\\/\", \"n\": 1e400}"); d.Value.(map[string]any)["n"] != "1e400" {
		t.Errorf("out of range number: %#v", d.Value)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeScalars(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		// YAML 1.1 booleans, as kubectl reads them.
		{"y", true}, {"Y", true}, {"yes", true}, {"Yes", true}, {"YES", true},
		{"true", true}, {"True", true}, {"TRUE", true}, {"on", true}, {"On", true}, {"ON", true},
		{"n", false}, {"N", false}, {"no", false}, {"No", false}, {"NO", false},
		{"false", false}, {"False", false}, {"FALSE", false}, {"off", false}, {"Off", false}, {"OFF", false},
		{"yEs", "yEs"}, {"tRUE", "tRUE"},
		// Nulls.
		{"~", nil}, {"null", nil}, {"Null", nil}, {"NULL", nil}, {"", nil}, {"nULL", "nULL"},
		// Integers.
		{"12", int64(12)}, {"-12", int64(-12)}, {"+12", int64(12)},
		{"0400", int64(256)}, {"0o17", int64(15)}, {"0x1F", int64(31)}, {"-0x1F", int64(-31)},
		{"1_000", int64(1000)}, {"0b101", int64(5)}, {"-0b101", int64(-5)}, {"0b1_0", int64(2)},
		{"9223372036854775807", int64(math.MaxInt64)},
		{"-9223372036854775808", int64(math.MinInt64)},
		{"18446744073709551615", float64(math.MaxUint64)}, // beyond int64: float64, as encoding/json gives
		{"08", int64(8)}, // not octal: yaml.v2 reads it as the float 8
		{"070000000000000780", int64(70000000000000780)}, // the float 7.000000000000078e16, as json.Marshal writes it
		{"1e19", 1e19}, // integral, but beyond int64
		// Floats.
		{"1.5", 1.5}, {".5", 0.5}, {"-.5e-3", -0.0005}, {"1e3", int64(1000)}, {"1.0", int64(1)},
		{"6.02e+23", 6.02e+23}, {"1e21", 1e21},
		{".inf", math.Inf(1)}, {".Inf", math.Inf(1)}, {"+.INF", math.Inf(1)}, {"-.inf", math.Inf(-1)},
		// Timestamps stay the text.
		{"2024-01-01", "2024-01-01"}, {"2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z"},
		{"2001-12-14 21:59:43.10", "2001-12-14 21:59:43.10"}, {"!!timestamp 2024-1-2", "2024-1-2"},
		// Quoted and block scalars are strings.
		{`"0400"`, "0400"}, {`'yes'`, "yes"}, {`"null"`, "null"}, {`""`, ""}, {`"1.5"`, "1.5"},
		{"|\n  arn:aws:iam::1:role/x\n", "arn:aws:iam::1:role/x\n"},
		{"|-\n  strip\n", "strip"}, {">\n  folded\n  text\n\n", "folded text\n"},
		// Explicit tags, honoured as yaml.v2 does.
		{"!!str 0400", "0400"}, {"!!str yes", "yes"}, {"!!str ~", "~"}, {"!!str", ""},
		{`!!int "12"`, int64(12)}, {"!!int 0x10", int64(16)}, {`!!float "1.5"`, 1.5}, {"!!float 1", int64(1)},
		{"!!bool yes", true}, {`!!bool "off"`, false}, {"!!null ''", nil}, {"!!null null", nil},
		{"!!binary aGVsbG8=", "hello"}, {"!!binary |\n  aGVs\n  bG8=\n", "hello"},
		{"!<tag:yaml.org,2002:int> '7'", int64(7)},
		// Unknown tags do not fail; on a scalar they give the text, as in
		// yaml.v2.
		{"!Ref MyRole", "MyRole"}, {"!Sub 'arn:${AWS::Partition}'", "arn:${AWS::Partition}"},
		{"!Ref 12", "12"}, {"!GetAtt [Role, Arn]", []any{"Role", "Arn"}}, {"!If {a: 1}", map[string]any{"a": int64(1)}},
		{"!!map 12", "12"},
		// The non-specific tag "!" makes a string, even though yaml.v3 forgets it.
		{"! 12", "12"}, {"&x ! yes", "yes"}, {"!", ""}, {"&a\n  !\n  true", "true"},
		// A "!" on a line no more indented than the anchor's tags the next
		// key, not this empty value.
		{"&a\n! : 1", nil},
		// Plain text.
		{"arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:role/app"},
		{"<<", "<<"}, {"1.2.3", "1.2.3"}, {"0x", "0x"}, {"1__0", int64(10)}, {"+.5", 0.5},
	}
	for _, tt := range tests {
		in := "v: " + tt.in
		if strings.HasPrefix(tt.in, "|") || strings.HasPrefix(tt.in, ">") || strings.Contains(tt.in, "\n") {
			in = "v: " + tt.in + "\n"
		}
		docs, err := Decode([]byte(in))
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		got := docs[0].Value.(map[string]any)["v"]
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %#v (%T), want %#v (%T)", tt.in, got, got, tt.want, tt.want)
		}
	}
	nan := decodeOne(t, "v: .nan\n").Value.(map[string]any)["v"].(float64)
	if !math.IsNaN(nan) {
		t.Errorf(".nan: got %v", nan)
	}
}

func TestDecodeTagErrors(t *testing.T) {
	tests := []struct {
		in  string
		pos analyzer.Position
		msg string
	}{
		{"a: 1\nb: !!int abc\n", at(2, 4), "cannot decode !!str `abc` as a !!int"},
		{"b: !!bool 1\n", at(1, 4), "cannot decode !!int `1` as a !!bool"},
		{"b: !!null x\n", at(1, 4), "cannot decode !!str `x` as a !!null"},
		{"b: !!float 18446744073709551615\n", at(1, 4), "cannot decode !!int `18446744073709551615` as a !!float"},
		{"b: !!timestamp nope\n", at(1, 4), "cannot decode !!str `nope` as a !!timestamp"},
		{"b: !!binary '%%%'\n", at(1, 4), "!!binary value contains invalid base64 data"},
	}
	for _, tt := range tests {
		_, e := decodeErr(t, tt.in)
		if e.Pos != tt.pos || e.Msg != tt.msg {
			t.Errorf("%q: got %v %q, want %v %q", tt.in, e.Pos, e.Msg, tt.pos, tt.msg)
		}
	}
}

func TestDecodeKeys(t *testing.T) {
	d := decodeOne(t, "1: a\n-2: b\n1.5: c\ntrue: d\nno: e\n0x10: f\n1e3: g\n.inf: h\n0.1234567891: i\n2024-01-01: j\n!!str 5: k\n\"q\": l\ny: m\n")
	want := map[string]any{
		"1": "a", "-2": "b", "1.5": "c", "true": "d", "false": "e", "16": "f", "1000": "g",
		".inf": "h", "0.12345679": "i", // float keys are written as float32, as sigs.k8s.io/yaml does
		"2024-01-01": "j", "5": "k", "q": "l",
	}
	// "y" is the boolean true, so it collides with "true: d": the last wins.
	want["true"] = "m"
	if !reflect.DeepEqual(d.Value, want) {
		t.Errorf("got %#v", d.Value)
	}
	if len(d.Duplicates) != 1 || d.Duplicates[0].Key != "true" || d.Duplicates[0].At != at(13, 1) || d.Duplicates[0].First != at(4, 1) {
		t.Errorf("duplicates %+v", d.Duplicates)
	}

	for _, tt := range []struct {
		in  string
		pos analyzer.Position
		msg string
	}{
		{"a: 1\n? [x, y]\n: 2\n", at(2, 3), "mapping or sequence"},
		{"a: 1\n{b: c}: 2\n", at(2, 1), "mapping or sequence"},
		{"a: &m {b: 1}\n*m : 2\n", at(2, 1), "mapping or sequence"},
		{"a: 1\n~: 2\n", at(2, 1), "null"},
		{"a: 1\nnull: 2\n", at(2, 1), "null"},
		{"18446744073709551615: x\n", at(1, 1), "64-bit"},
	} {
		_, e := decodeErr(t, tt.in)
		if e.Pos != tt.pos || !strings.Contains(e.Msg, tt.msg) {
			t.Errorf("%q: got %v %q, want %v ...%s...", tt.in, e.Pos, e.Msg, tt.pos, tt.msg)
		}
	}
}

func TestDecodeAliasesAndMerges(t *testing.T) {
	in := `defaults: &defaults
  serviceAccountName: app
  automount: false
arn: &arn arn:aws:iam::1:role/x
a:
  <<: *defaults
  automount: true
  role: *arn
b:
  automount: true
  <<: *defaults
c:
  <<: [{p: 1, q: 1}, {p: 2, r: 2}]
  q: 3
list: [*arn, *arn]
`
	d := decodeOne(t, in)
	want := map[string]any{
		"defaults": map[string]any{"serviceAccountName": "app", "automount": false},
		"arn":      "arn:aws:iam::1:role/x",
		"a":        map[string]any{"serviceAccountName": "app", "automount": true, "role": "arn:aws:iam::1:role/x"},
		// yaml.v2, and so kubectl, lets a merge overwrite the keys written
		// before it.
		"b":    map[string]any{"serviceAccountName": "app", "automount": false},
		"c":    map[string]any{"p": int64(1), "q": int64(3), "r": int64(2)},
		"list": []any{"arn:aws:iam::1:role/x", "arn:aws:iam::1:role/x"},
	}
	if !reflect.DeepEqual(d.Value, want) {
		t.Fatalf("got %#v", d.Value)
	}
	if len(d.Duplicates) != 0 {
		t.Errorf("merges are not duplicates: %+v", d.Duplicates)
	}
	for _, tt := range []struct {
		path []any
		want analyzer.Position
	}{
		{[]any{"a", "serviceAccountName"}, at(2, 3)}, // merged: the anchor's key
		{[]any{"a", "automount"}, at(7, 3)},          // explicit after the merge
		{[]any{"a", "role"}, at(8, 3)},               // the key here...
		{[]any{"b", "automount"}, at(3, 3)},          // overwritten by the merge
		{[]any{"c", "p"}, at(13, 9)},
		{[]any{"c", "r"}, at(13, 29)},
		{[]any{"list", 1}, at(4, 6)}, // an alias item: the anchored value
	} {
		if p := lookup(t, d, tt.path...); p != tt.want {
			t.Errorf("%s at %v, want %v", FormatPath(tt.path), p, tt.want)
		}
	}
	// An alias's value is placed at its anchor. Positions keep a sequence
	// item's value position (a mapping value's is its key's).
	if p := lookup(t, decodeOne(t, "arn: &arn arn:aws:iam::1:role/x\na:\n  role:\n  - *arn\n"), "a", "role", 0); p != at(1, 6) {
		t.Errorf("a.role[0] at %v, want the anchor's 1:6", p)
	}

	// Nested merges keep yaml.v2's order too.
	d = decodeOne(t, "z:\n  <<: {a: 1, <<: {a: 2, b: 2}}\n")
	if want := map[string]any{"z": map[string]any{"a": int64(2), "b": int64(2)}}; !reflect.DeepEqual(d.Value, want) {
		t.Errorf("nested merge: got %#v", d.Value)
	}

	for _, tt := range []struct {
		in  string
		pos analyzer.Position
		msg string
	}{
		{"a: &a [1, *a]\n", at(1, 11), "anchor 'a' value contains itself"},
		{"a: &a {b: {<<: *a}}\n", at(1, 16), "anchor 'a' value contains itself"},
		{"a: *nope\n", at(1, 4), "unknown anchor 'nope' referenced"},
		{"a: &x 1\n---\nb: *x\n", at(3, 4), "unknown anchor 'x' referenced"}, // anchors end with their document
		{"a: 1\nb:\n  <<: 12\n", at(3, 7), errWantMap},
		{"s: &s [1]\nb:\n  <<: *s\n", at(3, 7), errWantMap},
		{"b:\n  <<: [{a: 1}, x]\n", at(2, 16), errWantMap},
	} {
		_, e := decodeErr(t, tt.in)
		if e.Pos != tt.pos || e.Msg != tt.msg {
			t.Errorf("%q: got %v %q, want %v %q", tt.in, e.Pos, e.Msg, tt.pos, tt.msg)
		}
	}
	// The document before the bad one is still returned.
	docs, _ := decodeErr(t, "a: &x 1\n---\nb: *x\n")
	if len(docs) != 1 {
		t.Errorf("%d documents before the error, want 1", len(docs))
	}
}

func TestDecodeDuplicates(t *testing.T) {
	d := decodeOne(t, `metadata:
  name: a
  annotations:
    eks.amazonaws.com/role-arn: first
    eks.amazonaws.com/role-arn: second
  name: b
spec:
  containers:
  - env:
    - {name: X, name: Y}
`)
	m := d.Value.(map[string]any)["metadata"].(map[string]any)
	if m["name"] != "b" || m["annotations"].(map[string]any)["eks.amazonaws.com/role-arn"] != "second" {
		t.Errorf("last occurrence must win: %#v", m)
	}
	want := []Duplicate{
		{Path: []any{"metadata", "annotations"}, Key: "eks.amazonaws.com/role-arn", At: at(5, 5), First: at(4, 5)},
		{Path: []any{"metadata"}, Key: "name", At: at(6, 3), First: at(2, 3)},
		{Path: []any{"spec", "containers", 0, "env", 0}, Key: "name", At: at(10, 17), First: at(10, 8)},
	}
	if !reflect.DeepEqual(d.Duplicates, want) {
		t.Errorf("duplicates:\n got %+v\nwant %+v", d.Duplicates, want)
	}
	if p := lookup(t, d, "metadata", "name"); p != at(6, 3) {
		t.Errorf("position follows the value kept: %v", p)
	}

	// A duplicate inside an anchor is reported once however often the
	// anchor is used; an explicit key repeated around a merge is still a
	// duplicate.
	d = decodeOne(t, "a: &a {k: 1, k: 2}\nb: *a\nc: *a\nd:\n  x: 1\n  <<: {x: 2}\n  x: 3\n")
	want = []Duplicate{
		{Path: []any{"a"}, Key: "k", At: at(1, 14), First: at(1, 8)},
		{Path: []any{"d"}, Key: "x", At: at(7, 3), First: at(5, 3)},
	}
	if !reflect.DeepEqual(d.Duplicates, want) {
		t.Errorf("duplicates:\n got %+v\nwant %+v", d.Duplicates, want)
	}
}

// TestDecodeDuplicatesInReplacedValues: a value that a later occurrence of
// its key replaced is not in the document, so the duplicates inside it are
// not reported (their paths would lead elsewhere or nowhere); the key that
// replaced it is. Duplicates inside the value kept still are. Each decoder
// (JSON, the block-style reader, yaml.v3 for what that one leaves) agrees.
func TestDecodeDuplicatesInReplacedValues(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []Duplicate
	}{
		{"json, replaced by a mapping", `{"a": {"x": 1, "x": 2}, "a": {"x": 3}}`,
			[]Duplicate{{Path: nil, Key: "a", At: at(1, 25), First: at(1, 2)}}},
		{"json, replaced by a scalar", `{"s": [{"p": {"": {"k": 1, "k": 2}, "": null}}]}`,
			[]Duplicate{{Path: []any{"s", 0, "p"}, Key: "", At: at(1, 37), First: at(1, 15)}}},
		{"json, kept value", `{"a": 1, "a": {"x": 1, "x": 2}}`,
			[]Duplicate{{Path: nil, Key: "a", At: at(1, 10), First: at(1, 2)}, {Path: []any{"a"}, Key: "x", At: at(1, 24), First: at(1, 16)}}},
		{"block", "a:\n  x: 1\n  x: 2\na:\n  x: 3\n",
			[]Duplicate{{Path: nil, Key: "a", At: at(4, 1), First: at(1, 1)}}},
		{"yaml.v3 (an anchor)", "a: &n\n  x: 1\n  x: 2\na:\n  x: 3\nb: 1\n",
			[]Duplicate{{Path: nil, Key: "a", At: at(4, 1), First: at(1, 1)}}},
	} {
		d := decodeOne(t, tc.text)
		for i := range d.Duplicates {
			if len(d.Duplicates[i].Path) == 0 {
				d.Duplicates[i].Path = nil // the root: nil or empty, by decoder
			}
		}
		if !reflect.DeepEqual(d.Duplicates, tc.want) {
			t.Errorf("%s: duplicates:\n got %#v\nwant %#v", tc.name, d.Duplicates, tc.want)
		}
	}
}

// within fails the test when f does not return within limit.
func within(t *testing.T, limit time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("did not finish within %v", limit)
	}
}

func TestDecodeAliasBomb(t *testing.T) {
	bomb := `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`
	var err error
	within(t, time.Second, func() { _, err = Decode([]byte(bomb)) })
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Msg, "expands aliases too much") {
		t.Fatalf("got %v", err)
	}
	// The outermost alias in the text, where the expansion starts.
	if e.Pos.Line < 2 || e.Pos.Column == 0 {
		t.Errorf("error at %v, want an alias position", e.Pos)
	}

	// Ordinary anchor use in a small file stays well within the budget.
	var b strings.Builder
	b.WriteString("base: &b {a: 1, b: 2, c: [1, 2, 3]}\n")
	for i := range 500 {
		b.WriteString("k")
		b.WriteString(strings.Repeat("x", i%7+1))
		b.WriteString(string(rune('a'+i%26)) + strings.Repeat("z", i/26) + ": *b\n")
	}
	if _, err := Decode([]byte(b.String())); err != nil {
		t.Fatalf("500 aliases of a small anchor: %v", err)
	}
}

func TestDecodeDeepNesting(t *testing.T) {
	within(t, 10*time.Second, func() {
		// Within yaml.v3's limit of 10000.
		deep := strings.Repeat("[", 9000) + strings.Repeat("]", 9000)
		d := decodeOne(t, deep)
		depth := 0
		for v := d.Value; ; {
			s, ok := v.([]any)
			if !ok {
				break
			}
			depth++
			if len(s) == 0 {
				break
			}
			v = s[0]
		}
		if depth != 9000 {
			t.Errorf("depth %d, want 9000", depth)
		}

		// Beyond it: yaml.v3's error.
		_, e := decodeErr(t, strings.Repeat("[", 10001))
		if !strings.Contains(e.Msg, "exceeded max depth") || e.Pos.Line != 1 {
			t.Errorf("got %v", e)
		}

		// Aliases stacking deep anchors past the cap.
		in := "a: &a " + strings.Repeat("[", 6000) + strings.Repeat("]", 6000) + "\n" +
			"b: " + strings.Repeat("[", 6000) + "*a" + strings.Repeat("]", 6000) + "\n"
		_, e = decodeErr(t, in)
		if !strings.Contains(e.Msg, "nests deeper than 10000") {
			t.Errorf("got %v", e)
		}
	})
}

func TestDecodeSyntaxErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		docs int
		pos  analyzer.Position
		msg  string
	}{
		{"mapping value", "a: 1\nb: 2\nc: d: e\n", 0, at(3, 5), "mapping values are not allowed in this context"},
		{"first line", "a: b: c\n", 0, at(1, 5), "mapping values are not allowed in this context"},
		{"indentation", "a: 1\nb: 2\n c: 3\n", 0, at(3, 3), "mapping values are not allowed in this context"},
		{"tab", "a: 1\n\tb: 2\n", 0, at(2, 1), "found a tab character that violates indentation (while scanning a plain scalar that starts at line 1, column 4)"},
		{"bad token", "a: 1\nb: @x\n", 0, at(2, 4), "found character that cannot start any token"},
		{"unclosed quote", "a: 1\nb: \"abc\nc: 3\n", 0, at(4, 1), "found unexpected end of stream (while scanning a quoted scalar that starts at line 2, column 4)"},
		// yaml.v3 reports where the enclosing construct starts (and parser
		// errors one line early); go.yaml.in/yaml/v4 gives the problem's own
		// position, with the construct's start as context.
		{"unclosed flow", "a: 1\nb: [1, 2\nc: 3\n", 0, at(3, 2), "did not find expected ',' or ']' (while parsing a flow sequence that starts at line 2, column 4)"},
		{"sequence in mapping", "a: 1\nb:\n  - x\n  y: 2\n", 0, at(4, 3), "did not find expected '-' indicator (while parsing a block collection that starts at line 3, column 3)"},
		{"after good documents", "a: 1\n---\nb: 2\n---\nc: 3\n- d\n", 2, at(6, 1), "did not find expected key (while parsing a block mapping that starts at line 5, column 1)"},
		{"bad indent deep in a mapping", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  annotations:\n    a: b\n   bad: here\n", 0, at(7, 4), "did not find expected key (while parsing a block mapping that starts at line 4, column 3)"},
		{"control character", "a: 1\nb: x\x01\n", 0, at(2, 5), "control characters are not allowed"},
		{"invalid utf-8", "a: 1\nb: \xff\n", 0, at(2, 4), "invalid leading UTF-8 octet"},
		// JSON gets encoding/json's exact position.
		{"json trailing comma", "{\n  \"a\": 1,\n  \"b\": [1, 2,\n}\n", 0, at(4, 1), "invalid character '}' looking for beginning of value"},
		{"json missing comma", "{\n    \"a\": 1\n    \"b\": 2\n}\n", 0, at(3, 5), "invalid character '\"' after object key:value pair"},
		{"json truncated", "{\n  \"a\": {\n    \"b\": [1, 2", 0, at(3, 15), "unexpected end of input"},
		{"json truncated after newline", "\ufeff[\r\n  1,\r\n", 0, at(2, 5), "unexpected end of input"},
		{"json empty item", "[1, 2,, 3]", 0, at(1, 7), "invalid character ',' looking for beginning of value"},
		// libyaml places an empty value at the end of a text without a final
		// line break on a line of its own, which the file does not have.
		{"merge of nothing at the end", "? <<", 0, at(1, 5), "map merge requires map or sequence of maps as the value"},
		// libyaml misreads what follows two marks ("\ufeff\ufeff\r\n\u0085a"
		// is "a" on line 2, column 2: a line of no characters).
		{"two byte order marks", "\ufeff\ufeff\r\n\u0085a|", 0, at(1, 1), "the text starts with two byte order marks (U+FEFF); YAML parsers, kubectl's among them, misread the lines after them: remove one"},
		{"two byte order marks in UTF-16", "\xff\xfe\xff\xfea\x00", 0, at(1, 1), "the text starts with two byte order marks (U+FEFF); YAML parsers, kubectl's among them, misread the lines after them: remove one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, e := decodeErr(t, tt.in)
			if len(docs) != tt.docs {
				t.Errorf("%d documents before the error, want %d", len(docs), tt.docs)
			}
			if e.Pos != tt.pos || e.Msg != tt.msg {
				t.Errorf("got %v %q, want %v %q", e.Pos, e.Msg, tt.pos, tt.msg)
			}
			if strings.HasPrefix(e.Error(), "yaml:") {
				t.Errorf("message keeps the yaml: prefix: %s", e)
			}
		})
	}
}

func TestDecodeNotMappings(t *testing.T) {
	tests := []struct {
		in   string
		want []any
	}{
		{"just a string\n", []any{"just a string"}},
		{"- a\n- 1\n", []any{[]any{"a", int64(1)}}},
		{"--- 12\n--- [x]\n--- yes\n", []any{int64(12), []any{"x"}, true}},
		{"--- \"\"\n", []any{""}},
	}
	for _, tt := range tests {
		docs, err := Decode([]byte(tt.in))
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		var got []any
		for _, d := range docs {
			got = append(got, d.Value)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %#v", tt.in, got)
		}
	}
}

func TestDecodeEmpty(t *testing.T) {
	for _, in := range []string{"", "\n", "   \n\t\n", "# just a comment\n", "---\n---\n", "---\n...\n", "null\n", "~", "--- !!null\n", "\ufeff", "\ufeff# c\r\n"} {
		docs, err := Decode([]byte(in))
		if err != nil || len(docs) != 0 {
			t.Errorf("%q: %d documents, error %v; want none", in, len(docs), err)
		}
	}
}

func TestDecodeUTF16(t *testing.T) {
	text := "a: ! 1\nb: é😀\n"
	var le, be []byte
	le = append(le, 0xFF, 0xFE)
	be = append(be, 0xFE, 0xFF)
	for _, r := range text {
		var units []uint16
		if r > 0xFFFF {
			r -= 0x10000
			units = []uint16{uint16(0xD800 + r>>10), uint16(0xDC00 + r&0x3FF)}
		} else {
			units = []uint16{uint16(r)}
		}
		for _, u := range units {
			le = append(le, byte(u), byte(u>>8))
			be = append(be, byte(u>>8), byte(u))
		}
	}
	for name, in := range map[string][]byte{"le": le, "be": be} {
		docs, err := Decode(in)
		if err != nil || len(docs) != 1 {
			t.Fatalf("%s: %d docs, %v", name, len(docs), err)
		}
		if want := map[string]any{"a": "1", "b": "é😀"}; !reflect.DeepEqual(docs[0].Value, want) {
			t.Errorf("%s: got %#v", name, docs[0].Value)
		}
		if p := lookup(t, docs[0], "b"); p != at(2, 1) {
			t.Errorf("%s: b at %v", name, p)
		}
	}
}

func TestErrorString(t *testing.T) {
	for _, tt := range []struct {
		e    Error
		want string
	}{
		{Error{Pos: at(12, 3), Msg: "unexpected end of input"}, "12:3: unexpected end of input"},
		{Error{Pos: at(5, 0), Msg: "bad"}, "5: bad"},
		{Error{Msg: "bad"}, "bad"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}
