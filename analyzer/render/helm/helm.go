// Package helm renders Helm charts in-process, as helm template does, with
// the Helm SDK: the chart's values.yaml, then --values files in order, then
// --set and --set-string; release name and namespace; .Capabilities from
// the cluster's Kubernetes version. The chart and its vendored dependencies
// are read through the scan's Guard; nothing is fetched, the lookup
// function has no cluster, and getHostByName resolves nothing.
package helm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"
	"helm.sh/helm/v4/pkg/ignore"
	"helm.sh/helm/v4/pkg/strvals"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/guard"
	"github.com/irsalint/irsalint/analyzer/render"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Renderer renders the scan's Helm charts.
type Renderer struct{}

// maxChartFiles caps the files of one chart: a chart is a few dozen.
const maxChartFiles = 10_000

// Render renders every chart that is not another chart's dependency (the
// scan does not walk a chart's charts/).
func (Renderer) Render(ctx context.Context, units []source.Unit, env render.Env) render.Output {
	var out render.Output
	user, diags := userValues(env.Options)
	out.Diagnostics = append(out.Diagnostics, diags...)
	for _, u := range units {
		if ctx.Err() != nil {
			break
		}
		o := renderChart(ctx, u, env, user)
		out.Docs = append(out.Docs, o.Docs...)
		out.Consumed = append(out.Consumed, o.Consumed...)
		out.Sources = append(out.Sources, o.Sources...)
		out.Diagnostics = append(out.Diagnostics, o.Diagnostics...)
	}
	for _, f := range user.files {
		out.Consumed = append(out.Consumed, f.abs)
	}
	return out
}

// valuesFile is one values source with what a finding needs to point at
// its lines.
type valuesFile struct {
	abs, display string
	values       map[string]any
	doc          source.Doc
}

// given are the values the person running irsalint gave: files, then
// --set assignments applied over them.
type given struct {
	files []valuesFile
	set   map[string]any // only --set and --set-string
	all   map[string]any // files merged, then the assignments
}

// userValues reads --values files and parses --set and --set-string, as
// helm template does.
func userValues(o render.Options) (given, []analyzer.Diagnostic) {
	g := given{set: map[string]any{}, all: map[string]any{}}
	var diags []analyzer.Diagnostic
	errorf := func(file, format string, args ...any) {
		diags = append(diags, analyzer.Diagnostic{Level: analyzer.LevelError, Location: analyzer.Location{File: file}, Message: fmt.Sprintf(format, args...)})
	}
	for _, name := range o.ValuesFiles {
		abs := name
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(o.WorkingDir, name)
		}
		data, err := readUserFile(abs)
		if err != nil {
			errorf(name, "--values: %v", err)
			continue
		}
		docs, err := source.Decode(data)
		if err != nil {
			var se *source.Error
			if errors.As(err, &se) {
				diags = append(diags, analyzer.Diagnostic{Level: analyzer.LevelError, Location: analyzer.Location{File: name, Line: se.Pos.Line, Column: se.Pos.Column}, Message: se.Msg})
			} else {
				errorf(name, "%v", err)
			}
			continue
		}
		vf := valuesFile{abs: abs, display: filepath.ToSlash(name), values: map[string]any{}}
		if len(docs) > 0 {
			m, ok := docs[0].Value.(map[string]any)
			if !ok {
				errorf(name, "--values: the file is not a mapping of values")
				continue
			}
			vf.values, vf.doc = m, docs[0]
		}
		g.files = append(g.files, vf)
		g.all = mergeMaps(g.all, vf.values)
	}
	for _, s := range o.Set {
		if err := strvals.ParseInto(s, g.set); err != nil {
			errorf("--set", "--set %q: %v", s, err)
		}
		if err := strvals.ParseInto(s, g.all); err != nil {
			continue
		}
	}
	for _, s := range o.SetString {
		if err := strvals.ParseIntoString(s, g.set); err != nil {
			errorf("--set-string", "--set-string %q: %v", s, err)
		}
		if err := strvals.ParseIntoString(s, g.all); err != nil {
			continue
		}
	}
	return g, diags
}

// readUserFile reads a file the person named: theirs to choose, but still a
// regular file within the default size cap (a FIFO would block).
func readUserFile(abs string) ([]byte, error) {
	st, err := os.Stat(abs)
	if err != nil {
		return nil, errors.Unwrap(err)
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if st.Size() > source.DefaultMaxFileSize {
		return nil, fmt.Errorf("larger than the %s a values file may have", guard.FormatSize(source.DefaultMaxFileSize))
	}
	return os.ReadFile(abs)
}

// mergeMaps merges b into a copy of a, maps deeply, as helm merges values
// files (a later file's scalar or list replaces the earlier one).
func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]any); ok {
			if am, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// loadChart reads the chart's files through the guard, honouring its
// .helmignore as helm does.
func loadChart(u source.Unit, g *source.Guard) (*chart.Chart, []string, *readFiles, error) {
	rules := ignore.Empty()
	if data, err := g.ReadFile(filepath.Join(u.Dir, ignore.HelmIgnore)); err == nil {
		if r, err := ignore.Parse(strings.NewReader(string(data))); err == nil {
			rules = r
		}
	}
	rules.AddDefaults()
	var files []*archive.BufferedFile
	var read []string
	rf := &readFiles{byData: map[*byte]string{}, read: map[string]bool{}}
	var walk func(dir, rel string) error
	walk = func(dir, rel string) error {
		entries, err := g.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			abs := filepath.Join(dir, e.Name())
			name := path.Join(rel, e.Name())
			info, err := g.Stat(abs)
			if err != nil {
				if errors.Is(err, source.ErrOutside) || errors.Is(err, fs.ErrNotExist) {
					continue // a link out of the tree, or a broken one
				}
				return err
			}
			if rules.Ignore(name, info) {
				continue
			}
			if info.IsDir() {
				if err := walk(abs, name); err != nil {
					return err
				}
				continue
			}
			if len(files) >= maxChartFiles {
				return fmt.Errorf("more than %d files", maxChartFiles)
			}
			data, err := g.ReadFile(abs)
			if err != nil {
				return fmt.Errorf("%s: %s", name, source.Reason(err))
			}
			// As Helm's directory loader does.
			data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
			files = append(files, &archive.BufferedFile{Name: name, Data: data})
			read = append(read, abs)
			rf.add(abs, data)
		}
		return nil
	}
	if err := walk(u.Dir, ""); err != nil {
		return nil, read, rf, err
	}
	c, err := loader.LoadFiles(files)
	return c, read, rf, err
}

// renderChart renders one chart.
func renderChart(ctx context.Context, u source.Unit, env render.Env, user given) render.Output {
	var out render.Output
	g := env.Scan.Guard(u)
	chartFile := path.Join(u.Path, "Chart.yaml")
	fail := func(format string, args ...any) render.Output {
		out.Diagnostics = append(out.Diagnostics, analyzer.Diagnostic{Level: analyzer.LevelError, Location: analyzer.Location{File: chartFile},
			Message: fmt.Sprintf(format, args...)})
		return out
	}
	c, read, rf, err := loadChart(u, g)
	out.Sources = append(out.Sources, read...)
	out.Consumed = append(out.Consumed, read...)
	if err != nil {
		return fail("cannot load the Helm chart: %v", err)
	}
	if c.Metadata != nil && c.Metadata.Type == "library" {
		return out // a library chart renders nothing of its own
	}
	out.Diagnostics = append(out.Diagnostics, missingDependencies(c, chartFile)...)
	sources := templateSources(g, u, c, rf)
	vals := mergeMaps(map[string]any{}, user.all)
	if err := chartutil.ProcessDependencies(c, vals); err != nil {
		return fail("cannot resolve the chart's dependencies: %v", err)
	}
	name := env.Options.ReleaseName
	if name == "" {
		name = c.Name()
	}
	namespace := env.Options.ReleaseNamespace
	if namespace == "" {
		namespace = "default"
	}
	caps := common.DefaultCapabilities.Copy()
	if v := env.Options.KubernetesVersion; v != "" {
		kv, err := common.ParseKubeVersion(v)
		if err != nil {
			return fail("--kubernetes-version %q: %v", v, err)
		}
		caps.KubeVersion = *kv
		// As helm template refuses it; without the cluster's version,
		// Helm's default is a guess, not a reason to refuse the chart.
		if want := c.Metadata.KubeVersion; want != "" && !chartutil.IsCompatibleRange(want, kv.String()) {
			return fail("the chart requires kubeVersion %s, which Kubernetes %s is not (--kubernetes-version)", want, kv.Version)
		}
	}
	// Helm's schema check would fetch the schema's references: the values
	// are checked here instead, with references left unfollowed.
	renderVals, err := util.ToRenderValuesWithSchemaValidation(c, vals, common.ReleaseOptions{Name: name, Namespace: namespace, IsInstall: true}, caps, true)
	if err != nil {
		return fail("cannot compute the chart's values: %v", err)
	}
	merged, _ := renderVals["Values"].(common.Values)
	skipped, err := validateValues(c, merged)
	if len(skipped) > 0 {
		out.Diagnostics = append(out.Diagnostics, analyzer.Diagnostic{Level: analyzer.LevelNotice, Location: analyzer.Location{File: path.Join(u.Path, "values.schema.json")},
			Message: fmt.Sprintf("the values schema refers to %s, which irsalint does not fetch: those parts accept any value", strings.Join(skipped, ", "))})
	}
	if err != nil {
		return fail("values don't meet the specifications of the schema(s) in the following chart(s): %v", err)
	}
	templates := renderedTemplates(c, sources, userSources(user))
	lookup := func(name string) template {
		if t, ok := templates[name]; ok {
			return t
		}
		return templateFile(u, name)
	}
	rendered, err := renderWithin(ctx, c, renderVals)
	if err != nil {
		out.Diagnostics = append(out.Diagnostics, templateError(err, chartFile, lookup))
		return out
	}
	names := make([]string, 0, len(rendered))
	for n := range rendered {
		names = append(names, n)
	}
	sort.Strings(names)
	index := map[string]int{}
	for _, n := range names {
		text := rendered[n]
		base := path.Base(n)
		if strings.HasPrefix(base, "_") || base == "NOTES.txt" || strings.TrimSpace(text) == "" {
			// Partials render nothing, NOTES.txt is shown to a person, and
			// Helm reads every other template as manifests, whatever its
			// extension.
			continue
		}
		tmpl := lookup(n)
		docs, err := source.Decode([]byte(text))
		if err != nil {
			msg := err.Error()
			var se *source.Error
			if errors.As(err, &se) {
				msg = se.Msg
			}
			out.Diagnostics = append(out.Diagnostics, analyzer.Diagnostic{Level: analyzer.LevelError, Location: analyzer.Location{File: tmpl.display},
				Message: fmt.Sprintf("the template renders text that is not YAML (%s): render it with helm template to see the output", msg)})
		}
		for _, d := range docs {
			m, ok := d.Value.(map[string]any)
			if !ok || testHook(m) {
				continue
			}
			inReleaseNamespace(m, namespace)
			d.Index = index[tmpl.display]
			index[tmpl.display]++
			d.Origin = &origin{template: tmpl, doc: m, sources: tmpl.values, set: user.set}
			out.Docs = append(out.Docs, render.Doc{File: tmpl.display, Doc: d})
		}
	}
	return out
}

// renderWithin renders under ctx: a template can loop for as long as it
// likes, and the engine does not stop on its own; when ctx ends first, the
// rendering goroutine is left to finish while the run reports the limit.
func renderWithin(ctx context.Context, c *chart.Chart, vals common.Values) (map[string]string, error) {
	type result struct {
		out map[string]string
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: fmt.Errorf("the Helm engine failed: %v", r)}
			}
		}()
		e := engine.Engine{EnableDNS: false, CustomTemplateFuncs: boundedFuncs(ctx)}
		out, err := e.RenderWithContext(ctx, c, vals)
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		return r.out, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("rendering stopped: %v", context.Cause(ctx))
	}
}

// testHook tells a test pod of the chart (helm test): it is not part of
// what the release runs.
func testHook(m map[string]any) bool {
	meta, _ := m["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	hook, _ := ann["helm.sh/hook"].(string)
	for _, h := range strings.Split(hook, ",") {
		if h = strings.TrimSpace(h); h == "test" || h == "test-success" || h == "test-failure" {
			return true
		}
	}
	return false
}

// clusterScoped are the kinds the readers know that have no namespace.
var clusterScoped = map[string]bool{"Namespace": true}

// inReleaseNamespace puts an object that names no namespace into the
// release's, as helm install does.
func inReleaseNamespace(m map[string]any, namespace string) {
	kind, _ := m["kind"].(string)
	meta, ok := m["metadata"].(map[string]any)
	if !ok || clusterScoped[kind] || kind == "List" {
		return
	}
	if ns, _ := meta["namespace"].(string); ns == "" {
		meta["namespace"] = namespace
	}
}

// missingDependencies names the dependencies Chart.yaml declares that are
// not vendored under charts/: nothing is downloaded.
func missingDependencies(c *chart.Chart, chartFile string) []analyzer.Diagnostic {
	have := map[string]bool{}
	for _, d := range c.Dependencies() {
		have[d.Name()] = true
	}
	var out []analyzer.Diagnostic
	for _, d := range c.Metadata.Dependencies {
		if d == nil || have[d.Name] {
			continue
		}
		out = append(out, analyzer.Diagnostic{Level: analyzer.LevelNotice, Location: analyzer.Location{File: chartFile},
			Message: fmt.Sprintf("dependency %q (%s) is not vendored under charts/, so it is not rendered: irsalint downloads nothing; run helm dependency build to lint it too", d.Name, d.Repository)})
	}
	return out
}
