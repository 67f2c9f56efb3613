package synth

import (
	"strings"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Placer places a position in a string's text (line and column from 1) in
// the input file.
type Placer func(analyzer.Position) analyzer.Location

// StringPlacer places the text of the string s found at path of doc.
// A block scalar (|, |-, >) written in the file is placed line by line and
// column by column; any other string (quoted, plain, or from a rendered
// document whose text is not the file's) at its key.
func StringPlacer(file string, doc source.Doc, path []any, s string) Placer {
	at := doc.Locate(file, path)
	whole := func(analyzer.Position) analyzer.Location { return at }
	if doc.Origin != nil || doc.Text == nil || len(path) == 0 {
		return whole
	}
	if _, ok := path[len(path)-1].(string); !ok {
		return whole
	}
	key, exact := doc.Pos.Lookup(path)
	if !exact || key.Line < 1 {
		return whole
	}
	chars, ok := blockScalar(doc.Text, key, s)
	if !ok {
		return whole
	}
	return func(p analyzer.Position) analyzer.Location {
		line, col := 1, 1
		for i, r := range []rune(s) {
			if i >= len(chars) {
				break
			}
			if line == p.Line && col == p.Column {
				return analyzer.Location{File: file, Line: chars[i].Line, Column: chars[i].Column}
			}
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		return at
	}
}

// blockScalar finds the block scalar whose key is at key and returns the
// file position of each character of its value, when the text read back
// from the file is s (modulo final line breaks).
func blockScalar(text []byte, key analyzer.Position, s string) ([]analyzer.Position, bool) {
	lines := strings.Split(string(text), "\n")
	if key.Line > len(lines) {
		return nil, false
	}
	head := []rune(strings.TrimSuffix(lines[key.Line-1], "\r"))
	i := key.Column - 1
	for i < len(head) && head[i] != ':' {
		i++
	}
	if i >= len(head) {
		return nil, false
	}
	rest := strings.TrimSpace(string(head[i+1:]))
	if c, _, found := strings.Cut(rest, "#"); found {
		rest = strings.TrimSpace(c)
	}
	if rest == "" || (rest[0] != '|' && rest[0] != '>') || strings.ContainsAny(rest[1:], "0123456789") {
		return nil, false // not a block scalar, or one with an explicit indentation
	}
	folded := rest[0] == '>'
	type content struct {
		line  int // 1-based
		runes []rune
	}
	var body []content
	indent := -1
	for n := key.Line; n < len(lines); n++ {
		l := []rune(strings.TrimSuffix(lines[n], "\r"))
		lead := 0
		for lead < len(l) && l[lead] == ' ' {
			lead++
		}
		if lead == len(l) {
			body = append(body, content{line: n + 1})
			continue
		}
		if indent < 0 {
			indent = lead
		}
		if lead < indent {
			break
		}
		body = append(body, content{line: n + 1, runes: l[indent:]})
	}
	for len(body) > 0 && len(body[len(body)-1].runes) == 0 {
		body = body[:len(body)-1]
	}
	if indent <= 0 {
		return nil, false
	}
	var out []rune
	var pos []analyzer.Position
	add := func(r rune, p analyzer.Position) { out = append(out, r); pos = append(pos, p) }
	const none, normal, more = 0, 1, 2
	prev, empty := none, 0
	var last analyzer.Position
	for _, c := range body {
		if len(c.runes) == 0 {
			if !folded {
				add('\n', last)
				last = analyzer.Position{Line: c.line, Column: 1}
				continue
			}
			empty++
			continue
		}
		kind := normal
		if c.runes[0] == ' ' || c.runes[0] == '\t' {
			kind = more
		}
		switch {
		case prev == none:
			for ; empty > 0; empty-- {
				add('\n', last)
			}
		case !folded:
			add('\n', last)
		case empty > 0:
			if prev != normal || kind != normal {
				add('\n', last)
			}
			for ; empty > 0; empty-- {
				add('\n', last)
			}
		case prev == normal && kind == normal:
			add(' ', last)
		default:
			add('\n', last)
		}
		for j, r := range c.runes {
			add(r, analyzer.Position{Line: c.line, Column: indent + j + 1})
		}
		last = analyzer.Position{Line: c.line, Column: indent + len(c.runes) + 1}
		prev = kind
	}
	if strings.TrimRight(string(out), "\n") != strings.TrimRight(s, "\n") {
		return nil, false
	}
	return pos, true
}

// JSONPlacer places the paths of a policy held in the string s with
// place: a path inside the decoded JSON at the line and column of its key
// or value.
func JSONPlacer(s string, place Placer) func(rest []any) (analyzer.Location, bool) {
	docs, err := source.Decode([]byte(s))
	if err != nil || len(docs) != 1 {
		return func([]any) (analyzer.Location, bool) { return analyzer.Location{}, false }
	}
	pos := docs[0].Pos
	return func(rest []any) (analyzer.Location, bool) {
		p, _ := pos.Lookup(rest)
		if p.Line == 0 {
			return analyzer.Location{}, false
		}
		return place(p), true
	}
}
