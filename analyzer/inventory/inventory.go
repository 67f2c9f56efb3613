package inventory

import (
	"fmt"
	"sort"
	"strings"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/eks"
	"github.com/irsalint/irsalint/analyzer/iam"
	"github.com/irsalint/irsalint/analyzer/k8s"
	"github.com/irsalint/irsalint/analyzer/source"
)

// SchemaVersion is the version of the input document; it changes only when
// a field changes meaning or disappears.
const SchemaVersion = 1

// IgnoreAnnotation suppresses named rules for one Kubernetes object:
// irsalint.io/ignore: "rule-a,rule-b". IgnoreReasonAnnotation records why.
const (
	IgnoreAnnotation       = "irsalint.io/ignore"
	IgnoreReasonAnnotation = "irsalint.io/ignore-reason"
)

// Source says where an object of the inventory came from.
type Source struct {
	File string
	// Base is the path from the document root to the object.
	Base []any
	// Pos holds the document's positions; nil for objects that exist only
	// by inference (a namespace's implicit default service account).
	Pos *source.Positions
	// Fixed is the location of an object that has no position tree (an
	// association written in the configuration file).
	Fixed *analyzer.Location
	// Name describes the object for people: "Deployment prod/api".
	Name string
	// Ignore lists the rules suppressed on this object, with the location
	// of the annotation that says so.
	Ignore   map[string]bool
	IgnoreAt []any
}

// Locate turns a path relative to the object into a location.
func (s *Source) Locate(at []any) analyzer.Location {
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
	// Input is the document rules see as `input`.
	Input   map[string]any
	Sources map[string]*Source
	Stats   Stats
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
	cluster     Cluster
	settings    Settings
	namespaces  map[string]map[string]any
	sas         map[string]map[string]any
	workloads   []map[string]any
	roles       map[string]map[string]any
	assocs      map[string]map[string]any
	assocFacts  bool
	sources     map[string]*Source
	stats       Stats
	diagnostics []analyzer.Diagnostic
}

// NewBuilder starts an inventory for one cluster context.
func NewBuilder(c Cluster, s Settings) *Builder {
	return &Builder{
		cluster:    c,
		settings:   s,
		namespaces: map[string]map[string]any{},
		sas:        map[string]map[string]any{},
		roles:      map[string]map[string]any{},
		assocs:     map[string]map[string]any{},
		sources:    map[string]*Source{},
		stats:      Stats{Objects: map[string]int{}},
	}
}

// AddFile adds every object of one decoded file and returns diagnostics
// about objects that cannot be analyzed.
func (b *Builder) AddFile(file string, docs []source.Doc) []analyzer.Diagnostic {
	b.stats.Files++
	var diags []analyzer.Diagnostic
	for _, doc := range docs {
		if eks.Detect(doc.Value) {
			b.stats.Documents++
			diags = append(diags, b.addAssociations(file, doc)...)
			continue
		}
		if iam.Detect(doc.Value) {
			b.stats.Documents++
			diags = append(diags, b.addIAM(file, doc)...)
			continue
		}
		if !k8s.IsKubernetes(doc.Value) {
			b.stats.Documents++
			b.stats.Ignored++
			continue
		}
		ex := k8s.Extract(file, doc)
		b.stats.Documents += max(1, ex.Documents)
		b.stats.Ignored += ex.Ignored
		diags = append(diags, ex.Diagnostics...)
		for _, o := range ex.Objects {
			diags = append(diags, b.addObject(o)...)
		}
	}
	return diags
}

func (b *Builder) addObject(o *k8s.Object) []analyzer.Diagnostic {
	var (
		entry map[string]any
		diags []analyzer.Diagnostic
	)
	switch {
	case o.Kind == "ServiceAccount":
		entry, diags = k8s.ServiceAccount(o)
		key := entry["key"].(string)
		if first, dup := b.sas[key]; dup {
			diags = append(diags, analyzer.Diagnostic{
				Level:    analyzer.LevelNotice,
				Location: o.Location([]any{"metadata", "name"}),
				Message: fmt.Sprintf("ServiceAccount %s is declared again; irsalint uses the first declaration (%s)",
					key, b.sources[first["ref"].(string)].Locate([]any{"metadata", "name"})),
			})
			return diags
		}
		b.sas[key] = entry
	case o.Kind == "Namespace":
		entry, diags = k8s.Namespace(o)
		if prev, ok := b.namespaces[o.Name]; ok && prev["declared"] == true {
			return diags
		}
		b.namespaces[o.Name] = entry
	case k8s.IsWorkload(o.Kind):
		entry, diags = k8s.Workload(o)
		if entry == nil {
			return diags
		}
		b.workloads = append(b.workloads, entry)
	default:
		return nil
	}
	b.stats.Objects[o.Kind]++
	src := &Source{File: o.File, Base: o.Base, Pos: o.Pos, Name: o.Describe()}
	src.Ignore, src.IgnoreAt = ignoreSet(entry)
	b.sources[o.Ref] = src
	if o.Kind != "Namespace" {
		b.touchNamespace(o.Namespace)
	}
	return diags
}

// addIAM adds the roles (or the bare trust policy) of one IAM document.
func (b *Builder) addIAM(file string, doc source.Doc) []analyzer.Diagnostic {
	ex := iam.Extract(file, doc)
	diags := ex.Diagnostics
	for _, r := range ex.Roles {
		if first, dup := b.roles[r.Key]; dup {
			diags = append(diags, analyzer.Diagnostic{
				Level:    analyzer.LevelNotice,
				Location: (&Source{File: r.File, Base: r.Base, Pos: r.Pos}).Locate(nil),
				Message: fmt.Sprintf("%s is read again; irsalint uses the first reading (%s)",
					r.Name, b.sources[first["ref"].(string)].Locate(nil)),
			})
			continue
		}
		b.roles[r.Key] = r.Entry
		b.sources[r.Ref] = &Source{File: r.File, Base: r.Base, Pos: r.Pos, Name: r.Name}
		if r.Entry["arn"] == nil {
			b.stats.Objects["TrustPolicy"]++
		} else {
			b.stats.Objects["Role"]++
		}
	}
	return diags
}

// addAssociations adds Pod Identity associations read from a file. An
// association of another cluster (when the cluster name is known) does not
// apply here.
func (b *Builder) addAssociations(file string, doc source.Doc) []analyzer.Diagnostic {
	list, diags := eks.Extract(file, doc)
	b.assocFacts = true
	for _, a := range list {
		if cn, ok := a.Entry["clusterName"].(string); ok && b.cluster.Name != "" && cn != b.cluster.Name {
			continue
		}
		b.addAssociation(a.Entry, &Source{File: a.File, Base: a.Base, Pos: a.Pos,
			Name: fmt.Sprintf("Pod Identity association %s", a.Entry["key"])})
	}
	b.stats.Objects["PodIdentityAssociation"] += len(list)
	return diags
}

func (b *Builder) addAssociation(entry map[string]any, src *Source) {
	key := entry["key"].(string)
	if _, dup := b.assocs[key]; dup {
		// EKS allows one association per service account; a second reading
		// of the same one (list and describe output) adds nothing.
		if b.assocs[key]["roleArn"] == nil {
			b.assocs[key]["roleArn"] = entry["roleArn"]
		}
		return
	}
	b.assocs[key] = entry
	b.sources[entry["ref"].(string)] = src
}

// ignoreSet reads irsalint.io/ignore from the object's annotations and, for
// workloads, from the pod template's.
func ignoreSet(entry map[string]any) (map[string]bool, []any) {
	var (
		set map[string]bool
		at  []any
	)
	read := func(annotations any, path []any) {
		a, _ := annotations.(map[string]any)
		v, ok := a[IgnoreAnnotation].(string)
		if !ok {
			return
		}
		if set == nil {
			set, at = map[string]bool{}, append(path, IgnoreAnnotation)
		}
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				set[id] = true
			}
		}
	}
	read(entry["annotations"], []any{"metadata", "annotations"})
	if tpl, ok := entry["template"].(map[string]any); ok {
		if p, ok := tpl["at"].([]any); ok && len(p) > 0 {
			read(tpl["annotations"], append(append([]any{}, p...), "annotations"))
		}
	}
	return set, at
}

func (b *Builder) touchNamespace(ns string) {
	if _, ok := b.namespaces[ns]; !ok {
		b.namespaces[ns] = map[string]any{
			"name": ns, "declared": false,
			"labels": map[string]any{}, "annotations": map[string]any{},
		}
	}
}

// Build joins what was added into the rules' input.
func (b *Builder) Build() *Inventory {
	// Build leaves the Builder as it was: the implicit defaults it adds go
	// into a copy.
	all := make(map[string]map[string]any, len(b.sas))
	for k, sa := range b.sas {
		all[k] = sa
	}
	usedBy := map[string][]any{}
	for _, w := range b.workloads {
		key := w["serviceAccount"].(map[string]any)["key"].(string)
		usedBy[key] = append(usedBy[key], w["ref"])
		// K1: every namespace has a default service account, annotated or
		// not; a workload that names none runs as it.
		ns := w["namespace"].(string)
		if _, ok := all[ns+"/default"]; !ok {
			all[ns+"/default"] = k8s.ImplicitServiceAccount(ns)
		}
	}
	sas := make(map[string]any, len(all))
	for key, sa := range all {
		refs := usedBy[key]
		if refs == nil {
			refs = []any{}
		}
		entry := make(map[string]any, len(sa)+1)
		for k, v := range sa {
			entry[k] = v
		}
		entry["usedBy"] = refs
		sas[key] = entry
	}
	nss := make(map[string]any, len(b.namespaces))
	for name, ns := range b.namespaces {
		nss[name] = ns
	}
	workloads := make([]any, len(b.workloads))
	for i, w := range b.workloads {
		workloads[i] = w
	}
	if b.cluster.Associations != nil {
		b.assocFacts = true
		for _, a := range b.cluster.Associations {
			loc := a.Location
			key := a.Namespace + "/" + a.ServiceAccount
			b.addAssociation(map[string]any{
				"ref": "config:" + key, "namespace": a.Namespace, "serviceAccount": a.ServiceAccount, "key": key,
				"roleArn": nilIfEmpty(a.RoleARN), "targetRoleArn": nilIfEmpty(a.TargetRoleARN),
				"clusterName": nilIfEmpty(b.cluster.Name), "associationArn": nil, "ownerArn": nil,
				"disableSessionTags": a.DisableSessionTags, "source": "config", "at": []any{},
			}, &Source{File: loc.File, Fixed: &loc, Name: "Pod Identity association " + key})
		}
	}
	assocs := make(map[string]any, len(b.assocs))
	for k, a := range b.assocs {
		assocs[k] = a
	}
	roles := make(map[string]any, len(b.roles))
	for k, r := range b.roles {
		roles[k] = r
	}
	input := map[string]any{
		"schemaVersion":           SchemaVersion,
		"cluster":                 b.cluster.toInput(),
		"settings":                b.settings.toInput(),
		"namespaces":              nss,
		"serviceAccounts":         sas,
		"workloads":               workloads,
		"roles":                   roles,
		"podIdentityAssociations": assocs,
		"facts": map[string]any{
			// Which fact sources this run has; rules that depend on a
			// missing one must not claim certainty.
			"podIdentityAssociations": b.assocFacts,
		},
	}
	return &Inventory{Input: input, Sources: b.sources, Stats: b.stats}
}

// Kinds returns the object kinds counted, sorted, for summaries.
func (s Stats) Kinds() []string {
	kinds := make([]string, 0, len(s.Objects))
	for k := range s.Objects {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}
