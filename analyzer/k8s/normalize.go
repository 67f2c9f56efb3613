package k8s

import (
	"fmt"
	"math"
	"regexp"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Pod-template locations per workload kind, relative to the object.
var templatePaths = map[string][]any{
	"Pod":                   nil,
	"Deployment":            {"spec", "template"},
	"StatefulSet":           {"spec", "template"},
	"DaemonSet":             {"spec", "template"},
	"ReplicaSet":            {"spec", "template"},
	"ReplicationController": {"spec", "template"},
	"Job":                   {"spec", "template"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template"},
}

// IsWorkload reports whether the kind carries a pod template.
func IsWorkload(kind string) bool { _, ok := templatePaths[kind]; return ok }

// Security-context fields a container inherits from the pod unless it sets
// them itself (k8s.io/api core/v1 PodSecurityContext doc comments:
// "If set in both SecurityContext and PodSecurityContext, the value specified
// in SecurityContext takes precedence").
var inheritedSecurityFields = []string{
	"runAsUser", "runAsGroup", "runAsNonRoot", "seLinuxOptions",
	"windowsOptions", "seccompProfile", "appArmorProfile",
}

var containerLists = []struct{ field, typ string }{
	{"initContainers", "initContainer"},
	{"containers", "container"},
	{"ephemeralContainers", "ephemeralContainer"},
}

// normalizer reads fields of one object, checking the types Kubernetes would
// check for the fields irsalint relies on. A field's path is given as a base
// and the elements after it, and put together only for a problem: most
// fields are checked and never reported, and building each path was a tenth
// of the allocations of reading a corpus.
type normalizer struct {
	o     *Object
	diags []analyzer.Diagnostic
}

func (r *normalizer) fail(base, elems []any, want string, got any) {
	full := make([]any, 0, len(r.o.Base)+len(base)+len(elems))
	full = append(append(append(full, r.o.Base...), base...), elems...)
	r.diags = append(r.diags, typeError(r.o.File, source.Doc{Pos: r.o.Pos, Origin: r.o.Origin}, full, want, got))
}

func (r *normalizer) mapping(v any, base []any, elems ...any) map[string]any {
	switch m := v.(type) {
	case map[string]any:
		return m
	case nil:
		return nil
	default:
		r.fail(base, elems, "a mapping", v)
		return nil
	}
}

func (r *normalizer) list(v any, base []any, elems ...any) []any {
	switch l := v.(type) {
	case []any:
		return l
	case nil:
		return nil
	default:
		r.fail(base, elems, "a list", v)
		return nil
	}
}

func (r *normalizer) str(v any, base []any, elems ...any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case nil:
		return "", false
	default:
		r.fail(base, elems, "a string", v)
		return "", false
	}
}

func (r *normalizer) boolean(v any, base []any, elems ...any) (bool, bool) {
	switch b := v.(type) {
	case bool:
		return b, true
	case nil:
		return false, false
	default:
		r.fail(base, elems, "a boolean", v)
		return false, false
	}
}

func (r *normalizer) integer(v any, base []any, elems ...any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	case nil:
		return 0, false
	}
	r.fail(base, elems, "an integer", v)
	return 0, false
}

func (r *normalizer) stringMap(v any, base []any, elems ...any) map[string]any {
	m := r.mapping(v, base, elems...)
	out := make(map[string]any, len(m))
	for k, val := range m {
		switch s := val.(type) {
		case string:
			out[k] = s
		case nil:
			out[k] = ""
		default:
			r.fail(join(base, elems...), []any{k}, "a string", val)
		}
	}
	return out
}

// join returns a fresh path: paths are shared between entries, so appending
// in place would alias them.
func join(path []any, elems ...any) []any {
	out := make([]any, 0, len(path)+len(elems))
	return append(append(out, path...), elems...)
}

// metadata reads labels and annotations under path (a metadata mapping).
func (r *normalizer) metadata(path []any, meta map[string]any) (labels, annotations map[string]any) {
	return r.stringMap(meta["labels"], path, "labels"), r.stringMap(meta["annotations"], path, "annotations")
}

// ServiceAccount returns the inventory entry of a ServiceAccount object.
func ServiceAccount(o *Object) (map[string]any, []analyzer.Diagnostic) {
	r := &normalizer{o: o}
	meta := r.mapping(o.Raw["metadata"], nil, "metadata")
	labels, annotations := r.metadata([]any{"metadata"}, meta)
	e := map[string]any{
		"ref":         o.Ref,
		"kind":        o.Kind,
		"namespace":   o.Namespace,
		"name":        o.Name,
		"key":         o.Namespace + "/" + o.Name,
		"declared":    true,
		"labels":      labels,
		"annotations": annotations,
		"at":          []any{},
	}
	if b, ok := r.boolean(o.Raw["automountServiceAccountToken"], nil, "automountServiceAccountToken"); ok {
		e["automountServiceAccountToken"] = b
	}
	if v, ok := annotations[RoleARNAnnotation].(string); ok && Templated(v) {
		// Not a wrong value but one not yet rendered: the rules that judge
		// the ARN pass over it; it joins only a role whose ARN is written
		// the same way (a Terraform reference to a role of its module).
		r.diags = append(r.diags, analyzer.Diagnostic{
			Level:    analyzer.LevelNotice,
			Location: o.Location([]any{"metadata", "annotations", RoleARNAnnotation}),
			Message: fmt.Sprintf("%s: %s %q is an unrendered template value: the ARN is not judged, and it is joined only to a role whose ARN is written the same way; lint the rendered manifests (envsubst, helm template, kustomize build) to check it",
				o.Describe(), RoleARNAnnotation, v),
		})
	}
	return e, r.diags
}

// RoleARNAnnotation is the ServiceAccount annotation the EKS Pod Identity
// webhook reads the IRSA role from.
const RoleARNAnnotation = "eks.amazonaws.com/role-arn"

// templateRE matches the placeholders of rules/lib/arn.rego's templated,
// which keeps role-arn-invalid quiet on the same values.
var templateRE = regexp.MustCompile(`\{\{|\$\{[^}]*\}|\$\([A-Za-z_][A-Za-z0-9_]*\)|<[A-Za-z][A-Za-z0-9_ -]*>|^arn:[a-z-]*:iam::([xX]{12}|[A-Z][A-Z_]*[A-Z]):`)

// Templated tells a value a template engine or a person has not filled in
// yet: Helm and Go templates ({{ }}), shell, envsubst and Terraform
// (${VAR}), Kustomize vars ($(VAR)), and the placeholders of documentation
// (<ACCOUNT_ID>, an account of twelve x, ACCOUNT_ID spelled out).
func Templated(s string) bool { return templateRE.MatchString(s) }

// ImplicitServiceAccount is the "default" service account Kubernetes creates
// in every namespace; it has no annotations unless the scan declares it.
func ImplicitServiceAccount(namespace string) map[string]any {
	return map[string]any{
		"ref":         "implicit:" + namespace + "/default",
		"kind":        "ServiceAccount",
		"namespace":   namespace,
		"name":        "default",
		"key":         namespace + "/default",
		"declared":    false,
		"labels":      map[string]any{},
		"annotations": map[string]any{},
	}
}

// Namespace returns the inventory entry of a Namespace object.
func Namespace(o *Object) (map[string]any, []analyzer.Diagnostic) {
	r := &normalizer{o: o}
	meta := r.mapping(o.Raw["metadata"], nil, "metadata")
	labels, annotations := r.metadata([]any{"metadata"}, meta)
	return map[string]any{
		"ref":         o.Ref,
		"name":        o.Name,
		"declared":    true,
		"labels":      labels,
		"annotations": annotations,
		"at":          []any{},
	}, r.diags
}

// Workload returns the inventory entry of an object with a pod template.
// It returns nil when the object is too malformed to analyze.
func Workload(o *Object) (map[string]any, []analyzer.Diagnostic) {
	r := &normalizer{o: o}
	meta := r.mapping(o.Raw["metadata"], nil, "metadata")
	labels, annotations := r.metadata([]any{"metadata"}, meta)

	tplPath := templatePaths[o.Kind]
	var tpl map[string]any
	if tplPath == nil {
		tpl = o.Raw
	} else {
		tpl = r.walk(tplPath)
	}
	specPath := join(tplPath, "spec")
	spec := r.mapping(tpl["spec"], specPath)
	if spec == nil {
		if len(r.diags) == 0 {
			r.diags = append(r.diags, analyzer.Diagnostic{Level: analyzer.LevelError,
				Location: o.Location(tplPath), Message: o.Kind + " has no pod template spec (" + pathText(specPath) + ")"})
		}
		return nil, r.diags
	}
	tplMetaPath := join(tplPath, "metadata")
	tplLabels, tplAnnotations := labels, annotations
	if tplPath != nil {
		tplLabels, tplAnnotations = r.metadata(tplMetaPath, r.mapping(tpl["metadata"], tplMetaPath))
	}

	podSpec := make(map[string]any, len(podSpecFields)+1)
	for _, k := range podSpecFields {
		if v, ok := spec[k]; ok {
			podSpec[k] = v
		}
	}
	podSpec["at"] = specPath
	for _, f := range []string{"hostNetwork", "hostPID", "hostIPC", "automountServiceAccountToken"} {
		r.boolean(spec[f], specPath, f)
	}
	podSC := r.mapping(spec["securityContext"], specPath, "securityContext")
	for _, f := range []string{"runAsUser", "runAsGroup", "fsGroup"} {
		r.integer(podSC[f], specPath, "securityContext", f)
	}
	r.boolean(podSC["runAsNonRoot"], specPath, "securityContext", "runAsNonRoot")
	r.stringMap(spec["nodeSelector"], specPath, "nodeSelector")

	e := map[string]any{
		"ref":               o.Ref,
		"kind":              o.Kind,
		"apiVersion":        o.APIVersion,
		"namespace":         o.Namespace,
		"namespaceExplicit": o.NamespaceExplicit,
		"name":              o.Name,
		"labels":            labels,
		"annotations":       annotations,
		"template": map[string]any{
			"labels":      tplLabels,
			"annotations": tplAnnotations,
			"at":          nonNil(tplMetaPath),
		},
		"serviceAccount": r.effectiveServiceAccount(o.Namespace, spec, specPath),
		"podSpec":        podSpec,
		"containers":     r.containers(spec, specPath, podSC),
		"volumes":        r.volumes(spec, specPath),
	}
	return e, r.diags
}

// walk follows mapping keys from the object root, reporting a wrong type.
func (r *normalizer) walk(path []any) map[string]any {
	cur := r.o.Raw
	for i, k := range path {
		cur = r.mapping(cur[k.(string)], path[:i+1])
		if cur == nil {
			return nil
		}
	}
	return cur
}

// effectiveServiceAccount is the one a pod runs as: serviceAccountName, else the
// deprecated serviceAccount alias, else the namespace's "default".
func (r *normalizer) effectiveServiceAccount(ns string, spec map[string]any, specPath []any) map[string]any {
	for _, f := range []string{"serviceAccountName", "serviceAccount"} {
		if name, ok := r.str(spec[f], specPath, f); ok && name != "" {
			return map[string]any{"name": name, "key": ns + "/" + name, "source": f, "at": join(specPath, f)}
		}
	}
	return map[string]any{"name": "default", "key": ns + "/default", "source": "default", "at": specPath}
}

func (r *normalizer) containers(spec map[string]any, specPath []any, podSC map[string]any) []any {
	out := []any{}
	for _, cl := range containerLists {
		for i, raw := range r.list(spec[cl.field], specPath, cl.field) {
			at := join(specPath, cl.field, i)
			c := r.mapping(raw, at)
			if c == nil {
				if raw == nil {
					r.fail(at, nil, "a mapping", raw)
				}
				continue
			}
			out = append(out, r.container(c, cl.typ, i, at, podSC, specPath))
		}
	}
	return out
}

// The inventory keeps the fields of a pod spec and of a container that bear
// on identity and its security, and leaves out the rest (resources,
// probes, ports, affinity, tolerations…): no rule reads them, and they
// would be most of what the rules' input holds.
var (
	podSpecFields = []string{
		"serviceAccountName", "serviceAccount", "automountServiceAccountToken",
		"hostNetwork", "hostPID", "hostIPC", "securityContext", "nodeSelector", "os", "nodeName",
	}
	containerFields = []string{"command", "args", "workingDir", "securityContext"}
)

func (r *normalizer) container(c map[string]any, typ string, index int, at []any, podSC map[string]any, specPath []any) map[string]any {
	e := make(map[string]any, len(containerFields)+12)
	for _, k := range containerFields {
		if v, ok := c[k]; ok {
			e[k] = v
		}
	}
	name, _ := r.str(c["name"], at, "name")
	e["name"] = name
	e["type"] = typ
	e["index"] = index
	// key identifies the container within its pod even when names repeat
	// (invalid, but then still analyzable).
	e["key"] = fmt.Sprintf("%s/%d", typ, index)
	e["at"] = at
	image, _ := r.str(c["image"], at, "image")
	e["image"] = image
	e["imageRef"] = ParseImage(image)

	env := []any{}
	for i, raw := range r.list(c["env"], at, "env") {
		p := join(at, "env", i)
		if v := r.mapping(raw, p); v != nil {
			ev := copyWith(v, "at", p)
			r.str(v["name"], p, "name")
			if _, ok := v["value"]; ok {
				// Kubernetes env values are strings; YAML may have typed them.
				if s, ok := r.str(v["value"], p, "value"); ok {
					ev["value"] = s
				}
			}
			env = append(env, ev)
		}
	}
	e["env"] = env
	e["envFrom"] = r.entries(c, at, "envFrom")
	e["volumeMounts"] = r.entries(c, at, "volumeMounts")

	sc := r.mapping(c["securityContext"], at, "securityContext")
	for _, f := range []string{"runAsUser", "runAsGroup"} {
		r.integer(sc[f], at, "securityContext", f)
	}
	r.boolean(sc["runAsNonRoot"], at, "securityContext", "runAsNonRoot")
	eff := map[string]any{}
	for _, f := range inheritedSecurityFields {
		if v, ok := sc[f]; ok && v != nil {
			eff[f] = map[string]any{"value": normalizeNumber(v), "at": join(at, "securityContext", f), "from": "container"}
		} else if v, ok := podSC[f]; ok && v != nil {
			eff[f] = map[string]any{"value": normalizeNumber(v), "at": join(specPath, "securityContext", f), "from": "pod"}
		}
	}
	e["effectiveSecurityContext"] = eff
	return e
}

func (r *normalizer) volumes(spec map[string]any, specPath []any) []any {
	out := []any{}
	for i, raw := range r.list(spec["volumes"], specPath, "volumes") {
		p := join(specPath, "volumes", i)
		v := r.mapping(raw, p)
		if v == nil {
			continue
		}
		if proj := r.mapping(v["projected"], p, "projected"); proj != nil {
			r.integer(proj["defaultMode"], p, "projected", "defaultMode")
			for j, src := range r.list(proj["sources"], p, "projected", "sources") {
				if s := r.mapping(src, p, "projected", "sources", j); s != nil {
					if tok := r.mapping(s["serviceAccountToken"], p, "projected", "sources", j, "serviceAccountToken"); tok != nil {
						r.integer(tok["expirationSeconds"], p, "projected", "sources", j, "serviceAccountToken", "expirationSeconds")
					}
				}
			}
		}
		e := map[string]any{"at": p}
		for _, k := range volumeFields {
			if x, ok := v[k]; ok {
				e[k] = x
			}
		}
		out = append(out, e)
	}
	return out
}

// volumeFields are the fields of a volume the inventory keeps: its name, a
// projected token, and the sources that put host or secret files in the pod.
var volumeFields = []string{"name", "projected", "secret", "hostPath"}

// entries copies the mappings of the list m[field] (at path at), each with
// the "at" of where it was read.
func (r *normalizer) entries(m map[string]any, at []any, field string) []any {
	out := []any{}
	for i, raw := range r.list(m[field], at, field) {
		p := join(at, field, i)
		if v := r.mapping(raw, p); v != nil {
			out = append(out, copyWith(v, "at", p))
		}
	}
	return out
}

func copyWith(m map[string]any, key string, val any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	out[key] = val
	return out
}

// normalizeNumber turns integral floats (from JSON like 1000.0) into ints so
// rules compare like with like.
func normalizeNumber(v any) any {
	if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f)
	}
	return v
}

func nonNil(p []any) []any {
	if p == nil {
		return []any{}
	}
	return p
}

func pathText(p []any) string {
	if len(p) == 0 {
		return "the object"
	}
	return source.FormatPath(p)
}
