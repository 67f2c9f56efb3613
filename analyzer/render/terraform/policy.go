package terraform

import (
	"encoding/json"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/irsalint/irsalint/analyzer/source"
)

// policyDoc is one instance of a data "aws_iam_policy_document", as the
// AWS provider renders it to JSON, with the place of each statement.
type policyDoc struct {
	version    string
	versionOrg *origin
	stmts      []any
	orgs       []*origin
	org        *origin
	known      bool // no part is unknown
}

// value is the document and its origin.
func (d *policyDoc) value() (map[string]any, *origin) {
	org := newOrigin()
	org.include(nil, d.org)
	org.include([]any{"Version"}, d.versionOrg)
	for i, o := range d.orgs {
		org.include([]any{"Statement", i}, o)
	}
	stmts := d.stmts
	if stmts == nil {
		stmts = []any{}
	}
	return map[string]any{"Version": d.version, "Statement": stmts}, org
}

// json is the document's "json" attribute: known only when all of it is.
func (d *policyDoc) json() cty.Value {
	if !d.known {
		return cty.UnknownVal(cty.String)
	}
	v, _ := d.value()
	b, err := json.Marshal(v)
	if err != nil {
		return cty.UnknownVal(cty.String)
	}
	return cty.StringVal(string(b))
}

var policySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "version"}, {Name: "policy_id"}, {Name: "source_policy_documents"}, {Name: "override_policy_documents"},
		{Name: "source_json"}, {Name: "override_json"}},
	Blocks: []hcl.BlockHeaderSchema{{Type: "statement"}, {Type: "dynamic", LabelNames: []string{"type"}}},
}

var statementSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "sid"}, {Name: "effect"}, {Name: "actions"}, {Name: "not_actions"}, {Name: "resources"}, {Name: "not_resources"}},
	Blocks: []hcl.BlockHeaderSchema{{Type: "principals"}, {Type: "not_principals"}, {Type: "condition"},
		{Type: "dynamic", LabelNames: []string{"type"}}},
}

var dynamicSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "for_each", Required: true}, {Name: "iterator"}, {Name: "labels"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "content"}},
}

// policyOf evaluates one instance of a policy document data source.
func (e *evaluator) policyOf(b *block, in instance) *policyDoc {
	key := b.key() + in.suffix()
	for _, d := range e.policies[key] {
		return d
	}
	e.needBody(b.b.Body)
	ctx := in.ctx(e.ctx())
	before := e.placeholders
	d := &policyDoc{version: "2012-10-17", org: newOrigin(), versionOrg: newOrigin()}
	d.org.set(nil, b.b.DefRange)
	content, _, diags := b.b.Body.PartialContent(policySchema)
	e.m.addDiags(diags)
	if a, ok := content.Attributes["version"]; ok {
		if s, ok := e.value(a.Expr, ctx, nil, d.versionOrg).(string); ok {
			d.version = s
		}
	} else {
		d.versionOrg.set(nil, b.b.DefRange)
	}
	for _, name := range []string{"source_json", "source_policy_documents"} {
		if a, ok := content.Attributes[name]; ok {
			e.mergeDocuments(d, a.Expr, ctx)
		}
	}
	for _, blk := range content.Blocks {
		switch {
		case blk.Type == "statement":
			st, org := e.statement(blk.Body, ctx, blk.DefRange)
			d.merge(st, org)
		case blk.Type == "dynamic" && blk.Labels[0] == "statement":
			e.dynamic(blk, ctx, func(c *hcl.EvalContext, body hcl.Body, r hcl.Range) {
				st, org := e.statement(body, c, r)
				d.merge(st, org)
			}, func(text string, r hcl.Range) {
				d.merge(unknownStatement(text), rangeOrigin(r))
			})
		}
	}
	for _, name := range []string{"override_json", "override_policy_documents"} {
		if a, ok := content.Attributes[name]; ok {
			e.mergeDocuments(d, a.Expr, ctx)
		}
	}
	d.known = e.placeholders == before
	e.policies[key] = []*policyDoc{d}
	return d
}

// merge adds a statement as the provider does: one with the Sid of an
// earlier one replaces it.
func (d *policyDoc) merge(st map[string]any, org *origin) {
	if sid, _ := st["Sid"].(string); sid != "" {
		for i, prev := range d.stmts {
			if p, _ := prev.(map[string]any); p != nil && p["Sid"] == sid {
				d.stmts[i], d.orgs[i] = st, org
				return
			}
		}
	}
	d.stmts = append(d.stmts, st)
	d.orgs = append(d.orgs, org)
}

func rangeOrigin(r hcl.Range) *origin {
	o := newOrigin()
	o.set(nil, r)
	return o
}

// unknownStatement stands for statements that cannot be evaluated: its
// principal is the unresolved expression, which the IAM reader takes as an
// unrendered placeholder, so no rule judges the statement.
func unknownStatement(text string) map[string]any {
	return map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": text}, "Action": "sts:AssumeRole"}
}

// mergeDocuments adds the statements of source_policy_documents or
// override_policy_documents: other policy documents of the module (placed
// at their own statements) or JSON texts.
func (e *evaluator) mergeDocuments(d *policyDoc, expr hcl.Expression, ctx *hcl.EvalContext) {
	elems := []hcl.Expression{expr}
	list := false
	if t, ok := expr.(*hclsyntax.TupleConsExpr); ok {
		elems, list = nil, true
		for _, x := range t.Exprs {
			elems = append(elems, x)
		}
	}
	for _, el := range elems {
		if other := e.documentRef(el, ctx); other != nil {
			for i, st := range other.stmts {
				if m, ok := st.(map[string]any); ok {
					d.merge(m, other.orgs[i])
				}
			}
			if !other.known {
				e.placeholders++
			}
			continue
		}
		e.need(el.Variables())
		v, diags := e.evaluate(el, ctx)
		if diags.HasErrors() || !v.IsWhollyKnown() {
			e.unresolved(el, ctx, diags, "a policy document merged here")
			d.merge(unknownStatement(e.placeholder(el)), rangeOrigin(el.Range()))
			continue
		}
		var texts []cty.Value
		if !list && (v.Type().IsListType() || v.Type().IsTupleType() || v.Type().IsSetType()) {
			for it := v.ElementIterator(); it.Next(); {
				_, t := it.Element()
				texts = append(texts, t)
			}
		} else if !v.IsNull() {
			texts = []cty.Value{v}
		}
		for _, t := range texts {
			s, err := convert.Convert(t, cty.String)
			if err != nil || s.IsNull() {
				continue
			}
			docs, err := source.Decode([]byte(s.AsString()))
			m, _ := firstMap(docs)
			if err != nil || m == nil {
				e.notice(el.Range(), "badjson", fmt.Sprintf("a policy document merged here is not a JSON policy (%v); it is not read", errText(err)))
				e.placeholders++
				continue
			}
			sts, _ := m["Statement"].([]any)
			if one, ok := m["Statement"].(map[string]any); ok {
				sts = []any{one}
			}
			for _, st := range sts {
				if sm, ok := st.(map[string]any); ok {
					d.merge(sm, rangeOrigin(el.Range()))
				}
			}
		}
	}
}

func errText(err error) string {
	if err == nil {
		return "no JSON object"
	}
	return err.Error()
}

func firstMap(docs []source.Doc) (map[string]any, *source.Positions) {
	if len(docs) == 0 {
		return nil, nil
	}
	m, _ := docs[0].Value.(map[string]any)
	return m, docs[0].Pos
}

// documentRef is the policy document a reference such as
// data.aws_iam_policy_document.trust.json (or [0].json) names; nil for
// anything else.
func (e *evaluator) documentRef(expr hcl.Expression, ctx *hcl.EvalContext) *policyDoc {
	st, ok := expr.(*hclsyntax.ScopeTraversalExpr)
	if !ok {
		return nil
	}
	tr := st.Traversal
	names := attrNames(tr)
	if tr.RootName() != "data" || len(names) < 2 || names[0] != "aws_iam_policy_document" {
		return nil
	}
	b := e.m.byKey["data.aws_iam_policy_document."+names[1]]
	if b == nil {
		return nil
	}
	rest := tr[3:]
	var key any
	if len(rest) > 0 {
		if ix, ok := rest[0].(hcl.TraverseIndex); ok {
			switch ix.Key.Type() {
			case cty.Number:
				n, _ := ix.Key.AsBigFloat().Int64()
				key = int(n)
			case cty.String:
				key = ix.Key.AsString()
			}
			rest = rest[1:]
		}
	}
	if len(rest) != 1 {
		return nil
	}
	if a, ok := rest[0].(hcl.TraverseAttr); !ok || (a.Name != "json" && a.Name != "minified_json") {
		return nil
	}
	list, ok := e.expand(b)
	if !ok {
		return nil
	}
	for _, in := range list {
		if in.key == key {
			return e.policyOf(b, in)
		}
	}
	return nil
}

// dynamic expands a dynamic block: each for its for_each element, with the
// iterator in the context; unknown is called when the elements are not known.
func (e *evaluator) dynamic(blk *hcl.Block, ctx *hcl.EvalContext, each func(*hcl.EvalContext, hcl.Body, hcl.Range), unknown func(string, hcl.Range)) {
	content, diags := blk.Body.Content(dynamicSchema)
	if diags.HasErrors() {
		e.m.addDiags(diags)
		return
	}
	iter := blk.Labels[0]
	if a, ok := content.Attributes["iterator"]; ok {
		if kw := hcl.ExprAsKeyword(a.Expr); kw != "" {
			iter = kw
		}
	}
	var body *hcl.Block
	for _, c := range content.Blocks {
		body = c
	}
	if body == nil {
		return
	}
	fe := content.Attributes["for_each"].Expr
	e.need(fe.Variables())
	v, vd := e.evaluate(fe, ctx)
	if vd.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !v.CanIterateElements() {
		e.unresolved(fe, ctx, vd, fmt.Sprintf("the dynamic %q blocks", blk.Labels[0]))
		unknown(e.placeholder(fe), fe.Range())
		return
	}
	n := 0
	for it := v.ElementIterator(); it.Next(); {
		if n == maxInstances {
			e.notice(fe.Range(), "capdyn", fmt.Sprintf("more than %d dynamic %q blocks; only the first %d are read", maxInstances, blk.Labels[0], maxInstances))
			break
		}
		n++
		k, val := it.Element()
		if v.Type().IsSetType() {
			k = val
		}
		c := ctx.NewChild()
		c.Variables = map[string]cty.Value{iter: cty.ObjectVal(map[string]cty.Value{"key": k, "value": val})}
		each(c, body.Body, body.DefRange)
	}
}

// statement evaluates one statement block into the provider's JSON shape.
func (e *evaluator) statement(body hcl.Body, ctx *hcl.EvalContext, at hcl.Range) (map[string]any, *origin) {
	org := rangeOrigin(at)
	st := map[string]any{}
	content, _, diags := body.PartialContent(statementSchema)
	e.m.addDiags(diags)
	attrs := content.Attributes
	if a, ok := attrs["sid"]; ok {
		if s, ok := e.value(a.Expr, ctx, []any{"Sid"}, org).(string); ok && s != "" {
			st["Sid"] = s
		}
	}
	st["Effect"] = "Allow"
	if a, ok := attrs["effect"]; ok {
		if v := e.value(a.Expr, ctx, []any{"Effect"}, org); v != nil {
			st["Effect"] = v
		}
	}
	for _, f := range [][2]string{{"actions", "Action"}, {"not_actions", "NotAction"}, {"resources", "Resource"}, {"not_resources", "NotResource"}} {
		if a, ok := attrs[f[0]]; ok {
			if v := e.value(a.Expr, ctx, []any{f[1]}, org); v != nil {
				st[f[1]] = single(v)
			}
		}
	}
	principals := map[string]map[string][]any{"Principal": {}, "NotPrincipal": {}}
	conditions := map[string]map[string][]any{}
	var order []string // condition tests in order
	visit := func(typ string, c *hcl.EvalContext, b hcl.Body, r hcl.Range) {
		switch typ {
		case "principals", "not_principals":
			e.principals(principals[map[string]string{"principals": "Principal", "not_principals": "NotPrincipal"}[typ]],
				map[string]string{"principals": "Principal", "not_principals": "NotPrincipal"}[typ], c, b, r, org)
		case "condition":
			if t := e.condition(conditions, c, b, r, org); t != "" && !contains(order, t) {
				order = append(order, t)
			}
		}
	}
	for _, blk := range content.Blocks {
		if blk.Type == "dynamic" {
			typ := blk.Labels[0]
			e.dynamic(blk, ctx, func(c *hcl.EvalContext, b hcl.Body, r hcl.Range) { visit(typ, c, b, r) }, func(text string, r hcl.Range) {
				switch typ {
				case "principals", "not_principals":
					principals["Principal"]["AWS"] = append(principals["Principal"]["AWS"], text)
				case "condition":
					// Conditions not known: a key that is a placeholder
					// keeps the statement from being judged.
					if conditions["StringEquals"] == nil {
						conditions["StringEquals"] = map[string][]any{}
						order = append(order, "StringEquals")
					}
					conditions["StringEquals"][text] = append(conditions["StringEquals"][text], text)
					org.set([]any{"Condition", "StringEquals", text}, r)
				}
			})
			continue
		}
		visit(blk.Type, ctx, blk.Body, blk.DefRange)
	}
	for _, el := range []string{"Principal", "NotPrincipal"} {
		p := principals[el]
		if len(p) == 0 {
			continue
		}
		if ids := p["*"]; len(p) == 1 && len(ids) == 1 && ids[0] == "*" {
			// type "*" with identifiers ["*"] is written "Principal": "*".
			st[el] = "*"
			continue
		}
		m := map[string]any{}
		for t, ids := range p {
			m[t] = single(ids)
		}
		st[el] = m
	}
	if len(conditions) > 0 {
		c := map[string]any{}
		for _, t := range order {
			vm := map[string]any{}
			for k, vals := range conditions[t] {
				vm[k] = single(vals)
			}
			c[t] = vm
		}
		st["Condition"] = c
	}
	return st, org
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// single writes a list of one as its element, as the provider does.
func single(v any) any {
	if l, ok := v.([]any); ok && len(l) == 1 {
		return l[0]
	}
	return v
}

var principalSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "type"}, {Name: "identifiers"}}}

// principals reads a principals block, merging identifiers of one type.
func (e *evaluator) principals(into map[string][]any, el string, ctx *hcl.EvalContext, body hcl.Body, at hcl.Range, org *origin) {
	content, diags := body.Content(principalSchema)
	e.m.addDiags(diags)
	if len(into) == 0 {
		org.set([]any{el}, at)
	}
	a, ok := content.Attributes["type"]
	if !ok {
		return
	}
	typ, _ := e.value(a.Expr, ctx, nil, newOrigin()).(string)
	ids, ok := content.Attributes["identifiers"]
	if typ == "" || !ok {
		return
	}
	e.list(ids.Expr, ctx, []any{el, typ}, len(into[typ]), org, func(v any) { into[typ] = append(into[typ], v) })
}

// list evaluates a list attribute, placing each element at path+[offset+i]
// (the path itself at the attribute, for the first).
func (e *evaluator) list(expr hcl.Expression, ctx *hcl.EvalContext, path []any, offset int, org *origin, add func(any)) {
	if offset == 0 {
		org.set(path, expr.Range())
	}
	if t, ok := expr.(*hclsyntax.TupleConsExpr); ok {
		i := offset
		for _, el := range t.Exprs {
			if v := e.value(el, ctx, join(path, i), org); v != nil {
				add(v)
				i++
			}
		}
		return
	}
	tmp := newOrigin()
	v := e.value(expr, ctx, nil, tmp)
	if l, ok := v.([]any); ok {
		for i, x := range l {
			org.set(join(path, offset+i), expr.Range())
			add(x)
		}
	} else if v != nil {
		add(v)
	}
}

var conditionSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "test"}, {Name: "variable"}, {Name: "values"}}}

// condition reads a condition block into test → variable → values,
// appending to the values of an earlier block with the same test and
// variable as the provider does. It returns the test.
func (e *evaluator) condition(into map[string]map[string][]any, ctx *hcl.EvalContext, body hcl.Body, at hcl.Range, org *origin) string {
	content, diags := body.Content(conditionSchema)
	e.m.addDiags(diags)
	if len(into) == 0 {
		org.set([]any{"Condition"}, at)
	}
	ta, ok1 := content.Attributes["test"]
	va, ok2 := content.Attributes["variable"]
	vals, ok3 := content.Attributes["values"]
	if !ok1 || !ok2 || !ok3 {
		return ""
	}
	test, _ := e.value(ta.Expr, ctx, nil, newOrigin()).(string)
	variable, _ := e.value(va.Expr, ctx, nil, newOrigin()).(string)
	if test == "" || variable == "" {
		return ""
	}
	if into[test] == nil {
		into[test] = map[string][]any{}
		org.set([]any{"Condition", test}, ta.Expr.Range())
	}
	path := []any{"Condition", test, variable}
	offset := len(into[test][variable])
	e.list(vals.Expr, ctx, path, offset, org, func(v any) { into[test][variable] = append(into[test][variable], v) })
	if offset == 0 {
		org.set(path, va.Expr.Range())
	}
	return test
}
