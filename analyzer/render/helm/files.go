package helm

import (
	"path"
	"path/filepath"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"

	"github.com/irsalint/irsalint/analyzer/source"
)

// readFiles are the files of a chart as they were read: the absolute path
// of each one's bytes. Helm's loader keeps the bytes it is given in the
// chart, its dependencies' included, so a template's bytes tell the file it
// was read from, whatever the folder of a dependency is called (a vendored
// redis-19.0.0/ holds chart redis) and whatever alias renders it.
type readFiles struct {
	byData map[*byte]string
	read   map[string]bool
}

func (r *readFiles) add(abs string, data []byte) {
	r.read[abs] = true
	if len(data) > 0 {
		r.byData[&data[0]] = abs
	}
}

func (r *readFiles) of(data []byte) (string, bool) {
	if len(data) == 0 {
		return "", false
	}
	abs, ok := r.byData[&data[0]]
	return abs, ok
}

// chartSource is where a chart of the tree was read from: a folder, or an
// archive under its parent's charts/ (whose lines no one edits).
type chartSource struct {
	dir, archive string
}

// templateSources gives every template of the loaded chart tree its file,
// before dependencies are processed: processing copies aliased charts, but
// the copies keep the same template files.
func templateSources(g *source.Guard, u source.Unit, c *chart.Chart, files *readFiles) map[*common.File]template {
	out := map[*common.File]template{}
	var walk func(ch *chart.Chart, src chartSource)
	walk = func(ch *chart.Chart, src chartSource) {
		for _, t := range ch.Templates {
			if src.archive != "" {
				out[t] = template{display: g.Display(src.archive)}
				continue
			}
			out[t] = template{display: g.Display(filepath.Join(src.dir, filepath.FromSlash(t.Name))), lines: strings.Split(string(t.Data), "\n")}
		}
		for _, d := range ch.Dependencies() {
			walk(d, dependencySource(ch, src, d, files))
		}
	}
	walk(c, chartSource{dir: u.Dir})
	return out
}

// dependencySource finds the folder or archive dependency d of ch was read
// from: the folder of any of its files; else the archive helm dependency
// build writes (charts/NAME-VERSION.tgz); else ch's Chart.yaml, which
// declares it.
func dependencySource(ch *chart.Chart, src chartSource, d *chart.Chart, files *readFiles) chartSource {
	if src.archive != "" {
		return src
	}
	for _, f := range d.Raw {
		if abs, ok := files.of(f.Data); ok {
			return chartSource{dir: strings.TrimSuffix(abs, string(filepath.Separator)+filepath.FromSlash(f.Name))}
		}
	}
	if d.Metadata != nil {
		tgz := filepath.Join(src.dir, "charts", d.Metadata.Name+"-"+d.Metadata.Version+".tgz")
		if files.read[tgz] {
			return chartSource{archive: tgz}
		}
	}
	return chartSource{archive: filepath.Join(src.dir, "Chart.yaml")}
}

// renderedTemplates names the templates by the names the engine renders
// them under ("chart/templates/x.yaml", "chart/charts/sub/templates/y.yaml").
func renderedTemplates(c *chart.Chart, sources map[*common.File]template) map[string]template {
	out := map[string]template{}
	var walk func(ch *chart.Chart)
	walk = func(ch *chart.Chart) {
		for _, t := range ch.Templates {
			if tm, ok := sources[t]; ok {
				out[path.Join(ch.ChartFullPath(), t.Name)] = tm
			}
		}
		for _, d := range ch.Dependencies() {
			walk(d)
		}
	}
	walk(c)
	return out
}
