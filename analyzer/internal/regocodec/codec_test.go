package regocodec_test

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/irsalint/irsalint/analyzer/internal/regocodec"
	"github.com/irsalint/irsalint/rules"
)

// shipped parses every shipped module, tests included: between them they
// use every construct the rules are written with.
func shipped(t testing.TB) []regocodec.Named {
	t.Helper()
	var out []regocodec.Named
	err := fs.WalkDir(rules.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		src, err := fs.ReadFile(rules.FS, p)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(p, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return err
		}
		out = append(out, regocodec.Named{Name: p, Module: m})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// compiled is the shipped modules as the compiler leaves them, tests
// left out (they call a built-in only the rule tests register).
func compiled(t testing.TB) []regocodec.Named {
	t.Helper()
	var mods []regocodec.Named
	modMap := map[string]*ast.Module{}
	for _, m := range shipped(t) {
		if !strings.HasSuffix(m.Name, "_test.rego") {
			mods = append(mods, m)
			modMap[m.Name] = m.Module
		}
	}
	c := ast.NewCompiler()
	if c.Compile(modMap); len(c.Errors) > 0 {
		t.Fatal(c.Errors)
	}
	out := make([]regocodec.Named, len(mods))
	for i, m := range mods {
		out[i] = regocodec.Named{Name: m.Name, Module: c.Modules[m.Name]}
	}
	return out
}

// TestRoundTrip: decoding gives back each module, parsed or compiled: the
// same rules in the same order, each term at the same place, and every
// rule pointing at its module.
func TestRoundTrip(t *testing.T) {
	for name, mods := range map[string][]regocodec.Named{"parsed": shipped(t), "compiled": compiled(t)} {
		t.Run(name, func(t *testing.T) {
			// Comments, annotations and imports are not kept; a compiled
			// module has none of the last.
			want := make([]*ast.Module, len(mods))
			for i, m := range mods {
				want[i] = m.Module.Copy()
				want[i].Comments, want[i].Annotations = nil, nil
				for _, r := range want[i].Rules {
					ast.WalkRules(r, func(r *ast.Rule) bool { r.Annotations = nil; return false })
				}
			}
			data, err := regocodec.Encode(mods)
			if err != nil {
				t.Fatal(err)
			}
			got, err := regocodec.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(mods) {
				t.Fatalf("%d modules, want %d", len(got), len(mods))
			}
			for i, g := range got {
				if g.Name != mods[i].Name {
					t.Errorf("module %d: %s, want %s", i, g.Name, mods[i].Name)
				}
				if !g.Module.Equal(want[i]) || g.Module.String() != want[i].String() {
					t.Errorf("%s: decoded module differs:\n%s\nwant\n%s", g.Name, g.Module, want[i])
					continue
				}
				if g.Module.RegoVersionSpan() != want[i].RegoVersionSpan() {
					t.Errorf("%s: Rego versions %v, want %v", g.Name, g.Module.RegoVersionSpan(), want[i].RegoVersionSpan())
				}
				if w, l := locations(want[i]), locations(g.Module); strings.Join(w, "\n") != strings.Join(l, "\n") {
					t.Errorf("%s: locations differ", g.Name)
				}
				ast.WalkRules(g.Module, func(r *ast.Rule) bool {
					if r.Module != g.Module {
						t.Errorf("%s:%d: the rule does not point at its module", g.Name, r.Location.Row)
					}
					return false
				})
			}
		})
	}
}

// locations lists every term's and expression's place, in walk order.
func locations(m *ast.Module) []string {
	var out []string
	add := func(l *ast.Location) {
		if l == nil {
			out = append(out, "-")
			return
		}
		out = append(out, fmt.Sprintf("%s:%d:%d", l.File, l.Row, l.Col))
	}
	ast.NewGenericVisitor(func(x any) bool {
		switch n := x.(type) {
		case *ast.Term:
			add(n.Location)
		case *ast.Expr:
			add(n.Location)
		case *ast.Rule:
			add(n.Location)
		}
		return false
	}).Walk(m)
	return out
}

// TestEncodeRefusesUnknown: a construct the format does not hold is an
// error, not a module that silently lost it.
func TestEncodeRefusesUnknown(t *testing.T) {
	m := ast.MustParseModule("package p\n\nx := 1\n")
	m.Rules[0].Head.Value = ast.NewTerm(&ast.TemplateString{})
	if _, err := regocodec.Encode([]regocodec.Named{{Name: "p.rego", Module: m}}); err == nil || !strings.Contains(err.Error(), "TemplateString") {
		t.Errorf("Encode: %v, want an error naming the template string", err)
	}
}

// TestDecodeCorrupt: cuts of a valid encoding, and random changes to its
// bytes, give an error or modules, never a panic; a cut is always an
// error.
func TestDecodeCorrupt(t *testing.T) {
	mods := compiled(t)[:2]
	data, err := regocodec.Encode(mods)
	if err != nil {
		t.Fatal(err)
	}
	// Every cut in the header and the string table, then one in 50.
	for n := 0; n < len(data); n++ {
		if n > 2000 {
			n += 49
		}
		if _, err := regocodec.Decode(data[:n]); err == nil {
			t.Fatalf("the first %d of %d bytes decoded without error", n, len(data))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := []byte(string(data))
		for range 1 + rng.IntN(4) {
			b[rng.IntN(len(b))] = byte(rng.IntN(256))
		}
		_, _ = regocodec.Decode(b)
	}
	if _, err := regocodec.Decode(append(data, 0)); err == nil {
		t.Error("a trailing byte decoded without error")
	}
}

func FuzzDecode(f *testing.F) {
	data, err := regocodec.Encode(compiled(f)[:3])
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("irsalint-rego-1\n"))
	f.Fuzz(func(_ *testing.T, b []byte) {
		_, _ = regocodec.Decode(b)
	})
}

// BenchmarkDecode reads every shipped module but the tests, compiled,
// against parsing their source.
func BenchmarkDecode(b *testing.B) {
	mods := compiled(b)
	data, err := regocodec.Encode(mods)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := regocodec.Decode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	src := make([][]byte, len(mods))
	for i, m := range mods {
		if src[i], err = fs.ReadFile(rules.FS, m.Name); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			for i, m := range mods {
				if _, err := ast.ParseModuleWithOpts(m.Name, string(src[i]), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true}); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
