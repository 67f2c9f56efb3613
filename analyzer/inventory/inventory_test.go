package inventory_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/inventory"
	"github.com/irsalint/irsalint/analyzer/source"
)

// The three files of a small repository. Line numbers matter: tests point
// at them.
const fileA = `apiVersion: v1
kind: Namespace
metadata:
  name: prod
  labels: {env: production}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: prod
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/api
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
spec:
  template:
    metadata:
      annotations:
        irsalint.io/ignore: " default-sa-has-role,static-aws-credentials , "
    spec:
      serviceAccountName: api
      containers:
        - name: app
          image: nginx
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx
`

const fileB = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: default
  namespace: staging
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/staging
---
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: staging
  annotations:
    irsalint.io/ignore: webhook-opt-out
spec:
  containers:
    - name: c
      image: busybox
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: x
  namespace: idle
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: other}
---
name: not-kubernetes
---
apiVersion: batch/v1
kind: Job
metadata:
  name: j
  namespace: prod
spec:
  template:
    spec:
      serviceAccountName: missing
      containers: [{name: j, image: alpine}]
`

// fileC declares prod/api again, with another role (a conflict: both
// declarations are analysed, joins use a.yaml's, first in file order), and
// staging, which fileB only touched.
const fileC = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: api
    namespace: prod
    annotations:
      eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/other
- apiVersion: v1
  kind: Namespace
  metadata:
    name: staging
- apiVersion: v1
  kind: Secret
  metadata: {name: s}
`

func decode(t testing.TB, text string) []source.Doc {
	t.Helper()
	docs, err := source.Decode([]byte(text))
	if err != nil {
		t.Fatalf("source.Decode: %v", err)
	}
	return docs
}

type file struct{ name, text string }

// build adds files in order and returns the inventory and every diagnostic.
func build(t testing.TB, c inventory.Cluster, s inventory.Settings, files ...file) (*inventory.Inventory, []string) {
	t.Helper()
	b := inventory.NewBuilder(c, s)
	diags := []string{}
	for _, f := range files {
		for _, d := range b.AddFile(f.name, decode(t, f.text)) {
			diags = append(diags, d.String())
		}
	}
	inv, bd := b.Build()
	for _, d := range bd {
		diags = append(diags, d.String())
	}
	return inv, diags
}

// built is Build's inventory.
func built(b *inventory.Builder) *inventory.Inventory {
	inv, _ := b.Build()
	return inv
}

func repo(t testing.TB) (*inventory.Inventory, []string) {
	t.Helper()
	return build(t, inventory.Cluster{}, inventory.DefaultSettings(), file{"a.yaml", fileA}, file{"b.yaml", fileB}, file{"c.yaml", fileC})
}

func equal(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) == string(w) {
			t.Errorf("%s:\n got  %#v\n want %#v", what, got, want)
		} else {
			t.Errorf("%s:\n got  %s\n want %s", what, g, w)
		}
	}
}

func TestBuilderDiagnostics(t *testing.T) {
	inv, diags := repo(t)
	equal(t, "diagnostics", diags, []string{})
	equal(t, "duplicates", inv.Input["duplicates"], []any{
		map[string]any{"kind": "ServiceAccount", "key": "prod/api", "object": "ServiceAccount prod/api", "declarations": []any{
			map[string]any{"ref": "a.yaml#1", "at": []any{"metadata", "name"}, "file": "a.yaml", "observed": false},
			map[string]any{"ref": "c.yaml#0.items[0]", "at": []any{"metadata", "name"}, "file": "c.yaml", "observed": false},
		}},
	})
}

// TestBuilderDuplicates: a repeated declaration that says the same gets a
// notice; one that differs is kept and listed; which one joins use never
// depends on the order of the files.
func TestBuilderDuplicates(t *testing.T) {
	sa := func(role string) string {
		return "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: prod\n  annotations:\n    eks.amazonaws.com/role-arn: " + role + "\n"
	}
	ns := "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n"
	a := file{"a.yaml", sa("arn:aws:iam::111122223333:role/api") + "---\n" + ns}
	same := file{"b.yaml", "# the same, later in another file\n" + sa("arn:aws:iam::111122223333:role/api")}
	other := file{"c.yaml", sa("arn:aws:iam::111122223333:role/other") + "---\n" + ns}
	inv, diags := build(t, inventory.Cluster{}, inventory.Settings{}, other, same, a)
	equal(t, "diagnostics", diags, []string{
		"b.yaml:2:1: notice: ServiceAccount prod/api is declared again, the same as at a.yaml:1:1",
		"c.yaml:9:1: notice: Namespace prod is declared again, the same as at a.yaml:9:1",
	})
	equal(t, "duplicates", inv.Input["duplicates"], []any{
		map[string]any{"kind": "ServiceAccount", "key": "prod/api", "object": "ServiceAccount prod/api", "declarations": []any{
			map[string]any{"ref": "a.yaml#0", "at": []any{"metadata", "name"}, "file": "a.yaml", "observed": false},
			map[string]any{"ref": "c.yaml#0", "at": []any{"metadata", "name"}, "file": "c.yaml", "observed": false},
		}},
	})
	sas := inv.Input["serviceAccounts"].(map[string]any)
	if sas["prod/api"].(map[string]any)["ref"] != "a.yaml#0" || sas["c.yaml#0"].(map[string]any)["key"] != "prod/api" || sas["b.yaml#1"] != nil {
		t.Errorf("serviceAccounts %v", sas)
	}
	var first []byte
	for _, order := range [][]file{{a, same, other}, {other, same, a}, {same, other, a}} {
		inv, _ := build(t, inventory.Cluster{}, inventory.Settings{}, order...)
		got, _ := json.Marshal(inv.Input)
		if first == nil {
			first = got
		} else if string(got) != string(first) {
			t.Errorf("order %s/%s/%s gives another inventory:\n%s\n%s", order[0].name, order[1].name, order[2].name, got, first)
		}
	}
}

func TestBuilderServiceAccounts(t *testing.T) {
	inv, _ := repo(t)
	sas := inv.Input["serviceAccounts"].(map[string]any)
	keys := []string{}
	for k := range sas {
		keys = append(keys, k)
	}
	// prod/default is implicit (prod has workloads); staging/default is
	// declared; idle has no workload, so no implicit default; prod/missing is
	// named by a workload but declared nowhere.
	if len(sas) != 5 || sas["c.yaml#0.items[0]"] == nil || sas["prod/api"] == nil || sas["prod/default"] == nil || sas["staging/default"] == nil || sas["idle/x"] == nil {
		t.Fatalf("serviceAccounts keys %v", keys)
	}
	equal(t, "prod/api", sas["prod/api"], map[string]any{
		"ref": "a.yaml#1", "kind": "ServiceAccount", "namespace": "prod", "name": "api", "key": "prod/api", "declared": true,
		"labels": map[string]any{},
		// The first declaration in file order is the one joins use.
		"annotations": map[string]any{"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/api"},
		"at":          []any{},
		"usedBy":      []any{"a.yaml#2"},
	})
	equal(t, "prod/default", sas["prod/default"], map[string]any{
		"ref": "implicit:prod/default", "kind": "ServiceAccount", "namespace": "prod", "name": "default", "key": "prod/default",
		"declared": false, "labels": map[string]any{}, "annotations": map[string]any{},
		"usedBy": []any{"a.yaml#3"},
	})
	// A declared default wins over the implicit one.
	equal(t, "staging/default", sas["staging/default"], map[string]any{
		"ref": "b.yaml#0", "kind": "ServiceAccount", "namespace": "staging", "name": "default", "key": "staging/default", "declared": true,
		"labels":      map[string]any{},
		"annotations": map[string]any{"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/staging"},
		"at":          []any{},
		"usedBy":      []any{"b.yaml#1"},
	})
	equal(t, "idle/x usedBy", sas["idle/x"].(map[string]any)["usedBy"], []any{})
	// c.yaml's conflicting declaration is analysed, under its ref, and joins
	// nothing.
	equal(t, "c.yaml's prod/api", sas["c.yaml#0.items[0]"].(map[string]any)["usedBy"], []any{})
}

func TestBuilderUsedByOrder(t *testing.T) {
	var text string
	for i := range 3 {
		text += fmt.Sprintf("---\napiVersion: v1\nkind: Pod\nmetadata: {name: p%d, namespace: ns}\nspec:\n  serviceAccountName: shared\n  containers: []\n", i)
	}
	inv, diags := build(t, inventory.Cluster{}, inventory.Settings{}, file{"z.yaml", text}, file{"a.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: q, namespace: ns}\nspec:\n  serviceAccount: shared\n  containers: []\n"},
		file{"sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: shared, namespace: ns}\n"})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	sas := inv.Input["serviceAccounts"].(map[string]any)
	// In file order, whatever order the files were added in.
	equal(t, "usedBy", sas["ns/shared"].(map[string]any)["usedBy"], []any{"a.yaml#0", "z.yaml#0", "z.yaml#1", "z.yaml#2"})
	// Nobody runs as the implicit default, but it exists: ns has workloads.
	equal(t, "ns/default usedBy", sas["ns/default"].(map[string]any)["usedBy"], []any{})
}

func TestBuilderNamespaces(t *testing.T) {
	inv, _ := repo(t)
	equal(t, "namespaces", inv.Input["namespaces"], map[string]any{
		"prod": map[string]any{
			"ref": "a.yaml#0", "name": "prod", "declared": true,
			"labels": map[string]any{"env": "production"}, "annotations": map[string]any{}, "at": []any{},
		},
		// Touched by b.yaml's objects first, declared in c.yaml's List.
		"staging": map[string]any{
			"ref": "c.yaml#0.items[1]", "name": "staging", "declared": true,
			"labels": map[string]any{}, "annotations": map[string]any{}, "at": []any{},
		},
		// Touched only; "other" holds only a ConfigMap, which is not read.
		"idle": map[string]any{"name": "idle", "declared": false, "labels": map[string]any{}, "annotations": map[string]any{}},
	})
}

func TestBuilderNamespaceDeclaredTwice(t *testing.T) {
	inv, diags := build(t, inventory.Cluster{}, inventory.Settings{},
		file{"a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod, labels: {v: first}}\n"},
		file{"b.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod, labels: {v: second}}\n"})
	if len(diags) > 0 {
		t.Errorf("diagnostics %v", diags)
	}
	nss := inv.Input["namespaces"].(map[string]any)
	ns := nss["prod"].(map[string]any)
	if ns["ref"] != "a.yaml#0" || ns["labels"].(map[string]any)["v"] != "first" {
		t.Errorf("prod = %v; want the first declaration", ns)
	}
	if nss["b.yaml#0"].(map[string]any)["labels"].(map[string]any)["v"] != "second" {
		t.Errorf("the second, conflicting, declaration is not kept: %v", nss)
	}
	if inv.Stats.Objects["Namespace"] != 2 || inv.Sources["b.yaml#0"] == nil {
		t.Errorf("the second declaration was not counted: %v, %v", inv.Stats.Objects, inv.Sources["b.yaml#0"])
	}
}

func TestBuilderWorkloads(t *testing.T) {
	inv, _ := repo(t)
	ws := inv.Input["workloads"].([]any)
	var refs []string
	for _, w := range ws {
		refs = append(refs, w.(map[string]any)["ref"].(string))
	}
	equal(t, "workload refs (file order)", refs, []string{"a.yaml#2", "a.yaml#3", "b.yaml#1", "b.yaml#5"})
	job := ws[3].(map[string]any)
	equal(t, "job serviceAccount", job["serviceAccount"], map[string]any{
		"name": "missing", "key": "prod/missing", "source": "serviceAccountName", "at": []any{"spec", "template", "spec", "serviceAccountName"},
	})
}

func TestBuilderStats(t *testing.T) {
	inv, _ := repo(t)
	want := inventory.Stats{
		Files: 3,
		// a.yaml 4; b.yaml 6 (two ignored); c.yaml a List of 3 items (one
		// ignored; the repeated ServiceAccount is a document read).
		Documents: 13,
		Ignored:   3,
		// Every declaration is counted, the repeated ServiceAccount too.
		Objects: map[string]int{"Namespace": 2, "ServiceAccount": 4, "Deployment": 2, "Pod": 1, "Job": 1},
	}
	equal(t, "Stats", inv.Stats, want)
	equal(t, "Kinds", inv.Stats.Kinds(), []string{"Deployment", "Job", "Namespace", "Pod", "ServiceAccount"})
	equal(t, "empty Kinds", inventory.Stats{}.Kinds(), []string{})
}

func TestBuilderStatsEdgeCases(t *testing.T) {
	tests := []struct {
		name                string
		text                string
		documents, ignored  int
		objects             map[string]int
		diagnostics         []string
		workloads, services int
	}{
		{"empty file", "", 0, 0, map[string]int{}, nil, 0, 0},
		{"comments only", "# nothing\n---\n", 0, 0, map[string]int{}, nil, 0, 0},
		{"a scalar document", "hello\n", 1, 1, map[string]int{}, nil, 0, 0},
		{"an empty List", "apiVersion: v1\nkind: List\nitems: []\n", 1, 0, map[string]int{}, nil, 0, 0},
		{"an object with no name", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {}\n", 1, 0, map[string]int{},
			[]string{"x.yaml:3:1: error: ServiceAccount has no metadata.name"}, 0, 0},
		{"a workload with no pod spec", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: broken}\n", 1, 0, map[string]int{},
			[]string{"x.yaml:1:1: error: Deployment has no pod template spec (spec.template.spec)"}, 0, 0},
		{"a workload with a type error is still analyzed", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostNetwork: \"true\", containers: []}\n", 1, 0, map[string]int{"Pod": 1},
			[]string{`x.yaml:4:8: error: spec.hostNetwork: expected a boolean, got string "true"`}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := build(t, inventory.Cluster{}, inventory.Settings{}, file{"x.yaml", tt.text})
			equal(t, "Stats", inv.Stats, inventory.Stats{Files: 1, Documents: tt.documents, Ignored: tt.ignored, Objects: tt.objects})
			equal(t, "diagnostics", diags, append([]string{}, tt.diagnostics...))
			if n := len(inv.Input["workloads"].([]any)); n != tt.workloads {
				t.Errorf("%d workloads, want %d", n, tt.workloads)
			}
			if n := len(inv.Input["serviceAccounts"].(map[string]any)); n != tt.services {
				t.Errorf("%d service accounts, want %d", n, tt.services)
			}
			if _, ok := inv.Input["namespaces"].(map[string]any)["broken"]; ok {
				t.Error("a workload that cannot be analyzed touched its namespace")
			}
		})
	}
}

// TestBuilderStatsListItemWithError: report.Stats documents Documents as
// "the number of non-empty YAML/JSON documents (List items count one
// each)"; an item that fails to extract must still count.
func TestBuilderStatsListItemWithError(t *testing.T) {
	inv, diags := build(t, inventory.Cluster{}, inventory.Settings{}, file{"x.yaml", `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: a}
- apiVersion: v1
  kind: ServiceAccount
  metadata: {}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: c}
`})
	equal(t, "diagnostics", diags, []string{"x.yaml:9:3: error: ServiceAccount has no metadata.name"})
	if inv.Stats.Documents != 3 {
		t.Errorf("Documents = %d, want 3 (three List items)", inv.Stats.Documents)
	}
}

func TestSources(t *testing.T) {
	inv, _ := repo(t)
	var refs []string
	for ref := range inv.Sources {
		refs = append(refs, ref)
	}
	if len(inv.Sources) != 10 {
		t.Errorf("Sources %v", refs)
	}
	for _, ref := range []string{"a.yaml#0", "a.yaml#1", "a.yaml#2", "a.yaml#3", "b.yaml#0", "b.yaml#1", "b.yaml#2", "b.yaml#5", "c.yaml#0.items[0]", "c.yaml#0.items[1]"} {
		if inv.Sources[ref] == nil {
			t.Errorf("no source for %s (have %v)", ref, refs)
		}
	}
	// Neither the implicit default nor ignored documents have a source.
	for _, ref := range []string{"implicit:prod/default", "b.yaml#3", "b.yaml#4"} {
		if inv.Sources[ref] != nil {
			t.Errorf("unexpected source for %s", ref)
		}
	}
	dep, list := inv.Sources["a.yaml#2"], inv.Sources["c.yaml#0.items[1]"]
	if dep.File != "a.yaml" || dep.Base != nil || dep.Name != "Deployment prod/api" || dep.Pos == nil {
		t.Errorf("a.yaml#2 = %+v", *dep)
	}
	if list.File != "c.yaml" || !reflect.DeepEqual(list.Base, []any{"items", 1}) || list.Name != "Namespace staging" {
		t.Errorf("c.yaml#0.items[1] = %+v", *list)
	}
	if n := inv.Sources["b.yaml#0"].Name; n != "ServiceAccount staging/default" {
		t.Errorf("b.yaml#0 Name %q", n)
	}
}

func TestSourceLocate(t *testing.T) {
	inv, _ := repo(t)
	loc := func(f string, line, col int) analyzer.Location {
		return analyzer.Location{File: f, Line: line, Column: col}
	}
	tests := []struct {
		ref  string
		at   []any
		want analyzer.Location
	}{
		{"a.yaml#2", nil, loc("a.yaml", 15, 1)},
		{"a.yaml#2", []any{}, loc("a.yaml", 15, 1)},
		// A mapping key: the key's position.
		{"a.yaml#2", []any{"spec", "template", "spec", "serviceAccountName"}, loc("a.yaml", 26, 7)},
		{"a.yaml#1", []any{"metadata", "annotations", "eks.amazonaws.com/role-arn"}, loc("a.yaml", 13, 5)},
		// A sequence item: the item's value.
		{"a.yaml#2", []any{"spec", "template", "spec", "containers", 0}, loc("a.yaml", 28, 11)},
		{"a.yaml#2", []any{"spec", "template", "spec", "containers", int64(0), "image"}, loc("a.yaml", 29, 11)},
		// Past the end: the deepest part that exists.
		{"a.yaml#2", []any{"spec", "template", "spec", "containers", 0, "env", 3, "value"}, loc("a.yaml", 28, 11)},
		{"a.yaml#2", []any{"spec", "template", "spec", "containers", 5}, loc("a.yaml", 27, 7)},
		{"a.yaml#3", []any{"metadata", "labels", "team"}, loc("a.yaml", 33, 1)},
		{"a.yaml#3", []any{"nope"}, loc("a.yaml", 31, 1)},
		// A List item: relative to the item.
		{"c.yaml#0.items[1]", nil, loc("c.yaml", 11, 3)},
		{"c.yaml#0.items[1]", []any{"metadata", "name"}, loc("c.yaml", 14, 5)},
		{"b.yaml#5", []any{"spec", "template", "spec", "containers", 0, "image"}, loc("b.yaml", 42, 30)},
	}
	for _, tt := range tests {
		if got := inv.Sources[tt.ref].Locate(tt.at); got != tt.want {
			t.Errorf("%s Locate(%v) = %v, want %v", tt.ref, tt.at, got, tt.want)
		}
	}
	// A source without a position tree has a file only.
	s := &inventory.Source{File: "inferred"}
	if got := s.Locate([]any{"metadata"}); got != (analyzer.Location{File: "inferred"}) {
		t.Errorf("Locate without positions = %v", got)
	}
}

func TestIgnoreAnnotation(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		ignore map[string]bool
		at     []any
		loc    string
	}{
		{"none", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s}\n", nil, nil, ""},
		{"on a ServiceAccount", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: s\n  annotations:\n    irsalint.io/ignore: sa-missing-role-arn\n",
			map[string]bool{"sa-missing-role-arn": true}, []any{"metadata", "annotations", "irsalint.io/ignore"}, "x.yaml:6:5"},
		{"on a Namespace", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  annotations: {irsalint.io/ignore: a}\n",
			map[string]bool{"a": true}, []any{"metadata", "annotations", "irsalint.io/ignore"}, "x.yaml:5:17"},
		{"comma list with spaces", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    irsalint.io/ignore: \" a , b,,c ,\"\nspec: {containers: []}\n",
			map[string]bool{"a": true, "b": true, "c": true}, []any{"metadata", "annotations", "irsalint.io/ignore"}, "x.yaml:6:5"},
		{"pod template only", manifestWith("", "irsalint.io/ignore: a,b"),
			map[string]bool{"a": true, "b": true}, []any{"spec", "template", "metadata", "annotations", "irsalint.io/ignore"}, "x.yaml:10:9"},
		{"object and template: both apply, the object's is the place", manifestWith("irsalint.io/ignore: a", "irsalint.io/ignore: b"),
			map[string]bool{"a": true, "b": true}, []any{"metadata", "annotations", "irsalint.io/ignore"}, "x.yaml:6:5"},
		{"empty value", manifestWith("irsalint.io/ignore: \"\"", ""),
			map[string]bool{}, []any{"metadata", "annotations", "irsalint.io/ignore"}, "x.yaml:6:5"},
		{"a similar annotation is not it", manifestWith("irsalint.io/ignore-reason: because", "irsalint.io/ignored: a"), nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := build(t, inventory.Cluster{}, inventory.Settings{}, file{"x.yaml", tt.text})
			if len(diags) > 0 {
				t.Fatalf("diagnostics %v", diags)
			}
			src := inv.Sources["x.yaml#0"]
			if src == nil {
				t.Fatal("no source")
			}
			equal(t, "Ignore", src.Ignore, tt.ignore)
			equal(t, "IgnoreAt", src.IgnoreAt, tt.at)
			if tt.loc != "" {
				if got := src.Locate(src.IgnoreAt).String(); got != tt.loc {
					t.Errorf("Locate(IgnoreAt) = %s, want %s", got, tt.loc)
				}
			}
		})
	}
}

// manifestWith is a Deployment with the given annotation lines on the
// object (line 6) and on the pod template (line 10).
func manifestWith(objAnnotation, tplAnnotation string) string {
	a, b := "{}", "{}"
	if objAnnotation != "" {
		a = "\n    " + objAnnotation
	}
	if tplAnnotation != "" {
		b = "\n        " + tplAnnotation
	}
	return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  annotations: ` + a + `
spec:
  template:
    metadata:
      annotations: ` + b + `
    spec:
      containers: []
`
}

func TestInputDocument(t *testing.T) {
	v, err := inventory.ParseKubernetesVersion("v1.29.3")
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := build(t, inventory.Cluster{
		OIDCIssuer: "oidc.eks.us-gov-west-1.amazonaws.com/id/ABC", AccountID: "111122223333", Region: "us-gov-west-1", KubernetesVersion: v,
	}, inventory.Settings{HostNetworkAllowlist: []string{"kube-system/aws-node"}, AWSImages: []string{"aws-cli"}})
	// Fields are only added within a schema version: check the ones this
	// test knows, not the absence of others.
	in := inv.Input
	if in["schemaVersion"] != inventory.SchemaVersion {
		t.Errorf("schemaVersion = %v", in["schemaVersion"])
	}
	cluster := in["cluster"].(map[string]any)
	for k, want := range map[string]any{
		"oidcIssuer": "oidc.eks.us-gov-west-1.amazonaws.com/id/ABC", "accountId": "111122223333",
		"region": "us-gov-west-1", "partition": "aws-us-gov",
		"kubernetesVersion": map[string]any{"major": 1, "minor": 29, "raw": "v1.29.3"},
	} {
		equal(t, "cluster."+k, cluster[k], want)
	}
	equal(t, "settings", in["settings"], map[string]any{
		"hostNetworkAllowlist": []any{"kube-system/aws-node"},
		"awsImages":            []any{"aws-cli"},
		"awsEnv":               []any{},
	})
	for k, want := range map[string]any{
		"namespaces": map[string]any{}, "serviceAccounts": map[string]any{}, "workloads": []any{},
		"podIdentityAssociations": map[string]any{},
		"facts": map[string]any{"podIdentityAssociations": false, "clusters": false, "nodegroups": false,
			"launchTemplates": false, "oidcProviders": false, "fargateProfiles": false,
			"clusterObjectsComplete": false, "clusterRegionsComplete": []any{}, "oidcProviderList": false},
		"clusters": map[string]any{}, "nodegroups": map[string]any{}, "launchTemplates": map[string]any{},
		"oidcProviders": map[string]any{}, "fargateProfiles": map[string]any{},
	} {
		equal(t, k, in[k], want)
	}
	if inventory.SchemaVersion != 1 {
		t.Errorf("SchemaVersion = %d", inventory.SchemaVersion)
	}

	// An unknown cluster is all nulls.
	inv, _ = build(t, inventory.Cluster{}, inventory.DefaultSettings())
	cluster = inv.Input["cluster"].(map[string]any)
	for _, k := range []string{"oidcIssuer", "accountId", "region", "partition", "kubernetesVersion"} {
		if v, ok := cluster[k]; !ok || v != nil {
			t.Errorf("unknown cluster: %s = %v, %v; want null", k, v, ok)
		}
	}
	settings := inv.Input["settings"].(map[string]any)
	d := inventory.DefaultSettings()
	for key, want := range map[string][]string{"hostNetworkAllowlist": d.HostNetworkAllowlist, "awsImages": d.AWSImages, "awsEnv": d.AWSEnv} {
		got := settings[key].([]any)
		if len(got) != len(want) || len(want) == 0 {
			t.Errorf("settings.%s has %d entries, want %d", key, len(got), len(want))
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("settings.%s[%d] = %v, want %s", key, i, got[i], want[i])
			}
		}
	}
}

func TestInputDeterministicAndConvertible(t *testing.T) {
	var first []byte
	for i := range 5 {
		inv, _ := repo(t)
		b, err := json.Marshal(inv.Input)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = b
		} else if string(b) != string(first) {
			t.Fatalf("build %d differs:\n%s\n%s", i, first, b)
		}
		v, err := ast.InterfaceToValue(inv.Input)
		if err != nil {
			t.Fatalf("ast.InterfaceToValue: %v", err)
		}
		// The Rego value says the same as the Go document.
		var back any
		if err := json.Unmarshal([]byte(v.String()), &back); err != nil {
			t.Fatalf("the Rego value is not JSON: %v", err)
		}
		var orig any
		_ = json.Unmarshal(b, &orig)
		if !reflect.DeepEqual(back, orig) {
			t.Fatalf("the Rego value differs from the input")
		}
	}
}

func TestBuildTwice(t *testing.T) {
	b := inventory.NewBuilder(inventory.Cluster{}, inventory.Settings{})
	b.AddFile("a.yaml", decode(t, fileA))
	one, _ := json.Marshal(built(b).Input)
	two, _ := json.Marshal(built(b).Input)
	if string(one) != string(two) {
		t.Errorf("a second Build differs:\n%s\n%s", one, two)
	}
}

// TestAddFileAfterBuild: Build adds the implicit defaults to the builder's
// own map, so declaring a namespace's default afterwards looks like a
// repeated declaration of an object that has no source.
func TestAddFileAfterBuild(t *testing.T) {
	b := inventory.NewBuilder(inventory.Cluster{}, inventory.Settings{})
	b.AddFile("a.yaml", decode(t, fileA))
	b.Build()
	diags := b.AddFile("d.yaml", decode(t, "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: prod}\n"))
	if len(diags) > 0 {
		t.Errorf("diagnostics %v", diags)
	}
	sa := built(b).Input["serviceAccounts"].(map[string]any)["prod/default"].(map[string]any)
	if sa["declared"] != true || sa["ref"] != "d.yaml#0" {
		t.Errorf("prod/default = %v; want the declaration", sa)
	}
}
