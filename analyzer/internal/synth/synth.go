// Package synth builds the documents irsalint's readers know (get-role
// output, ServiceAccounts, Pod Identity associations) from inputs that
// describe the same objects in another shape (an eksctl ClusterConfig, an
// ACK or Crossplane resource), with a Locator that places every path of
// the built document at the line of the input that gave it its value.
package synth

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/reader"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Origin places the paths of a built document. A path not recorded is
// placed where its longest recorded prefix is.
type Origin struct {
	at     map[string]analyzer.Location
	mounts []mount
}

// mount hands the paths under prefix to a locator of their own (a policy
// held in a string, placed by its JSON's positions).
type mount struct {
	prefix []any
	loc    func(rest []any) (analyzer.Location, bool)
}

// NewOrigin starts an Origin that places the root at root.
func NewOrigin(root analyzer.Location) *Origin {
	o := &Origin{at: map[string]analyzer.Location{}}
	o.Set(nil, root)
	return o
}

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

// Set places path (and what is under it, unless placed too) at l.
func (o *Origin) Set(path []any, l analyzer.Location) {
	if l.File != "" {
		o.at[pathKey(path)] = l
	}
}

// Mount places the paths under prefix with loc, given the rest of the path;
// a path loc does not place falls back to the recorded places.
func (o *Origin) Mount(prefix []any, loc func(rest []any) (analyzer.Location, bool)) {
	o.mounts = append(o.mounts, mount{prefix: append([]any(nil), prefix...), loc: loc})
}

// Include copies other's places and mounts under prefix.
func (o *Origin) Include(prefix []any, other *Origin) {
	p := pathKey(prefix)
	for k, l := range other.at {
		o.at[p+k] = l
	}
	for _, m := range other.mounts {
		o.mounts = append(o.mounts, mount{prefix: Join(prefix, m.prefix...), loc: m.loc})
	}
}

// Locate implements source.Locator.
func (o *Origin) Locate(path []any) (analyzer.Location, []analyzer.Related) {
	for _, m := range o.mounts {
		if len(m.prefix) <= len(path) && pathKey(path[:len(m.prefix)]) == pathKey(m.prefix) {
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

// Doc builds the document of value, placed by o, as the index-th document
// of its file (refs name it so).
func Doc(index int, value map[string]any, o *Origin) (source.Doc, error) {
	data, err := json.Marshal(value)
	if err != nil {
		return source.Doc{}, err
	}
	docs, err := source.Decode(data)
	if err != nil {
		return source.Doc{}, err
	}
	if len(docs) != 1 {
		return source.Doc{}, fmt.Errorf("built %d documents, want one", len(docs))
	}
	d := docs[0]
	d.Index, d.Origin, d.Text = index, o, nil
	return d, nil
}

// Read hands a built document to r; its items are placed by the
// document's Origin.
func Read(r reader.Reader, file string, doc source.Doc) reader.Result {
	res := r.Read(file, doc)
	for i := range res.Items {
		if res.Items[i].Origin == nil {
			res.Items[i].Origin = doc.Origin
		}
	}
	return res
}

// Merge adds what a built document gave to res, without counting it as a
// document of its own.
func Merge(res *reader.Result, r reader.Result) {
	res.Items = append(res.Items, r.Items...)
	res.Diagnostics = append(res.Diagnostics, r.Diagnostics...)
	res.Facts = append(res.Facts, r.Facts...)
}

// Join returns base followed by more, in a new slice.
func Join(base []any, more ...any) []any {
	out := make([]any, 0, len(base)+len(more))
	return append(append(out, base...), more...)
}
