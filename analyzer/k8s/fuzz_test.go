package k8s_test

import (
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/internal/textpos"
	"github.com/irsalint/irsalint/analyzer/k8s"
	"github.com/irsalint/irsalint/analyzer/source"
)

var extractSeeds = []string{
	"",
	fullDeployment,
	"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n  spec:\n    containers:\n    - name: app\n      securityContext: {runAsUser: \"0\"}\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: s, annotations: {a: 1}}\n",
	"apiVersion: batch/v1\nkind: CronJob\nmetadata: {generateName: x-}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          serviceAccount: legacy\n          initContainers: [{name: i, env: [{name: A, value: 1}]}]\n",
	"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  name: b\nautomountServiceAccountToken: yes\n",
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: prod, labels: {a: b}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: prod}\nspec: {hostNetwork: \"yes\", containers: nginx}\n",
	`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"securityContext":{"runAsUser":1000.5},"containers":[null,{"name":"c","image":"a/b:c@sha256:d"}],"volumes":[{"projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":"x"}}]}}]}}}}`,
	"apiVersion: v1\nkind: PodList\nitems: [{apiVersion: v1, kind: Pod, metadata: {name: 5}}, {apiVersion: v1, kind: Pod, metadata: []}, 1]\n",
	"a: &a {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c}]}}\n---\napiVersion: v1\nkind: List\nitems: [*a, *a]\n",
}

// FuzzExtractAndNormalize reads arbitrary bytes the way irsalint does and
// normalizes every object it finds. It must never panic or take long; every
// diagnostic points inside the file; every path an entry gives for a container, env
// entry, mount or volume exists in the document; and the entries convert to
// Rego values.
func FuzzExtractAndNormalize(f *testing.F) {
	for _, s := range extractSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		extractAndNormalize(t, data)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("took %v for %d bytes", d, len(data))
		}
	})
}

func extractAndNormalize(t *testing.T, data []byte) {
	{
		docs, _ := source.Decode(data)
		text := textpos.New(data)
		check := func(what string, ds []analyzer.Diagnostic) {
			t.Helper()
			for _, d := range ds {
				if d.Location.File != file {
					t.Fatalf("%s: diagnostic %q in another file", what, d.String())
				}
				if err := text.Check(d.Location.Line, d.Location.Column); err != nil {
					t.Fatalf("%s: diagnostic %q: %v", what, d.String(), err)
				}
				if d.Message == "" || (d.Level != analyzer.LevelError && d.Level != analyzer.LevelNotice) {
					t.Fatalf("%s: diagnostic %+v", what, d)
				}
			}
		}
		refs := map[string]bool{}
		for _, doc := range docs {
			ex := k8s.Extract(file, doc)
			check("Extract", ex.Diagnostics)
			if ex.Ignored < 0 || (!k8s.IsKubernetes(doc.Value) && (ex.Ignored != 1 || len(ex.Objects) > 0)) {
				t.Fatalf("Extract: %d objects, %d ignored", len(ex.Objects), ex.Ignored)
			}
			for _, o := range ex.Objects {
				if refs[o.Ref] || o.Name == "" || o.Namespace == "" || o.Pos != doc.Pos {
					t.Fatalf("object %+v (ref seen before: %v)", *o, refs[o.Ref])
				}
				refs[o.Ref] = true
				var (
					e     map[string]any
					diags []analyzer.Diagnostic
				)
				switch {
				case o.Kind == "ServiceAccount":
					e, diags = k8s.ServiceAccount(o)
				case o.Kind == "Namespace":
					e, diags = k8s.Namespace(o)
				case k8s.IsWorkload(o.Kind):
					e, diags = k8s.Workload(o)
					if e == nil && len(diags) == 0 {
						t.Fatalf("Workload(%s) gave neither an entry nor a diagnostic", o.Ref)
					}
					if e != nil {
						checkPaths(t, o, e)
					}
				default:
					t.Fatalf("Extract returned a %s", o.Kind)
				}
				check(o.Kind, diags)
				if e != nil {
					if _, err := ast.InterfaceToValue(e); err != nil {
						t.Fatalf("%s: ast.InterfaceToValue: %v", o.Ref, err)
					}
				}
			}
		}
	}
}

// checkPaths verifies that the paths a workload entry hands to rules exist.
func checkPaths(t *testing.T, o *k8s.Object, e map[string]any) {
	t.Helper()
	exists := func(what string, at any) {
		t.Helper()
		p, ok := at.([]any)
		if !ok {
			t.Fatalf("%s: at is %T", what, at)
		}
		full := append(append([]any{}, o.Base...), p...)
		if _, exact := o.Pos.Lookup(full); !exact {
			t.Fatalf("%s: at %v does not exist in the document", what, p)
		}
	}
	exists("podSpec", e["podSpec"].(map[string]any)["at"])
	if sa := e["serviceAccount"].(map[string]any); sa["source"] != "default" {
		exists("serviceAccount", sa["at"])
	}
	for _, v := range e["volumes"].([]any) {
		exists("volume", v.(map[string]any)["at"])
	}
	for _, c := range e["containers"].([]any) {
		cm := c.(map[string]any)
		exists("container", cm["at"])
		for _, list := range []string{"env", "envFrom", "volumeMounts"} {
			for _, v := range cm[list].([]any) {
				exists(list, v.(map[string]any)["at"])
			}
		}
		for f, v := range cm["effectiveSecurityContext"].(map[string]any) {
			exists("effectiveSecurityContext."+f, v.(map[string]any)["at"])
		}
	}
}
