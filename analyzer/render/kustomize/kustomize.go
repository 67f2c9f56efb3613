// Package kustomize builds Kustomize overlays in-process with kustomize's
// own library (krusty), so that irsalint lints the objects an overlay
// applies rather than its bases and patches read as objects. Findings on a
// built object point at the file a person edits: the base file, or the
// patch or the kustomization field that set the value.
//
// Kustomize is run with builtin plugins only, without Helm and without KRM
// functions, over a read-only view of the disk that reads through the
// scan's Guard; entries that kustomize would fetch (remote bases, URLs) are
// left out beforehand, with a notice.
package kustomize

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/render"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Renderer builds the scan's kustomizations.
type Renderer struct{}

var _ render.Renderer = Renderer{}

// root is a kustomization to build: one no other kustomization of the scan
// uses.
type root struct {
	unit  source.Unit
	file  string // absolute path of its kustomization file
	files *files
}

// built is what one build gave.
type built struct {
	docs  []render.Doc
	keys  []string // each doc's rendered text, to drop repeats across roots
	read  map[string]bool
	diags []analyzer.Diagnostic
}

// Render builds every kustomization that no other kustomization of the scan
// names in its resources, bases or components (the overlays), each on its
// own, in parallel; outputs come in the order of the kustomization paths.
func (Renderer) Render(ctx context.Context, units []source.Unit, env render.Env) render.Output {
	var out render.Output
	if len(units) == 0 {
		return out
	}
	// Each folder argument is its own tree: a kustomization reads inside
	// the one it was found in.
	var groups []*files
	byRoot := map[string]*files{}
	var roots []root
	for _, u := range units {
		if byRoot[u.Root] == nil {
			byRoot[u.Root] = newFiles(env.Scan.Guard(u))
			groups = append(groups, byRoot[u.Root])
		}
	}
	for _, fsys := range groups {
		var kusts []*kustFile
		var all []root
		byDir := map[string]int{}
		for _, u := range units {
			if byRoot[u.Root] != fsys {
				continue
			}
			file := ""
			for _, name := range source.KustomizationFiles {
				p := filepath.Join(u.Dir, name)
				if info, err := fsys.guard.Stat(p); err == nil && info.Mode().IsRegular() {
					file = p
					break
				}
			}
			if file == "" {
				continue // a link out of the tree, which the scan reported
			}
			k, err := fsys.kustomization(file)
			if err != nil {
				out.Diagnostics = append(out.Diagnostics, analyzer.Diagnostic{Level: analyzer.LevelError,
					Location: analyzer.Location{File: fsys.guard.Display(file)}, Message: source.Reason(err)})
				continue
			}
			byDir[u.Dir] = len(kusts)
			kusts = append(kusts, k)
			all = append(all, root{unit: u, file: file, files: fsys})
		}
		roots = append(roots, overlays(all, kusts, byDir)...)
	}
	sort.SliceStable(roots, func(i, j int) bool { return roots[i].file < roots[j].file })

	results := make([]built, len(roots))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(roots)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if ctx.Err() != nil {
					continue
				}
				results[i] = buildRoot(roots[i], env.Options.WorkingDir)
			}
		}()
	}
	for i := range roots {
		work <- i
	}
	close(work)
	wg.Wait()

	// The same object built by two overlays of one base, unchanged by
	// either, is one object: it is linted once.
	seen := map[string]bool{}
	perFile := map[string]int{}
	consumed := map[string]bool{}
	for _, r := range results {
		for i, d := range r.docs {
			if seen[r.keys[i]] {
				continue
			}
			seen[r.keys[i]] = true
			// Readers name an object by its file and its document's
			// index there: the objects built from one file (variants of
			// one base by several overlays, the documents of one file)
			// are numbered apart.
			d.Doc.Index = perFile[d.File]
			perFile[d.File]++
			out.Docs = append(out.Docs, d)
		}
		for p := range r.read {
			consumed[p] = true
		}
		out.Diagnostics = append(out.Diagnostics, r.diags...)
	}
	for _, fsys := range groups {
		for _, k := range fsys.kusts {
			consumed[k.path] = true
			for _, p := range k.named {
				if info, err := fsys.guard.Stat(p); err == nil && info.Mode().IsRegular() {
					consumed[p] = true
				}
			}
			out.Diagnostics = append(out.Diagnostics, k.notices...)
		}
	}
	for p := range consumed {
		out.Consumed = append(out.Consumed, p)
	}
	sort.Strings(out.Consumed)
	return out
}

// overlays picks the kustomizations to build: those no other names, and
// those only reached through a cycle (which kustomize then reports).
func overlays(all []root, kusts []*kustFile, byDir map[string]int) []root {
	used := make([]bool, len(all))
	for _, k := range kusts {
		for _, ref := range k.refs {
			if i, ok := byDir[ref]; ok && kusts[i] != k {
				used[i] = true
			}
		}
	}
	reached := make([]bool, len(all))
	var reach func(i int)
	reach = func(i int) {
		if reached[i] {
			return
		}
		reached[i] = true
		for _, ref := range kusts[i].refs {
			if j, ok := byDir[ref]; ok {
				reach(j)
			}
		}
	}
	var roots []root
	for i := range all {
		if !used[i] {
			roots = append(roots, all[i])
			reach(i)
		}
	}
	for i := range all {
		if !reached[i] {
			roots = append(roots, all[i])
			reach(i)
		}
	}
	return roots
}

// buildRoot builds one overlay. A panic in kustomize on odd input is an
// error on the kustomization, as any other failure.
func buildRoot(r root, wd string) (b built) {
	fsys := r.files
	v := &view{files: fsys, read: map[string]bool{}}
	b.read = v.read
	display := fsys.guard.Display(r.file)
	defer func() {
		if p := recover(); p != nil {
			b.docs, b.keys = nil, nil
			b.diags = append(b.diags, analyzer.Diagnostic{Level: analyzer.LevelError,
				Location: analyzer.Location{File: display},
				Message:  fmt.Sprintf("cannot build the kustomization: kustomize failed (%v)", p)})
		}
	}()
	k := krusty.MakeKustomizer(&krusty.Options{
		Reorder:          krusty.ReorderOptionNone,
		LoadRestrictions: types.LoadRestrictionsNone, // the Guard keeps reads in the tree
		PluginConfig:     types.DisabledPluginConfig(),
	})
	m, err := k.Run(v, r.unit.Dir)
	if err != nil {
		loc, msg, ok := badEntry(fsys, v.read)
		if !ok {
			loc, msg = analyzer.Location{File: display}, cleanMessage(err.Error(), wd)
		}
		if loc.File != display {
			msg += " (building " + display + ")"
		}
		b.diags = append(b.diags, analyzer.Diagnostic{Level: analyzer.LevelError, Location: loc,
			Message: "cannot build the kustomization: " + msg})
		return b
	}
	bld := &build{files: fsys, rootDir: r.unit.Dir, root: r.file, read: v.read}
	for _, res := range m.Resources() {
		d, key, err := rendered(bld, res)
		if err != nil {
			b.diags = append(b.diags, analyzer.Diagnostic{Level: analyzer.LevelError,
				Location: analyzer.Location{File: display},
				Message:  fmt.Sprintf("cannot read %s %s built by the kustomization: %v", res.GetKind(), res.GetName(), err)})
			continue
		}
		b.docs, b.keys = append(b.docs, d), append(b.keys, key)
	}
	return b
}

// rendered turns one built resource into a document for the readers, with
// kustomize's bookkeeping annotations taken out (rules read annotation
// keys) and an Origin that places its paths in the sources.
func rendered(b *build, res *resource.Resource) (render.Doc, string, error) {
	origin, err := res.GetOrigin()
	if err != nil {
		return render.Doc{}, "", err
	}
	anns := res.GetAnnotations()
	for key := range anns {
		if bookkeeping(key) {
			delete(anns, key)
		}
	}
	if err := res.SetAnnotations(anns); err != nil {
		return render.Doc{}, "", err
	}
	text, err := res.AsYAML()
	if err != nil {
		return render.Doc{}, "", err
	}
	docs, err := source.Decode(text)
	if err != nil || len(docs) != 1 {
		return render.Doc{}, "", fmt.Errorf("kustomize wrote YAML irsalint cannot read: %v", err)
	}
	loc := b.locator(origin, docs[0].Value)
	doc := docs[0]
	// Positions of the rendered text would place a reader's diagnostic on
	// a line of a file that does not hold it; the Origin places findings.
	doc.Pos = nil
	doc.Origin = loc
	return render.Doc{File: loc.display, Doc: doc}, string(text), nil
}

// bookkeeping tells the annotations kustomize adds for itself.
func bookkeeping(key string) bool {
	return strings.HasPrefix(key, "config.kubernetes.io/") ||
		strings.HasPrefix(key, "internal.config.kubernetes.io/") ||
		strings.HasPrefix(key, "alpha.config.kubernetes.io/") ||
		strings.HasPrefix(key, "kustomize.config.k8s.io/")
}

// badEntry finds, among the kustomizations a failed build read, the first
// entry naming a local path that cannot be read, and says why: kustomize's
// own message tries the path as a file and then as a folder, and repeats
// it.
func badEntry(fsys *files, read map[string]bool) (analyzer.Location, string, bool) {
	var paths []string
	for p := range read {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		fsys.mu.Lock()
		k := fsys.kusts[p]
		fsys.mu.Unlock()
		if k == nil {
			continue
		}
		for _, e := range k.entries {
			_, err := fsys.guard.Stat(e.abs)
			if err == nil {
				continue
			}
			msg := fmt.Sprintf("%s entry %q: %s", e.at[0], e.text, source.Reason(err))
			if errors.Is(err, source.ErrOutside) {
				msg += fmt.Sprintf("; lint a folder that holds both %s and what it names", fsys.guard.Display(k.dir))
			}
			return k.locate(e.at), msg, true
		}
	}
	return analyzer.Location{}, "", false
}

// cleanMessage shortens kustomize's error text: absolute paths inside the
// working folder become relative, as elsewhere in irsalint's output.
func cleanMessage(msg, wd string) string {
	if wd != "" {
		msg = strings.ReplaceAll(msg, strings.TrimSuffix(wd, string(filepath.Separator))+string(filepath.Separator), "")
	}
	return msg
}
