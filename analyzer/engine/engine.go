package engine

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/rules"
)

// Options configure an Engine.
type Options struct {
	// Builtin is the shipped rule tree; nil means rules.FS.
	Builtin fs.FS
	// UserDirs are --rules directories (or single .rego files).
	UserDirs []string
	// RepoDirs are rule directories named by repository content (a
	// configuration file's rules.dirs): links inside must not lead out.
	RepoDirs []string
	// Print receives the output of Rego print() calls; nil drops it (and
	// compiles print() away).
	Print io.Writer
	// Workers is how many evaluations run at once; 0 means one per core.
	// Findings do not depend on it.
	Workers int
	// MinShard is the fewest workloads a shard has; 0 means 500, below
	// which a second evaluation costs more than parallelism gains. Tests
	// set 1 to shard even the smallest input.
	MinShard int
	// Defer leaves each group of built-in rules whose every rule has
	// needs (custom.needs) uncompiled until an evaluation's input feeds
	// it, and waits for no group of built-in rules: New reads the
	// catalogue, starts compiling the groups any input feeds, and
	// compiles and waits for the groups that hold a custom rule, whose
	// mistakes must stop a run before it reads anything. A run over a few
	// files knows what they hold only once it has read them; it then
	// compiles what they can feed and no more (a Deployment alone: the
	// workload rules, none of those that read IAM).
	Defer bool
}

// Engine is a compiled rule set. Compile once, evaluate many times.
type Engine struct {
	// groups hold the rules in groups compiled in parallel; groupOf says
	// which holds a rule.
	groups   []*group
	groupOf  map[string]int
	entries  []ruleEntry
	byID     map[string]int
	print    io.Writer
	workers  int
	minShard int
}

// New loads, checks and compiles the built-in and user rules.
func New(opts Options) (*Engine, error) {
	// Only the shipped rules, checked by the tests, may skip checks: a
	// group of them alone (no custom module among its modules) does.
	shipped := opts.Builtin == nil
	shippedOnly := shipped && len(opts.UserDirs) == 0 && len(opts.RepoDirs) == 0
	builtin := opts.Builtin
	if builtin == nil {
		builtin = rules.FS
	}
	var mods []Module
	var entries []ruleEntry
	var err error
	if shipped {
		// The catalogue and the modules' imports come from
		// rules/catalogue.json; each group reads its modules compiled
		// from rules/compiled.bin, or parses them, when it starts
		// compiling.
		mods, entries, err = loadShipped(builtin, rules.Catalogue)
	} else {
		mods, err = LoadFS(builtin, "rules", false)
	}
	if err != nil {
		return nil, fmt.Errorf("loading built-in rules: %w", err)
	}
	builtinMods := len(mods)
	for _, dir := range opts.RepoDirs {
		user, err := LoadDir(dir, false, true)
		if err != nil {
			return nil, err
		}
		mods = append(mods, user...)
	}
	for _, dir := range opts.UserDirs {
		user, err := LoadDir(dir, false, false)
		if err != nil {
			return nil, err
		}
		mods = append(mods, user...)
	}
	switch {
	case !shipped:
		entries, err = catalogue(mods)
	case len(mods) > builtinMods:
		entries, err = catalogueWith(entries, mods[builtinMods:])
	}
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(mods))
	for _, m := range mods {
		if seen[m.Name] {
			return nil, fmt.Errorf("%s: loaded twice", m.Name)
		}
		seen[m.Name] = true
	}
	// Only the type check reads the schema, and the shipped rules skip it.
	var schemas *ast.SchemaSet
	if !shippedOnly {
		if schemas, err = InputSchema(); err != nil {
			return nil, err
		}
	}
	scopes := make(map[string]string, len(entries))
	for _, en := range entries {
		scopes[en.rule.ID] = en.rule.Scope
	}
	groups, groupOf := partition(mods, scopes)
	if len(groups) == 0 {
		groups = [][]Module{nil} // no rules: one empty compiler for queries
	}
	// A group whose every rule is built in and needs something of the
	// input (custom.needs) compiles in the background: New does not wait
	// for it, and a run whose input cannot feed its rules never does (a
	// workload manifest alone, the pre-commit case, feeds none of the IAM
	// library's users). With Defer New waits for no group of built-in
	// rules, and leaves those whose every rule has needs for the
	// evaluations to start. A group with a custom rule is compiled and
	// waited for, so that the rule's mistakes stop the run before it reads
	// anything.
	builtinOnly := make([]bool, len(groups))
	allNeed := make([]bool, len(groups))
	for g := range groups {
		builtinOnly[g], allNeed[g] = true, true
	}
	used := make([]bool, len(groups))
	for _, en := range entries {
		if g, ok := groupOf[en.rule.ID]; ok {
			used[g] = true
			builtinOnly[g] = builtinOnly[g] && !en.rule.Custom
			allNeed[g] = allNeed[g] && len(en.rule.Needs) > 0
		}
	}
	background := make([]bool, len(groups))
	for g := range background {
		background[g] = used[g] && builtinOnly[g] && (allNeed[g] || opts.Defer)
	}
	compiled := make([]*group, len(groups))
	for i, g := range groups {
		gr := &group{done: make(chan struct{}), background: background[i]}
		compiled[i] = gr
		build := func() {
			c := ast.NewCompiler().
				WithEnablePrintStatements(opts.Print != nil).
				WithCapabilities(SandboxCapabilities()).
				WithSchemas(schemas)
			// The shipped rules have no print() calls, so print does not
			// change what their compiler leaves.
			shippedGroup := shipped && !slices.ContainsFunc(g, func(m Module) bool { return m.Custom })
			var modMap map[string]*ast.Module
			if shippedGroup {
				modMap = precompiled(g)
			}
			switch {
			case modMap != nil:
				c = c.WithSkipStages(slices.Concat(shippedSkips, precompiledSkips)...)
			case shippedGroup:
				// The shipped rules pass these checks, in strict mode, in
				// the tests (rules/rego_test.go and
				// TestShippedRulesPassSkippedChecks). Checking them on
				// every run would cost a one-file run about 14 ms, 10 of
				// them type checking. User rules get every check.
				c = c.WithSkipStages(shippedSkips...)
			}
			if modMap == nil {
				// Only loadShipped leaves modules to parse: the error is
				// the group's, returned by New when it waits for the
				// group, else by the evaluation that needs it.
				var err error
				if modMap, err = parseFull(g); err != nil {
					gr.compiler, gr.err = c, err
					return
				}
			}
			c.Compile(modMap)
			gr.compiler = c
			if background[i] && len(c.Errors) > 0 {
				gr.err = formatRegoErrors(explainForbidden(sortedErrors(c.Errors), ruleOfModule(mods)))
			}
		}
		gr.start = sync.OnceFunc(func() {
			go func() {
				defer close(gr.done)
				build()
			}()
		})
		// Deferred: a group all of whose rules need something of the
		// input. One with a rule that needs nothing is fed by every input,
		// so it starts now, while the run reads its files.
		if !background[i] || !opts.Defer || !allNeed[i] {
			gr.start()
		}
	}
	var errs ast.Errors
	seenErr := map[string]bool{}
	for _, gr := range compiled {
		if gr.background {
			continue
		}
		<-gr.done
		if gr.err != nil {
			return nil, gr.err
		}
		for _, e := range gr.compiler.Errors {
			// A library compiled in two groups reports its errors twice.
			if !seenErr[e.Error()] {
				seenErr[e.Error()] = true
				errs = append(errs, e)
			}
		}
	}
	if len(errs) > 0 {
		return nil, formatRegoErrors(explainForbidden(sortedErrors(errs), ruleOfModule(mods)))
	}
	e := &Engine{groups: compiled, groupOf: groupOf, entries: entries, byID: map[string]int{}, print: opts.Print, workers: opts.Workers}
	if e.workers <= 0 {
		e.workers = defaultWorkers()
	}
	if e.minShard = opts.MinShard; e.minShard <= 0 {
		e.minShard = defaultMinShard
	}
	for i, en := range entries {
		e.byID[en.rule.ID] = i
	}
	return e, nil
}

// parseFull returns the group's modules by name, parsing those
// loadShipped left unparsed, a goroutine per core (one group's modules are
// about 20 ms of parsing on one core). A library two groups share is
// parsed once.
func parseFull(g []Module) (map[string]*ast.Module, error) {
	out := make(map[string]*ast.Module, len(g))
	if !slices.ContainsFunc(g, func(m Module) bool { return m.full != nil }) {
		for _, m := range g {
			out[m.Name] = m.Module
		}
		return out, nil
	}
	parsed := make([]*ast.Module, len(g))
	errs := make([]error, len(g))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(g)) {
		wg.Go(func() {
			for i := range next {
				if g[i].full != nil {
					parsed[i], errs[i] = g[i].full()
				} else {
					parsed[i] = g[i].Module
				}
			}
		})
	}
	for i := range g {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, m := range g {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out[m.Name] = parsed[i]
	}
	return out, nil
}

// group is the compiler of one group of rules, compiled in a goroutine of
// its own.
type group struct {
	// start starts compiling, once: in New, or, for a group New defers,
	// when an evaluation needs it.
	start    func()
	done     chan struct{} // closed once compiler (and err) are set
	compiler *ast.Compiler
	// err is what compiling the group found, for a group New did not wait
	// for (New returns the errors of the others).
	err error
	// background: New does not wait for the group, and its queries are
	// prepared when an input first feeds them.
	background bool
}

// Wait returns once every group is compiled, those New left compiling in
// the background, or deferred, included.
func (e *Engine) Wait() {
	for _, gr := range e.groups {
		gr.start()
	}
	for _, gr := range e.groups {
		<-gr.done
	}
}

// compiler waits for group g to be compiled, starting it if New deferred
// it.
func (e *Engine) compiler(g int) (*ast.Compiler, error) {
	gr := e.groups[g]
	gr.start()
	<-gr.done
	return gr.compiler, gr.err
}

func sortedErrors(errs ast.Errors) ast.Errors {
	out := slices.Clone(errs)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Error() < out[j].Error() })
	return out
}

// shippedSkips are the compiler stages that only look for errors and are
// skipped for the shipped rules: no later stage depends on them.
var shippedSkips = []ast.StageID{
	ast.StageCheckTypes,
	ast.StageCheckRecursion,
	ast.StageCheckRuleConflicts,
	ast.StageCheckUndefinedFuncs,
	ast.StageCheckSafetyRuleHeads,
	ast.StageCheckVoidCalls,
	ast.StageCheckKeywordOverrides,
	ast.StageCheckDuplicateImports,
	ast.StageCheckUnusedImports,
	ast.StageCheckDeprecatedBuiltins,
}

// InputSchema is the inventory's JSON Schema as the type checker takes it,
// for input: a rule that reads a field the inventory does not have, or
// reads one as another type, does not compile.
func InputSchema() (*ast.SchemaSet, error) {
	var schema any
	if err := json.Unmarshal(rules.InventorySchema, &schema); err != nil {
		return nil, fmt.Errorf("the inventory schema: %w", err)
	}
	ss := ast.NewSchemaSet()
	ss.Put(ast.SchemaRootRef, schema)
	return ss, nil
}

// ruleOfModule maps a module's file name to the ID of the rule its package
// defines ("" for libraries), for error messages.
func ruleOfModule(mods []Module) func(string) string {
	ids := make(map[string]string, len(mods))
	for _, m := range mods {
		if m.Module.Package.Path.HasPrefix(RulesRoot) {
			if _, id, err := ruleIdentity(m.Module.Package.Path); err == nil {
				ids[m.Name] = id
			}
		}
	}
	return func(file string) string { return ids[file] }
}

// Rules returns the whole catalogue, sorted by ID.
func (e *Engine) Rules() []analyzer.Rule {
	out := make([]analyzer.Rule, len(e.entries))
	for i, en := range e.entries {
		out[i] = en.rule
	}
	return out
}

// Rule looks up one rule by ID.
func (e *Engine) Rule(id string) (analyzer.Rule, bool) {
	i, ok := e.byID[id]
	if !ok {
		return analyzer.Rule{}, false
	}
	return e.entries[i].rule, true
}

// Select resolves --enable/--disable lists to the IDs to run: all rules when
// enable is empty, minus disable. Unknown names are an error.
func (e *Engine) Select(enable, disable []string) ([]string, error) {
	var unknown []string
	check := func(ids []string) {
		for _, id := range ids {
			if _, ok := e.byID[id]; !ok {
				unknown = append(unknown, id)
			}
		}
	}
	check(enable)
	check(disable)
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown rule %s (see `irsalint rules`)", strings.Join(quoteAll(unknown), ", "))
	}
	off := map[string]bool{}
	for _, id := range disable {
		off[id] = true
	}
	var ids []string
	if len(enable) == 0 {
		for _, en := range e.entries {
			ids = append(ids, en.rule.ID)
		}
	} else {
		ids = append(ids, enable...)
	}
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if !off[id] && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out, nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// RawFinding is a finding as a rule emitted it: about the object with Ref,
// at the field path At relative to that object.
type RawFinding struct {
	Rule     string
	Ref      string
	At       []any
	Message  string
	Severity analyzer.Severity // zero: the rule's default
	Related  []RawRelated
}

// RawRelated is a secondary location a rule named.
type RawRelated struct {
	Ref     string
	At      []any
	Message string
}

// decodeFinding checks the finding contract documented in docs/custom-rules.md.
func decodeFinding(rule string, v any) (RawFinding, error) {
	bad := func(format string, args ...any) (RawFinding, error) {
		return RawFinding{}, fmt.Errorf("rule %q returned a malformed finding: "+format, append([]any{rule}, args...)...)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return bad("want an object with ref, at and message, got %T", v)
	}
	f := RawFinding{Rule: rule}
	var err error
	if f.Ref, f.At, f.Message, err = decodeRef(m); err != nil {
		return bad("%v", err)
	}
	if f.Message == "" {
		return bad("empty message")
	}
	if s, ok := m["severity"]; ok {
		name, _ := s.(string)
		sev, err := analyzer.ParseSeverity(name)
		if err != nil {
			return bad("severity: %v", err)
		}
		f.Severity = sev
	}
	if rel, ok := m["related"]; ok {
		list, ok := rel.([]any)
		if !ok {
			return bad("related must be an array")
		}
		for _, r := range list {
			rm, ok := r.(map[string]any)
			if !ok {
				return bad("related entries must be objects")
			}
			var rr RawRelated
			if rr.Ref, rr.At, rr.Message, err = decodeRef(rm); err != nil {
				return bad("related: %v", err)
			}
			for k := range rm {
				if k != "ref" && k != "at" && k != "message" {
					return bad("related: unknown field %q", k)
				}
			}
			f.Related = append(f.Related, rr)
		}
	}
	for k := range m {
		switch k {
		case "ref", "at", "message", "severity", "related":
		default:
			return bad("unknown field %q", k)
		}
	}
	return f, nil
}

func decodeRef(m map[string]any) (ref string, at []any, msg string, err error) {
	ref, ok := m["ref"].(string)
	if !ok || ref == "" {
		return "", nil, "", fmt.Errorf("missing ref (the object's ref from the input)")
	}
	if v, ok := m["message"]; ok {
		if msg, ok = v.(string); !ok {
			return "", nil, "", fmt.Errorf("message must be a string")
		}
	}
	switch p := m["at"].(type) {
	case nil:
		at = []any{}
	case []any:
		at = make([]any, len(p))
		for i, el := range p {
			switch x := el.(type) {
			case string:
				at[i] = x
			case float64:
				if x != math.Trunc(x) || x < 0 || x >= math.MaxInt32 {
					return "", nil, "", fmt.Errorf("at[%d]: path elements must be strings or integers, got %v", i, el)
				}
				at[i] = int(x)
			case int, int64:
				at[i] = x
			default:
				if n, ok := el.(interface{ Int64() (int64, error) }); ok {
					if iv, err := n.Int64(); err == nil && iv >= 0 && iv < math.MaxInt32 {
						at[i] = int(iv)
						continue
					}
				}
				return "", nil, "", fmt.Errorf("at[%d]: path elements must be strings or integers, got %v", i, el)
			}
		}
	default:
		return "", nil, "", fmt.Errorf("at must be an array of keys and indices")
	}
	return ref, at, msg, nil
}
