package terraform

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Bounds on what one expression may build: repository content must not
// make evaluation run unbounded. Nested for expressions multiply (three
// levels over range(1024) are a billion elements), and locals that each
// double the one before grow exponentially, so an expression with more
// than maxForNesting nested for expressions is not evaluated, and a local
// whose value is larger than maxValueSize is left unknown.
const (
	maxForNesting = 2
	maxValueSize  = 4 << 20
)

type forDepth struct{ cur, max int }

func (w *forDepth) Enter(n hclsyntax.Node) hcl.Diagnostics {
	if _, ok := n.(*hclsyntax.ForExpr); ok {
		w.cur++
		w.max = max(w.max, w.cur)
	}
	return nil
}

func (w *forDepth) Exit(n hclsyntax.Node) hcl.Diagnostics {
	if _, ok := n.(*hclsyntax.ForExpr); ok {
		w.cur--
	}
	return nil
}

// tooDeep tells an expression whose for expressions nest too deep.
func tooDeep(expr hcl.Expression) bool {
	n, ok := expr.(hclsyntax.Node)
	if !ok {
		return false
	}
	w := &forDepth{}
	hclsyntax.Walk(n, w)
	return w.max > maxForNesting
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
	if tooDeep(expr) {
		return cty.DynamicVal, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "for expressions nest too deep",
			Detail: "more than two nested for expressions are not evaluated", Subject: expr.Range().Ptr()}}
	}
	v, diags := expr.Value(ctx)
	if !diags.HasErrors() && sizeOf(v, maxValueSize) > maxValueSize {
		return cty.DynamicVal, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "the value is too large",
			Detail: "values larger than 4 MiB are not evaluated", Subject: expr.Range().Ptr()}}
	}
	return v, diags
}
