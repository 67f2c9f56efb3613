package kustomize

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/source"
)

// kustFile is one kustomization file as irsalint reads it before kustomize
// does: the entries that name other files, the patches, and the text
// kustomize is given instead of the file's (sanitized).
type kustFile struct {
	path, display, dir string
	data               []byte
	doc                *source.Doc // nil when the file is not one YAML mapping
	value              map[string]any
	// sanitized is what kustomize reads: the file without remote entries
	// and Helm charts, with origin annotations asked for.
	sanitized []byte
	notices   []analyzer.Diagnostic
	// refs are the local resources, bases and components entries
	// (absolute, cleaned), files or folders; components those of
	// components alone.
	refs       []string
	components []string
	// named are the local files the kustomization names (resources,
	// patches, generator sources, configurations): consumed even when the
	// build fails before reading them.
	named   []string
	patches []patchRef
	// entries are the local paths it names, as written, where written.
	entries []entry
}

type entry struct {
	at   []any
	text string
	abs  string
}

// patchRef is one patch a kustomization applies.
type patchRef struct {
	file   string // absolute path of the patch file; "" for an inline patch
	inline string // the inline patch's text
	at     []any  // path of the entry (or of the inline text) in the kustomization
	json   bool   // a JSON 6902 patch (patchesJson6902); else by content
	target map[string]any
}

// listFields name files or folders, one per item.
var listFields = []string{"resources", "bases", "components", "crds", "configurations",
	"generators", "transformers", "validators", "patchesStrategicMerge"}

// pathFields are lists of mappings whose "path" names a file.
var pathFields = []string{"patches", "patchesJson6902", "replacements"}

// helmFields inflate Helm charts by running the helm program.
var helmFields = []string{"helmCharts", "helmGlobals", "helmChartInflationGenerator"}

// remoteRE matches what kustomize fetches rather than reads: a URL (which
// it downloads, or clones with git), an scp-like git address (git@host:),
// a GitHub path, a go-getter "git::" address.
var remoteRE = regexp.MustCompile(`(?i)^(git::|[a-z][a-z0-9+.-]*://|[a-z][a-z0-9-]*@|github\.com[/:])`)

// isRemote tells an entry kustomize would fetch over the network.
func isRemote(s string) bool {
	return remoteRE.MatchString(strings.TrimSpace(s))
}

// inlineText tells an entry that holds YAML rather than a path.
func inlineText(s string) bool { return strings.Contains(s, "\n") }

func parseKustomization(path, display string, data []byte) *kustFile {
	k := &kustFile{path: path, display: display, dir: filepath.Dir(path), data: data, sanitized: data}
	docs, err := source.Decode(data)
	if err != nil || len(docs) != 1 {
		return k // kustomize reports what is wrong
	}
	m, ok := docs[0].Value.(map[string]any)
	if !ok {
		return k
	}
	k.doc, k.value = &docs[0], m
	out := make(map[string]any, len(m)+1)
	for key, v := range m {
		out[key] = v
	}
	local := func(s string) string {
		if filepath.IsAbs(s) {
			return filepath.Clean(s)
		}
		return filepath.Clean(filepath.Join(k.dir, s))
	}
	for _, f := range listFields {
		items, ok := m[f].([]any)
		if !ok {
			continue
		}
		kept := make([]any, 0, len(items))
		for i, it := range items {
			s, ok := it.(string)
			if !ok || inlineText(s) {
				if ok && f == "patchesStrategicMerge" {
					k.patches = append(k.patches, patchRef{inline: s, at: []any{f, i}})
				}
				kept = append(kept, it)
				continue
			}
			if isRemote(s) {
				k.remote([]any{f, i}, s)
				continue
			}
			kept = append(kept, it)
			p := local(s)
			switch f {
			case "resources", "bases":
				k.refs = append(k.refs, p)
			case "components":
				k.refs = append(k.refs, p)
				k.components = append(k.components, p)
			case "patchesStrategicMerge":
				k.patches = append(k.patches, patchRef{file: p, at: []any{f, i}})
			}
			k.named = append(k.named, p)
			k.entries = append(k.entries, entry{[]any{f, i}, s, p})
		}
		out[f] = kept
	}
	for _, f := range pathFields {
		items, ok := m[f].([]any)
		if !ok {
			continue
		}
		kept := make([]any, 0, len(items))
		for i, it := range items {
			e, _ := it.(map[string]any)
			p, _ := e["path"].(string)
			if p != "" && isRemote(p) {
				k.remote([]any{f, i, "path"}, p)
				continue
			}
			kept = append(kept, it)
			if p != "" {
				k.entries = append(k.entries, entry{[]any{f, i, "path"}, p, local(p)})
			}
			if f == "replacements" {
				if p != "" {
					k.named = append(k.named, local(p))
				}
				continue
			}
			target, _ := e["target"].(map[string]any)
			ref := patchRef{at: []any{f, i, "path"}, json: f == "patchesJson6902", target: target}
			switch inline, _ := e["patch"].(string); {
			case p != "":
				ref.file = local(p)
				k.named = append(k.named, ref.file)
			case inline != "":
				ref.inline, ref.at = inline, []any{f, i, "patch"}
			default:
				continue
			}
			k.patches = append(k.patches, ref)
		}
		out[f] = kept
	}
	for _, f := range []string{"configMapGenerator", "secretGenerator"} {
		gens, ok := m[f].([]any)
		if !ok {
			continue
		}
		kept := make([]any, 0, len(gens))
	gen:
		for i, g := range gens {
			e, _ := g.(map[string]any)
			var sources []string
			var at [][]any
			for _, key := range []string{"files", "envs"} {
				list, _ := e[key].([]any)
				for j, it := range list {
					s, _ := it.(string)
					if _, file, ok := strings.Cut(s, "="); ok && key == "files" {
						s = file
					}
					sources, at = append(sources, s), append(at, []any{f, i, key, j})
				}
			}
			if env, _ := e["env"].(string); env != "" {
				sources, at = append(sources, env), append(at, []any{f, i, "env"})
			}
			for j, s := range sources {
				if isRemote(s) {
					// A generator without one of its sources would make
					// another object: leave the whole generator out.
					k.remote(at[j], s)
					continue gen
				}
			}
			for j, s := range sources {
				if s != "" {
					k.named = append(k.named, local(s))
					k.entries = append(k.entries, entry{at[j], s, local(s)})
				}
			}
			kept = append(kept, g)
		}
		out[f] = kept
	}
	for _, f := range helmFields {
		if _, ok := m[f]; ok {
			delete(out, f)
			k.notice([]any{f}, fmt.Sprintf("%s not inflated: irsalint does not run helm; lint the chart's folder, or its helm template output, to lint the objects it makes", f))
		}
	}
	// A custom OpenAPI schema is global state in kustomize's libraries,
	// shared by the builds that run in parallel; the built-in one knows the
	// merge keys of the Kubernetes kinds irsalint reads.
	delete(out, "openapi")
	meta, _ := m["buildMetadata"].([]any)
	out["buildMetadata"] = append(append([]any{}, meta...), "originAnnotations")
	if b, err := json.Marshal(out); err == nil {
		k.sanitized = b
	}
	return k
}

func (k *kustFile) remote(at []any, s string) {
	k.notice(at, fmt.Sprintf("remote %s not fetched: irsalint reads no network; what it adds is not linted, the local rest is (%s)",
		source.FormatPath(at[:1]), s))
}

func (k *kustFile) notice(at []any, msg string) {
	k.notices = append(k.notices, analyzer.Diagnostic{Level: analyzer.LevelNotice, Location: k.locate(at), Message: msg})
}

// locate is the place of a path of the kustomization file.
func (k *kustFile) locate(at []any) analyzer.Location {
	loc := analyzer.Location{File: k.display}
	if k.doc != nil {
		p, _ := k.doc.Pos.Lookup(at)
		loc.Line, loc.Column = p.Line, p.Column
	}
	return loc
}

// str is a string field of the kustomization.
func (k *kustFile) str(key string) string {
	s, _ := k.value[key].(string)
	return s
}

// inlineStart is the line and column where the text of an inline patch
// starts: the line after the key for a block scalar ("patch: |"), whose
// lines keep their place; else the key's own line (a quoted patch's lines
// cannot be placed, so all of them are placed at the key).
func (k *kustFile) inlineStart(at []any) (line, col int) {
	loc := k.locate(at)
	lines := strings.Split(string(k.data), "\n")
	if loc.Line < 1 || loc.Line > len(lines) {
		return loc.Line, 1
	}
	_, rest, _ := strings.Cut(lines[loc.Line-1], ":")
	rest = strings.TrimSpace(rest)
	if !strings.HasPrefix(rest, "|") && !strings.HasPrefix(rest, ">") {
		return loc.Line, 1
	}
	for i := loc.Line; i < len(lines); i++ {
		if t := strings.TrimLeft(lines[i], " "); t != "" {
			return i + 1, len(lines[i]) - len(t) + 1
		}
	}
	return loc.Line, 1
}
