package terraform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/render"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Renderer renders Terraform modules.
type Renderer struct{}

// run is one rendering of a scan's modules.
type run struct {
	scan     *source.Scan
	opts     render.Options
	out      render.Output
	index    map[string]int // documents per file, for their indices
	accounts map[string]map[string]string
	scanned  bool
	modules  []*module
}

// Render implements render.Renderer.
func (Renderer) Render(ctx context.Context, units []source.Unit, env render.Env) render.Output {
	r := &run{scan: env.Scan, opts: env.Options, index: map[string]int{}}
	sorted := append([]source.Unit(nil), units...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Dir < sorted[j].Dir })
	for _, u := range sorted {
		if ctx.Err() != nil {
			break
		}
		g := env.Scan.Guard(u)
		m := loadModule(u.Dir, g)
		r.modules = append(r.modules, m)
		for _, f := range m.files {
			r.out.Sources = append(r.out.Sources, f.abs)
			if strings.HasSuffix(f.abs, ".json") {
				r.out.Consumed = append(r.out.Consumed, f.abs)
			}
		}
		r.out.Diagnostics = append(r.out.Diagnostics, m.diags...)
		if len(m.files) == 0 {
			continue
		}
		e := newEvaluator(m, r)
		e.vars = r.variables(m, g)
		e.emit()
		r.out.Diagnostics = append(r.out.Diagnostics, e.notices...)
	}
	return r.out
}

// add records one rendered document.
func (r *run) add(file string, value map[string]any, org *origin) {
	i := r.index[file]
	r.index[file] = i + 1
	r.out.Docs = append(r.out.Docs, render.Doc{File: file, Doc: source.Doc{Index: i, Value: value, Origin: org}})
}

// roleARN matches a role ARN written out in full.
var roleARN = regexp.MustCompile(`arn:(aws[a-z-]*):iam::([0-9]{12}):role(/[A-Za-z0-9_+=,.@/-]*)`)

// accountOf finds the account of a role by path and name from the role
// ARNs written in the scan's files and the modules' own (a ServiceAccount
// annotation, a Pod Identity association): when they all name one account.
func (r *run) accountOf(pathName string) (account, partition string, ok bool) {
	if !r.scanned {
		r.scanned = true
		r.accounts = map[string]map[string]string{}
		note := func(data []byte) {
			if !strings.Contains(string(data), ":role/") {
				return
			}
			for _, m := range roleARN.FindAllSubmatch(data, -1) {
				name := string(m[3])
				if r.accounts[name] == nil {
					r.accounts[name] = map[string]string{}
				}
				r.accounts[name][string(m[2])] = string(m[1])
			}
		}
		for _, f := range r.scan.Files {
			note(f.Data)
		}
		for _, m := range r.modules {
			for _, f := range m.files {
				note(f.src)
			}
		}
	}
	accts := r.accounts[pathName]
	if len(accts) != 1 {
		return "", "", false
	}
	for a, p := range accts {
		return a, p, true
	}
	return "", "", false
}

// --- Variables ------------------------------------------------------------------

// variables gives each declared variable its value, as Terraform does:
// the default, then terraform.tfvars, *.auto.tfvars in name order, the
// --tf-var-file files and the --tf-var assignments, later ones winning.
func (r *run) variables(m *module, g *source.Guard) map[string]cty.Value {
	given := map[string]cty.Value{}
	givenAt := map[string]hcl.Range{}
	readVarFile := func(abs, display string, data []byte) {
		f, diags := parseFile(abs, display, data)
		m.addDiags(diags)
		if f == nil || diags.HasErrors() {
			return
		}
		attrs, diags := f.Body.JustAttributes()
		m.addDiags(diags)
		for name, a := range attrs {
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() {
				m.diags = append(m.diags, analyzer.Diagnostic{Level: analyzer.LevelNotice, Location: location(a.Expr.Range()),
					Message: fmt.Sprintf("variable %s: a variables file holds only literal values; this one is not used", name)})
				continue
			}
			given[name], givenAt[name] = v, a.NameRange
		}
	}
	entries, _ := g.ReadDir(m.dir)
	var auto []string
	for _, en := range entries {
		n := en.Name()
		if n == "terraform.tfvars" || n == "terraform.tfvars.json" {
			auto = append([]string{n}, auto...)
		} else if strings.HasSuffix(n, ".auto.tfvars") || strings.HasSuffix(n, ".auto.tfvars.json") {
			auto = append(auto, n)
		}
	}
	for _, n := range auto {
		abs := filepath.Join(m.dir, n)
		data, err := g.ReadFile(abs)
		if err != nil {
			m.diags = append(m.diags, analyzer.Diagnostic{Level: analyzer.LevelError, Location: analyzer.Location{File: g.Display(abs)}, Message: source.Reason(err)})
			continue
		}
		r.out.Sources = append(r.out.Sources, abs)
		if strings.HasSuffix(abs, ".json") {
			r.out.Consumed = append(r.out.Consumed, abs)
		}
		readVarFile(abs, g.Display(abs), data)
	}
	for _, p := range r.opts.TFVarFiles {
		abs := p
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(r.opts.WorkingDir, p)
		}
		data, err := readCapped(abs)
		if err != nil {
			m.diags = append(m.diags, analyzer.Diagnostic{Level: analyzer.LevelError, Location: analyzer.Location{File: p}, Message: "--tf-var-file: " + source.Reason(err)})
			continue
		}
		r.out.Sources = append(r.out.Sources, abs)
		readVarFile(abs, p, data)
	}
	for _, kv := range r.opts.TFVars {
		name, val, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		given[strings.TrimSpace(name)] = parseVarValue(val)
		delete(givenAt, strings.TrimSpace(name))
	}
	out := map[string]cty.Value{}
	for name, b := range m.variables {
		attrs := attributes(b.b.Body)
		var ty cty.Type = cty.DynamicPseudoType
		var defaults *typeexpr.Defaults
		if a, ok := attrs["type"]; ok {
			if t, d, diags := typeexpr.TypeConstraintWithDefaults(a.Expr); !diags.HasErrors() {
				ty, defaults = t, d
			}
		}
		v, ok := given[name]
		if !ok {
			if a, has := attrs["default"]; has {
				if dv, diags := a.Expr.Value(nil); !diags.HasErrors() {
					v, ok = dv, true
				}
			}
		}
		if !ok {
			// No value: unknown, and a notice where it is used.
			out[name] = cty.UnknownVal(ty)
			continue
		}
		if defaults != nil {
			v = defaults.Apply(v)
		}
		if cv, err := convert.Convert(v, ty); err == nil {
			v = cv
		} else {
			at := b.b.DefRange
			if r, ok := givenAt[name]; ok {
				at = r
			}
			m.diags = append(m.diags, analyzer.Diagnostic{Level: analyzer.LevelNotice, Location: location(at),
				Message: fmt.Sprintf("variable %s: the value given is not of its type (%v); it is used as given", name, err)})
		}
		out[name] = v
	}
	return out
}

// parseVarValue reads a --tf-var value as terraform -var does: an HCL
// value when it parses as one, else the text.
func parseVarValue(s string) cty.Value {
	expr, diags := hclsyntax.ParseExpression([]byte(s), "--tf-var", hcl.Pos{Line: 1, Column: 1})
	if !diags.HasErrors() {
		if v, diags := expr.Value(nil); !diags.HasErrors() {
			return v
		}
	}
	return cty.StringVal(s)
}

// maxVarFile caps a --tf-var-file: the person running irsalint names it,
// but it is still read into memory.
const maxVarFile = 16 << 20

func readCapped(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() || info.Size() > maxVarFile {
		return nil, &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("not a regular file of at most %d MiB", maxVarFile>>20)}
	}
	return os.ReadFile(path)
}
