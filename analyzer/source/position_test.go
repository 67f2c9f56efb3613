package source

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/irsalint/irsalint/analyzer"
)

func TestLookup(t *testing.T) {
	d := decodeOne(t, `apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::1:role/x
spec:
  containers:
  - name: c
    env:
    - name: A
      value: "1"
    - {name: B, value: "2"}
`)
	tests := []struct {
		path  []any
		pos   analyzer.Position
		exact bool
	}{
		{nil, at(1, 1), true},
		{[]any{}, at(1, 1), true},
		{[]any{"kind"}, at(2, 1), true},
		{[]any{"metadata"}, at(3, 1), true},
		{[]any{"metadata", "annotations", "eks.amazonaws.com/role-arn"}, at(6, 5), true},
		{[]any{"spec", "containers"}, at(8, 3), true},
		{[]any{"spec", "containers", 0}, at(9, 5), true}, // a sequence item: its value
		{[]any{"spec", "containers", int64(0), "env", 1}, at(13, 7), true},
		{[]any{"spec", "containers", 0.0, "env", float64(1), "value"}, at(13, 17), true},
		{[]any{"spec", "containers", json.Number("0"), "env", uint(0), "value"}, at(12, 7), true},
		// Past the end: the deepest element that exists.
		{[]any{"metadata", "labels", "app"}, at(3, 1), false},
		{[]any{"spec", "containers", 0, "env", 5, "name"}, at(10, 5), false},
		{[]any{"spec", "containers", 0, "name", "deeper"}, at(9, 5), false},
		{[]any{"kind", 0}, at(2, 1), false},
		// Bad paths never panic.
		{[]any{"spec", "containers", -1}, at(8, 3), false},
		{[]any{"spec", "containers", 0.5}, at(8, 3), false},
		{[]any{"spec", "containers", math.NaN()}, at(8, 3), false},
		{[]any{"spec", "containers", math.Inf(1)}, at(8, 3), false},
		{[]any{"spec", "containers", int64(math.MaxInt64)}, at(8, 3), false},
		{[]any{"spec", "containers", "0"}, at(8, 3), false},
		{[]any{"spec", 0}, at(7, 1), false},
		{[]any{nil}, at(1, 1), false},
		{[]any{true}, at(1, 1), false},
		{[]any{[]any{"x"}}, at(1, 1), false},
		{[]any{map[string]any{}}, at(1, 1), false},
	}
	for _, tt := range tests {
		pos, exact := d.Pos.Lookup(tt.path)
		if pos != tt.pos || exact != tt.exact {
			t.Errorf("Lookup(%v) = %v, %v; want %v, %v", tt.path, pos, exact, tt.pos, tt.exact)
		}
	}

	var nilPos *Positions
	if pos, exact := nilPos.Lookup([]any{"a"}); pos != (analyzer.Position{}) || exact {
		t.Errorf("nil positions: %v %v", pos, exact)
	}
	if pos := nilPos.Root(); pos != (analyzer.Position{}) {
		t.Errorf("nil positions: root %v", pos)
	}
	// Zero Positions must not panic either.
	empty := &Positions{}
	empty.Lookup([]any{"a", "b"})
	empty.Lookup([]any{0, 1})
}

func TestFormatPath(t *testing.T) {
	tests := []struct {
		path []any
		want string
	}{
		{nil, ""},
		{[]any{"spec", "template", "spec", "containers", 0, "env", 2, "value"}, "spec.template.spec.containers[0].env[2].value"},
		{[]any{"metadata", "annotations", "eks.amazonaws.com/role-arn"}, `metadata.annotations["eks.amazonaws.com/role-arn"]`},
		{[]any{"eks.amazonaws.com/role-arn"}, `["eks.amazonaws.com/role-arn"]`},
		{[]any{0, "a"}, "[0].a"},
		{[]any{"a", ""}, `a[""]`},
		{[]any{"a", "with space"}, `a["with space"]`},
		{[]any{"a", `quo"te`}, `a["quo\"te"]`},
		{[]any{"a", "x[0]"}, `a["x[0]"]`},
		{[]any{"Statement", int64(1), "Condition", "StringEquals", "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub"}, `Statement[1].Condition.StringEquals["oidc.eks.us-east-1.amazonaws.com/id/ABC:sub"]`},
		{[]any{"a", 1.0, json.Number("2")}, "a[1][2]"},
		{[]any{"a", -1, 0.5, nil}, "a[-1][0.5][null]"},
	}
	for _, tt := range tests {
		if got := FormatPath(tt.path); got != tt.want {
			t.Errorf("FormatPath(%v) = %s, want %s", tt.path, got, tt.want)
		}
	}
}

func TestLines(t *testing.T) {
	// libyaml's line breaks: \n, \r\n, \r, NEL, LS, PS.
	l := &lines{data: []byte("a\r\nb\rc\u0085d\u2028e\u2029f\ng")}
	if n := l.count(); n != 7 {
		t.Fatalf("%d lines, want 7", n)
	}
	docs, err := Decode([]byte("- a\r- b\u2028- c\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p := lookup(t, docs[0], 2); p != at(3, 3) {
		t.Errorf("item 2 at %v, want 3:3 (yaml.v3 counts LS as a line break)", p)
	}
	// Columns count characters.
	d := decodeOne(t, "\"é😀\": [x]\n")
	if p := lookup(t, d, "é😀", 0); p != at(1, 8) {
		t.Errorf("item at %v, want 1:8", p)
	}
}
