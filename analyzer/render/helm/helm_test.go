package helm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Masterminds/sprig/v3"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/render"
	"github.com/irsalint/irsalint/analyzer/source"
)

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// renderDir renders the charts found in dir, as lint does, with paths
// shown relative to dir.
func renderDir(t *testing.T, ctx context.Context, dir string, opts render.Options) render.Output {
	t.Helper()
	scan := source.ScanPaths([]string{"."}, source.CollectOptions{WorkingDir: dir, Render: true})
	var units []source.Unit
	for _, u := range scan.Units {
		if u.Kind == source.UnitHelm {
			units = append(units, u)
		}
	}
	if len(units) == 0 {
		t.Fatalf("no chart found in %s", dir)
	}
	opts.WorkingDir = dir
	return Renderer{}.Render(ctx, units, render.Env{Scan: scan, Options: opts})
}

const (
	chartYAML = "apiVersion: v2\nname: app\nversion: 0.1.0\n"
	saYAML    = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n"
)

func diagnostics(o render.Output) string {
	var b strings.Builder
	for _, d := range o.Diagnostics {
		b.WriteString(d.String() + "\n")
	}
	return b.String()
}

// A values schema's references are not followed: Helm's own check would
// send a request to any URL the chart names, and read any file of the host.
func TestSchemaReferencesAreNotFetched(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		w.Write([]byte(`{"type": "string"}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"Chart.yaml":        chartYAML,
		"values.yaml":       "name: app\nimage: {tag: \"1.0\"}\n",
		"templates/sa.yaml": saYAML,
		"values.schema.json": `{"type": "object", "properties": {
			"name": {"$ref": "` + srv.URL + `/name.json"},
			"image": {"$ref": "file:///dev/zero"},
			"other": {"$ref": "urn:example:other"}}}`,
	})
	done := make(chan render.Output, 1)
	go func() { done <- renderDir(t, context.Background(), dir, render.Options{}) }()
	var out render.Output
	select {
	case out = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("rendering did not end: a schema reference was read")
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests sent for the schema's references", n)
	}
	want := "values.schema.json: notice: the values schema refers to file:///dev/zero, " + srv.URL + "/name.json, which irsalint does not fetch: those parts accept any value\n"
	if got := diagnostics(out); got != want {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", got, want)
	}
	if len(out.Docs) != 1 {
		t.Errorf("%d documents rendered, want the ServiceAccount", len(out.Docs))
	}
}

// Values that break the chart's own schema stop the chart, as in Helm.
func TestSchemaViolation(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"Chart.yaml":         chartYAML,
		"values.yaml":        "replicas: 1\n",
		"values.schema.json": `{"type": "object", "properties": {"replicas": {"type": "integer", "minimum": 2}}}`,
		"templates/sa.yaml":  saYAML,
	})
	out := renderDir(t, context.Background(), dir, render.Options{})
	got := diagnostics(out)
	if len(out.Docs) != 0 || len(out.Diagnostics) != 1 || out.Diagnostics[0].Level != analyzer.LevelError ||
		!strings.HasPrefix(got, "Chart.yaml: error: values don't meet the specifications of the schema(s) in the following chart(s): app: ") || !strings.Contains(got, "minimum") {
		t.Errorf("%d documents; diagnostics:\n%s", len(out.Docs), got)
	}
	out = renderDir(t, context.Background(), dir, render.Options{Set: []string{"replicas=3"}})
	if len(out.Docs) != 1 || len(out.Diagnostics) != 0 {
		t.Errorf("--set replicas=3: %d documents; diagnostics:\n%s", len(out.Docs), diagnostics(out))
	}
}

// The bounded functions give what sprig's give, and refuse sizes a chart
// would use only to exhaust memory.
func TestBoundedFunctions(t *testing.T) {
	dir := t.TempDir()
	tmpl := `{{ until 3 }} {{ until -2 }} {{ untilStep 5 0 -2 }} {{ untilStep 0 5 -1 }} {{ seq 3 }} {{ seq 5 2 }} {{ seq 0 3 9 }} {{ repeat 2 "ab" }}`
	write(t, dir, map[string]string{
		"Chart.yaml":        chartYAML,
		"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  got: |-\n    " + tmpl + "\n",
	})
	out := renderDir(t, context.Background(), dir, render.Options{})
	if len(out.Docs) != 1 {
		t.Fatalf("diagnostics:\n%s", diagnostics(out))
	}
	got := out.Docs[0].Doc.Value.(map[string]any)["data"].(map[string]any)["got"]
	f := sprig.TxtFuncMap()
	until, untilStep := f["until"].(func(int) []int), f["untilStep"].(func(int, int, int) []int)
	seq, repeat := f["seq"].(func(...int) string), f["repeat"].(func(int, string) string)
	want := fmt.Sprint(until(3), " ", until(-2), " ", untilStep(5, 0, -2), " ", untilStep(0, 5, -1), " ",
		seq(3), " ", seq(5, 2), " ", seq(0, 3, 9), " ", repeat(2, "ab"))
	if got != want {
		t.Errorf("got %q, sprig gives %q", got, want)
	}

	for tmpl, msg := range map[string]string{
		`{{ range until 100000000 }}x{{ end }}`:                                      "until: 100000000 elements, more than the 1000000 irsalint renders",
		`{{ range untilStep -9000000000000000000 9000000000000000000 1 }}x{{ end }}`: "untilStep: 1000001 elements",
		`{{ seq 1 0 50000000 }}`:                                                     "seq: 1000001 elements",
		`{{ repeat 100000000 "xy" }}`:                                                "repeat: 100000000 times 2 bytes",
	} {
		write(t, dir, map[string]string{"templates/cm.yaml": tmpl + "\n"})
		start := time.Now()
		out := renderDir(t, context.Background(), dir, render.Options{})
		if got := diagnostics(out); !strings.HasPrefix(got, "templates/cm.yaml:1:") || !strings.Contains(got, msg) {
			t.Errorf("%s:\n%s", tmpl, got)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s took %s", tmpl, d)
		}
	}
}

func tgz(t *testing.T, files map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(files[n]))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return buf.String()
}

// Vendored dependencies are placed in the files they were read from: a
// folder named otherwise than its chart, under an alias, or an archive
// (which has no line to edit).
func TestDependencyLocations(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"Chart.yaml":                              chartYAML + "dependencies:\n  - name: redis\n    alias: cache\n    version: 19.0.0\n  - name: other\n    version: 1.0.0\n",
		"templates/sa.yaml":                       saYAML,
		"charts/redis-19.0.0/Chart.yaml":          "apiVersion: v2\nname: redis\nversion: 19.0.0\n",
		"charts/redis-19.0.0/values.yaml":         "roleArn: arn:aws:iam::111122223333:role/redis\n",
		"charts/redis-19.0.0/templates/sa.yaml":   "# The cache's identity.\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Release.Name }}-{{ .Chart.Name }}\n  annotations:\n    eks.amazonaws.com/role-arn: {{ .Values.roleArn }}\n",
		"charts/redis-19.0.0/templates/NOTES.txt": "not a manifest\n",
		"charts/other-1.0.0.tgz": tgz(t, map[string]string{
			"other/Chart.yaml":        "apiVersion: v2\nname: other\nversion: 1.0.0\n",
			"other/templates/sa.yaml": saYAML + "  namespace: other\n",
		}),
	})
	out := renderDir(t, context.Background(), dir, render.Options{})
	if len(out.Diagnostics) != 0 {
		t.Errorf("diagnostics:\n%s", diagnostics(out))
	}
	got := map[string]string{}
	for _, d := range out.Docs {
		loc, _ := d.Doc.Origin.Locate([]any{"metadata", "name"})
		got[d.File] = loc.String()
	}
	want := map[string]string{
		"templates/sa.yaml":                     "templates/sa.yaml:4",
		"charts/redis-19.0.0/templates/sa.yaml": "charts/redis-19.0.0/templates/sa.yaml:5",
		"charts/other-1.0.0.tgz":                "charts/other-1.0.0.tgz",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("documents at\n%v\nwant\n%v", got, want)
	}
	// The value from the dependency's values.yaml is at its line there.
	for _, d := range out.Docs {
		if d.File == "charts/redis-19.0.0/templates/sa.yaml" {
			loc, related := d.Doc.Origin.Locate([]any{"metadata", "annotations", "eks.amazonaws.com/role-arn"})
			if loc.String() != "charts/redis-19.0.0/values.yaml:1:1" || len(related) != 1 || related[0].Location.String() != "charts/redis-19.0.0/templates/sa.yaml:7" {
				t.Errorf("role ARN at %s, related %v", loc, related)
			}
		}
	}
	// The parent's values for the alias override the dependency's own, and
	// a --values file the parent's.
	write(t, dir, map[string]string{
		"values.yaml": "cache:\n  roleArn: arn:aws:iam::111122223333:role/cache\n",
		"prod.yaml":   "# prod\ncache:\n  roleArn: arn:aws:iam::111122223333:role/cache-prod\n",
	})
	for _, c := range []struct {
		values []string
		want   string
	}{{nil, "values.yaml:2:3"}, {[]string{"prod.yaml"}, "prod.yaml:3:3"}} {
		out := renderDir(t, context.Background(), dir, render.Options{ValuesFiles: c.values})
		for _, d := range out.Docs {
			if d.File == "charts/redis-19.0.0/templates/sa.yaml" {
				if loc, _ := d.Doc.Origin.Locate([]any{"metadata", "annotations", "eks.amazonaws.com/role-arn"}); loc.String() != c.want {
					t.Errorf("--values %v: role ARN at %s, want %s", c.values, loc, c.want)
				}
			}
		}
	}
	consumed := strings.Join(out.Consumed, "\n")
	if !strings.Contains(consumed, filepath.Join(dir, "charts", "other-1.0.0.tgz")) || !strings.Contains(consumed, filepath.Join(dir, "charts", "redis-19.0.0", "values.yaml")) {
		t.Errorf("consumed:\n%s", consumed)
	}

	// A template error in the dependency is at its file and line.
	write(t, dir, map[string]string{"charts/redis-19.0.0/templates/sa.yaml": "\n\n{{ required \"cache.password is required\" .Values.password }}\n"})
	out = renderDir(t, context.Background(), dir, render.Options{})
	if got := diagnostics(out); !strings.HasPrefix(got, "charts/redis-19.0.0/templates/sa.yaml:3:3: error: the chart does not render: ") || !strings.Contains(got, "cache.password is required") {
		t.Errorf("diagnostics:\n%s", got)
	}
}

// BenchmarkRenderChart renders the chart modeled on the AWS Load Balancer
// Controller's (three templates, helpers, a test hook) with a values file.
func BenchmarkRenderChart(b *testing.B) {
	dir, err := filepath.Abs("../../../testdata/rules/role-not-found/fail-helm")
	if err != nil {
		b.Fatal(err)
	}
	opts := render.Options{WorkingDir: dir, ValuesFiles: []string{"prod.yaml"}, ReleaseNamespace: "kube-system"}
	for b.Loop() {
		scan := source.ScanPaths([]string{"chart"}, source.CollectOptions{WorkingDir: dir, Render: true})
		out := Renderer{}.Render(context.Background(), scan.Units, render.Env{Scan: scan, Options: opts})
		if len(out.Docs) != 2 || len(out.Diagnostics) != 0 {
			b.Fatalf("%d documents, diagnostics %v", len(out.Docs), out.Diagnostics)
		}
	}
}

// A chart's kubeVersion is checked against the cluster's version when it is
// known, as helm template checks it.
func TestKubeVersion(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"Chart.yaml":        chartYAML + "kubeVersion: \">=1.29.0-0\"\n",
		"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  version: {{ .Capabilities.KubeVersion.Version | quote }}\n",
	})
	for v, want := range map[string]string{
		"1.28":    "Chart.yaml: error: the chart requires kubeVersion >=1.29.0-0, which Kubernetes v1.28 is not (--kubernetes-version)\n",
		"v1.31.2": "",
		"":        "",
	} {
		out := renderDir(t, context.Background(), dir, render.Options{KubernetesVersion: v})
		if got := diagnostics(out); got != want {
			t.Errorf("--kubernetes-version %q:\n%s\nwant:\n%s", v, got, want)
		}
		if want == "" && v != "" {
			if got := out.Docs[0].Doc.Value.(map[string]any)["data"].(map[string]any)["version"]; got != v {
				t.Errorf(".Capabilities.KubeVersion.Version is %v, want %s", got, v)
			}
		}
	}
}
