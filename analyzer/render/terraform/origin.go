package terraform

import (
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/source"
)

// origin places the paths of a rendered document in the HCL that gave them
// their value: a statement at its statement block, a condition key at its
// variable attribute, an object key of jsonencode({...}) at its line. A path
// not recorded is placed where its longest recorded prefix is.
type origin struct {
	at     map[string]analyzer.Location
	mounts []mount
}

// mount hands the paths under prefix to a locator of their own (a policy
// document decoded from a heredoc, placed by the JSON's positions).
type mount struct {
	prefix []any
	loc    func(rest []any) (analyzer.Location, bool)
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
		case int64:
			b.WriteString("\x00i")
			b.WriteString(strconv.FormatInt(v, 10))
		case float64:
			b.WriteString("\x00i")
			b.WriteString(strconv.FormatInt(int64(v), 10))
		}
	}
	return b.String()
}

func (o *origin) set(path []any, r hcl.Range) { o.at[pathKey(path)] = location(r) }

func (o *origin) setLoc(path []any, l analyzer.Location) {
	if l.File != "" {
		o.at[pathKey(path)] = l
	}
}

// include copies another origin's places under prefix.
func (o *origin) include(prefix []any, other *origin) {
	if other == nil {
		return
	}
	p := pathKey(prefix)
	for k, l := range other.at {
		o.at[p+k] = l
	}
	for _, m := range other.mounts {
		o.mounts = append(o.mounts, mount{prefix: join(prefix, m.prefix...), loc: m.loc})
	}
}

// positions mounts the positions of a JSON text decoded from a string
// that starts at line first of file.
func (o *origin) positions(prefix []any, file string, pos *source.Positions, first int) {
	o.mounts = append(o.mounts, mount{prefix: prefix, loc: func(rest []any) (analyzer.Location, bool) {
		p, _ := pos.Lookup(rest)
		if p.Line == 0 {
			return analyzer.Location{}, false
		}
		return analyzer.Location{File: file, Line: p.Line + first - 1, Column: p.Column}, true
	}})
}

// Locate implements source.Locator.
func (o *origin) Locate(path []any) (analyzer.Location, []analyzer.Related) {
	for _, m := range o.mounts {
		if hasPrefix(path, m.prefix) {
			if l, ok := m.loc(path[len(m.prefix):]); ok {
				return l, nil
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

func hasPrefix(path, prefix []any) bool {
	if len(prefix) > len(path) {
		return false
	}
	return pathKey(path[:len(prefix)]) == pathKey(prefix)
}

func join(base []any, more ...any) []any {
	out := make([]any, 0, len(base)+len(more))
	return append(append(out, base...), more...)
}
