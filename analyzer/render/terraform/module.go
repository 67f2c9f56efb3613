package terraform

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/source"
)

// srcFile is one configuration file of a module.
type srcFile struct {
	abs, display string
	src          []byte
	body         hcl.Body
}

// block is one top-level block: a resource, data source, module call,
// variable or output.
type block struct {
	kind, typ, name string // kind is "resource", "data", "module", "variable"
	b               *hcl.Block
	file            *srcFile
}

// key names the block as references do: aws_iam_role.app,
// data.aws_iam_policy_document.trust, module.irsa, var.name.
func (b *block) key() string {
	switch b.kind {
	case "resource":
		return b.typ + "." + b.name
	case "data":
		return "data." + b.typ + "." + b.name
	case "module":
		return "module." + b.name
	}
	return "var." + b.name
}

// module is a folder of configuration files read as Terraform reads it:
// every .tf and .tf.json file of the folder, in name order, as one body.
type module struct {
	dir       string
	files     []*srcFile
	byName    map[string]*srcFile // display path → file
	variables map[string]*block
	locals    map[string]*hcl.Attribute
	localFile map[string]*srcFile
	blocks    []*block // resources, data sources and module calls, in file order
	byKey     map[string]*block
	diags     []analyzer.Diagnostic
}

var rootSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "output", LabelNames: []string{"name"}},
	{Type: "provider", LabelNames: []string{"name"}},
	{Type: "terraform"},
}}

// isConfig tells a Terraform configuration file by its name.
func isConfig(name string) bool {
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json")
}

// parseFile parses one configuration or variables file, native or JSON
// syntax by its name.
func parseFile(abs, display string, src []byte) (*hcl.File, hcl.Diagnostics) {
	if strings.HasSuffix(abs, ".json") {
		return hcljson.Parse(src, display)
	}
	return hclsyntax.ParseConfig(src, display, hcl.Pos{Line: 1, Column: 1})
}

// loadModule reads the module in dir through the guard.
func loadModule(dir string, g *source.Guard) *module {
	m := &module{dir: dir, byName: map[string]*srcFile{}, variables: map[string]*block{}, locals: map[string]*hcl.Attribute{},
		localFile: map[string]*srcFile{}, byKey: map[string]*block{}}
	entries, err := g.ReadDir(dir)
	if err != nil {
		m.diags = append(m.diags, analyzer.Diagnostic{Level: analyzer.LevelError, Location: analyzer.Location{File: g.Display(dir)},
			Message: "cannot read the Terraform module: " + source.Reason(err)})
		return m
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && isConfig(e.Name()) && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		abs := filepath.Join(dir, name)
		display := g.Display(abs)
		data, err := g.ReadFile(abs)
		if err != nil {
			m.diags = append(m.diags, analyzer.Diagnostic{Level: analyzer.LevelError, Location: analyzer.Location{File: display},
				Message: source.Reason(err)})
			continue
		}
		f, diags := parseFile(abs, display, data)
		m.addDiags(diags)
		if f == nil || diags.HasErrors() {
			continue
		}
		sf := &srcFile{abs: abs, display: display, src: data, body: f.Body}
		m.files = append(m.files, sf)
		m.byName[display] = sf
		m.collect(sf)
	}
	return m
}

// collect records the blocks of one file.
func (m *module) collect(f *srcFile) {
	content, _, diags := f.body.PartialContent(rootSchema)
	m.addDiags(diags)
	for _, b := range content.Blocks {
		switch b.Type {
		case "variable":
			if prev, dup := m.variables[b.Labels[0]]; dup {
				m.dupError(b, "variable "+b.Labels[0], prev.b)
				continue
			}
			m.variables[b.Labels[0]] = &block{kind: "variable", name: b.Labels[0], b: b, file: f}
		case "locals":
			attrs, diags := b.Body.JustAttributes()
			m.addDiags(diags)
			for name, a := range attrs {
				if prev, dup := m.locals[name]; dup {
					m.diags = append(m.diags, errorAt(a.NameRange, fmt.Sprintf("local value %q is defined twice (first at line %d)", name, prev.NameRange.Start.Line)))
					continue
				}
				m.locals[name] = a
				m.localFile[name] = f
			}
		case "resource", "data":
			m.addBlock(&block{kind: b.Type, typ: b.Labels[0], name: b.Labels[1], b: b, file: f})
		case "module":
			m.addBlock(&block{kind: "module", name: b.Labels[0], b: b, file: f})
		}
	}
}

func (m *module) addBlock(bl *block) {
	if prev, dup := m.byKey[bl.key()]; dup {
		m.dupError(bl.b, bl.key(), prev.b)
		return
	}
	m.byKey[bl.key()] = bl
	m.blocks = append(m.blocks, bl)
}

func (m *module) dupError(b *hcl.Block, what string, prev *hcl.Block) {
	m.diags = append(m.diags, errorAt(b.DefRange, fmt.Sprintf("%s is declared twice (first at %s:%d)", what, prev.DefRange.Filename, prev.DefRange.Start.Line)))
}

func (m *module) addDiags(diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		if d.Subject != nil {
			m.diags = append(m.diags, errorAt(*d.Subject, msg))
		} else {
			m.diags = append(m.diags, analyzer.Diagnostic{Level: analyzer.LevelError, Location: analyzer.Location{File: m.dir}, Message: msg})
		}
	}
}

func errorAt(r hcl.Range, msg string) analyzer.Diagnostic {
	return analyzer.Diagnostic{Level: analyzer.LevelError, Location: location(r), Message: msg}
}

func location(r hcl.Range) analyzer.Location {
	return analyzer.Location{File: r.Filename, Line: r.Start.Line, Column: r.Start.Column}
}

// text is the source text of a range, for unknown values written as
// Terraform's own interpolation.
func (m *module) text(r hcl.Range) string {
	f := m.byName[r.Filename]
	if f == nil || r.Start.Byte < 0 || r.End.Byte > len(f.src) || r.Start.Byte > r.End.Byte {
		return "?"
	}
	t := string(bytes.TrimSpace(f.src[r.Start.Byte:r.End.Byte]))
	if strings.HasSuffix(r.Filename, ".json") && len(t) >= 2 && t[0] == '"' {
		// A JSON string holds a template: show what is inside the quotes.
		t = t[1 : len(t)-1]
		if s, ok := strings.CutPrefix(t, "${"); ok && strings.HasSuffix(s, "}") && !strings.Contains(s, "${") {
			t = strings.TrimSuffix(s, "}")
		}
	}
	return strings.Join(strings.Fields(t), " ")
}
