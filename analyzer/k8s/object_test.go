package k8s_test

import (
	"fmt"
	"testing"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/k8s"
)

func TestExtractKindsAndGroups(t *testing.T) {
	tests := []struct {
		apiVersion, kind string
		read             bool
	}{
		{"v1", "Pod", true},
		{"v1", "ReplicationController", true},
		{"v1", "ServiceAccount", true},
		{"v1", "Namespace", true},
		{"apps/v1", "Deployment", true},
		{"apps/v1beta2", "Deployment", true},
		{"extensions/v1beta1", "Deployment", true},
		{"apps/v1", "StatefulSet", true},
		{"apps/v1", "DaemonSet", true},
		{"extensions/v1beta1", "DaemonSet", true},
		{"apps/v1", "ReplicaSet", true},
		{"extensions/v1beta1", "ReplicaSet", true},
		{"batch/v1", "Job", true},
		{"batch/v1", "CronJob", true},
		{"batch/v1beta1", "CronJob", true},

		// A CRD that reuses a workload's name is not ours.
		{"example.com/v1", "Deployment", false},
		{"v1", "Deployment", false},
		{"apps/v1", "Pod", false},
		{"extensions/v1beta1", "StatefulSet", false},
		{"apps/v1", "Job", false},
		{"example.com/v1", "ServiceAccount", false},
		{"argoproj.io/v1alpha1", "Rollout", false},
		// Other kinds.
		{"v1", "ConfigMap", false},
		{"rbac.authorization.k8s.io/v1", "Role", false},
		{"v1", "pod", false},
	}
	for _, tt := range tests {
		t.Run(tt.apiVersion+"/"+tt.kind, func(t *testing.T) {
			ex := extract(t, fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata:\n  name: x\n  namespace: prod\n", tt.apiVersion, tt.kind))
			if len(ex.Diagnostics) > 0 {
				t.Fatalf("diagnostics: %v", diagStrings(ex.Diagnostics))
			}
			if !tt.read {
				if len(ex.Objects) != 0 || ex.Ignored != 1 {
					t.Fatalf("got %d objects, %d ignored; want 0 objects, 1 ignored", len(ex.Objects), ex.Ignored)
				}
				return
			}
			if len(ex.Objects) != 1 || ex.Ignored != 0 {
				t.Fatalf("got %d objects, %d ignored; want 1 object, 0 ignored", len(ex.Objects), ex.Ignored)
			}
			o := ex.Objects[0]
			wantNS := "prod"
			if tt.kind == "Namespace" {
				wantNS = "x" // a Namespace is its own namespace
			}
			if o.Ref != file+"#0" || o.Kind != tt.kind || o.APIVersion != tt.apiVersion || o.Name != "x" ||
				o.Namespace != wantNS || !o.NamespaceExplicit || o.File != file || o.Base != nil || o.Pos == nil {
				t.Errorf("object %+v", *o)
			}
		})
	}
}

func TestIsWorkload(t *testing.T) {
	for _, kind := range []string{"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"} {
		if !k8s.IsWorkload(kind) {
			t.Errorf("IsWorkload(%q) = false", kind)
		}
	}
	for _, kind := range []string{"ServiceAccount", "Namespace", "ConfigMap", "List", "", "deployment"} {
		if k8s.IsWorkload(kind) {
			t.Errorf("IsWorkload(%q) = true", kind)
		}
	}
}

func TestExtractNotKubernetes(t *testing.T) {
	for _, text := range []string{
		"name: my-package\nversion: 1.0.0\n",
		"- a\n- b\n",
		"just a string\n",
		"42\n",
		"apiVersion: v1\nmetadata: {name: x}\n",
		"kind: Pod\nmetadata: {name: x}\n",
		"apiVersion: 1\nkind: Pod\nmetadata: {name: x}\n",
		"apiVersion: \"\"\nkind: Pod\nmetadata: {name: x}\n",
		"apiVersion: v1\nkind: [Pod]\nmetadata: {name: x}\n",
		// Duplicate keys in a document that is not Kubernetes are not ours
		// to judge.
		"a: 1\na: 2\n",
	} {
		docs := decode(t, text)
		if k8s.IsKubernetes(docs[0].Value) {
			t.Errorf("IsKubernetes(%q) = true", text)
		}
		ex := k8s.Extract(file, docs[0])
		if len(ex.Objects) != 0 || ex.Ignored != 1 || len(ex.Diagnostics) != 0 {
			t.Errorf("Extract(%q) = %d objects, %d ignored, %v; want 0, 1, none", text, len(ex.Objects), ex.Ignored, diagStrings(ex.Diagnostics))
		}
	}
}

func TestExtractMultiDocumentRefs(t *testing.T) {
	docs := decode(t, `# a comment
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
`)
	if len(docs) != 2 {
		t.Fatalf("%d documents", len(docs))
	}
	if ex := k8s.Extract(file, docs[0]); ex.Ignored != 1 || len(ex.Objects) != 0 {
		t.Errorf("ConfigMap: %+v", ex)
	}
	ex := k8s.Extract(file, docs[1])
	if len(ex.Objects) != 1 || ex.Objects[0].Ref != file+"#1" {
		t.Fatalf("ServiceAccount: %+v", ex)
	}
	if got := ex.Objects[0].Location(path("metadata", "name")); got != (analyzer.Location{File: file, Line: 10, Column: 12}) {
		t.Errorf("metadata.name at %v, want %s:10:12", got, file)
	}
}

func TestExtractList(t *testing.T) {
	docs := decode(t, `apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: a
    namespace: ns1
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: cm
- just: a mapping
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: d
`)
	ex := k8s.Extract(file, docs[1])
	if len(ex.Diagnostics) > 0 {
		t.Fatalf("diagnostics: %v", diagStrings(ex.Diagnostics))
	}
	if ex.Ignored != 2 {
		t.Errorf("Ignored = %d, want 2 (a ConfigMap item and a non-Kubernetes item)", ex.Ignored)
	}
	if len(ex.Objects) != 2 {
		t.Fatalf("%d objects, want 2", len(ex.Objects))
	}
	sa, d := ex.Objects[0], ex.Objects[1]
	if sa.Ref != file+"#1.items[0]" || sa.Kind != "ServiceAccount" || sa.Name != "a" || sa.Namespace != "ns1" || !sa.NamespaceExplicit {
		t.Errorf("items[0] = %+v", *sa)
	}
	equal(t, "items[0] Base", sa.Base, []any{"items", 0})
	if d.Ref != file+"#1.items[3]" || d.Kind != "Deployment" || d.Name != "d" || d.Namespace != "default" || d.NamespaceExplicit {
		t.Errorf("items[3] = %+v", *d)
	}
	equal(t, "items[3] Base", d.Base, []any{"items", 3})

	// Locations are relative to the item, in the whole file.
	for _, tt := range []struct {
		o    *k8s.Object
		at   []any
		want analyzer.Location
	}{
		{sa, path("metadata", "name"), analyzer.Location{File: file, Line: 11, Column: 5}},
		{sa, path("metadata", "namespace"), analyzer.Location{File: file, Line: 12, Column: 5}},
		{sa, nil, analyzer.Location{File: file, Line: 8, Column: 3}},
		{d, path(), analyzer.Location{File: file, Line: 18, Column: 3}},
		{d, path("metadata", "name"), analyzer.Location{File: file, Line: 21, Column: 5}},
		// Past the end: the deepest part that exists.
		{d, path("spec", "template"), analyzer.Location{File: file, Line: 18, Column: 3}},
		{d, path("metadata", "labels", "app"), analyzer.Location{File: file, Line: 20, Column: 3}},
	} {
		if got := tt.o.Location(tt.at); got != tt.want {
			t.Errorf("%s Location(%v) = %v, want %v", tt.o.Ref, tt.at, got, tt.want)
		}
	}
}

func TestExtractTypedList(t *testing.T) {
	ex := extract(t, `apiVersion: v1
kind: ServiceAccountList
metadata: {resourceVersion: "1"}
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: a, namespace: x}
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: b, namespace: x}
`)
	if len(ex.Diagnostics) > 0 || ex.Ignored != 0 || len(ex.Objects) != 2 {
		t.Fatalf("got %d objects, %d ignored, %v", len(ex.Objects), ex.Ignored, diagStrings(ex.Diagnostics))
	}
	for j, name := range []string{"a", "b"} {
		o := ex.Objects[j]
		if o.Ref != fmt.Sprintf("%s#0.items[%d]", file, j) || o.Name != name {
			t.Errorf("item %d = %s %s", j, o.Ref, o.Name)
		}
	}
}

func TestExtractListEdgeCases(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		objects int
		ignored int
		diags   []string
	}{
		{"empty items", "apiVersion: v1\nkind: List\nitems: []\n", 0, 0, nil},
		{"null items", "apiVersion: v1\nkind: List\nitems:\n", 0, 0, nil},
		{"items not a list", "apiVersion: v1\nkind: List\nitems: 5\n", 0, 0,
			[]string{file + ":3:1: error: items: expected a list, got number 5"}},
		{"List without items is a kind we do not read", "apiVersion: v1\nkind: List\n", 0, 1, nil},
		{"items of a kind that is not a list are not expanded",
			"apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s}\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n", 1, 0, nil},
		{"an item with no name", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    labels: {}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: ok}\n", 1, 0,
			[]string{file + ":6:3: error: Pod has no metadata.name"}},
		{"an item without metadata", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n", 0, 0,
			[]string{file + ":4:3: error: Pod has no metadata"}},
		{"an item with a bad namespace", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p, namespace: [a]}\n", 0, 0,
			[]string{file + ":6:23: error: items[0].metadata.namespace: expected a string, got a list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := extract(t, tt.text)
			if len(ex.Objects) != tt.objects || ex.Ignored != tt.ignored {
				t.Errorf("got %d objects, %d ignored; want %d, %d", len(ex.Objects), ex.Ignored, tt.objects, tt.ignored)
			}
			equal(t, "diagnostics", diagStrings(ex.Diagnostics), append([]string{}, tt.diags...))
		})
	}
}

func TestExtractMetadataErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{"no metadata", "apiVersion: v1\nkind: ServiceAccount\n",
			file + ":1:1: error: ServiceAccount has no metadata"},
		{"null metadata", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n",
			file + ":1:1: error: ServiceAccount has no metadata"},
		{"metadata not a mapping", "apiVersion: v1\nkind: ServiceAccount\nmetadata: sa\n",
			file + `:3:1: error: metadata: expected a mapping, got string "sa"`},
		{"no name", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  namespace: prod\n",
			file + ":3:1: error: Deployment has no metadata.name"},
		{"empty name", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"\"\n",
			file + ":3:1: error: Pod has no metadata.name"},
		{"name not a string", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: 1234\n",
			file + ":4:3: error: metadata.name: expected a string, got number 1234"},
		{"name is YAML 1.1 boolean", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: on\n",
			file + ":4:3: error: metadata.name: expected a string, got boolean true"},
		{"namespace not a string", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: 7\n",
			file + ":5:3: error: metadata.namespace: expected a string, got number 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := extract(t, tt.text)
			if len(ex.Objects) != 0 || ex.Ignored != 0 {
				t.Errorf("got %d objects, %d ignored; want none", len(ex.Objects), ex.Ignored)
			}
			equal(t, "diagnostics", diagStrings(ex.Diagnostics), []string{tt.want})
		})
	}
}

func TestExtractNames(t *testing.T) {
	tests := []struct {
		name     string
		meta     string
		wantName string
		wantNS   string
		explicit bool
	}{
		{"name and namespace", "{name: api, namespace: prod}", "api", "prod", true},
		{"no namespace lands in default", "{name: api}", "api", "default", false},
		{"empty namespace lands in default", "{name: api, namespace: \"\"}", "api", "default", false},
		{"null namespace lands in default", "{name: api, namespace: null}", "api", "default", false},
		{"explicit default", "{name: api, namespace: default}", "api", "default", true},
		{"generateName", "{generateName: migrate-, namespace: jobs}", "migrate-*", "jobs", true},
		{"name wins over generateName", "{name: api, generateName: api-}", "api", "default", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := object(t, "apiVersion: batch/v1\nkind: Job\nmetadata: "+tt.meta+"\n")
			if o.Name != tt.wantName || o.Namespace != tt.wantNS || o.NamespaceExplicit != tt.explicit {
				t.Errorf("got name %q namespace %q explicit %v; want %q %q %v", o.Name, o.Namespace, o.NamespaceExplicit, tt.wantName, tt.wantNS, tt.explicit)
			}
			if got, want := o.Describe(), "Job "+tt.wantNS+"/"+tt.wantName; got != want {
				t.Errorf("Describe() = %q, want %q", got, want)
			}
		})
	}

	// A Namespace is in itself, whatever metadata.namespace says.
	o := object(t, "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod, namespace: other}\n")
	if o.Name != "prod" || o.Namespace != "prod" || !o.NamespaceExplicit || o.Describe() != "Namespace prod" {
		t.Errorf("Namespace = %+v, Describe %q", *o, o.Describe())
	}
}

func TestExtractDuplicateKeys(t *testing.T) {
	ex := extract(t, `apiVersion: v1
kind: ServiceAccount
metadata:
  name: first
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/a
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/b
  name: second
`)
	equal(t, "diagnostics", diagStrings(ex.Diagnostics), []string{
		file + `:7:5: error: mapping key "eks.amazonaws.com/role-arn" already defined at line 6`,
		file + `:8:3: error: mapping key "name" already defined at line 4`,
	})
	// The object is still analyzed as lenient readers see it: last key wins.
	if len(ex.Objects) != 1 || ex.Objects[0].Name != "second" {
		t.Fatalf("objects = %+v", ex.Objects)
	}
	for _, d := range ex.Diagnostics {
		if d.Level != analyzer.LevelError {
			t.Errorf("duplicate key diagnostic has level %q", d.Level)
		}
	}
}

func TestObjectLocationOutsideList(t *testing.T) {
	o := object(t, "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  annotations:\n    eks.amazonaws.com/role-arn: x\n")
	for _, tt := range []struct {
		at   []any
		want analyzer.Location
	}{
		{nil, analyzer.Location{File: file, Line: 1, Column: 1}},
		{path("metadata"), analyzer.Location{File: file, Line: 3, Column: 1}},
		{path("metadata", "annotations", "eks.amazonaws.com/role-arn"), analyzer.Location{File: file, Line: 6, Column: 5}},
		{path("metadata", "annotations", "other"), analyzer.Location{File: file, Line: 5, Column: 3}},
		{path("spec", 0), analyzer.Location{File: file, Line: 1, Column: 1}},
	} {
		if got := o.Location(tt.at); got != tt.want {
			t.Errorf("Location(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
}
