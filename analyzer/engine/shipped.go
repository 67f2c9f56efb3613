package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/rules"
)

// The shipped rules' catalogue and each module's package and imports,
// written by go generate (ShippedIndex) to rules/catalogue.json: a run that
// defers its groups reads them from there instead of parsing every
// module's METADATA, which was 4.7 ms of a one-file run's 58. A test fails
// when the file is stale.
type shippedIndex struct {
	Modules []shippedModule `json:"modules"`
	Rules   []shippedRule   `json:"rules"`
}

// A refPath is a reference as its root variable and the strings after it
// (["data", "irsalint", "lib", "k8s"]): building the references from it
// costs nothing, where parsing their text was 3 ms.
type refPath []string

type shippedModule struct {
	Name    string    `json:"name"`
	Package refPath   `json:"package"`
	Imports []refPath `json:"imports,omitempty"`
}

type shippedRule struct {
	Ref  refPath       `json:"ref"`
	Rule analyzer.Rule `json:"rule"`
}

func pathOf(r ast.Ref) (refPath, error) {
	p := make(refPath, len(r))
	for i, t := range r {
		switch v := t.Value.(type) {
		case ast.Var:
			if i > 0 {
				return nil, fmt.Errorf("%v: a variable past the root", r)
			}
			p[i] = string(v)
		case ast.String:
			if i == 0 {
				return nil, fmt.Errorf("%v: no root variable", r)
			}
			p[i] = string(v)
		default:
			return nil, fmt.Errorf("%v: not a path of strings", r)
		}
	}
	return p, nil
}

func (p refPath) ref() ast.Ref {
	r := make(ast.Ref, len(p))
	for i, s := range p {
		if i == 0 {
			r[i] = ast.VarTerm(s)
		} else {
			r[i] = ast.StringTerm(s)
		}
	}
	return r
}

// ShippedIndex is rules/catalogue.json as the shipped rules give it now.
func ShippedIndex() ([]byte, error) {
	mods, err := LoadFS(rules.FS, "rules", false)
	if err != nil {
		return nil, err
	}
	entries, err := catalogue(mods)
	if err != nil {
		return nil, err
	}
	var ix shippedIndex
	for _, m := range mods {
		pkg, err := pathOf(m.Module.Package.Path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Name, err)
		}
		sm := shippedModule{Name: m.Name, Package: pkg}
		for _, imp := range m.Module.Imports {
			r, ok := imp.Path.Value.(ast.Ref)
			if !ok {
				return nil, fmt.Errorf("%s: import %v is not a reference", m.Name, imp.Path)
			}
			p, err := pathOf(r)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", m.Name, err)
			}
			sm.Imports = append(sm.Imports, p)
		}
		ix.Modules = append(ix.Modules, sm)
	}
	for _, e := range entries {
		p, err := pathOf(e.ref)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.rule.File, err)
		}
		ix.Rules = append(ix.Rules, shippedRule{Ref: p, Rule: e.rule})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ix); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// loadShipped is the shipped modules, each with only its package and
// imports until Module.full parses it, and the catalogue, from
// rules/catalogue.json.
func loadShipped(fsys fs.FS, index []byte) ([]Module, []ruleEntry, error) {
	var ix shippedIndex
	if err := json.Unmarshal(index, &ix); err != nil {
		return nil, nil, fmt.Errorf("rules/catalogue.json: %w", err)
	}
	mods := make([]Module, 0, len(ix.Modules))
	for _, sm := range ix.Modules {
		m := &ast.Module{Package: &ast.Package{Path: sm.Package.ref()}}
		for _, p := range sm.Imports {
			m.Imports = append(m.Imports, &ast.Import{Path: ast.NewTerm(p.ref())})
		}
		name := sm.Name
		mods = append(mods, Module{Name: name, Module: m, full: sync.OnceValues(func() (*ast.Module, error) {
			src, err := fs.ReadFile(fsys, strings.TrimPrefix(name, "rules/"))
			if err != nil {
				return nil, err
			}
			return parse(name, src)
		})})
	}
	entries := make([]ruleEntry, 0, len(ix.Rules))
	for _, sr := range ix.Rules {
		entries = append(entries, ruleEntry{ref: sr.Ref.ref(), rule: sr.Rule})
	}
	return mods, entries, nil
}
