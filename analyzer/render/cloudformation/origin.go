package cloudformation

import (
	"strconv"
	"strings"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/source"
)

// origin places the paths of a rendered document at the template's lines:
// a property at its key, a value at the value (the !Sub that built it). A
// path not recorded is placed where its longest recorded prefix is.
type origin struct {
	at     map[string]analyzer.Location
	mounts []mount
}

// mount hands the paths under prefix to the positions of a JSON document
// held in a string.
type mount struct {
	prefix []any
	file   string
	pos    *source.Positions
	first  int // the file's line of the text's first line
	indent int // the columns YAML removed from each line of a block scalar
}

func newOrigin() *origin { return &origin{at: map[string]analyzer.Location{}} }

func pathKey(path []any) string {
	var b strings.Builder
	for _, el := range path {
		switch v := el.(type) {
		case string:
			b.WriteString("\x00s")
			b.WriteString(v)
		case int:
			b.WriteString("\x00i")
			b.WriteString(strconv.Itoa(v))
		}
	}
	return b.String()
}

// set places path at l; a nil path is a value evaluated for its use only
// (a Join's delimiter), which has no place in the document.
func (o *origin) set(path []any, l analyzer.Location) {
	if path != nil {
		o.at[pathKey(path)] = l
	}
}

// moved re-roots the places under from at to.
func (o *origin) moved(from, to []any) *origin {
	out := newOrigin()
	f := pathKey(from)
	for k, l := range o.at {
		if strings.HasPrefix(k, f) {
			out.at[pathKey(to)+k[len(f):]] = l
		}
	}
	return out
}

// Locate implements source.Locator.
func (o *origin) Locate(path []any) (analyzer.Location, []analyzer.Related) {
	for _, m := range o.mounts {
		if len(path) >= len(m.prefix) && pathKey(path[:len(m.prefix)]) == pathKey(m.prefix) {
			if p, _ := m.pos.Lookup(path[len(m.prefix):]); p.Line > 0 {
				return analyzer.Location{File: m.file, Line: m.first + p.Line - 1, Column: p.Column + m.indent}, nil
			}
		}
	}
	for n := len(path); n >= 0; n-- {
		if l, ok := o.at[pathKey(path[:n])]; ok {
			return l, nil
		}
	}
	return analyzer.Location{}, nil
}
