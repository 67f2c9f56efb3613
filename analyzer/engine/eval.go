package engine

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// Document is the rules' input, in the parts evaluation treats apart: the
// workloads, which rules of scope "workload" see in shards evaluated in
// parallel, and everything else, which every evaluation sees whole, except
// for rules of scope "role", which see input.roles in shards.
type Document struct {
	// Base is the input without "workloads" and "index". Its "roles", when
	// an object, is what rules of scope "role" see in shards.
	Base map[string]any
	// Workloads are input.workloads.
	Workloads []any
	// Index builds input.index for a list of workloads (its entries name
	// positions in that list), so that a shard has an index of its own.
	// Its values are lists of positions, ascending, or objects of such
	// values, and the index of a list must be that of its parts joined:
	// the lists under one key put end to end, the keys of every part
	// (mergeIndexes). nil: no index.
	Index func(workloads []any) map[string]any
	// Release lets conversion drop each workload from Workloads once it is
	// converted, so that the Go and the Rego values of the whole inventory
	// are never in memory together.
	Release bool
}

// Query is the enabled rules prepared for evaluation, in units: the
// built-in rules of scope "workload" together, evaluated on shards of the
// workloads; those of scope "role" together, on shards of the roles; the
// other built-in rules together, so that shared library values are
// computed once per evaluation; each custom rule alone, so that a rule
// that runs too long can be named.
type Query struct {
	units    []unit
	ids      []string
	workers  int
	minShard int
}

type unit struct {
	// prepared is the query, made on first use: a unit of a group New did
	// not wait for is prepared once an input feeds it.
	prepared *prepared
	ids      []string
	// needs is what the input must hold for any of the unit's rules to find
	// something (the union of their custom.needs); nil: nothing.
	needs []string
	// ruleNeeds are the custom.needs of each rule of the unit that has
	// some: an evaluation whose input holds none of them keeps none of its
	// findings, as if the rule were evaluated alone and skipped.
	ruleNeeds map[string][]string
	// custom is the one custom rule of the unit, or "".
	custom string
	// start starts compiling the unit's group if New deferred it.
	start func()
	// shard is what the unit is evaluated on shards of.
	shard shardKind
}

// shardKind is the part of the input a unit sees in shards.
type shardKind int

const (
	whole shardKind = iota
	byRole
	byWorkload
)

// scopeShard maps a rule's scope to the shards its unit is evaluated on.
var scopeShard = map[string]shardKind{"": whole, "role": byRole, "workload": byWorkload}

// defaultMinShard is the fewest workloads worth a shard of their own:
// below it the cost of a second evaluation is more than what parallelism
// gains.
const defaultMinShard = 500

// Prepare builds the queries over the enabled rules.
func (e *Engine) Prepare(ctx context.Context, ids []string) (*Query, error) {
	q := &Query{ids: ids, workers: e.workers, minShard: e.minShard}
	// byKind[kind][group] are the built-in rules of a unit.
	var byKind [byWorkload + 1][][]string
	for k := range byKind {
		byKind[k] = make([][]string, len(e.groups))
	}
	var custom []unit
	for _, id := range ids {
		i, ok := e.byID[id]
		if !ok {
			return nil, fmt.Errorf("unknown rule %q", id)
		}
		r := e.entries[i].rule
		g := e.groupOf[id]
		switch {
		case r.Custom:
			u, err := e.prepareUnit(ctx, g, []string{id})
			if err != nil {
				return nil, err
			}
			u.custom = id
			custom = append(custom, u)
		default:
			k := scopeShard[r.Scope]
			byKind[k][g] = append(byKind[k][g], id)
		}
	}
	// Whole units first: they are the longest, and evaluation starts them
	// first.
	for k, groups := range byKind {
		for g, ids := range groups {
			if len(ids) == 0 {
				continue
			}
			u, err := e.prepareUnit(ctx, g, ids)
			if err != nil {
				return nil, err
			}
			u.shard = shardKind(k)
			q.units = append(q.units, u)
		}
		if k == int(whole) {
			q.units = append(q.units, custom...)
		}
	}
	return q, nil
}

// prepared is a unit's query, made once. A failure is not kept: it may be
// the context of one run ending.
type prepared struct {
	mu   sync.Mutex
	make func(context.Context) (rego.PreparedEvalQuery, error)
	pq   rego.PreparedEvalQuery
	ok   bool
}

func (p *prepared) query(ctx context.Context) (rego.PreparedEvalQuery, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.ok {
		pq, err := p.make(ctx)
		if err != nil {
			return pq, err
		}
		p.pq, p.ok = pq, true
	}
	return p.pq, nil
}

// prepareUnit makes the unit of rules ids of group g: at once, or, for a
// group still compiling, when first evaluated.
func (e *Engine) prepareUnit(ctx context.Context, g int, ids []string) (unit, error) {
	u := unit{ids: ids, prepared: &prepared{}, ruleNeeds: map[string][]string{}, start: e.groups[g].start}
	always := false
	for _, id := range ids {
		needs := e.entries[e.byID[id]].rule.Needs
		if len(needs) == 0 {
			always = true
			continue
		}
		u.ruleNeeds[id] = needs
		for _, n := range needs {
			if !slices.Contains(u.needs, n) {
				u.needs = append(u.needs, n)
			}
		}
	}
	if always {
		u.needs = nil
	}
	// findings := {"<id>": data.irsalint.rules.<group>["<id>"].deny, ...},
	// built as an AST: parsing the same text costs more than the
	// evaluation of a small input.
	items := make([][2]*ast.Term, 0, len(ids))
	for _, id := range ids {
		ref := append(e.entries[e.byID[id]].ref.Copy(), ast.StringTerm("deny"))
		items = append(items, [2]*ast.Term{ast.StringTerm(id), ast.NewTerm(ref)})
	}
	query := ast.NewBody(ast.Assign.Expr(ast.VarTerm("findings"), ast.ObjectTerm(items...)))
	u.prepared.make = func(ctx context.Context) (rego.PreparedEvalQuery, error) {
		e.groups[g].start()
		select {
		case <-e.groups[g].done:
		case <-ctx.Done():
			return rego.PreparedEvalQuery{}, context.Cause(ctx)
		}
		c, err := e.compiler(g)
		if err != nil {
			return rego.PreparedEvalQuery{}, err
		}
		opts := []func(*rego.Rego){
			rego.ParsedQuery(query),
			rego.Compiler(c),
			rego.StrictBuiltinErrors(true),
		}
		if e.print != nil {
			opts = append(opts, rego.EnablePrintStatements(true), rego.PrintHook(topdown.NewPrintHook(e.print)))
		}
		pq, err := rego.New(opts...).PrepareForEval(ctx)
		if err != nil {
			return rego.PreparedEvalQuery{}, formatRegoErrors(err)
		}
		return pq, nil
	}
	if !e.groups[g].background {
		if _, err := u.prepared.query(ctx); err != nil {
			return unit{}, err
		}
	}
	return u, nil
}

// converted is a Document turned into Rego values once, to be put together
// into the input of each evaluation.
type converted struct {
	base      []*ast.Term // key, value pairs
	workloads []*ast.Term
	// roleKeys and roleVals are input.roles in key order, when it is an
	// object; rolesAt is the position of its value in base (-1: none).
	roleKeys, roleVals []*ast.Term
	rolesAt            int
	// indexes are the input.index of each span of workloads evaluated,
	// built during conversion so that the Go values can be dropped.
	indexes map[[2]int]*ast.Term
}

// convert turns the document into Rego values, the workloads in parallel,
// with the index of each span of workloads.
func convert(ctx context.Context, doc Document, workers int, spans [][2]int) (*converted, error) {
	c := &converted{workloads: make([]*ast.Term, len(doc.Workloads)), indexes: map[[2]int]*ast.Term{}, rolesAt: -1}
	keys := make([]string, 0, len(doc.Base))
	for k := range doc.Base {
		if k != "workloads" && k != "index" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	jobs := make([]func() error, 0, len(keys)+workers)
	baseVals := make([]*ast.Term, len(keys))
	for i, k := range keys {
		if roles, ok := doc.Base[k].(map[string]any); ok && k == "roles" {
			// Each role is a term of its own, so that a shard of the
			// roles is an object of terms already converted.
			jobs = append(jobs, func() error {
				t, err := c.convertRoles(roles)
				baseVals[i] = t
				return err
			})
			c.rolesAt = 2*i + 1
			continue
		}
		jobs = append(jobs, func() error {
			t, err := newConverter().term(doc.Base[k])
			baseVals[i] = t
			return err
		})
	}
	// The job that converts a chunk of workloads indexes it first, before
	// it may release them; the index of each span is then put together
	// from those of its chunks. Indexing each span from the workloads read
	// them all twice (the whole list, then its shards) in a step of its
	// own before any conversion: 0.07–0.11 s on 10,000 workloads, 0.3–0.5
	// s on 50,000.
	pieces := chunks(len(doc.Workloads), workers*4, spans)
	parts := make([]map[string]any, len(pieces))
	for p, pc := range pieces {
		jobs = append(jobs, func() error {
			if doc.Index != nil {
				parts[p] = doc.Index(doc.Workloads[pc[0]:pc[1]])
			}
			conv := newConverter()
			for i := pc[0]; i < pc[1]; i++ {
				t, err := conv.term(doc.Workloads[i])
				if err != nil {
					return err
				}
				c.workloads[i] = t
				if doc.Release {
					doc.Workloads[i] = nil
				}
			}
			return nil
		})
	}
	if err := runAll(ctx, workers, jobs); err != nil {
		return nil, fmt.Errorf("converting the inventory for the rules: %w", err)
	}
	if doc.Index != nil {
		ijobs := make([]func() error, len(spans))
		indexes := make([]*ast.Term, len(spans))
		for i, sp := range spans {
			ijobs[i] = func() error {
				var idx map[string]any
				var err error
				if sp[0] == sp[1] {
					idx = doc.Index(nil)
				} else if idx, err = mergeIndexes(pieces, parts, sp); err != nil {
					return err
				}
				indexes[i], err = newConverter().term(idx)
				return err
			}
		}
		if err := runAll(ctx, workers, ijobs); err != nil {
			return nil, fmt.Errorf("indexing the inventory for the rules: %w", err)
		}
		for i, sp := range spans {
			c.indexes[sp] = indexes[i]
		}
	}
	for i, k := range keys {
		c.base = append(c.base, ast.StringTerm(k), baseVals[i])
	}
	return c, nil
}

// convertRoles converts input.roles role by role, in key order.
func (c *converted) convertRoles(roles map[string]any) (*ast.Term, error) {
	keys := make([]string, 0, len(roles))
	for k := range roles {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	conv := newConverter()
	c.roleKeys = make([]*ast.Term, len(keys))
	c.roleVals = make([]*ast.Term, len(keys))
	for i, k := range keys {
		t, err := conv.term(roles[k])
		if err != nil {
			return nil, err
		}
		c.roleKeys[i], c.roleVals[i] = ast.StringTerm(k), t
	}
	return c.roles(0, len(keys)), nil
}

// roles is the object of roles [lo, hi) in key order.
func (c *converted) roles(lo, hi int) *ast.Term {
	pairs := make([][2]*ast.Term, hi-lo)
	for i := lo; i < hi; i++ {
		pairs[i-lo] = [2]*ast.Term{c.roleKeys[i], c.roleVals[i]}
	}
	return ast.NewTerm(ast.NewObject(pairs...))
}

// input puts the base and workloads [lo, hi) together, with their index.
func (c *converted) input(lo, hi int) (ast.Value, error) {
	return c.inputWith(lo, hi, nil), nil
}

// inputRoles is the whole input with only the roles [lo, hi).
func (c *converted) inputRoles(lo, hi int) (ast.Value, error) {
	return c.inputWith(0, len(c.workloads), c.roles(lo, hi)), nil
}

func (c *converted) inputWith(lo, hi int, roles *ast.Term) ast.Value {
	pairs := make([][2]*ast.Term, 0, len(c.base)/2+2)
	for i := 0; i+1 < len(c.base); i += 2 {
		v := c.base[i+1]
		if roles != nil && i+1 == c.rolesAt {
			v = roles
		}
		pairs = append(pairs, [2]*ast.Term{c.base[i], v})
	}
	pairs = append(pairs, [2]*ast.Term{ast.StringTerm("workloads"), ast.ArrayTerm(c.workloads[lo:hi]...)})
	if t, ok := c.indexes[[2]int{lo, hi}]; ok {
		pairs = append(pairs, [2]*ast.Term{ast.StringTerm("index"), t})
	}
	return ast.NewObject(pairs...)
}

// runAll runs jobs on at most workers goroutines; the first error wins.
func runAll(ctx context.Context, workers int, jobs []func() error) error {
	next := make(chan func() error)
	errs := make(chan error, len(jobs))
	var wg sync.WaitGroup
	for range min(max(1, workers), max(1, len(jobs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range next {
				if ctx.Err() != nil {
					continue
				}
				if err := job(); err != nil {
					errs <- err
				}
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	close(errs)
	return <-errs
}

// Eval runs the prepared rules over doc. Workload-scoped rules run on
// shards of the workloads, role-scoped ones on shards of the roles, in
// parallel with the others; the findings are the
// same, in the same order, whatever the number of workers. When ctx ends
// first, the error is an *Interrupted.
func (q *Query) Eval(ctx context.Context, doc Document) ([]RawFinding, error) {
	type task struct {
		u      *unit
		lo, hi int
	}
	var tasks []task
	n := len(doc.Workloads)
	roles, _ := doc.Base["roles"].(map[string]any)
	spans := map[[2]int]bool{}
	unfed := map[string]bool{}
	for i := range q.units {
		u := &q.units[i]
		if !fed(u.needs, doc.Base) {
			continue // its rules find nothing here
		}
		// The compilers of the groups New deferred start now, all of
		// them before any is waited for, and compile while the input is
		// converted.
		u.start()
		for id, needs := range u.ruleNeeds {
			if !fed(needs, doc.Base) {
				unfed[id] = true
			}
		}
		// lo, hi: the span of workloads, or of roles for byRole.
		shards, of := 1, n
		switch u.shard {
		case byWorkload:
			shards = max(1, min(q.workers, n/q.minShard))
		case byRole:
			of = len(roles)
			shards = max(1, min(q.workers, of/q.minShard))
			spans[[2]int{0, n}] = true
		}
		for s := range shards {
			t := task{u, s * of / shards, (s + 1) * of / shards}
			tasks = append(tasks, t)
			if u.shard != byRole {
				spans[[2]int{t.lo, t.hi}] = true
			}
		}
	}
	spanList := make([][2]int, 0, len(spans))
	for sp := range spans {
		spanList = append(spanList, sp)
	}
	c, err := convert(ctx, doc, q.workers, spanList)
	doc = Document{} // the Go values are not needed any more
	if err != nil {
		if ctx.Err() != nil {
			return nil, &Interrupted{Cause: context.Cause(ctx), Rules: q.ids}
		}
		return nil, err
	}
	results := make([][]RawFinding, len(tasks))
	problems := make([]error, len(tasks))
	done := make([]bool, len(tasks))
	jobs := make([]func() error, len(tasks))
	for i, t := range tasks {
		jobs[i] = func() error {
			var in ast.Value
			var err error
			if t.u.shard == byRole && c.rolesAt >= 0 {
				in, err = c.inputRoles(t.lo, t.hi)
			} else if t.u.shard == byRole {
				in, err = c.input(0, len(c.workloads))
			} else {
				in, err = c.input(t.lo, t.hi)
			}
			if err == nil {
				results[i], err = t.u.eval(ctx, in)
			}
			problems[i] = err
			done[i] = ctx.Err() == nil
			return nil
		}
	}
	_ = runAll(ctx, q.workers, jobs)
	if ctx.Err() != nil {
		// Name what had not finished, a custom rule first: built-in rules
		// are bounded, a custom rule may not be.
		var pending *unit
		for i, t := range tasks {
			if !done[i] && (pending == nil || pending.custom == "" && t.u.custom != "") {
				pending = t.u
			}
		}
		if pending == nil {
			pending = &unit{ids: q.ids}
		}
		return nil, &Interrupted{Cause: context.Cause(ctx), Rules: pending.ids, Custom: pending.custom != ""}
	}
	var out []RawFinding
	var msgs []string
	seen := map[string]bool{}
	for i, t := range tasks {
		if problems[i] != nil {
			msgs = append(msgs, problems[i].Error())
		}
		for _, f := range results[i] {
			if unfed[f.Rule] {
				continue
			}
			if t.u.shard != whole {
				// A sharded rule may also report on objects that are not
				// what it is sharded by: every shard then reports it.
				k := f.key()
				if seen[k] {
					continue
				}
				seen[k] = true
			}
			out = append(out, f)
		}
	}
	sortRaw(out)
	if len(msgs) > 0 {
		sort.Strings(msgs)
		return out, fmt.Errorf("%s", strings.Join(dedupe(msgs), "\n"))
	}
	return out, nil
}

func dedupe(ss []string) []string {
	out := ss[:0]
	for i, s := range ss {
		if i == 0 || s != ss[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// key identifies a finding by everything it says, rule first.
func (f *RawFinding) key() string {
	return fmt.Sprintf("%s\x00%s\x00%#v\x00%s\x00%d\x00%#v", f.Rule, f.Ref, f.At, f.Message, f.Severity, f.Related)
}

// sortRaw orders findings by what they say, so that evaluation order (and
// so the number of workers) cannot show in the output.
func sortRaw(fs []RawFinding) {
	keys := make([]string, len(fs))
	for i := range fs {
		keys[i] = fs[i].key()
	}
	idx := make([]int, len(fs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	sorted := make([]RawFinding, len(fs))
	for i, j := range idx {
		sorted[i] = fs[j]
	}
	copy(fs, sorted)
}

func (u *unit) eval(ctx context.Context, input ast.Value) ([]RawFinding, error) {
	pq, err := u.prepared.query(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := pq.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return nil, fmt.Errorf("evaluating rules: %w", err)
	}
	if len(rs) != 1 {
		return nil, fmt.Errorf("evaluating rules: %d results, want 1 (a rule's deny is not a set?)", len(rs))
	}
	all, ok := rs[0].Bindings["findings"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("evaluating rules: unexpected result %T", rs[0].Bindings["findings"])
	}
	var out []RawFinding
	var problems []string
	for _, id := range u.ids {
		set, ok := all[id].([]any)
		if !ok {
			problems = append(problems, fmt.Sprintf("rule %q: deny must be a set of findings, got %T", id, all[id]))
			continue
		}
		for _, v := range set {
			f, err := decodeFinding(id, v)
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			out = append(out, f)
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return out, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return out, nil
}

// Value evaluates one Rego expression over the compiled modules and the
// whole document, typically a value of the library such as
// data.irsalint.lib.binding.identities. It returns nil when the expression
// is undefined.
func (e *Engine) Value(ctx context.Context, expr string, doc Document) (any, error) {
	c, err := convert(ctx, doc, e.workers, [][2]int{{0, len(doc.Workloads)}})
	if err != nil {
		return nil, err
	}
	input, err := c.input(0, len(c.workloads))
	if err != nil {
		return nil, err
	}
	body, err := ast.ParseBody("value := " + expr)
	if err != nil {
		return nil, err
	}
	compiler, err := e.compilerFor(body)
	if err != nil {
		return nil, err
	}
	rs, err := rego.New(
		rego.ParsedQuery(body),
		rego.Compiler(compiler),
		rego.ParsedInput(input),
		rego.StrictBuiltinErrors(true),
	).Eval(ctx)
	if ctx.Err() != nil {
		return nil, &Interrupted{Cause: context.Cause(ctx), Rules: []string{expr}}
	}
	if err != nil {
		return nil, fmt.Errorf("evaluating %s: %w", expr, err)
	}
	if len(rs) == 0 {
		return nil, nil
	}
	return rs[0].Bindings["value"], nil
}

// compilerFor is the compiler that holds every package the query refers
// to (the first, when none does: the query then fails to compile there
// with a message naming the reference).
func (e *Engine) compilerFor(body ast.Body) (*ast.Compiler, error) {
	var refs []ast.Ref
	ast.WalkRefs(body, func(r ast.Ref) bool {
		if r.HasPrefix(ast.DefaultRootRef) {
			refs = append(refs, r)
		}
		return false
	})
	compilers := make([]*ast.Compiler, len(e.groups))
	for g := range e.groups {
		var err error
		if compilers[g], err = e.compiler(g); err != nil {
			return nil, err
		}
	}
	for _, c := range compilers {
		all := true
		for _, r := range refs {
			if len(c.GetRulesForVirtualDocument(r)) == 0 && len(c.GetRulesWithPrefix(r)) == 0 && len(c.GetRules(r)) == 0 {
				all = false
				break
			}
		}
		if all {
			return c, nil
		}
	}
	return compilers[0], nil
}

// defaultWorkers is one evaluation per core.
func defaultWorkers() int { return runtime.GOMAXPROCS(0) }

// Interrupted is the error of an evaluation stopped by its context (a
// timeout, a memory ceiling, Ctrl-C): Cause is context.Cause, Rules the
// rules being evaluated then.
type Interrupted struct {
	Cause error
	Rules []string
	// Custom is true when Rules is one custom rule.
	Custom bool
}

func (e *Interrupted) Error() string {
	if len(e.Rules) == 1 && !e.Custom && strings.HasPrefix(e.Rules[0], "data.") {
		return fmt.Sprintf("%v while evaluating %s", e.Cause, e.Rules[0])
	}
	if len(e.Rules) == 1 {
		return fmt.Sprintf("%v while evaluating rule %q", e.Cause, e.Rules[0])
	}
	return fmt.Sprintf("%v while evaluating the %d built-in rules", e.Cause, len(e.Rules))
}

func (e *Interrupted) Unwrap() error { return e.Cause }
