package inventory

import (
	"cmp"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/ack"
	"github.com/irsalint/irsalint/analyzer/ec2"
	"github.com/irsalint/irsalint/analyzer/eks"
	"github.com/irsalint/irsalint/analyzer/eksctl"
	"github.com/irsalint/irsalint/analyzer/iam"
	"github.com/irsalint/irsalint/analyzer/k8s"
	"github.com/irsalint/irsalint/analyzer/reader"
	"github.com/irsalint/irsalint/analyzer/snapshot"
	"github.com/irsalint/irsalint/analyzer/source"
)

// SchemaVersion is the version of the input document; it changes only when
// a field changes meaning or disappears.
const SchemaVersion = 1

// IgnoreAnnotation suppresses named rules for one Kubernetes object (see
// k8s.IgnoreAnnotation).
const IgnoreAnnotation = k8s.IgnoreAnnotation

// Source says where an object of the inventory came from.
type Source struct {
	File string
	// Base is the path from the document root to the object.
	Base []any
	// Pos holds the document's positions; nil for objects that exist only
	// by inference (a namespace's implicit default service account).
	Pos *source.Positions
	// Origin, for a rendered object, places paths in the files a person
	// edits instead of Pos.
	Origin source.Locator
	// Fixed is the location of an object that has no position tree (an
	// association written in the configuration file).
	Fixed *analyzer.Location
	// Name describes the object for people: "Deployment prod/api".
	Name string
	// Ignore lists the rules suppressed on this object, with the location
	// of the annotation that says so.
	Ignore   map[string]bool
	IgnoreAt []any
	// IgnoreReason is why, as the annotation says ("": not said).
	IgnoreReason string
}

// Locate turns a path relative to the object into a location.
func (s *Source) Locate(at []any) analyzer.Location {
	loc, _ := s.LocateRelated(at)
	return loc
}

// LocateRelated is Locate with the places a rendered object's sources show
// beside it (the template that used a value from a values file).
func (s *Source) LocateRelated(at []any) (analyzer.Location, []analyzer.Related) {
	if s.Origin != nil {
		full := make([]any, 0, len(s.Base)+len(at))
		return s.Origin.Locate(append(append(full, s.Base...), at...))
	}
	return s.locate(at), nil
}

// Placed tells whether the object was read from a file, so that its paths
// have places (an implicit default service account has none).
func (s *Source) Placed() bool { return s.Pos != nil || s.Fixed != nil || s.Origin != nil }

func (s *Source) locate(at []any) analyzer.Location {
	if s.Pos == nil {
		if s.Fixed != nil {
			return *s.Fixed
		}
		return analyzer.Location{File: s.File}
	}
	full := make([]any, 0, len(s.Base)+len(at))
	full = append(append(full, s.Base...), at...)
	p, _ := s.Pos.Lookup(full)
	return analyzer.Location{File: s.File, Line: p.Line, Column: p.Column}
}

// Inventory is the rules' input plus the table that maps each object's ref
// back to its source.
type Inventory struct {
	// Input is the document rules see as `input`, but for input.index,
	// which evaluation builds for each shard of the workloads (Printed
	// adds it whole).
	Input   map[string]any
	Sources map[string]*Source
	Stats   Stats
	// Inputs are the absolute paths of the files that held objects, so that
	// a report is never written over one.
	Inputs []string
	// InputInfo is, for each of Inputs, what was seen of the file when it
	// was read (nil when unknown, as for the files renderers read): it
	// tells the file without a stat for each of thousands of inputs.
	InputInfo []fs.FileInfo
}

// Stats counts what was read.
type Stats struct {
	Files     int
	Documents int
	Ignored   int
	Objects   map[string]int
}

// Builder accumulates decoded files. Add files in a deterministic order.
type Builder struct {
	cluster    Cluster
	settings   Settings
	namespaces []declaration
	sas        []declaration
	workloads  []declaration
	roles      []declaration
	assocs     []declaration
	assocFacts bool
	sources    map[string]*Source
	stats      Stats
	touched    map[string]bool
	// facts are the collections of live facts (clusters, node groups,
	// launch templates, OIDC providers, Fargate profiles), by collection;
	// factSources those some input supplied, even empty.
	facts       map[string][]declaration
	factSources map[string]bool
}

// declaration is one object as a file declares it. The same object (kind,
// namespace and name; a role's ARN) may be declared in several files; which
// declaration is used for joins must not depend on the order of arguments.
type declaration struct {
	key   string // namespace/name, the namespace's name, the role's key
	kind  string
	entry map[string]any
	src   *Source
	loc   analyzer.Location
	// observed: read back from a cluster (kubectl get output), not a
	// manifest to apply.
	observed bool
}

// NewBuilder starts an inventory for one cluster context.
func NewBuilder(c Cluster, s Settings) *Builder {
	return &Builder{
		cluster:     c,
		settings:    s,
		facts:       map[string][]declaration{},
		factSources: map[string]bool{},
		sources:     map[string]*Source{},
		stats:       Stats{Objects: map[string]int{}},
	}
}

// AddFile adds every object of one decoded file and returns diagnostics
// about objects that cannot be analyzed.
func (b *Builder) AddFile(file string, docs []source.Doc) []analyzer.Diagnostic {
	return b.Add(Read(file, docs))
}

// FileObjects are the objects one file holds, normalized: what Read makes
// of a file without the builder, so that files are read in parallel and
// added in order.
type FileObjects struct {
	items       []reader.Item
	facts       []string
	documents   int
	ignored     int
	meta        int // documents about the scan, not counted
	diagnostics []analyzer.Diagnostic
}

// readers are the input formats, in the order they are tried: the first
// whose Detect accepts a document reads it. A document none accepts is
// counted and passed over.
var readers = []reader.Reader{
	snapshot.Reader{},
	eks.AssociationReader{},
	eks.ClusterReader{},
	eks.NodegroupReader{},
	eks.FargateProfileReader{},
	ec2.LaunchTemplateReader{},
	iam.OIDCProviderReader{},
	iam.Reader{},
	// Before k8s.Reader, which counts custom resources as other kinds.
	ack.Reader{},
	eksctl.Reader{},
	k8s.Reader{},
}

// Read normalizes every object of one decoded file. It keeps no state and
// may run for several files at once.
func Read(file string, docs []source.Doc) *FileObjects {
	fo := &FileObjects{}
	for _, doc := range docs {
		var rd reader.Reader
		for _, r := range readers {
			if r.Detect(doc.Value) {
				rd = r
				break
			}
		}
		if rd == nil {
			fo.documents++
			fo.ignored++
			continue
		}
		res := rd.Read(file, doc)
		if doc.Origin != nil {
			for i := range res.Items {
				if res.Items[i].Origin == nil {
					res.Items[i].Origin = doc.Origin
				}
			}
		}
		if res.Meta {
			fo.meta++
			fo.diagnostics = append(fo.diagnostics, res.Diagnostics...)
			continue
		}
		fo.items = append(fo.items, res.Items...)
		fo.facts = append(fo.facts, res.Facts...)
		fo.documents += res.Documents
		fo.ignored += res.Ignored
		fo.diagnostics = append(fo.diagnostics, res.Diagnostics...)
	}
	return fo
}

// ReadEach is Read for rendered documents, each named by its own file (the
// source its object came from); they count as one input.
func ReadEach(files []string, docs []source.Doc) *FileObjects {
	all := &FileObjects{}
	for i, doc := range docs {
		fo := Read(files[i], []source.Doc{doc})
		all.items = append(all.items, fo.items...)
		all.facts = append(all.facts, fo.facts...)
		all.documents += fo.documents
		all.ignored += fo.ignored
		all.meta += fo.meta
		all.diagnostics = append(all.diagnostics, fo.diagnostics...)
	}
	return all
}

// Add adds what Read found in a file. Add files in a deterministic order.
func (b *Builder) Add(fo *FileObjects) []analyzer.Diagnostic {
	if fo.meta == 0 || fo.documents > 0 {
		b.stats.Files++
	}
	b.stats.Documents += fo.documents
	b.stats.Ignored += fo.ignored
	for _, f := range fo.facts {
		if f == reader.PodIdentityAssociations {
			b.assocFacts = true
		}
		b.factSources[f] = true
	}
	for _, it := range fo.items {
		b.stats.Objects[it.Kind]++
		if it.Collection == reader.PodIdentityAssociations {
			if cn, ok := it.Entry["clusterName"].(string); ok && b.cluster.Name != "" && cn != b.cluster.Name {
				continue // another cluster's association
			}
		}
		src := &Source{File: it.File, Base: it.Base, Pos: it.Pos, Origin: it.Origin, Name: it.Name, Ignore: it.Ignore, IgnoreAt: it.IgnoreAt, IgnoreReason: it.IgnoreReason}
		b.sources[it.Entry["ref"].(string)] = src
		d := declaration{key: it.Key, kind: it.Kind, entry: it.Entry, src: src, loc: src.Locate(nil), observed: it.Observed}
		switch it.Collection {
		case reader.ServiceAccounts:
			b.sas = append(b.sas, d)
		case reader.Namespaces:
			b.namespaces = append(b.namespaces, d)
		case reader.Workloads:
			b.workloads = append(b.workloads, d)
		case reader.Roles:
			b.roles = append(b.roles, d)
		case reader.PodIdentityAssociations:
			b.assocs = append(b.assocs, d)
		default:
			b.facts[it.Collection] = append(b.facts[it.Collection], d)
		}
		if it.Namespace != "" {
			b.touchNamespace(it.Namespace)
		}
	}
	return fo.diagnostics
}

// liveCollections are the collections of facts an audit reads from AWS.
var liveCollections = []string{reader.Clusters, reader.Nodegroups, reader.LaunchTemplates, reader.OIDCProviders, reader.FargateProfiles}

// readProfiles turns the Fargate profiles read from files (of this
// cluster, when its name is known) into cluster.fargateProfiles entries,
// in key order.
func readProfiles(profiles map[string]any, cluster string) []any {
	keys := make([]string, 0, len(profiles))
	for k := range profiles {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := []any{}
	for _, k := range keys {
		p := profiles[k].(map[string]any)
		if cn, _ := p["clusterName"].(string); cluster != "" && cn != cluster {
			continue
		}
		out = append(out, map[string]any{"name": p["name"], "selectors": p["selectors"]})
	}
	return out
}

// mergeReadings joins the readings of each object read more than once in
// partial forms (a provider listed, then described): a field one reading
// lacks (null) is taken from another; readings that disagree on a field
// conflict, and the later one is kept under its ref.
func mergeReadings(decls []declaration) (map[string]any, []any) {
	return mergeDeclarations(decls, func(merged, entry map[string]any) bool {
		for k, v := range entry {
			if k == "ref" || k == "at" || v == nil || merged[k] == nil {
				continue
			}
			if !reflect.DeepEqual(withoutProvenance(v), withoutProvenance(merged[k])) {
				return false
			}
		}
		for k, v := range entry {
			if merged[k] == nil && v != nil {
				merged[k] = v
			}
		}
		return true
	})
}

// mergeAssociations joins the readings of each association. EKS allows one
// association per service account, and list output lacks the role that
// describe output has: a reading without a role takes it from one that has
// it. Two readings naming different roles conflict.
func mergeAssociations(decls []declaration) (map[string]any, []any) {
	return mergeDeclarations(decls, func(merged, entry map[string]any) bool {
		role, other := merged["roleArn"], entry["roleArn"]
		switch {
		case other == nil || other == role:
		case role == nil:
			merged["roleArn"] = other
		default:
			return false
		}
		return true
	})
}

// mergeDeclarations merges the declarations of each key, in file order,
// into a copy of the first: join adds a later entry to merged and reports
// true, or reports false when the two conflict, leaving merged as it was.
// A conflicting entry is kept under its own ref, and each key with one is
// listed in the conflicts.
func mergeDeclarations(decls []declaration, join func(merged, entry map[string]any) bool) (map[string]any, []any) {
	out := map[string]any{}
	var conflicts []any
	var keys []string
	groups := map[string][]declaration{}
	for _, d := range sortedDeclarations(decls) {
		if _, ok := groups[d.key]; !ok {
			keys = append(keys, d.key)
		}
		groups[d.key] = append(groups[d.key], d)
	}
	for _, key := range keys {
		g := groups[key]
		merged := make(map[string]any, len(g[0].entry))
		for k, v := range g[0].entry {
			merged[k] = v
		}
		refs := []any{declared(g[0])}
		for _, d := range g[1:] {
			if !join(merged, d.entry) {
				out[d.entry["ref"].(string)] = d.entry
				refs = append(refs, declared(d))
			}
		}
		out[key] = merged
		if len(refs) > 1 {
			conflicts = append(conflicts, map[string]any{"kind": g[0].kind, "key": key, "object": g[0].src.Name, "declarations": refs})
		}
	}
	return out, conflicts
}

// touchNamespace records that an object lives in ns; a namespace no file
// declares is added, undeclared, at Build.
func (b *Builder) touchNamespace(ns string) {
	if b.touched == nil {
		b.touched = map[string]bool{}
	}
	b.touched[ns] = true
}

// Build joins what was added into the rules' input. The result does not
// depend on the order files were added in: objects come sorted by file and
// position, and of an object declared more than once the first declaration
// in that order is the one joins use (see resolveDuplicates). Diagnostics
// are notices about repeated declarations.
func (b *Builder) Build() (*Inventory, []analyzer.Diagnostic) {
	var diags []analyzer.Diagnostic
	dups := []any{}
	pick := func(sorted []declaration) map[string]any {
		out, d, conflicts := resolveSorted(sorted)
		diags = append(diags, d...)
		dups = append(dups, conflicts...)
		return out
	}
	sas := pick(sortedDeclarations(b.sas))
	nss := pick(sortedDeclarations(b.namespaces))
	roles := pick(sortedDeclarations(b.roles))
	decls := sortedDeclarations(b.workloads)
	pick(decls) // all of them are analysed; this finds conflicts

	sources := make(map[string]*Source, len(b.sources)+len(b.cluster.Associations))
	for k, v := range b.sources {
		sources[k] = v
	}
	assocs, conflicts := mergeAssociations(b.assocs)
	dups = append(dups, conflicts...)
	assocFacts := b.assocFacts
	if b.cluster.Associations != nil {
		assocFacts = true
		for _, a := range b.cluster.Associations {
			key := a.Namespace + "/" + a.ServiceAccount
			if _, dup := assocs[key]; dup {
				continue // read from a file too
			}
			loc := a.Location
			entry := map[string]any{
				"ref": "config:" + key, "namespace": a.Namespace, "serviceAccount": a.ServiceAccount, "key": key,
				"roleArn": nilIfEmpty(a.RoleARN), "targetRoleArn": nilIfEmpty(a.TargetRoleARN),
				"clusterName": nilIfEmpty(b.cluster.Name), "associationArn": nil, "ownerArn": nil,
				"disableSessionTags": a.DisableSessionTags, "source": "config", "at": []any{},
			}
			assocs[key] = entry
			sources["config:"+key] = &Source{File: loc.File, Fixed: &loc, Name: "Pod Identity association " + key}
		}
	}

	usedBy := map[string][]any{}
	for _, d := range decls {
		w := d.entry
		key := w["serviceAccount"].(map[string]any)["key"].(string)
		usedBy[key] = append(usedBy[key], w["ref"])
		// Every namespace has a default service account, annotated or not;
		// a workload that names none runs as it.
		ns := w["namespace"].(string)
		if _, ok := sas[ns+"/default"]; !ok {
			sas[ns+"/default"] = k8s.ImplicitServiceAccount(ns)
		}
	}
	// Build leaves the Builder as it was: usedBy goes into copies.
	for key, v := range sas {
		sa := v.(map[string]any)
		refs := []any{}
		if sa["key"] == key && usedBy[key] != nil { // extra declarations are not joined
			refs = usedBy[key]
		}
		entry := make(map[string]any, len(sa)+1)
		for k, v := range sa {
			entry[k] = v
		}
		entry["usedBy"] = refs
		sas[key] = entry
	}
	workloads := make([]any, len(decls))
	for i, d := range decls {
		workloads[i] = d.entry
	}
	for ns := range b.touched {
		if _, ok := nss[ns]; !ok {
			nss[ns] = map[string]any{
				"name": ns, "declared": false,
				"labels": map[string]any{}, "annotations": map[string]any{},
			}
		}
	}
	live := map[string]any{}
	facts := map[string]any{
		// Which fact sources this run has; rules that depend on a missing
		// one must not claim certainty.
		"podIdentityAssociations": assocFacts,
	}
	for _, c := range liveCollections {
		var out map[string]any
		var conflicts []any
		if c == reader.OIDCProviders {
			// A listed provider and its get output are one reading.
			out, conflicts = mergeReadings(b.facts[c])
		} else {
			var d []analyzer.Diagnostic
			out, d, conflicts = resolveDuplicates(b.facts[c])
			diags = append(diags, d...)
		}
		dups = append(dups, conflicts...)
		live[c] = out
		facts[c] = b.factSources[c]
	}
	cl := b.cluster.withRead(live[reader.Clusters].(map[string]any))
	cluster := cl.toInput()
	cluster["fargateProfiles"] = append(cluster["fargateProfiles"].([]any), readProfiles(live[reader.FargateProfiles].(map[string]any), cl.Name)...)
	facts[reader.OIDCProviderList] = b.factSources[reader.OIDCProviderList]
	facts["clusterObjectsComplete"] = cl.Complete.ClusterObjects
	regions := []any{}
	for _, r := range cl.Complete.ClusterRegions {
		regions = append(regions, r)
	}
	facts["clusterRegionsComplete"] = regions
	input := map[string]any{
		"schemaVersion":           SchemaVersion,
		"cluster":                 cluster,
		"settings":                b.settings.toInput(),
		"namespaces":              nss,
		"serviceAccounts":         sas,
		"workloads":               workloads,
		"roles":                   roles,
		"podIdentityAssociations": assocs,
		"duplicates":              dups,
		"facts":                   facts,
	}
	for c, v := range live {
		input[c] = v
	}
	// input.index is not built here: evaluation builds one per shard of
	// the workloads (Document.Index), and Printed adds the whole one.
	input = resolve(input, true)
	return &Inventory{Input: input, Sources: sources, Stats: b.stats}, diags
}

// sortedDeclarations orders declarations by file, then position: the same
// whatever order the files were named in.
func sortedDeclarations(decls []declaration) []declaration {
	out := slices.Clone(decls)
	slices.SortStableFunc(out, func(x, y declaration) int {
		a, b := x.loc, y.loc
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return out
}

// resolveDuplicates maps each key to its first declaration in file order.
// A further declaration that says the same, for the rules, gets a notice;
// one that differs is kept too, under its own ref, so that every
// declaration is analysed, and is listed as a conflict for the
// conflicting-duplicate rule: the cluster keeps whichever is applied last.
func resolveDuplicates(decls []declaration) (map[string]any, []analyzer.Diagnostic, []any) {
	return resolveSorted(sortedDeclarations(decls))
}

// resolveSorted is resolveDuplicates of declarations already in file
// order.
func resolveSorted(sorted []declaration) (map[string]any, []analyzer.Diagnostic, []any) {
	out := make(map[string]any, len(sorted))
	groups := map[string][]declaration{}
	var keys []string
	for _, d := range sorted {
		if _, ok := groups[d.key]; !ok {
			keys = append(keys, d.key)
		}
		groups[d.key] = append(groups[d.key], d)
	}
	var diags []analyzer.Diagnostic
	var conflicts []any
	for _, key := range keys {
		g := groups[key]
		first := g[0]
		out[key] = first.entry
		var refs []any // the conflicting declarations, first included; built only for a conflict
		for _, d := range g[1:] {
			if va, vb := variant(first), variant(d); va != "" && vb != "" && va != vb {
				// Two Kustomize overlays of one base (prod and staging)
				// build the object for different clusters: variants, not
				// declarations that conflict. Each is analysed.
				if !sameContent(first.entry, d.entry) {
					out[d.entry["ref"].(string)] = d.entry
				}
				continue
			}
			if sameContent(first.entry, d.entry) {
				diags = append(diags, analyzer.Diagnostic{
					Level:    analyzer.LevelNotice,
					Location: d.loc,
					Message:  fmt.Sprintf("%s is declared again, the same as at %s", d.src.Name, first.loc),
				})
				continue
			}
			out[d.entry["ref"].(string)] = d.entry
			if refs == nil {
				refs = []any{declared(first)}
			}
			refs = append(refs, declared(d))
		}
		if len(refs) > 1 {
			conflicts = append(conflicts, map[string]any{"kind": first.kind, "key": key, "object": first.src.Name, "declarations": refs})
		}
	}
	return out, diags, conflicts
}

// variant names the build a rendered declaration came from (the Kustomize
// overlay); "" for an object read as it is written.
func variant(d declaration) string {
	if v, ok := d.src.Origin.(interface{ Variant() string }); ok {
		return v.Variant()
	}
	return ""
}

// declared is one entry of a conflict's declarations: the object's ref and
// the path of what names it (metadata.name for Kubernetes objects).
func declared(d declaration) map[string]any {
	at := []any{}
	if d.src.Pos != nil && d.kind != "Role" && d.kind != "TrustPolicy" && d.kind != "PodIdentityAssociation" {
		at = []any{"metadata", "name"}
	}
	loc := d.src.Locate(nil)
	return map[string]any{"ref": d.entry["ref"], "at": at, "file": loc.File, "observed": d.observed}
}

// sameContent compares two declarations by what rules read: their entries
// without refs, positions and where they were read from.
func sameContent(a, b map[string]any) bool {
	if a["trustPolicy"] != nil || b["trustPolicy"] != nil {
		// A role read from get-role and from authorization details differs
		// in what each output carries (attached policies, tags); rules
		// judge its trust.
		return reflect.DeepEqual(withoutProvenance(a["trustPolicy"]), withoutProvenance(b["trustPolicy"]))
	}
	return reflect.DeepEqual(withoutProvenance(a), withoutProvenance(b))
}

func withoutProvenance(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if k == "ref" || k == "at" || k == "source" || k == "usedBy" || strings.HasSuffix(k, "At") {
				continue
			}
			out[k] = withoutProvenance(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withoutProvenance(e)
		}
		return out
	}
	return v
}

// Recognized counts the documents read so far that are objects irsalint
// knows (not of other kinds).
func (b *Builder) Recognized() int { return b.stats.Documents - b.stats.Ignored }

// Kinds returns the object kinds counted, sorted, for summaries.
func (s Stats) Kinds() []string {
	kinds := make([]string, 0, len(s.Objects))
	for k := range s.Objects {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}
