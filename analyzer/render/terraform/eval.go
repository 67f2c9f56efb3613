package terraform

import (
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/irsalint/irsalint/analyzer"
)

// Bounds on evaluation: repository content decides how deep references
// nest and how many instances a count or for_each makes.
const (
	maxDepth     = 64
	maxInstances = 1000
)

// evaluator resolves the values of one module. Symbols (var.x, local.x,
// aws_iam_role.x, data.aws_iam_policy_document.x, module.x) are resolved
// on demand, each once, so that the order of declarations does not matter;
// a reference cycle leaves its values unknown with a notice.
type evaluator struct {
	m       *module
	r       *run
	vars    map[string]cty.Value
	values  map[string]cty.Value // resolved symbols
	state   map[string]int       // 1 resolving, 2 resolved
	depth   int
	refs    map[string]map[string]bool // symbol → attribute names references read
	roots   map[string]bool            // every root name referenced
	dataRef map[string]map[string]bool // data type → names referenced
	modRef  map[string]bool
	cached  *hcl.EvalContext
	scope   *hcl.EvalContext // while a symbol is resolved

	roles     map[string][]*role
	policies  map[string][]*policyDoc
	instances map[string][]instance
	notices   []analyzer.Diagnostic
	noticed   map[string]bool
	// placeholders counts the unknown values written so far, to tell
	// whether a document came out wholly known.
	placeholders int
}

// instance is one instance of a block: count.index or each.key/each.value.
type instance struct {
	key   any       // nil, int (count) or string (for_each)
	value cty.Value // for_each's value
}

func (i instance) ctx(parent *hcl.EvalContext) *hcl.EvalContext {
	if i.key == nil {
		return parent
	}
	c := parent.NewChild()
	c.Variables = map[string]cty.Value{}
	switch k := i.key.(type) {
	case int:
		c.Variables["count"] = cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(int64(k))})
	case string:
		c.Variables["each"] = cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(k), "value": i.value})
	}
	return c
}

// suffix is the instance's address suffix: [0], ["a"].
func (i instance) suffix() string {
	switch k := i.key.(type) {
	case int:
		return fmt.Sprintf("[%d]", k)
	case string:
		return fmt.Sprintf("[%q]", k)
	}
	return ""
}

func newEvaluator(m *module, r *run) *evaluator {
	e := &evaluator{m: m, r: r, values: map[string]cty.Value{}, state: map[string]int{},
		refs: map[string]map[string]bool{}, roots: map[string]bool{}, dataRef: map[string]map[string]bool{}, modRef: map[string]bool{},
		roles: map[string][]*role{}, policies: map[string][]*policyDoc{}, instances: map[string][]instance{}, noticed: map[string]bool{}}
	for _, f := range m.files {
		if body, ok := f.body.(*hclsyntax.Body); ok {
			hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
				if t, ok := n.(*hclsyntax.ScopeTraversalExpr); ok {
					e.noteReference(t.Traversal)
				}
				return nil
			})
		}
	}
	return e
}

// noteReference records what a reference reads, so that the objects in the
// evaluation context have every attribute some expression asks for.
func (e *evaluator) noteReference(tr hcl.Traversal) {
	root := tr.RootName()
	e.roots[root] = true
	names := attrNames(tr)
	switch root {
	case "data":
		if len(names) >= 2 {
			if e.dataRef[names[0]] == nil {
				e.dataRef[names[0]] = map[string]bool{}
			}
			e.dataRef[names[0]][names[1]] = true
			if a := attrAfterInstance(tr, 3); a != "" {
				e.addRef("data."+names[0]+"."+names[1], a)
			}
		}
	case "module":
		if len(names) >= 1 {
			e.modRef[names[0]] = true
			if a := attrAfterInstance(tr, 2); a != "" {
				e.addRef("module."+names[0], a)
			}
		}
	case "var", "local", "count", "each", "path", "terraform", "self":
	default:
		if len(names) >= 1 {
			if a := attrAfterInstance(tr, 2); a != "" {
				e.addRef(root+"."+names[0], a)
			}
		}
	}
}

func (e *evaluator) addRef(sym, attr string) {
	if e.refs[sym] == nil {
		e.refs[sym] = map[string]bool{}
	}
	e.refs[sym][attr] = true
}

// attrNames are the attribute steps after the root, up to the first index.
func attrNames(tr hcl.Traversal) []string {
	var out []string
	for _, s := range tr[1:] {
		a, ok := s.(hcl.TraverseAttr)
		if !ok {
			break
		}
		out = append(out, a.Name)
	}
	return out
}

// attrAfterInstance is the attribute read from an object at step n (the
// root counts as step 0), past one instance index.
func attrAfterInstance(tr hcl.Traversal, n int) string {
	if len(tr) <= n {
		return ""
	}
	switch s := tr[n].(type) {
	case hcl.TraverseAttr:
		return s.Name
	case hcl.TraverseIndex, hcl.TraverseSplat:
		if len(tr) > n+1 {
			if a, ok := tr[n+1].(hcl.TraverseAttr); ok {
				return a.Name
			}
		}
	}
	return ""
}

// symbolOf names the symbol a reference reads, "" for none.
func symbolOf(tr hcl.Traversal) string {
	names := attrNames(tr)
	switch tr.RootName() {
	case "var", "local":
		if len(names) > 0 {
			return tr.RootName() + "." + names[0]
		}
	case "data":
		if len(names) > 1 {
			return "data." + names[0] + "." + names[1]
		}
	case "module":
		if len(names) > 0 {
			return "module." + names[0]
		}
	case "count", "each", "path", "terraform", "self":
	default:
		if len(names) > 0 {
			return tr.RootName() + "." + names[0]
		}
	}
	return ""
}

// need resolves the symbols the traversals read.
func (e *evaluator) need(trs []hcl.Traversal) {
	for _, tr := range trs {
		if s := symbolOf(tr); s != "" {
			e.resolve(s, tr.SourceRange())
		}
	}
}

// needBody resolves the symbols read anywhere in a block's body and
// returns the references (nil for JSON syntax, whose references are inside
// strings: every symbol of the module is resolved rather than one missed).
func (e *evaluator) needBody(body hcl.Body) []hcl.Traversal {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		e.resolveAll()
		return nil
	}
	var trs []hcl.Traversal
	hclsyntax.VisitAll(sb, func(n hclsyntax.Node) hcl.Diagnostics {
		if t, ok := n.(*hclsyntax.ScopeTraversalExpr); ok {
			trs = append(trs, t.Traversal)
		}
		return nil
	})
	e.need(trs)
	return trs
}

func (e *evaluator) resolveAll() {
	for _, k := range sortedKeys(e.m.locals) {
		e.resolve("local."+k, hcl.Range{})
	}
	for _, b := range e.m.blocks {
		e.resolve(b.key(), hcl.Range{})
	}
}

// resolve computes a symbol's value once.
func (e *evaluator) resolve(sym string, at hcl.Range) {
	switch e.state[sym] {
	case 2:
		return
	case 1:
		if at.Filename != "" {
			e.notice(at, "cycle:"+sym, fmt.Sprintf("%s refers to itself through other values, so it is not evaluated", sym))
		}
		return
	}
	if e.depth >= maxDepth {
		e.notice(at, "depth:"+sym, fmt.Sprintf("references nest more than %d deep at %s; the value is not evaluated", maxDepth, sym))
		return
	}
	e.state[sym] = 1
	e.depth++
	defer func() { e.depth--; e.state[sym] = 2; e.cached = nil }()
	switch {
	case strings.HasPrefix(sym, "var."):
		// Variables are set before evaluation starts.
	case strings.HasPrefix(sym, "local."):
		name := strings.TrimPrefix(sym, "local.")
		a, ok := e.m.locals[name]
		if !ok {
			return
		}
		trs := a.Expr.Variables()
		e.need(trs)
		defer e.enter(trs)()
		v, diags := e.evaluate(a.Expr, e.ctx())
		if diags.HasErrors() {
			for _, d := range diags {
				if d.Severity == hcl.DiagError {
					e.notice(a.Expr.Range(), "local:"+d.Summary, fmt.Sprintf("could not evaluate %s: %s; it stays unknown", sym, strings.TrimSuffix(d.Summary+detail(d), ".")))
					break
				}
			}
			v = cty.DynamicVal
		}
		e.values[sym] = v
	default:
		b, ok := e.m.byKey[sym]
		if !ok {
			return
		}
		if trs := e.needBody(b.b.Body); trs != nil {
			defer e.enter(trs)()
		}
		e.values[sym] = e.blockValue(b)
	}
}

// enter makes the evaluation context, while a symbol is resolved, hold
// only the symbols it reads: building the whole context for each of a
// module's symbols would cost the square of their number.
func (e *evaluator) enter(trs []hcl.Traversal) (leave func()) {
	prev := e.scope
	e.scope = e.scoped(trs)
	return func() { e.scope = prev }
}

// scoped is an evaluation context holding the symbols trs read.
func (e *evaluator) scoped(trs []hcl.Traversal) *hcl.EvalContext {
	vars := map[string]cty.Value{"var": objectOrEmpty(e.vars)}
	locals := map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	modules := map[string]cty.Value{}
	resources := map[string]map[string]cty.Value{}
	for _, tr := range trs {
		sym := symbolOf(tr)
		names := attrNames(tr)
		switch root := tr.RootName(); {
		case sym == "":
		case root == "local":
			locals[names[0]] = e.valueOf(sym)
		case root == "data":
			if data[names[0]] == nil {
				data[names[0]] = map[string]cty.Value{}
			}
			data[names[0]][names[1]] = e.valueOf(sym)
		case root == "module":
			modules[names[0]] = e.valueOf(sym)
		case root != "var":
			if resources[root] == nil {
				resources[root] = map[string]cty.Value{}
			}
			resources[root][names[0]] = e.valueOf(sym)
		}
		if _, ok := vars[tr.RootName()]; !ok && symbolOf(tr) == "" && tr.RootName() != "count" && tr.RootName() != "each" && tr.RootName() != "path" && tr.RootName() != "terraform" {
			vars[tr.RootName()] = cty.DynamicVal
		}
	}
	fill(vars, locals, data, modules, resources)
	return evalContext(vars)
}

// fill adds the values of locals, data sources, module calls and resources
// to vars, each kind under its root name.
func fill(vars, locals map[string]cty.Value, data map[string]map[string]cty.Value, modules map[string]cty.Value, resources map[string]map[string]cty.Value) {
	vars["local"] = objectOrEmpty(locals)
	dataObj := map[string]cty.Value{}
	for typ, names := range data {
		dataObj[typ] = cty.ObjectVal(names)
	}
	vars["data"] = objectOrEmpty(dataObj)
	vars["module"] = objectOrEmpty(modules)
	for typ, names := range resources {
		vars[typ] = cty.ObjectVal(names)
	}
}

// evalContext is the context of vars, with path and terraform, whose values
// are the same in every module read.
func evalContext(vars map[string]cty.Value) *hcl.EvalContext {
	vars["path"] = cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal("."), "root": cty.StringVal("."), "cwd": cty.StringVal(".")})
	vars["terraform"] = cty.ObjectVal(map[string]cty.Value{"workspace": cty.UnknownVal(cty.String)})
	return &hcl.EvalContext{Variables: vars, Functions: functions}
}

// ctx is the evaluation context with every symbol resolved so far; those
// not resolved are unknown.
func (e *evaluator) ctx() *hcl.EvalContext {
	if e.scope != nil {
		return e.scope
	}
	if e.cached != nil {
		return e.cached
	}
	vars := map[string]cty.Value{"var": objectOrEmpty(e.vars)}
	locals := map[string]cty.Value{}
	for name := range e.m.locals {
		locals[name] = e.valueOf("local." + name)
	}
	resources := map[string]map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	modules := map[string]cty.Value{}
	for _, b := range e.m.blocks {
		switch b.kind {
		case "resource":
			if resources[b.typ] == nil {
				resources[b.typ] = map[string]cty.Value{}
			}
			resources[b.typ][b.name] = e.valueOf(b.key())
		case "data":
			if data[b.typ] == nil {
				data[b.typ] = map[string]cty.Value{}
			}
			data[b.typ][b.name] = e.valueOf(b.key())
		case "module":
			modules[b.name] = e.valueOf(b.key())
		}
	}
	for typ, names := range e.dataRef {
		for name := range names {
			if data[typ] == nil {
				data[typ] = map[string]cty.Value{}
			}
			if _, ok := data[typ][name]; !ok {
				data[typ][name] = cty.DynamicVal
			}
		}
	}
	for name := range e.modRef {
		if _, ok := modules[name]; !ok {
			modules[name] = cty.DynamicVal
		}
	}
	fill(vars, locals, data, modules, resources)
	for root := range e.roots {
		if _, ok := vars[root]; !ok && root != "count" && root != "each" && root != "self" {
			vars[root] = cty.DynamicVal
		}
	}
	e.cached = evalContext(vars)
	return e.cached
}

func (e *evaluator) valueOf(sym string) cty.Value {
	if v, ok := e.values[sym]; ok {
		return v
	}
	return cty.DynamicVal
}

func objectOrEmpty(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// expand gives the instances of a block: one, or one per count index or
// for_each element. ok is false when the collection is not known.
func (e *evaluator) expand(b *block) (list []instance, ok bool) {
	if cached, done := e.instances[b.key()]; done {
		return cached, cached != nil
	}
	defer func() {
		if ok {
			if list == nil {
				list = []instance{}
			}
			e.instances[b.key()] = list
		} else {
			e.instances[b.key()] = nil
		}
	}()
	attrs := attributes(b.b.Body)
	if a, has := attrs["count"]; has {
		e.need(a.Expr.Variables())
		v, diags := e.evaluate(a.Expr, e.ctx())
		if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
			e.unresolved(a.Expr, e.ctx(), diags, fmt.Sprintf("the count of %s", b.key()))
			return nil, false
		}
		if v, err := convert.Convert(v, cty.Number); err == nil {
			n, _ := v.AsBigFloat().Int64()
			if n > maxInstances {
				e.notice(a.Expr.Range(), "cap:"+b.key(), fmt.Sprintf("%s has count %d; only the first %d instances are read", b.key(), n, maxInstances))
				n = maxInstances
			}
			for i := range int(max(n, 0)) {
				list = append(list, instance{key: i})
			}
			return list, true
		}
		return nil, false
	}
	if a, has := attrs["for_each"]; has {
		e.need(a.Expr.Variables())
		v, diags := e.evaluate(a.Expr, e.ctx())
		// Terraform needs the keys, not the values: a map whose values
		// are unknown still makes its instances (each.value unknown).
		if diags.HasErrors() || !v.IsKnown() || v.IsNull() || (v.Type().IsSetType() && !v.IsWhollyKnown()) {
			e.unresolved(a.Expr, e.ctx(), diags, fmt.Sprintf("the for_each of %s", b.key()))
			return nil, false
		}
		ty := v.Type()
		if !(ty.IsMapType() || ty.IsObjectType() || ty.IsSetType()) {
			e.notice(a.Expr.Range(), "foreach:"+b.key(), fmt.Sprintf("the for_each of %s is not a map or a set of strings", b.key()))
			return nil, false
		}
		for it := v.ElementIterator(); it.Next(); {
			k, val := it.Element()
			if ty.IsSetType() {
				k = val
			}
			ks, err := convert.Convert(k, cty.String)
			if err != nil || ks.IsNull() {
				return nil, false
			}
			if len(list) == maxInstances {
				e.notice(a.Expr.Range(), "cap:"+b.key(), fmt.Sprintf("%s has more than %d for_each elements; only the first %d are read", b.key(), maxInstances, maxInstances))
				break
			}
			list = append(list, instance{key: ks.AsString(), value: val})
		}
		return list, true
	}
	return []instance{{}}, true
}

// attributes are the attributes of a body, without its nested blocks.
func attributes(body hcl.Body) hcl.Attributes {
	if sb, ok := body.(*hclsyntax.Body); ok {
		out := hcl.Attributes{}
		for name, a := range sb.Attributes {
			out[name] = a.AsHCLAttribute()
		}
		return out
	}
	attrs, _ := body.JustAttributes()
	return attrs
}

// instanceValues joins the instances' objects as references read them: the
// object itself, a tuple by count index or an object by for_each key.
func instanceValues(b *block, list []instance, ok bool, one func(instance) cty.Value) cty.Value {
	if !ok {
		return cty.DynamicVal
	}
	attrs := attributes(b.b.Body)
	if _, has := attrs["count"]; has {
		vals := make([]cty.Value, len(list))
		for i, in := range list {
			vals[i] = one(in)
		}
		return cty.TupleVal(vals)
	}
	if _, has := attrs["for_each"]; has {
		vals := map[string]cty.Value{}
		for _, in := range list {
			vals[in.key.(string)] = one(in)
		}
		return objectOrEmpty(vals)
	}
	return one(list[0])
}

// blockValue is the value references to a block read: what its
// configuration states (known before a plan), the attributes irsalint
// computes (a role's ARN), everything else unknown.
func (e *evaluator) blockValue(b *block) cty.Value {
	list, ok := e.expand(b)
	return instanceValues(b, list, ok, func(in instance) cty.Value {
		attrs := e.configured(b.b.Body, in.ctx(e.ctx()))
		switch {
		case b.kind == "resource" && b.typ == "aws_iam_role":
			r := e.roleOf(b, in)
			if r.name != "" {
				attrs["name"] = cty.StringVal(r.name)
				attrs["id"] = cty.StringVal(r.name)
			}
			attrs["arn"] = cty.StringVal(r.arn())
			attrs["path"] = cty.StringVal(r.path)
		case b.kind == "resource" && b.typ == "aws_iam_openid_connect_provider":
			if u, ok := attrs["url"]; ok && u.IsKnown() && !u.IsNull() && u.Type() == cty.String {
				if acct := e.r.opts.AccountID; acct != "" {
					attrs["arn"] = cty.StringVal(fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", acct, issuerHost(u.AsString())))
				}
			}
		case b.kind == "data" && b.typ == "aws_iam_policy_document":
			d := e.policyOf(b, in)
			attrs["json"] = d.json()
			attrs["minified_json"] = d.json()
		case b.kind == "module":
			for k, v := range e.moduleOutputs(b, in) {
				attrs[k] = v
			}
		}
		for name := range e.refs[b.key()] {
			if _, ok := attrs[name]; !ok {
				attrs[name] = cty.DynamicVal
			}
		}
		return objectOrEmpty(attrs)
	})
}

// configured evaluates the arguments a block states and its nested blocks
// (as lists of objects, the way references read them). Data sources and
// module calls state inputs, not results: only their computed results
// count, which the callers add.
func (e *evaluator) configured(body hcl.Body, ctx *hcl.EvalContext) map[string]cty.Value {
	out := map[string]cty.Value{}
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		for name, a := range attributes(body) {
			if v, diags := e.evaluate(a.Expr, ctx); !diags.HasErrors() {
				out[name] = v
			}
		}
		return out
	}
	for name, a := range sb.Attributes {
		if name == "count" || name == "for_each" || name == "depends_on" || name == "provider" {
			continue
		}
		v, diags := e.evaluate(a.Expr, ctx)
		if diags.HasErrors() {
			v = cty.DynamicVal
		}
		out[name] = v
	}
	nested := map[string][]cty.Value{}
	for _, nb := range sb.Blocks {
		if nb.Type == "dynamic" || nb.Type == "lifecycle" || nb.Type == "provisioner" || nb.Type == "connection" {
			continue
		}
		nested[nb.Type] = append(nested[nb.Type], objectOrEmpty(e.configured(nb.Body, ctx)))
	}
	for t, list := range nested {
		out[t] = cty.TupleVal(list)
	}
	return out
}

// issuerHost is an issuer URL as IAM condition keys spell it.
func issuerHost(url string) string {
	return strings.TrimRight(strings.TrimPrefix(strings.TrimSpace(url), "https://"), "/")
}

// --- Plain values -------------------------------------------------------------

// value evaluates expr into plain data (map[string]any, []any, string,
// int64, float64, bool; nil for null), recording in org where each path it
// builds comes from. An unknown part is written as Terraform's
// interpolation of its expression, and a notice says why.
func (e *evaluator) value(expr hcl.Expression, ctx *hcl.EvalContext, path []any, org *origin) any {
	org.set(path, expr.Range())
	switch x := expr.(type) {
	case *hclsyntax.ObjectConsExpr:
		out := map[string]any{}
		for _, item := range x.Items {
			k := e.key(item.KeyExpr, ctx)
			p := join(path, k)
			v := e.value(item.ValueExpr, ctx, p, org)
			org.set(p, item.KeyExpr.Range())
			if v != nil {
				out[k] = v
			}
		}
		return out
	case *hclsyntax.TupleConsExpr:
		out := []any{}
		for _, el := range x.Exprs {
			v := e.value(el, ctx, join(path, len(out)), org)
			if v != nil {
				out = append(out, v)
			}
		}
		return out
	case *hclsyntax.ParenthesesExpr:
		return e.value(x.Expression, ctx, path, org)
	case *hclsyntax.TemplateExpr:
		if !x.IsStringLiteral() {
			return e.template(x, ctx)
		}
	case *hclsyntax.ScopeTraversalExpr:
		// A local holding an object or a list: its own lines are where a
		// person edits it.
		if x.Traversal.RootName() == "local" && len(x.Traversal) == 2 {
			if a, ok := e.m.locals[attrNames(x.Traversal)[0]]; ok && e.depth < maxDepth {
				if _, isObj := a.Expr.(*hclsyntax.ObjectConsExpr); isObj {
					e.depth++
					defer func() { e.depth-- }()
					return e.value(a.Expr, e.ctx(), path, org)
				}
			}
		}
	}
	if _, native := expr.(hclsyntax.Expression); !native {
		if pairs, diags := hcl.ExprMap(expr); !diags.HasErrors() {
			out := map[string]any{}
			for _, kv := range pairs {
				k := e.key(kv.Key, ctx)
				p := join(path, k)
				if v := e.value(kv.Value, ctx, p, org); v != nil {
					out[k] = v
				}
				org.set(p, kv.Key.Range())
			}
			return out
		}
		if list, diags := hcl.ExprList(expr); !diags.HasErrors() {
			out := []any{}
			for _, el := range list {
				if v := e.value(el, ctx, join(path, len(out)), org); v != nil {
					out = append(out, v)
				}
			}
			return out
		}
	}
	v, diags := e.evaluate(expr, ctx)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		if diags.HasErrors() || !v.IsKnown() || !(v.CanIterateElements()) {
			e.unresolved(expr, ctx, diags, "")
			return e.placeholder(expr)
		}
	}
	return e.plain(v, expr, ctx)
}

// key evaluates an object key; an unknown key is its interpolation.
func (e *evaluator) key(expr hcl.Expression, ctx *hcl.EvalContext) string {
	v, diags := e.evaluate(expr, ctx)
	if !diags.HasErrors() && v.IsKnown() && !v.IsNull() {
		if s, err := convert.Convert(v, cty.String); err == nil {
			return s.AsString()
		}
	}
	if k, ok := expr.(*hclsyntax.ObjectConsKeyExpr); ok {
		expr = k.Wrapped
	}
	if t, ok := expr.(*hclsyntax.TemplateExpr); ok {
		if s, ok := e.template(t, ctx).(string); ok {
			return s
		}
	}
	e.unresolved(expr, ctx, diags, "")
	return e.placeholder(expr)
}

// template renders a string template part by part, so that the known parts
// stay and each unknown interpolation is written as it is in the source.
func (e *evaluator) template(x *hclsyntax.TemplateExpr, ctx *hcl.EvalContext) any {
	v, diags := e.evaluate(x, ctx)
	if !diags.HasErrors() && v.IsWhollyKnown() && !v.IsNull() {
		return v.AsString()
	}
	var b strings.Builder
	for _, part := range x.Parts {
		pv, pdiags := e.evaluate(part, ctx)
		if !pdiags.HasErrors() && pv.IsWhollyKnown() && !pv.IsNull() {
			if s, err := convert.Convert(pv, cty.String); err == nil {
				b.WriteString(s.AsString())
				continue
			}
		}
		e.unresolved(part, ctx, pdiags, "")
		e.placeholders++
		b.WriteString("${" + e.m.text(part.Range()) + "}")
	}
	return b.String()
}

// placeholder writes an unknown expression as Terraform interpolates it.
func (e *evaluator) placeholder(expr hcl.Expression) string {
	e.placeholders++
	if w, ok := expr.(*hclsyntax.TemplateWrapExpr); ok {
		expr = w.Wrapped
	}
	t := e.m.text(expr.Range())
	if strings.HasPrefix(t, "${") && strings.HasSuffix(t, "}") {
		return t
	}
	return "${" + t + "}"
}

// plain converts a cty value; unknown parts are the expression's
// interpolation.
func (e *evaluator) plain(v cty.Value, expr hcl.Expression, ctx *hcl.EvalContext) any {
	if !v.IsKnown() {
		e.unresolved(expr, ctx, nil, "")
		return e.placeholder(expr)
	}
	if v.IsNull() {
		return nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString()
	case ty == cty.Number:
		bf := v.AsBigFloat()
		if i, acc := bf.Int64(); acc == big.Exact {
			return i
		}
		f, _ := bf.Float64()
		return f
	case ty == cty.Bool:
		return v.True()
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out := []any{}
		for it := v.ElementIterator(); it.Next(); {
			_, el := it.Element()
			if p := e.plain(el, expr, ctx); p != nil {
				out = append(out, p)
			}
		}
		return out
	case ty.IsMapType() || ty.IsObjectType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, el := it.Element()
			if p := e.plain(el, expr, ctx); p != nil {
				out[k.AsString()] = p
			}
		}
		return out
	}
	return e.placeholder(expr)
}

// --- Notices --------------------------------------------------------------------

func (e *evaluator) notice(r hcl.Range, key, msg string) {
	k := fmt.Sprintf("%s:%d:%s", r.Filename, r.Start.Line, key)
	if e.noticed[k] {
		return
	}
	e.noticed[k] = true
	e.notices = append(e.notices, analyzer.Diagnostic{Level: analyzer.LevelNotice, Location: location(r), Message: msg})
}

// unresolved says what in expr could not be resolved: each reference whose
// value is unknown, or the evaluation error.
func (e *evaluator) unresolved(expr hcl.Expression, ctx *hcl.EvalContext, diags hcl.Diagnostics, what string) {
	said, self := false, false
	for _, tr := range expr.Variables() {
		v, d := tr.TraverseAbs(ctx)
		if !d.HasErrors() && v.IsWhollyKnown() {
			continue
		}
		name := traversalText(tr)
		if selfData.MatchString(name) {
			self = true
			continue
		}
		subject := name
		if what != "" {
			subject = what
		}
		e.notice(expr.Range(), "ref:"+name, fmt.Sprintf("could not resolve %s (%s), so %s stays unknown and is not judged", name, e.kindOf(tr), quoteSubject(subject, name)))
		said = true
	}
	if said || self && !diags.HasErrors() {
		return
	}
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			e.notice(expr.Range(), "err:"+d.Summary, fmt.Sprintf("could not evaluate %s: %s; the value stays unknown and is not judged", e.m.text(expr.Range()), strings.TrimSuffix(d.Summary+detail(d), ".")))
			return
		}
	}
	e.notice(expr.Range(), "unknown", fmt.Sprintf("could not evaluate %s before a plan; the value stays unknown and is not judged", e.m.text(expr.Range())))
}

// selfData are the data sources of the module's own account and
// partition. They are not named at each reference: the role's account
// notice says what is unknown, a trust's provider ARN written with them is
// read as the role's own account (selfProviders), and any other use stays
// a placeholder the readers report where it matters.
var selfData = regexp.MustCompile(`^data\.(aws_caller_identity\.[A-Za-z0-9_-]+\.account_id|aws_partition\.[A-Za-z0-9_-]+\.partition)$`)

func quoteSubject(subject, name string) string {
	if subject == name {
		return "the value"
	}
	return subject
}

func detail(d *hcl.Diagnostic) string {
	if d.Detail == "" {
		return ""
	}
	return " (" + strings.TrimSuffix(d.Detail, ".") + ")"
}

// kindOf says what a reference is, for notices.
func (e *evaluator) kindOf(tr hcl.Traversal) string {
	names := attrNames(tr)
	switch tr.RootName() {
	case "var":
		if len(names) > 0 {
			if _, ok := e.m.variables[names[0]]; !ok {
				return "an undeclared variable"
			}
		}
		return "a variable without a default or a value; pass it with --tf-var or --tf-var-file"
	case "local":
		return "a local value that depends on unknown values"
	case "data":
		if len(names) > 0 && names[0] == "aws_iam_policy_document" {
			return "a policy document with unknown parts"
		}
		return "a data source, read only when Terraform plans"
	case "module":
		return "an output of a module irsalint does not read"
	case "count", "each":
		return "an instance key outside a count or for_each"
	}
	return "a resource attribute, known only after apply"
}

func traversalText(tr hcl.Traversal) string {
	var b strings.Builder
	for _, s := range tr {
		switch s := s.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			if s.Key.Type() == cty.String {
				fmt.Fprintf(&b, "[%q]", s.Key.AsString())
			} else if s.Key.Type() == cty.Number {
				fmt.Fprintf(&b, "[%s]", s.Key.AsBigFloat().Text('f', -1))
			}
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		}
	}
	return b.String()
}
