package kustomize

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/render"
	"github.com/irsalint/irsalint/analyzer/source"
)

// writeTree writes files (path: text) under dir.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for p, text := range files {
		abs := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// renderDir scans dir as irsalint lint does and builds its kustomizations.
func renderDir(t testing.TB, dir string) render.Output {
	t.Helper()
	scan := source.ScanPaths([]string{dir}, source.CollectOptions{Render: true, WorkingDir: dir})
	return Renderer{}.Render(context.Background(), scan.Units, render.Env{Scan: scan, Options: render.Options{WorkingDir: dir}})
}

// object finds a built object by kind and name.
func object(t *testing.T, out render.Output, kind, name string) render.Doc {
	t.Helper()
	for _, d := range out.Docs {
		m := d.Doc.Value.(map[string]any)
		if m["kind"] == kind && m["metadata"].(map[string]any)["name"] == name {
			return d
		}
	}
	t.Fatalf("no %s %s built; diagnostics %v", kind, name, out.Diagnostics)
	return render.Doc{}
}

func place(loc analyzer.Location) string { return fmt.Sprintf("%s:%d", loc.File, loc.Line) }

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels:
    app: api
spec:
  replicas: 1
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: example.com/payments/api:1.0.0
`

const serviceAccount = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/payments-api
`

// TestLocate places each kind of path where a person edits it.
func TestLocate(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"base/kustomization.yaml":  "resources:\n  - deployment.yaml\n  - serviceAccount.yaml\n",
		"base/deployment.yaml":     deployment,
		"base/serviceAccount.yaml": serviceAccount,
		"prod/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: payments
namePrefix: prod-
commonLabels:
  team: payments
images:
  - name: example.com/payments/api
    newTag: 1.4.2
resources:
  - ../base
patches:
  - path: size.yaml
  - target:
      kind: ServiceAccount
      name: api
    patch: |-
      - op: replace
        path: /metadata/annotations/eks.amazonaws.com~1role-arn
        value: arn:aws:iam::444455556666:role/payments-api
`,
		"prod/size.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: api
          resources:
            limits:
              memory: 512Mi
`,
	})
	out := renderDir(t, dir)
	for _, d := range out.Diagnostics {
		t.Errorf("diagnostic: %v", d)
	}
	dep := object(t, out, "Deployment", "prod-api")
	if dep.File != "base/deployment.yaml" {
		t.Errorf("Deployment named by %s, want base/deployment.yaml", dep.File)
	}
	containers := []any{"spec", "template", "spec", "containers", 0}
	for _, c := range []struct {
		path        []any
		want, base  string
		description string
	}{
		{nil, "base/deployment.yaml:1", "", "the object"},
		{[]any{"metadata", "namespace"}, "prod/kustomization.yaml:3", "", "namespace:"},
		{[]any{"metadata", "name"}, "prod/kustomization.yaml:4", "base/deployment.yaml:4", "namePrefix:"},
		{[]any{"metadata", "labels", "team"}, "prod/kustomization.yaml:6", "", "commonLabels"},
		{[]any{"metadata", "labels", "app"}, "base/deployment.yaml:6", "", "a base label"},
		{append(containers, "image"), "prod/kustomization.yaml:8", "base/deployment.yaml:20", "images:"},
		{[]any{"spec", "replicas"}, "prod/size.yaml:6", "base/deployment.yaml:8", "a patched value"},
		{append(containers, "resources", "limits", "memory"), "prod/size.yaml:13", "", "a value only the patch has"},
		{[]any{"spec", "template", "spec", "serviceAccountName"}, "base/deployment.yaml:17", "", "a base value"},
		{[]any{"spec", "template", "spec"}, "base/deployment.yaml:16", "", "a mapping a patch merged into"},
		{append(containers, "livenessProbe"), "base/deployment.yaml:19", "", "a path neither has: as deep as it goes"},
	} {
		loc, related := dep.Doc.Origin.Locate(c.path)
		if got := place(loc); got != c.want {
			t.Errorf("%s (%s): at %s, want %s", source.FormatPath(c.path), c.description, got, c.want)
		}
		var base string
		for _, r := range related {
			if r.Message == "base value" {
				base = place(r.Location)
			}
		}
		if base != c.base {
			t.Errorf("%s (%s): base value at %q, want %q", source.FormatPath(c.path), c.description, base, c.base)
		}
	}
	// The inline JSON 6902 patch's value, on its line in the kustomization.
	sa := object(t, out, "ServiceAccount", "prod-api")
	loc, _ := sa.Doc.Origin.Locate([]any{"metadata", "annotations", "eks.amazonaws.com/role-arn"})
	if got := place(loc); got != "prod/kustomization.yaml:20" {
		t.Errorf("role ARN set by the inline JSON patch at %s, want prod/kustomization.yaml:20", got)
	}
	// kustomize renames the reference with the ServiceAccount.
	spec := dep.Doc.Value.(map[string]any)["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
	if spec["serviceAccountName"] != "prod-api" {
		t.Errorf("serviceAccountName %v, want prod-api", spec["serviceAccountName"])
	}
}

// TestBookkeepingRemoved: rules read annotation keys, so kustomize's own
// (the origin irsalint asks for) must not reach them.
func TestBookkeepingRemoved(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"kustomization.yaml":  "resources:\n  - serviceAccount.yaml\nbuildMetadata: [transformerAnnotations]\nnamespace: x\n",
		"serviceAccount.yaml": serviceAccount,
	})
	out := renderDir(t, dir)
	sa := object(t, out, "ServiceAccount", "api")
	anns := sa.Doc.Value.(map[string]any)["metadata"].(map[string]any)["annotations"].(map[string]any)
	if len(anns) != 1 || anns["eks.amazonaws.com/role-arn"] == nil {
		t.Errorf("annotations %v, want the role ARN alone", anns)
	}
}

// TestOverlaysOnly: a base another kustomization uses is built through it,
// not on its own, and every file a build read is consumed.
func TestOverlaysOnly(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"base/kustomization.yaml":    "resources:\n  - deployment.yaml\n",
		"base/deployment.yaml":       deployment,
		"base/unused.yaml":           serviceAccount,
		"prod/kustomization.yaml":    "namespace: prod\nresources:\n  - ../base\npatches:\n  - path: replicas.yaml\n",
		"prod/replicas.yaml":         "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 3\n",
		"staging/kustomization.yaml": "namespace: staging\nresources:\n  - ../base\n",
	})
	out := renderDir(t, dir)
	var got []string
	for _, d := range out.Docs {
		got = append(got, d.Doc.Value.(map[string]any)["metadata"].(map[string]any)["namespace"].(string))
	}
	if !slices.Equal(got, []string{"prod", "staging"}) {
		t.Errorf("built the Deployment in %v, want [prod staging] (the base is not an overlay)", got)
	}
	var consumed []string
	for _, p := range out.Consumed {
		rel, _ := filepath.Rel(dir, p)
		consumed = append(consumed, filepath.ToSlash(rel))
	}
	want := []string{"base/deployment.yaml", "base/kustomization.yaml", "prod/kustomization.yaml", "prod/replicas.yaml", "staging/kustomization.yaml"}
	if !slices.Equal(consumed, want) {
		t.Errorf("consumed %v, want %v (base/unused.yaml is named by no kustomization)", consumed, want)
	}
	// Refs keep apart the objects built from one file.
	if out.Docs[0].Doc.Index == out.Docs[1].Doc.Index {
		t.Errorf("both variants have document index %d", out.Docs[0].Doc.Index)
	}
	if a, b := out.Docs[0].Doc.Origin.(*locator).Variant(), out.Docs[1].Doc.Origin.(*locator).Variant(); a == b {
		t.Errorf("both variants are of %s", a)
	}
}

// TestSameObjectOnce: two overlays that build a base's object unchanged
// give it once, so its findings are not repeated.
func TestSameObjectOnce(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"base/kustomization.yaml":  "namespace: api\nresources:\n  - serviceAccount.yaml\n",
		"base/serviceAccount.yaml": serviceAccount,
		"a/kustomization.yaml":     "resources:\n  - ../base\n",
		"b/kustomization.yaml":     "resources:\n  - ../base\n",
	})
	out := renderDir(t, dir)
	if len(out.Docs) != 1 {
		t.Errorf("%d objects, want 1", len(out.Docs))
	}
}

// fakeGit puts on PATH a git and a helm that record being run.
func fakeGit(t *testing.T) (ran func() bool) {
	t.Helper()
	bin := t.TempDir()
	mark := filepath.Join(bin, "ran")
	for _, name := range []string{"git", "helm", "kustomize"} {
		script := "#!/bin/sh\necho \"$0 $*\" >> " + mark + "\nexit 1\n"
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin)
	return func() bool {
		data, err := os.ReadFile(mark)
		if err == nil {
			t.Logf("ran: %s", data)
		}
		return err == nil
	}
}

// TestRemoteNotFetched: remote bases, components and files are left out
// with one notice each, no program is run, and the local rest is built.
func TestRemoteNotFetched(t *testing.T) {
	ran := fakeGit(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"kustomization.yaml": `resources:
  - github.com/kubernetes-sigs/aws-load-balancer-controller/config/default?ref=v2.7.1
  - https://github.com/aws/eks-charts/stable/aws-load-balancer-controller/crds?ref=master
  - git::https://example.com/platform/bases.git//irsa?ref=v1
  - git@github.com:example/platform.git/base
  - serviceAccount.yaml
components:
  - ssh://git@example.com/platform/components.git//irsa
patches:
  - path: https://example.com/patches/role.yaml
configMapGenerator:
  - name: settings
    envs:
      - https://example.com/settings.env
helmCharts:
  - name: aws-load-balancer-controller
    repo: https://aws.github.io/eks-charts
transformers:
  - |-
    apiVersion: example.com/v1
    kind: Injector
    metadata:
      name: inject
      annotations:
        config.kubernetes.io/function: |
          exec:
            path: /bin/sh
`,
		"serviceAccount.yaml": serviceAccount,
	})
	out := renderDir(t, dir)
	if ran() {
		t.Error("a program was run")
	}
	var notices []string
	for _, d := range out.Diagnostics {
		if d.Level == analyzer.LevelNotice {
			notices = append(notices, place(d.Location))
		}
	}
	want := []string{"kustomization.yaml:2", "kustomization.yaml:3", "kustomization.yaml:4", "kustomization.yaml:5",
		"kustomization.yaml:8", "kustomization.yaml:10", "kustomization.yaml:14", "kustomization.yaml:15"}
	slices.Sort(notices)
	slices.Sort(want)
	if !slices.Equal(notices, want) {
		t.Errorf("notices at %v, want %v", notices, want)
	}
	// The exec function is refused: kustomize runs builtin plugins only.
	var errs []string
	for _, d := range out.Diagnostics {
		if d.Level == analyzer.LevelError {
			errs = append(errs, d.Message)
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "plugin") {
		t.Errorf("errors %q, want one refusing the plugin", errs)
	}
}

// TestRemoteLeftOut: without the exec function, the local rest builds.
func TestRemoteLeftOut(t *testing.T) {
	ran := fakeGit(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"kustomization.yaml":  "resources:\n  - github.com/example/platform/base?ref=v1\n  - serviceAccount.yaml\n",
		"serviceAccount.yaml": serviceAccount,
	})
	out := renderDir(t, dir)
	if ran() {
		t.Error("a program was run")
	}
	object(t, out, "ServiceAccount", "api")
	if len(out.Diagnostics) != 1 || out.Diagnostics[0].Level != analyzer.LevelNotice ||
		!strings.Contains(out.Diagnostics[0].Message, "github.com/example/platform/base?ref=v1") {
		t.Errorf("diagnostics %v, want one notice naming the remote base", out.Diagnostics)
	}
}

// TestOutsideRefused: a kustomization names a file outside the folder being
// linted, or links to one: an error on its entry, no read.
func TestOutsideRefused(t *testing.T) {
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{"secret.yaml": serviceAccount})
	dir := filepath.Join(t.TempDir(), "repo")
	depth := strings.Repeat("../", strings.Count(dir, string(filepath.Separator))+2)
	writeTree(t, dir, map[string]string{
		"up/kustomization.yaml":   "resources:\n  - " + depth + "etc\n",
		"link/kustomization.yaml": "resources:\n  - secret.yaml\n",
		"abs/kustomization.yaml":  "resources:\n  - " + filepath.Join(outside, "secret.yaml") + "\n",
	})
	if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "link", "secret.yaml")); err != nil {
		t.Fatal(err)
	}
	out := renderDir(t, dir)
	if len(out.Docs) != 0 {
		t.Errorf("built %d objects from outside the tree", len(out.Docs))
	}
	got := map[string]string{}
	for _, d := range out.Diagnostics {
		if d.Level == analyzer.LevelError {
			got[place(d.Location)] = d.Message
		}
	}
	for _, at := range []string{"up/kustomization.yaml:2", "link/kustomization.yaml:2", "abs/kustomization.yaml:2"} {
		if !strings.Contains(got[at], "outside the folder being linted") {
			t.Errorf("%s: %q, want an error that the entry is outside the folder being linted (all: %v)", at, got[at], got)
		}
	}
	for _, p := range out.Consumed {
		if strings.HasPrefix(p, outside) {
			t.Errorf("consumed %s", p)
		}
	}
}

// TestBuildErrors: kustomize's errors name the kustomization and the entry,
// and the other overlays are still built.
func TestBuildErrors(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"missing/kustomization.yaml":  "resources:\n  - serviceAccount.yaml\n  - deployment.yaml\n",
		"missing/serviceAccount.yaml": serviceAccount,
		"target/kustomization.yaml":   "resources:\n  - serviceAccount.yaml\npatches:\n  - path: nothing.yaml\n",
		"target/serviceAccount.yaml":  serviceAccount,
		"target/nothing.yaml":         "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: other\n  labels: {a: b}\n",
		"twice/kustomization.yaml":    "resources:\n  - a.yaml\n  - b.yaml\n",
		"twice/a.yaml":                serviceAccount,
		"twice/b.yaml":                serviceAccount,
		"bad/kustomization.yaml":      "resources: [\n",
		"good/kustomization.yaml":     "resources:\n  - serviceAccount.yaml\n",
		"good/serviceAccount.yaml":    serviceAccount,
	})
	out := renderDir(t, dir)
	object(t, out, "ServiceAccount", "api")
	got := map[string]bool{}
	for _, d := range out.Diagnostics {
		if d.Level != analyzer.LevelError || !strings.HasPrefix(d.Message, "cannot build the kustomization") {
			t.Errorf("diagnostic %v", d)
		}
		got[d.Location.File] = true
		if d.Location.File == "missing/kustomization.yaml" && (d.Location.Line != 3 || !strings.Contains(d.Message, `"deployment.yaml": no such file`)) {
			t.Errorf("missing file: %v", d)
		}
	}
	for _, f := range []string{"missing/kustomization.yaml", "target/kustomization.yaml", "twice/kustomization.yaml", "bad/kustomization.yaml"} {
		if !got[f] {
			t.Errorf("no error on %s: %v", f, out.Diagnostics)
		}
	}
}

// TestNoKustomization: a scan without kustomizations renders nothing.
func TestNoKustomization(t *testing.T) {
	out := Renderer{}.Render(context.Background(), nil, render.Env{})
	if len(out.Docs)+len(out.Consumed)+len(out.Diagnostics) != 0 {
		t.Errorf("%+v", out)
	}
}

// BenchmarkRender100Overlays builds 100 overlays over 4 bases, the shape of
// a repository with one overlay per environment and service.
func BenchmarkRender100Overlays(b *testing.B) {
	dir := b.TempDir()
	files := map[string]string{}
	services := []string{"carts", "catalog", "checkout", "orders"}
	for _, svc := range services {
		files["base/"+svc+"/kustomization.yaml"] = "resources:\n  - deployment.yaml\n  - serviceAccount.yaml\n"
		rename := strings.NewReplacer(": api", ": "+svc, "/api:", "/"+svc+":")
		files["base/"+svc+"/deployment.yaml"] = rename.Replace(deployment)
		files["base/"+svc+"/serviceAccount.yaml"] = rename.Replace(serviceAccount)
	}
	for i := range 100 {
		svc := services[i%len(services)]
		o := fmt.Sprintf("overlays/env%02d-%s/", i, svc)
		files[o+"kustomization.yaml"] = fmt.Sprintf("namespace: env%02d\nnamePrefix: env%02d-\nresources:\n  - ../../base/%s\nimages:\n  - name: example.com/payments/%s\n    newTag: 1.%d.0\npatches:\n  - path: size.yaml\n", i, i, svc, svc, i)
		files[o+"size.yaml"] = fmt.Sprintf("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\nspec:\n  replicas: %d\n", svc, i%5+1)
	}
	writeTree(b, dir, files)
	b.ResetTimer()
	for b.Loop() {
		out := renderDir(b, dir)
		if len(out.Docs) != 200 || len(out.Diagnostics) != 0 {
			b.Fatalf("%d objects, diagnostics %v", len(out.Docs), out.Diagnostics)
		}
		for _, d := range out.Docs {
			d.Doc.Origin.Locate([]any{"metadata", "name"})
		}
	}
}
