package helm

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/source"
)

// template is one template file of the chart: where it is shown, its text,
// for placing paths at the line of their key (none for a template inside an
// archive), and the values files its values may come from, highest
// precedence first.
type template struct {
	display string
	lines   []string
	values  []valueSource
}

// templateFile names a rendered template the chart tree does not hold
// (none should): by its path under the chart's folder.
func templateFile(u source.Unit, name string) template {
	rel := name
	if i := strings.Index(name, "/"); i >= 0 {
		rel = name[i+1:] // the rendered name starts with the chart's name
	}
	return template{display: path.Join(u.Path, rel)}
}

// locate places a path of a rendered object in its template: the line of
// the path's last key found in order (spec:, then template: below it, ...),
// which for a value the template takes from .Values is the line that emits
// it; line 1 when no key is written out.
func (t template) locate(p []any) analyzer.Location {
	line, from := 0, 0
	for _, el := range p {
		key, ok := el.(string)
		if !ok {
			continue
		}
		for i := from; i < len(t.lines); i++ {
			if keyOnLine(t.lines[i], key) {
				line, from = i+1, i+1
				break
			}
		}
	}
	if line == 0 && len(t.lines) > 0 {
		line = 1
	}
	return analyzer.Location{File: t.display, Line: line}
}

func keyOnLine(text, key string) bool {
	s := strings.TrimLeft(text, " \t-")
	for _, k := range []string{key, strconv.Quote(key), "'" + key + "'"} {
		if strings.HasPrefix(s, k+":") {
			return true
		}
	}
	return false
}

// valueSource is a values file a rendered value may come from: values
// holds the part of the file the template's chart gets, at prefix in doc
// (a parent chart gives its dependency the values under the dependency's
// name).
type valueSource struct {
	display string
	values  map[string]any
	doc     *source.Doc // nil for a file inside an archive: no line to show
	prefix  []any
}

func (v valueSource) locate(at []any) analyzer.Location {
	if v.doc == nil {
		return analyzer.Location{File: v.display}
	}
	full := append(append([]any{}, v.prefix...), at...)
	return v.doc.Locate(v.display, full)
}

// scoped is the source as the chart at prefix (keys from the root chart)
// sees it; ok is false when the file gives that chart nothing.
func (v valueSource) scoped(prefix []any) (valueSource, bool) {
	m := v.values
	for _, k := range prefix {
		sub, ok := m[k.(string)].(map[string]any)
		if !ok {
			return v, false
		}
		m = sub
	}
	v.values, v.prefix = m, append(append([]any{}, v.prefix...), prefix...)
	return v, true
}

// chartValues decodes a chart's values.yaml for placing values at its
// lines.
func chartValues(display string, data []byte, archived bool) (valueSource, bool) {
	docs, err := source.Decode(data)
	if err != nil || len(docs) == 0 {
		return valueSource{}, false
	}
	m, ok := docs[0].Value.(map[string]any)
	if !ok {
		return valueSource{}, false
	}
	v := valueSource{display: display, values: m}
	if !archived {
		v.doc = &docs[0]
	}
	return v, true
}

// userSources are the --values files, from the last (which wins) to the
// first.
func userSources(user given) []valueSource {
	var out []valueSource
	for i := len(user.files) - 1; i >= 0; i-- {
		f := user.files[i]
		out = append(out, valueSource{display: f.display, values: f.values, doc: &f.doc})
	}
	return out
}

// origin places the paths of one rendered object.
type origin struct {
	template template
	doc      map[string]any
	sources  []valueSource
	set      map[string]any
}

// minTraced is the shortest value traced back to a values file: shorter
// ones ("true", "80") would match unrelated keys.
const minTraced = 4

// Locate points a path whose value came from a values file at the line of
// its key there, with the template as a related location; other paths at
// their template's line.
func (o *origin) Locate(p []any) (analyzer.Location, []analyzer.Related) {
	tl := o.template.locate(p)
	v, ok := valueAt(o.doc, p)
	s, scalar := scalarText(v)
	if !ok || !scalar || len(s) < minTraced {
		return tl, nil
	}
	if _, fromSet := findValue(o.set, s, lastKey(p)); fromSet {
		return tl, nil // given with --set: the template is the place in the tree
	}
	for _, src := range o.sources {
		at, found := findValue(src.values, s, lastKey(p))
		if !found {
			continue
		}
		loc := src.locate(at)
		return loc, []analyzer.Related{{Location: tl, Message: fmt.Sprintf("the template that renders this value (%s)", source.FormatPath(at))}}
	}
	return tl, nil
}

func valueAt(v any, p []any) (any, bool) {
	for _, el := range p {
		switch x := v.(type) {
		case map[string]any:
			k, ok := el.(string)
			if !ok {
				return nil, false
			}
			if v, ok = x[k]; !ok {
				return nil, false
			}
		case []any:
			i, ok := index(el)
			if !ok || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func index(el any) (int, bool) {
	switch n := el.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), n == float64(int(n))
	}
	return 0, false
}

func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func lastKey(p []any) string {
	for i := len(p) - 1; i >= 0; i-- {
		if k, ok := p[i].(string); ok {
			return k
		}
	}
	return ""
}

// findValue finds the path of a scalar equal to s in a values tree: one
// whose key is key when there is one, else the first in key order.
func findValue(values map[string]any, s, key string) ([]any, bool) {
	var first, best []any
	var walk func(v any, at []any)
	walk = func(v any, at []any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(x[k], append(append([]any{}, at...), k))
			}
		case []any:
			for i, it := range x {
				walk(it, append(append([]any{}, at...), i))
			}
		default:
			if t, ok := scalarText(x); ok && t == s {
				if first == nil {
					first = at
				}
				if best == nil && len(at) > 0 && at[len(at)-1] == key {
					best = at
				}
			}
		}
	}
	walk(values, nil)
	if best != nil {
		return best, true
	}
	return first, first != nil
}

// templatePosRE finds "chart/templates/x.yaml:12:20" (or ":12") in the
// Helm engine's errors.
var templatePosRE = regexp.MustCompile(`([A-Za-z0-9_.-]+(?:/charts/[A-Za-z0-9_.-]+)*/templates/[^:\s)"]+):(\d+)(?::(\d+))?`)

// templateError turns an engine error into a diagnostic at the template's
// line (the name in Helm's message is the rendered one, which lookup maps
// to the file); a template inside an archive is placed at the archive.
func templateError(err error, chartFile string, lookup func(string) template) analyzer.Diagnostic {
	msg := err.Error()
	d := analyzer.Diagnostic{Level: analyzer.LevelError, Location: analyzer.Location{File: chartFile}, Message: "the chart does not render: " + msg}
	if m := templatePosRE.FindStringSubmatch(msg); m != nil {
		t := lookup(m[1])
		d.Location = analyzer.Location{File: t.display}
		if t.lines != nil {
			d.Location.Line, _ = strconv.Atoi(m[2])
			d.Location.Column, _ = strconv.Atoi(m[3])
		}
	}
	return d
}
