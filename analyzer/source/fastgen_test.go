package source

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// yamlGen writes random texts close to the YAML of manifests, mixing valid
// constructs with the edge cases the fast path must either read as yaml.v3
// does or give up on: odd indentation, scalars that resolve to other types,
// escapes, block scalar headers, comments in awkward places, markers.
type yamlGen struct {
	r *rand.Rand
	b strings.Builder
}

func (g *yamlGen) pick(s []string) string { return s[g.r.IntN(len(s))] }
func (g *yamlGen) chance(n int) bool      { return g.r.IntN(n) == 0 }

// pickMostly picks among s but its last bad strings, and now and then among
// all of them.
func (g *yamlGen) pickMostly(s []string, bad int) string {
	if g.chance(15) {
		return g.pick(s)
	}
	return s[g.r.IntN(len(s)-bad)]
}

// Each pool starts with valid, common strings; its last bad ones are what
// the fast path gives up on or yaml.v3 rejects, picked now and then.
var (
	genPlain = []string{
		"a", "app", "yes", "No", "~", "null", "0x1F", "1_000", "12", "-1", "+1", "1.5", ".inf", "-.inf", ".nan",
		"2024-01-01", "2024-01-01T10:00:00Z", "a b", "a:b", "a#b", "http://x.y/z?q=1", "-x", "?x", ":x", "<<",
		"a,b", "[x", "x]", "{x", "é😀", "0400", "08", "1e3", "9223372036854775808", "18446744073709551616",
		"0b101", "true", "off", "y", "n", "-", "--", "---x", "a - b", "a  ", "x'y", "x\"y", "3.14", "1.0", "-0",
		"0.", "500m", "512Mi", "v1", "TCP",
		"@x", "`x", "%x", "!x", "&a x", "*a", "a\tb", "a: b",
	}
	genPlainBad = 8
	genKeys     = []string{
		"a", "b", "name", "kind", "metadata", "spec", "items", "1", "1.0", "0x10", "true", "y", "Yes",
		"a b", "a.b/c", "-k", "\"q\"", "'s'", "\"a\\tb\"", "'it''s'", "\"\"", "'<<'", "é", "k#1", "?k", ":k",
		"2024-01-01", ".5", "a:b",
		"18446744073709551615", "<<", "~", "null", "? k",
	}
	genKeysBad = 5
	genQuoted  = []string{
		`"x"`, `""`, `''`, `'it''s'`, `"a\"b"`, `"\t\n\\"`, `"\x41\u00e9\U0001F600"`, `"\N\_\L\P"`,
		`"\0\a\b\v\f\r\e\ "`, `'a\b'`, `"a # b"`, "\"a\tb\"",
		"\"multi\n  line\"", "'multi\n\n  para'", "\"esc\\\n  aped\"", "\"esc\\\n\n  aped\"", "\"a  \n  b  \"",
		"'a\n b\n\n\n c'", "\"x\n  y\"", "'x\n  \ty'",
		`"\/"`, `"\ud800"`, `"\q"`, `"\x4"`, `'x' y`, `"x"#c`, `"x": y`, "\"x\n---\n\"", "\"unclosed",
		"\"x\ny\"",
	}
	genQuotedBad = 10
	genFlow      = []string{
		"{}", "[]", "[ ]", "{ }", "[a, b]", "[1, yes, ~, \"q\", 'r']", "{a: 1, b: [x, y]}", "{cpu: 500m, memory: 512Mi}",
		"[a, {b: c}]", "[a , b ]", "{\"a\": 1}", "{a:1}", "{a: 1, a: 2}", "[[], {}]", "[a b, c]",
		"[-1, -x, -]", "[http://x, a:b]", "{a: [1, [2, [3]]]}", "{1: a, true: b, y: c}",
		"[a,]", "{a}", "[a: b]", "[a, b] c", "{a: }", "[a # c]", "[a\t, b]", "{? a: b}", "[!x a]", "[&a x]",
		"['x', \"y\"]: z", "[a,\n b]",
	}
	genFlowBad  = 12
	genComments = []string{"# c", "#", "# a: b", "#\t tab", "  # indented", "#c"}
)

func (g *yamlGen) scalar(indent int) string {
	switch g.r.IntN(10) {
	case 0, 1:
		return g.pickMostly(genQuoted, genQuotedBad)
	case 2:
		return g.pickMostly(genFlow, genFlowBad)
	case 3:
		return g.block(indent)
	case 4:
		// A plain scalar over several lines.
		s := g.pickMostly(genPlain, genPlainBad)
		for range 1 + g.r.IntN(3) {
			if g.chance(3) {
				s += "\n"
			}
			more := 1 + g.r.IntN(2)
			if g.chance(10) {
				more = g.r.IntN(2) - 1
			}
			s += "\n" + strings.Repeat(" ", max(indent+more, 0)) + g.pickMostly(genPlain, genPlainBad)
		}
		return s
	}
	s := g.pickMostly(genPlain, genPlainBad)
	if g.chance(6) {
		s += " " + g.pick(genComments)
	}
	return s
}

func (g *yamlGen) block(indent int) string {
	header := g.pickMostly([]string{"|", "|-", "|+", ">", ">-", ">+", "|2", "|1-", "|-1", ">2+", "| # c", "|0", "|#c", "|x", "|\t"}, 4)
	var b strings.Builder
	b.WriteString(header)
	content := indent + 1 + g.r.IntN(3)
	for range g.r.IntN(5) {
		b.WriteByte('\n')
		switch g.r.IntN(8) {
		case 0:
			// an empty line
		case 1:
			b.WriteString(strings.Repeat(" ", content+g.r.IntN(3)))
		case 2:
			b.WriteString(strings.Repeat(" ", content+1+g.r.IntN(2)) + "more indented")
		case 3:
			b.WriteString(strings.Repeat(" ", max(content+g.r.IntN(2)-g.r.IntN(2), 0)) + "\ttab")
		case 4:
			b.WriteString(strings.Repeat(" ", content) + "# not a comment")
		default:
			b.WriteString(strings.Repeat(" ", content) + g.pickMostly(genPlain, genPlainBad))
		}
	}
	return b.String()
}

// node writes a node for a value at the given block indentation; inline
// tells that it follows "key:" or "- " on the same line.
func (g *yamlGen) node(indent, depth int) string {
	if depth > 3 || g.chance(3) {
		return " " + g.scalar(indent)
	}
	child := indent + 1 + g.r.IntN(3)
	if g.chance(20) {
		child = indent + g.r.IntN(2) // odd indentation
	}
	var b strings.Builder
	b.WriteString(g.comment())
	b.WriteByte('\n')
	if g.chance(2) {
		g.mapping(&b, child, depth+1)
	} else {
		g.sequence(&b, child, depth+1)
	}
	return b.String()
}

func (g *yamlGen) comment() string {
	if g.chance(8) {
		return " " + g.pick(genComments)
	}
	return ""
}

func (g *yamlGen) lines(b *strings.Builder) {
	switch g.r.IntN(12) {
	case 0:
		b.WriteString("\n")
	case 1:
		b.WriteString(strings.Repeat(" ", g.r.IntN(6)) + g.pick(genComments) + "\n")
	}
}

func (g *yamlGen) mapping(b *strings.Builder, indent, depth int) {
	pad := strings.Repeat(" ", indent)
	for i := range 1 + g.r.IntN(3) {
		if inline := i == 0 && strings.HasSuffix(b.String(), " "); !inline {
			g.lines(b)
			b.WriteString(pad)
		}
		b.WriteString(g.pickMostly(genKeys, genKeysBad))
		b.WriteString(":")
		switch {
		case g.chance(6):
			b.WriteString(g.comment()) // a null value
		case g.chance(5):
			// A sequence at the key's indentation.
			b.WriteString(g.comment() + "\n")
			g.sequence(b, indent, depth+1)
			continue
		default:
			b.WriteString(g.node(indent, depth))
		}
		b.WriteString("\n")
	}
}

func (g *yamlGen) sequence(b *strings.Builder, indent, depth int) {
	pad := strings.Repeat(" ", indent)
	for i := range 1 + g.r.IntN(3) {
		if inline := i == 0 && strings.HasSuffix(b.String(), " "); !inline {
			g.lines(b)
			b.WriteString(pad)
		}
		b.WriteString("-")
		switch g.r.IntN(6) {
		case 0:
			b.WriteString(g.comment()) // a null item
		case 1:
			// A compact mapping: "- key: value".
			b.WriteString(" ")
			g.mapping(b, indent+2, depth+1)
			continue
		case 2:
			b.WriteString(" ")
			g.sequence(b, indent+2, depth+1)
			continue
		default:
			b.WriteString(g.node(indent, depth))
		}
		b.WriteString("\n")
	}
}

func (g *yamlGen) text() []byte {
	g.b.Reset()
	if g.chance(10) {
		g.b.WriteString("\ufeff")
	}
	for d := range 1 + g.r.IntN(2) {
		if d > 0 || g.chance(3) {
			g.b.WriteString(g.pickMostly([]string{"---\n", "--- # Source: x\n", "---\n# Source: chart/templates/a.yaml\n", "---   \n", "...\n---\n", "--- x\n"}, 1))
		}
		switch g.r.IntN(6) {
		case 0:
			g.sequence(&g.b, 0, 0)
		case 1:
			g.b.WriteString(g.scalar(-1) + "\n")
		default:
			g.mapping(&g.b, 0, 0)
		}
		if g.chance(8) {
			g.b.WriteString("...\n")
		}
	}
	s := g.b.String()
	if g.chance(5) {
		s = strings.ReplaceAll(s, "\n", "\r\n")
	}
	if g.chance(8) {
		s = strings.TrimSuffix(s, "\n")
	}
	return []byte(s)
}

// TestFastPathGenerated compares the two paths on random texts.
func TestFastPathGenerated(t *testing.T) {
	n := 5000
	if testing.Short() {
		n = 1000
	}
	g := &yamlGen{r: rand.New(rand.NewPCG(1, 2))}
	handled := 0
	for range n {
		if compareFast(t, g.text()) {
			handled++
		}
	}
	t.Logf("the fast path handled %d of %d generated texts", handled, n)
	if handled < n/10 {
		t.Errorf("the fast path handled only %d of %d generated texts", handled, n)
	}
}
