package k8s

import (
	"strings"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/reader"
	"github.com/irsalint/irsalint/analyzer/source"
)

// IgnoreAnnotation suppresses named rules for one Kubernetes object, with
// the reason after a colon: irsalint.io/ignore: "rule-a,rule-b: why", or
// the reason in IgnoreReasonAnnotation. Without a reason it suppresses
// nothing.
const (
	IgnoreAnnotation       = "irsalint.io/ignore"
	IgnoreReasonAnnotation = "irsalint.io/ignore-reason"
)

// Reader reads Kubernetes manifests: ServiceAccounts, Namespaces and the
// workload kinds (objects of other kinds are counted and passed over).
type Reader struct{}

// Detect tells a Kubernetes object or List.
func (Reader) Detect(v any) bool { return IsKubernetes(v) }

// Read normalizes every object of the document.
func (Reader) Read(file string, doc source.Doc) reader.Result {
	ex := Extract(file, doc)
	res := reader.Result{Documents: max(1, ex.Documents), Ignored: ex.Ignored, Diagnostics: ex.Diagnostics}
	for _, o := range ex.Objects {
		var (
			entry map[string]any
			diags []analyzer.Diagnostic
			item  = reader.Item{Kind: o.Kind, File: o.File, Base: o.Base, Pos: o.Pos, Name: o.Describe()}
		)
		switch {
		case o.Kind == "ServiceAccount":
			entry, diags = ServiceAccount(o)
			item.Collection, item.Key, item.Namespace = reader.ServiceAccounts, entry["key"].(string), o.Namespace
		case o.Kind == "Namespace":
			entry, diags = Namespace(o)
			item.Collection, item.Key = reader.Namespaces, o.Name
		case IsWorkload(o.Kind):
			entry, diags = Workload(o)
			item.Collection, item.Key, item.Namespace = reader.Workloads, o.Kind+" "+o.Namespace+"/"+o.Name, o.Namespace
		default:
			continue
		}
		res.Diagnostics = append(res.Diagnostics, diags...)
		if entry == nil {
			continue // not analyzable: the diagnostics say why
		}
		item.Entry = entry
		item.Ignore, item.IgnoreAt, item.IgnoreReason = IgnoreSet(entry)
		item.Observed = observed(o)
		res.Items = append(res.Items, item)
	}
	return res
}

// observed tells an object read back from a cluster: the API server sets
// metadata.uid and resourceVersion, which no one writes in a manifest.
func observed(o *Object) bool {
	meta, _ := o.Raw["metadata"].(map[string]any)
	_, uid := meta["uid"]
	_, rv := meta["resourceVersion"]
	return uid || rv
}

// IgnoreSet reads irsalint.io/ignore from the object's annotations and, for
// workloads, from the pod template's.
func IgnoreSet(entry map[string]any) (map[string]bool, []any, string) {
	var (
		set    map[string]bool
		at     []any
		reason string
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
		// "rule-a,rule-b: why" — rule IDs hold no colon.
		ids, why, _ := strings.Cut(v, ":")
		if why = strings.TrimSpace(why); why == "" {
			why, _ = a[IgnoreReasonAnnotation].(string)
			why = strings.TrimSpace(why)
		}
		if reason == "" {
			reason = why
		}
		for _, id := range strings.Split(ids, ",") {
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
	return set, at, reason
}
