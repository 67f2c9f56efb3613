package terraform

import (
	"fmt"
	"regexp"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Bounds on what one expression may build: repository content must not
// make evaluation run unbounded. Nested for expressions multiply (three
// levels over range(1024) are a billion elements), string templates and
// functions concatenate (locals that each double the one before grow
// exponentially), so an expression is evaluated only when an estimate of
// what it builds stays under maxValueSize, and a value over it is left
// unknown.
const (
	maxForNesting = 2
	maxValueSize  = 4 << 20
	// maxElements bounds the elements setproduct may build.
	maxElements = 1 << 16
	// forGuess is the collection length assumed for a for expression
	// whose collection is not a plain reference (range gives at most
	// 1024).
	forGuess = 1024
)

// estimate walks an expression, adding the size of every value a
// traversal reads and every literal, at each place it is, multiplied
// inside for expressions by the length of their collections.
type estimate struct {
	ctx   *hcl.EvalContext
	mult  []int
	depth int
	max   int
	bytes int
}

// add counts size bytes built once per element of every enclosing for
// expression.
func (w *estimate) add(size int) {
	for _, m := range w.mult {
		if size > maxValueSize/m {
			w.bytes = maxValueSize + 1
			return
		}
		size *= m
	}
	w.bytes = min(w.bytes+size, maxValueSize+1)
}

func (w *estimate) Enter(n hclsyntax.Node) hcl.Diagnostics {
	switch x := n.(type) {
	case *hclsyntax.ForExpr:
		w.depth++
		w.max = max(w.max, w.depth)
		w.mult = append(w.mult, w.length(x.CollExpr))
	case *hclsyntax.ScopeTraversalExpr:
		size := 1 // an iteration variable, or a symbol not known
		if v, diags := x.Traversal.TraverseAbs(w.ctx); !diags.HasErrors() {
			size = sizeOf(v, maxValueSize+1)
		}
		w.add(size)
	case *hclsyntax.LiteralValueExpr:
		w.add(sizeOf(x.Val, maxValueSize+1))
	}
	return nil
}

func (w *estimate) Exit(n hclsyntax.Node) hcl.Diagnostics {
	if _, ok := n.(*hclsyntax.ForExpr); ok {
		w.depth--
		w.mult = w.mult[:len(w.mult)-1]
	}
	return nil
}

// length is the number of elements of a for expression's collection when
// it is written out or a reference to a known collection, else forGuess.
func (w *estimate) length(coll hclsyntax.Expression) int {
	switch c := coll.(type) {
	case *hclsyntax.TupleConsExpr:
		return max(len(c.Exprs), 1)
	case *hclsyntax.ObjectConsExpr:
		return max(len(c.Items), 1)
	case *hclsyntax.ScopeTraversalExpr:
		if v, diags := c.Traversal.TraverseAbs(w.ctx); !diags.HasErrors() && v.IsKnown() && !v.IsNull() && v.CanIterateElements() {
			return max(v.LengthInt(), 1)
		}
	}
	return forGuess
}

// sizeOf is about how many bytes a value takes, counting up to limit.
func sizeOf(v cty.Value, limit int) int {
	if !v.IsKnown() || v.IsNull() {
		return 1
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return len(v.AsString())
	case ty.IsPrimitiveType():
		return 8
	case ty.IsCollectionType() || ty.IsTupleType() || ty.IsObjectType():
		n := 0
		for it := v.ElementIterator(); it.Next() && n <= limit; {
			k, el := it.Element()
			n += sizeOf(k, limit-n) + sizeOf(el, limit-n)
		}
		return n
	}
	return 8
}

// evaluate is expr.Value within the bounds.
func (e *evaluator) evaluate(expr hcl.Expression, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	if n, ok := expr.(hclsyntax.Node); ok {
		w := &estimate{ctx: ctx}
		hclsyntax.Walk(n, w)
		switch {
		case w.max > maxForNesting:
			return cty.DynamicVal, tooLarge(expr, "for expressions nest too deep", "more than two nested for expressions are not evaluated")
		case w.bytes > maxValueSize:
			return cty.DynamicVal, tooLarge(expr, "the value would be too large", "expressions that would build more than 4 MiB are not evaluated")
		}
	}
	v, diags := expr.Value(ctx)
	if !diags.HasErrors() && sizeOf(v, maxValueSize) > maxValueSize {
		return cty.DynamicVal, tooLarge(expr, "the value is too large", "values larger than 4 MiB are not evaluated")
	}
	return v, diags
}

func tooLarge(expr hcl.Expression, summary, detail string) hcl.Diagnostics {
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: expr.Range().Ptr()}}
}

// bounded wraps a function so that a call whose arguments, or whose
// result as check estimates it from the arguments, exceed the bounds fails
// before it runs: a failed call leaves the value unknown, with a notice.
func bounded(name string, f function.Function, check func(args []cty.Value) error) function.Function {
	spec := &function.Spec{
		Description: f.Description(),
		Params:      f.Params(),
		VarParam:    f.VarParam(),
		Type:        f.ReturnTypeForValues,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			total := 0
			for _, a := range args {
				total += sizeOf(a, maxValueSize+1)
			}
			if total > maxValueSize {
				return cty.NilVal, fmt.Errorf("%s: the arguments are larger than 4 MiB", name)
			}
			if check != nil {
				if err := check(args); err != nil {
					return cty.NilVal, fmt.Errorf("%s: %v", name, err)
				}
			}
			return f.Call(args)
		},
	}
	return function.New(spec)
}

// wideVerb is a format verb with a width or precision of five digits or
// more ("%099999999d" allocates what it says).
var wideVerb = regexp.MustCompile(`%[-+# 0]*(\d{5,}|\d*\.\d{5,})`)

// checks are the functions whose result can be much larger than their
// arguments, and what bounds them.
var checks = map[string]func(args []cty.Value) error{
	"format":     checkFormat,
	"formatlist": checkFormat,
	"indent": func(args []cty.Value) error {
		if n, _ := args[0].AsBigFloat().Int64(); n > 1024 || n < 0 {
			return fmt.Errorf("indents of more than 1024 spaces are not evaluated")
		}
		return nil
	},
	"join": func(args []cty.Value) error {
		sep := len(args[0].AsString())
		n := 0
		for _, l := range args[1:] {
			if l.IsKnown() && !l.IsNull() {
				n += l.LengthInt()
			}
		}
		if sep*n > maxValueSize {
			return fmt.Errorf("the result would be larger than 4 MiB")
		}
		return nil
	},
	"setproduct": func(args []cty.Value) error {
		n := 1
		for _, s := range args {
			if !s.IsKnown() || s.IsNull() {
				continue
			}
			n *= max(s.LengthInt(), 1)
			if n > maxElements {
				return fmt.Errorf("products of more than %d elements are not evaluated", maxElements)
			}
		}
		return nil
	},
}

func checkFormat(args []cty.Value) error {
	if wideVerb.MatchString(args[0].AsString()) {
		return fmt.Errorf("widths and precisions of five digits or more are not evaluated")
	}
	return nil
}
