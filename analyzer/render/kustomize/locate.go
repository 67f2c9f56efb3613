package kustomize

import (
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/api/resource"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/source"
)

// build is one overlay's build, as its objects' Origins need it.
type build struct {
	files   *files
	rootDir string
	root    string // absolute path of the overlay's kustomization file
	read    map[string]bool
}

// locator places the paths of one built object. It finds the object's
// document in its source file (the file kustomize's origin annotation
// names), the kustomizations it went through on the way to the overlay,
// and the patches among theirs that name it; then a path is placed at the
// kustomization field that set it (namespace, namePrefix, images,
// commonLabels...), else at the last patch that set it, else in the
// source document.
type locator struct {
	b        *build
	abs      string // source file, or the kustomization of a generated object
	display  string
	rendered map[string]any
	// generated is set for an object a generator made (a ConfigMap of
	// configMapGenerator): it is placed in the kustomization.
	generated bool

	once    sync.Once
	src     *source.Doc  // the object's document in its source file
	order   []*kustFile  // kustomizations that built it, innermost first
	names   []string     // its name at each step, from the source
	patches []namedPatch // patches that name it, in the order applied
}

// namedPatch is a patch document that names the object.
type namedPatch struct {
	doc     source.Doc
	display string
	// Lines and columns of an inline patch start inside the kustomization.
	line, col int
	json      bool
}

func (b *build) locator(o *resource.Origin, v any) *locator {
	l := &locator{b: b, abs: b.root}
	l.rendered, _ = v.(map[string]any)
	switch {
	case o != nil && strings.HasSuffix(o.ConfiguredBy.Kind, "Generator"):
		l.generated = true
		l.abs = filepath.Join(b.rootDir, o.ConfiguredIn)
	case o == nil || o.Path == "":
		// A JSON 6902 patch that replaced metadata.annotations took the
		// origin annotation with it (kustomize then names the transformer
		// that ran next as the origin): resolve looks for the source.
		l.abs = ""
	default:
		l.abs = filepath.Join(b.rootDir, o.Path)
	}
	if l.abs != "" {
		l.display = b.files.guard.Display(l.abs)
	}
	return l
}

func (l *locator) kind() string { s, _ := l.rendered["kind"].(string); return s }

func (l *locator) name() string {
	s, _ := valueAt(l.rendered, []any{"metadata", "name"})
	n, _ := s.(string)
	return n
}

// Variant names the overlay that built the object: the same object built
// by two overlays (prod and staging of one base) is two variants, for two
// clusters, rather than two declarations that conflict.
func (l *locator) Variant() string { return l.b.root }

// Locate implements source.Locator.
func (l *locator) Locate(path []any) (analyzer.Location, []analyzer.Related) {
	l.once.Do(l.resolve)
	if l.generated {
		return l.generatorPlace(), nil
	}
	base, baseDepth := l.inSource(path)
	var related []analyzer.Related
	if baseDepth == len(path) && len(path) > 0 {
		related = []analyzer.Related{{Location: base, Message: "base value"}}
	}
	if loc, ok := l.field(path); ok {
		return loc, related
	}
	// A mapping or a list the source holds too (the pod spec a patch
	// merges into) is placed in the source; a value a patch set, or a
	// mapping a patch brought, at the patch.
	inSource := baseDepth == len(path)
	best, bestDepth := base, baseDepth
	for i := len(l.patches) - 1; i >= 0; i-- {
		loc, depth, exact, scalar := l.patches[i].find(path, l.rendered)
		if exact && (scalar || !inSource) {
			return loc, related
		}
		if depth > bestDepth {
			best, bestDepth = loc, depth
		}
	}
	return best, nil
}

// inSource places path in the source document, as deep as it goes there.
func (l *locator) inSource(path []any) (analyzer.Location, int) {
	loc := analyzer.Location{File: l.display}
	if l.src == nil {
		return loc, -1
	}
	at, depth := navigate(l.src.Value, l.rendered, path)
	p, _ := l.src.Pos.Lookup(at)
	loc.Line, loc.Column = p.Line, p.Column
	return loc, depth
}

func (l *locator) resolve() {
	f := l.b.files
	if l.generated {
		return
	}
	if l.abs == "" {
		l.abs = l.b.find(l.kind(), l.name())
		l.display = f.guard.Display(l.abs)
	}
	l.order = l.b.chain(l.abs)
	docs := f.decoded(l.abs)
	final := l.name()
	var candidates []*source.Doc
	for i := range docs {
		if m, ok := docs[i].Value.(map[string]any); ok && m["kind"] == l.kind() {
			candidates = append(candidates, &docs[i])
		}
	}
	for _, d := range candidates {
		n, _ := valueAt(d.Value, []any{"metadata", "name"})
		if s, _ := n.(string); s != "" && (l.transform(s) == final || s == final) {
			l.src = d
			break
		}
	}
	if l.src == nil && len(candidates) > 0 {
		l.src = candidates[0]
	}
	src := final
	if l.src != nil {
		n, _ := valueAt(l.src.Value, []any{"metadata", "name"})
		if s, _ := n.(string); s != "" {
			src = s
		}
	}
	l.names = []string{src}
	cur := src
	for _, k := range l.order {
		if p, s := k.str("namePrefix"), k.str("nameSuffix"); p != "" || s != "" {
			cur = p + cur + s
			l.names = append(l.names, cur)
		}
	}
	if final != cur {
		l.names = append(l.names, final)
	}
	for _, k := range l.order {
		for _, ref := range k.patches {
			l.patches = append(l.patches, l.matching(k, ref)...)
		}
	}
}

// transform gives the name kustomize makes of a source name.
func (l *locator) transform(name string) string {
	for _, k := range l.order {
		name = k.str("namePrefix") + name + k.str("nameSuffix")
	}
	return name
}

// matching gives the documents of a patch that apply to the object. The
// test is loose (a name or target of any step of the object's name, the
// kind): a patch that names the object but did not set a path does not
// hold it, and one that set it last has the value built.
func (l *locator) matching(k *kustFile, ref patchRef) []namedPatch {
	var docs []source.Doc
	np := namedPatch{display: k.display, json: ref.json}
	if ref.inline != "" {
		docs, _ = source.Decode([]byte(ref.inline))
		np.line, np.col = k.inlineStart(ref.at)
	} else {
		docs = l.b.files.decoded(ref.file)
		np.display = l.b.files.guard.Display(ref.file)
	}
	var out []namedPatch
	for _, d := range docs {
		_, isList := d.Value.([]any)
		if ref.json || isList {
			if ref.target == nil || !l.targets(ref.target) {
				continue
			}
			np.json = true
		} else {
			m, _ := d.Value.(map[string]any)
			if ref.target != nil {
				if !l.targets(ref.target) {
					continue
				}
			} else {
				kind, _ := m["kind"].(string)
				n, _ := valueAt(m, []any{"metadata", "name"})
				name, _ := n.(string)
				if kind != "" && kind != l.kind() || !l.named(name) {
					continue
				}
			}
			np.json = false
		}
		np.doc = d
		out = append(out, np)
	}
	return out
}

func (l *locator) named(name string) bool {
	for _, n := range l.names {
		if n == name {
			return true
		}
	}
	return false
}

// targets tells whether a patch's target selects the object, by kind and
// name (a regular expression).
func (l *locator) targets(t map[string]any) bool {
	if kind, _ := t["kind"].(string); kind != "" && kind != l.kind() {
		return false
	}
	name, _ := t["name"].(string)
	if name == "" {
		return true
	}
	re, err := regexp.Compile("^(?:" + name + ")$")
	for _, n := range l.names {
		if n == name || err == nil && re.MatchString(n) {
			return true
		}
	}
	return false
}

// field places the paths a kustomization field sets, at that field of the
// outermost kustomization that sets it to the value built.
func (l *locator) field(path []any) (analyzer.Location, bool) {
	n := len(path)
	if n < 2 {
		return analyzer.Location{}, false
	}
	got, _ := valueAt(l.rendered, path)
	last, _ := path[n-1].(string)
	parent, _ := path[n-2].(string)
	for i := len(l.order) - 1; i >= 0; i-- {
		k := l.order[i]
		switch {
		case n == 2 && path[0] == "metadata" && last == "namespace":
			if ns := k.str("namespace"); ns != "" && ns == got {
				return k.locate([]any{"namespace"}), true
			}
		case n == 2 && path[0] == "metadata" && last == "name":
			if k.str("namePrefix") != "" {
				return k.locate([]any{"namePrefix"}), true
			}
			if k.str("nameSuffix") != "" {
				return k.locate([]any{"nameSuffix"}), true
			}
		case last == "image" && n >= 3 && containerLists[str(path[n-3])]:
			img, _ := got.(string)
			images, _ := k.value["images"].([]any)
			for j, e := range images {
				m, _ := e.(map[string]any)
				if repo := imageRepo(img); repo != "" && (repo == m["newName"] || repo == m["name"]) {
					return k.locate([]any{"images", j}), true
				}
			}
		case parent == "labels" || parent == "matchLabels":
			if v, ok := mapAt(k.value, "commonLabels")[last]; ok && reflect.DeepEqual(v, got) {
				return k.locate([]any{"commonLabels", last}), true
			}
			labels, _ := k.value["labels"].([]any)
			for j, e := range labels {
				if v, ok := mapAt(e, "pairs")[last]; ok && reflect.DeepEqual(v, got) {
					return k.locate([]any{"labels", j, "pairs", last}), true
				}
			}
		case parent == "annotations":
			if v, ok := mapAt(k.value, "commonAnnotations")[last]; ok && reflect.DeepEqual(v, got) {
				return k.locate([]any{"commonAnnotations", last}), true
			}
		case n == 2 && path[0] == "spec" && last == "replicas":
			replicas, _ := k.value["replicas"].([]any)
			for j, e := range replicas {
				m, _ := e.(map[string]any)
				if name, _ := m["name"].(string); l.named(name) && reflect.DeepEqual(m["count"], got) {
					return k.locate([]any{"replicas", j}), true
				}
			}
		}
	}
	return analyzer.Location{}, false
}

var containerLists = map[string]bool{"containers": true, "initContainers": true, "ephemeralContainers": true}

func str(v any) string { s, _ := v.(string); return s }

// imageRepo is an image reference without its tag or digest.
func imageRepo(img string) string {
	if i := strings.Index(img, "@"); i >= 0 {
		img = img[:i]
	}
	if i := strings.LastIndex(img, ":"); i > strings.LastIndex(img, "/") {
		img = img[:i]
	}
	return img
}

func mapAt(v any, key string) map[string]any {
	m, _ := v.(map[string]any)
	out, _ := m[key].(map[string]any)
	return out
}

// generatorPlace is the generator entry of a generated object.
func (l *locator) generatorPlace() analyzer.Location {
	k, err := l.b.files.kustomization(l.abs)
	if err != nil || k.value == nil {
		return analyzer.Location{File: l.display}
	}
	name := l.name()
	for _, f := range []string{"configMapGenerator", "secretGenerator"} {
		gens, _ := k.value[f].([]any)
		for j, g := range gens {
			m, _ := g.(map[string]any)
			if n, _ := m["name"].(string); n != "" && strings.Contains(name, n) {
				return k.locate([]any{f, j})
			}
		}
	}
	return k.locate(nil)
}

// find places path in the patch: exact when the patch holds the whole path
// with the value built (a later step did not change it).
func (p namedPatch) find(path []any, rendered map[string]any) (loc analyzer.Location, depth int, exact, scalar bool) {
	loc = analyzer.Location{File: p.display}
	place := func(at []any) {
		pos, _ := p.doc.Pos.Lookup(at)
		loc.Line, loc.Column = pos.Line, pos.Column
		if p.line > 0 {
			loc.Line += p.line - 1
			loc.Column += p.col - 1
		}
	}
	if !p.json {
		at, depth := navigate(p.doc.Value, rendered, path)
		place(at)
		if depth == len(path) {
			want, _ := valueAt(rendered, path)
			have, _ := valueAt(p.doc.Value, at)
			exact, scalar = consistent(have, want)
		}
		return loc, depth, exact, scalar
	}
	ops, _ := p.doc.Value.([]any)
	bestDepth := -1
	var bestLoc analyzer.Location
	for i := len(ops) - 1; i >= 0; i-- {
		op, _ := ops[i].(map[string]any)
		if kind, _ := op["op"].(string); kind != "add" && kind != "replace" {
			continue
		}
		ptr, _ := op["path"].(string)
		tokens, ok := pointer(ptr)
		if !ok || len(tokens) > len(path) || !tokensMatch(tokens, path) {
			continue
		}
		sub, _ := valueAt(rendered, path[:len(tokens)])
		at, depth := navigate(op["value"], sub, path[len(tokens):])
		place(append([]any{i, "value"}, at...))
		depth += len(tokens)
		if depth == len(path) {
			want, _ := valueAt(rendered, path)
			have, _ := valueAt(op["value"], at)
			if ok, sc := consistent(have, want); ok {
				return loc, depth, true, sc
			}
		}
		if depth > bestDepth {
			bestDepth, bestLoc = depth, loc
		}
	}
	return bestLoc, bestDepth, false, false
}

// consistent tells whether a patch's value is still the value built (a
// scalar must be equal; a mapping or a list was merged into), and whether
// it is a scalar.
func consistent(have, want any) (ok, scalar bool) {
	switch have.(type) {
	case map[string]any, []any:
		return true, false
	}
	return reflect.DeepEqual(have, want), true
}

// pointer splits a JSON pointer (RFC 6901).
func pointer(p string) ([]string, bool) {
	if !strings.HasPrefix(p, "/") {
		return nil, false
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts, true
}

func tokensMatch(tokens []string, path []any) bool {
	for i, t := range tokens {
		switch el := path[i].(type) {
		case string:
			if t != el {
				return false
			}
		case int:
			if t != "-" && t != strconv.Itoa(el) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// mergeKeys identify the items of the lists strategic merge merges (a
// container by its name, a volume mount by its mount path).
var mergeKeys = []string{"name", "mountPath", "containerPort", "devicePath"}

// navigate follows path, a path of the built object, through a document
// that went into it (its source, or a patch), and gives the path there and
// how many elements of path it holds. List items are matched by their
// merge key, as strategic merge matches them, or by index in lists of the
// same length.
func navigate(doc, built any, path []any) ([]any, int) {
	at := make([]any, 0, len(path))
	for i, el := range path {
		switch e := el.(type) {
		case string:
			m, ok := doc.(map[string]any)
			if !ok {
				return at, i
			}
			v, ok := m[e]
			if !ok {
				return at, i
			}
			doc, built = v, mapValue(built, e)
			at = append(at, e)
		case int:
			list, ok := doc.([]any)
			builtList, _ := built.([]any)
			if !ok || e < 0 || e >= len(builtList) {
				return at, i
			}
			j := matchItem(list, builtList, e)
			if j < 0 {
				return at, i
			}
			doc, built = list[j], builtList[e]
			at = append(at, j)
		default:
			return at, i
		}
	}
	return at, len(path)
}

func mapValue(v any, key string) any {
	m, _ := v.(map[string]any)
	return m[key]
}

func matchItem(list, built []any, i int) int {
	if item, ok := built[i].(map[string]any); ok {
		for _, key := range mergeKeys {
			want, ok := item[key]
			if !ok {
				continue
			}
			for j, it := range list {
				if m, ok := it.(map[string]any); ok && reflect.DeepEqual(m[key], want) {
					return j
				}
			}
			return -1
		}
	}
	if len(list) == len(built) {
		return i
	}
	return -1
}

// valueAt is the value at path, if there is one.
func valueAt(v any, path []any) (any, bool) {
	for _, el := range path {
		switch e := el.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[e]; !ok {
				return nil, false
			}
		case int:
			l, ok := v.([]any)
			if !ok || e < 0 || e >= len(l) {
				return nil, false
			}
			v = l[e]
		default:
			return nil, false
		}
	}
	return v, true
}

// find looks for the source file of an object that lost its origin
// annotation: the first resource file of the build, in path order, with a
// document of its kind whose name the build makes its name. The overlay's
// kustomization stands for it when there is none.
func (b *build) find(kind, name string) string {
	var paths []string
	for p := range b.read {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if slices.Contains(source.KustomizationFiles, filepath.Base(p)) {
			continue
		}
		l := &locator{b: b, abs: p, order: b.chain(p)}
		for _, d := range b.files.decoded(p) {
			m, _ := d.Value.(map[string]any)
			n, _ := valueAt(m, []any{"metadata", "name"})
			if s, _ := n.(string); m["kind"] == kind && s != "" && l.transform(s) == name {
				return p
			}
		}
	}
	return b.root
}

// chain gives the kustomizations an object of file went through, in the
// order they applied their transformations: the one that names the file
// first, the overlay last, each one's components before it.
func (b *build) chain(file string) []*kustFile {
	top, err := b.files.kustomization(b.root)
	if err != nil {
		return nil
	}
	var path []*kustFile
	visiting := map[*kustFile]bool{}
	var dfs func(k *kustFile) bool
	dfs = func(k *kustFile) bool {
		path = append(path, k)
		visiting[k] = true
		for _, ref := range k.refs {
			if ref == file {
				return true
			}
		}
		for _, ref := range k.refs {
			if sub := b.files.kustAt(ref); sub != nil && !visiting[sub] && dfs(sub) {
				return true
			}
		}
		path = path[:len(path)-1]
		return false
	}
	if !dfs(top) {
		path = []*kustFile{top}
	}
	var order []*kustFile
	seen := map[*kustFile]bool{}
	var expand func(k *kustFile)
	expand = func(k *kustFile) {
		if seen[k] {
			return
		}
		seen[k] = true
		for _, c := range k.components {
			if sub := b.files.kustAt(c); sub != nil {
				expand(sub)
			}
		}
		order = append(order, k)
	}
	for i := len(path) - 1; i >= 0; i-- {
		expand(path[i])
	}
	return order
}
