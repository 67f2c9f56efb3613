package synth

import (
	"testing"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/source"
)

// place decodes text, finds the string at path, and places the JSON path
// inside it.
func place(t *testing.T, text string, path []any, inner []any) analyzer.Location {
	t.Helper()
	docs, err := source.Decode([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	var v any = docs[0].Value
	for _, el := range path {
		v = v.(map[string]any)[el.(string)]
	}
	s := v.(string)
	loc, ok := JSONPlacer(s, StringPlacer("f.yaml", docs[0], path, s))(inner)
	if !ok {
		t.Fatalf("%v not placed", inner)
	}
	return loc
}

func TestStringPlacer(t *testing.T) {
	inner := []any{"Statement", 0, "Condition"}
	for _, tc := range []struct {
		name, text string
		line, col  int
	}{
		{"literal", "spec:\n  doc: |\n    {\"Statement\": [\n      {\"Condition\": {}}\n    ]}\n", 4, 8},
		{"literal strip", "spec:\n  doc: |-\n    {\"Statement\": [\n      {\"Condition\": {}}\n    ]}\nnext: 1\n", 4, 8},
		{"literal keep, blank line inside", "spec:\n  doc: |+\n    {\"Statement\": [\n\n      {\"Condition\": {}}\n    ]}\n\n", 5, 8},
		{"literal with a comment after the indicator", "spec:\n  doc: |  # the trust\n    {\"Statement\": [\n      {\"Condition\": {}}]}\n", 4, 8},
		// Folded: lines as indented as the first are joined with spaces,
		// so the JSON's line 1 spans three lines of the file.
		{"folded", "spec:\n  doc: >\n    {\"Statement\":\n    [{\"Effect\": \"Allow\",\n    \"Condition\": {}}]}\n", 5, 5},
		{"folded, more indented lines kept", "spec:\n  doc: >\n    {\n      \"Statement\": [\n        {\"Condition\": {}}\n      ]\n    }\n", 5, 10},
		// A quoted or plain one-line string: its key's line.
		{"double quoted", "spec:\n  doc: \"{\\\"Statement\\\": [{\\\"Condition\\\": {}}]}\"\n", 2, 3},
		{"single quoted", "spec:\n  doc: '{\"Statement\": [{\"Condition\": {}}]}'\n", 2, 3},
		// A quoted string over several lines is not matched line by line.
		{"quoted over lines", "spec:\n  doc: \"{\\\"Statement\\\": [\n    {\\\"Condition\\\": {}}]}\"\n", 2, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc := place(t, tc.text, []any{"spec", "doc"}, inner)
			if loc.File != "f.yaml" || loc.Line != tc.line || loc.Column != tc.col {
				t.Errorf("placed at %d:%d, want %d:%d", loc.Line, loc.Column, tc.line, tc.col)
			}
		})
	}
}

// A rendered document's text is not the file the person edits: its
// strings are placed whole, where the document's Origin says.
func TestStringPlacerRendered(t *testing.T) {
	text := "doc: |\n  {\"Statement\": [\n    {\"Condition\": {}}]}\n"
	docs, err := source.Decode([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	d := docs[0]
	d.Origin = NewOrigin(analyzer.Location{File: "chart/templates/role.yaml", Line: 7})
	s := d.Value.(map[string]any)["doc"].(string)
	loc, _ := JSONPlacer(s, StringPlacer("rendered.yaml", d, []any{"doc"}, s))([]any{"Statement", 0, "Condition"})
	if loc.File != "chart/templates/role.yaml" || loc.Line != 7 {
		t.Errorf("placed at %v", loc)
	}
}

func TestOriginLongestPrefix(t *testing.T) {
	o := NewOrigin(analyzer.Location{File: "c.yaml", Line: 1})
	o.Set([]any{"Roles", 0}, analyzer.Location{File: "c.yaml", Line: 10})
	o.Set([]any{"Roles", 0, "AssumeRolePolicyDocument", "Statement", 0, "Condition", "StringEquals", "x:sub"}, analyzer.Location{File: "c.yaml", Line: 12})
	for _, tc := range []struct {
		path []any
		line int
	}{
		{[]any{"Roles", 0, "AssumeRolePolicyDocument", "Statement", int64(0), "Condition", "StringEquals", "x:sub"}, 12},
		{[]any{"Roles", 0, "AssumeRolePolicyDocument", "Statement", 0.0, "Action"}, 10},
		{[]any{"Roles", 1}, 1},
	} {
		if loc, _ := o.Locate(tc.path); loc.Line != tc.line {
			t.Errorf("%v at line %d, want %d", tc.path, loc.Line, tc.line)
		}
	}
}
