package k8s

import (
	"fmt"
	"strings"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Kinds irsalint reads, with the API groups that define them. An object of one
// of these kinds in another group (a CRD that reuses the name) is not ours.
var kindGroups = map[string][]string{
	"Pod":                   {""},
	"ReplicationController": {""},
	"ServiceAccount":        {""},
	"Namespace":             {""},
	"Deployment":            {"apps", "extensions"},
	"StatefulSet":           {"apps"},
	"DaemonSet":             {"apps", "extensions"},
	"ReplicaSet":            {"apps", "extensions"},
	"Job":                   {"batch"},
	"CronJob":               {"batch"},
}

// Object is one Kubernetes object read from a file: a whole document, or one
// item of a List document.
type Object struct {
	Ref        string
	Kind       string
	APIVersion string
	Namespace  string
	// NamespaceExplicit is false when metadata.namespace is absent and the
	// object lands in "default", as kubectl would place it without -n.
	NamespaceExplicit bool
	Name              string
	Raw               map[string]any
	File              string
	// Base is the path from the document root to the object (nil, or
	// ["items", j] for an item of a List).
	Base []any
	// Pos holds the positions of the whole document; Origin places a
	// rendered document's paths in its sources.
	Pos    *source.Positions
	Origin source.Locator
}

// Describe names the object for messages: "Deployment prod/api".
func (o *Object) Describe() string {
	if o.Kind == "Namespace" {
		return "Namespace " + o.Name
	}
	return fmt.Sprintf("%s %s/%s", o.Kind, o.Namespace, o.Name)
}

// Location turns a path relative to the object into a file position.
func (o *Object) Location(path []any) analyzer.Location {
	full := make([]any, 0, len(o.Base)+len(path))
	full = append(append(full, o.Base...), path...)
	return source.Doc{Pos: o.Pos, Origin: o.Origin}.Locate(o.File, full)
}

// Extraction is what one document holds for irsalint.
type Extraction struct {
	Objects []*Object
	// Ignored counts documents and List items of kinds irsalint does not read.
	Ignored int
	// Documents counts what was looked at: 1, or the items of a List.
	Documents   int
	Diagnostics []analyzer.Diagnostic
}

// IsKubernetes reports whether a decoded document looks like a Kubernetes
// object (it has string apiVersion and kind). Other YAML and JSON — a
// package.json, a workflow file — is not ours and is passed over quietly.
func IsKubernetes(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	av, ok1 := m["apiVersion"].(string)
	k, ok2 := m["kind"].(string)
	return ok1 && ok2 && av != "" && k != ""
}

// Extract returns the objects irsalint reads from one Kubernetes document,
// expanding kind: List (and *List) as kubectl prints them.
func Extract(file string, doc source.Doc) Extraction {
	var ex Extraction
	m, ok := doc.Value.(map[string]any)
	if !ok || !IsKubernetes(m) {
		ex.Ignored++
		return ex
	}
	for _, d := range doc.Duplicates {
		// kubectl rejects duplicate keys; so do we, but we still analyze the
		// object as Kubernetes' lenient readers would (last key wins).
		ex.Diagnostics = append(ex.Diagnostics, analyzer.Diagnostic{
			Level:    analyzer.LevelError,
			Location: analyzer.Location{File: file, Line: d.At.Line, Column: d.At.Column},
			Message:  fmt.Sprintf("mapping key %q already defined at line %d", d.Key, d.First.Line),
		})
	}
	kind := m["kind"].(string)
	if items, isList := m["items"]; isList && (kind == "List" || strings.HasSuffix(kind, "List")) {
		list, ok := items.([]any)
		if !ok {
			if items != nil {
				ex.Diagnostics = append(ex.Diagnostics, typeError(file, doc, []any{"items"}, "a list", items))
			}
			return ex
		}
		ex.Documents = len(list)
		for j, it := range list {
			base := []any{"items", j}
			if !IsKubernetes(it) {
				ex.Ignored++
				continue
			}
			o, diag := newObject(file, doc, base, it.(map[string]any))
			if diag != nil {
				ex.Diagnostics = append(ex.Diagnostics, *diag)
				continue
			}
			if o == nil {
				ex.Ignored++
				continue
			}
			o.Ref = fmt.Sprintf("%s#%d.items[%d]", file, doc.Index, j)
			ex.Objects = append(ex.Objects, o)
		}
		return ex
	}
	ex.Documents = 1
	o, diag := newObject(file, doc, nil, m)
	switch {
	case diag != nil:
		ex.Diagnostics = append(ex.Diagnostics, *diag)
	case o == nil:
		ex.Ignored++
	default:
		o.Ref = fmt.Sprintf("%s#%d", file, doc.Index)
		ex.Objects = append(ex.Objects, o)
	}
	return ex
}

// newObject returns nil, nil for kinds irsalint does not read.
func newObject(file string, doc source.Doc, base []any, m map[string]any) (*Object, *analyzer.Diagnostic) {
	kind, _ := m["kind"].(string)
	apiVersion, _ := m["apiVersion"].(string)
	groups, known := kindGroups[kind]
	if !known || !groupMatches(apiVersion, groups) {
		return nil, nil
	}
	o := &Object{Kind: kind, APIVersion: apiVersion, Raw: m, File: file, Base: base, Pos: doc.Pos, Origin: doc.Origin}
	meta, ok := m["metadata"].(map[string]any)
	if !ok {
		d := analyzer.Diagnostic{Level: analyzer.LevelError, Location: o.Location(nil),
			Message: fmt.Sprintf("%s has no metadata", kind)}
		if m["metadata"] != nil {
			d = typeError(file, doc, append(append([]any{}, base...), "metadata"), "a mapping", m["metadata"])
		}
		return nil, &d
	}
	name, ok := meta["name"].(string)
	if !ok && meta["name"] != nil {
		// kubectl rejects a name YAML typed as a number or a boolean
		// ("name: on"); saying it has no name would mislead.
		d := typeError(file, doc, append(append([]any{}, base...), "metadata", "name"), "a string", meta["name"])
		return nil, &d
	}
	if name == "" {
		// Pods and Jobs may be created with generateName; show it with a
		// trailing * so messages still say which object.
		if gen, _ := meta["generateName"].(string); gen != "" {
			name = gen + "*"
		}
	}
	if name == "" {
		d := analyzer.Diagnostic{Level: analyzer.LevelError, Location: o.Location([]any{"metadata"}),
			Message: fmt.Sprintf("%s has no metadata.name", kind)}
		return nil, &d
	}
	o.Name = name
	if kind == "Namespace" {
		o.Namespace, o.NamespaceExplicit = name, true
		return o, nil
	}
	switch ns := meta["namespace"].(type) {
	case string:
		if ns != "" {
			o.Namespace, o.NamespaceExplicit = ns, true
		}
	case nil:
	default:
		d := typeError(file, doc, append(append([]any{}, base...), "metadata", "namespace"), "a string", ns)
		return nil, &d
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	return o, nil
}

func groupMatches(apiVersion string, groups []string) bool {
	group := ""
	if i := strings.LastIndex(apiVersion, "/"); i >= 0 {
		group = apiVersion[:i]
	}
	for _, g := range groups {
		if g == group {
			return true
		}
	}
	return false
}

// typeError reports a field whose YAML type Kubernetes would reject.
func typeError(file string, doc source.Doc, path []any, want string, got any) analyzer.Diagnostic {
	return analyzer.Diagnostic{
		Level:    analyzer.LevelError,
		Location: doc.Locate(file, path),
		Message:  fmt.Sprintf("%s: expected %s, got %s", source.FormatPath(path), want, describeValue(got)),
	}
}

func describeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		// Shorten by characters: cutting bytes could split a UTF-8
		// sequence, which %q would then show as \xNN escapes.
		if r := []rune(x); len(r) > 40 {
			x = string(r[:37]) + "..."
		}
		return fmt.Sprintf("string %q", x)
	case bool:
		return fmt.Sprintf("boolean %v", x)
	case int64, float64:
		return fmt.Sprintf("number %v", x)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	default:
		return fmt.Sprintf("%T", v)
	}
}
