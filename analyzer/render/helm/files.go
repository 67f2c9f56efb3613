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

// layout is where the files of a loaded chart tree were read from.
type layout struct {
	templates map[*common.File]template
	// values are the charts' values.yaml files, by the file Helm keeps
	// in Chart.Raw.
	values map[*common.File]valueSource
}

// templateSources gives every template and values.yaml of the loaded chart
// tree its file, before dependencies are processed: processing copies
// aliased charts, but the copies keep the same files.
func templateSources(g *source.Guard, u source.Unit, c *chart.Chart, files *readFiles) layout {
	out := layout{templates: map[*common.File]template{}, values: map[*common.File]valueSource{}}
	var walk func(ch *chart.Chart, src chartSource)
	walk = func(ch *chart.Chart, src chartSource) {
		for _, t := range ch.Templates {
			if src.archive != "" {
				out.templates[t] = template{display: g.Display(src.archive)}
				continue
			}
			out.templates[t] = template{display: g.Display(filepath.Join(src.dir, filepath.FromSlash(t.Name))), lines: strings.Split(string(t.Data), "\n")}
		}
		for _, f := range ch.Raw {
			if f.Name != "values.yaml" {
				continue
			}
			display := g.Display(src.archive)
			if src.archive == "" {
				display = g.Display(filepath.Join(src.dir, "values.yaml"))
			}
			if v, ok := chartValues(display, f.Data, src.archive != ""); ok {
				out.values[f] = v
			}
		}
		for _, d := range ch.Dependencies() {
			walk(d, dependencySource(src, d, files))
		}
	}
	walk(c, chartSource{dir: u.Dir})
	return out
}

// dependencySource finds the folder or archive dependency d was read from:
// the folder of any of its files; else the archive helm dependency build
// writes (charts/NAME-VERSION.tgz) in its parent's folder; else the
// parent's Chart.yaml, which declares it.
func dependencySource(parent chartSource, d *chart.Chart, files *readFiles) chartSource {
	if parent.archive != "" {
		return parent
	}
	for _, f := range d.Raw {
		if abs, ok := files.of(f.Data); ok {
			return chartSource{dir: strings.TrimSuffix(abs, string(filepath.Separator)+filepath.FromSlash(f.Name))}
		}
	}
	if d.Metadata != nil {
		tgz := filepath.Join(parent.dir, "charts", d.Metadata.Name+"-"+d.Metadata.Version+".tgz")
		if files.read[tgz] {
			return chartSource{archive: tgz}
		}
	}
	return chartSource{archive: filepath.Join(parent.dir, "Chart.yaml")}
}

// renderedTemplates names the templates by the names the engine renders
// them under ("chart/templates/x.yaml", "chart/charts/sub/templates/y.yaml"),
// each with the values files its chart's values come from, as Helm
// coalesces them: the --values files and the root chart's values.yaml,
// then each chart's down to the template's own, every one in the part it
// gives that chart (a parent's values under the dependency's name or
// alias).
func renderedTemplates(c *chart.Chart, l layout, user []valueSource) map[string]template {
	out := map[string]template{}
	var walk func(ch *chart.Chart, chain []*chart.Chart)
	walk = func(ch *chart.Chart, chain []*chart.Chart) {
		chain = append(chain, ch)
		var values []valueSource
		scope := make([]any, 0, len(chain)-1)
		for _, p := range chain[1:] {
			scope = append(scope, p.Name())
		}
		for _, v := range user {
			if v, ok := v.scoped(scope); ok {
				values = append(values, v)
			}
		}
		for i, p := range chain {
			for _, f := range p.Raw {
				if v, ok := l.values[f]; ok {
					if v, ok := v.scoped(scope[i:]); ok {
						values = append(values, v)
					}
				}
			}
		}
		for _, t := range ch.Templates {
			if tm, ok := l.templates[t]; ok {
				tm.values = values
				out[path.Join(ch.ChartFullPath(), t.Name)] = tm
			}
		}
		for _, d := range ch.Dependencies() {
			walk(d, chain)
		}
	}
	walk(c, nil)
	return out
}
