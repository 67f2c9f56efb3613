package terraform

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/internal/synth"
	"github.com/irsalint/irsalint/analyzer/source"
)

// origin places the paths of a rendered document in the HCL that gave them
// their value: a statement at its statement block, a condition key at its
// variable attribute, an object key of jsonencode({...}) at its line. A path
// not recorded is placed where its longest recorded prefix is.
type origin struct{ *synth.Origin }

func newOrigin() *origin { return &origin{synth.NewOrigin(analyzer.Location{})} }

func (o *origin) set(path []any, r hcl.Range) { o.Set(path, location(r)) }

// setLoc places path at l, unless l is nowhere.
func (o *origin) setLoc(path []any, l analyzer.Location) { o.Set(path, l) }

// include copies another origin's places under prefix.
func (o *origin) include(prefix []any, other *origin) {
	if other != nil {
		o.Include(prefix, other.Origin)
	}
}

// positions mounts the positions of a JSON text decoded from a string
// that starts at line first of file.
func (o *origin) positions(prefix []any, file string, pos *source.Positions, first int) {
	o.Mount(prefix, func(rest []any) (analyzer.Location, bool) {
		p, _ := pos.Lookup(rest)
		if p.Line == 0 {
			return analyzer.Location{}, false
		}
		return analyzer.Location{File: file, Line: p.Line + first - 1, Column: p.Column}, true
	})
}

func join(base []any, more ...any) []any { return synth.Join(base, more...) }
