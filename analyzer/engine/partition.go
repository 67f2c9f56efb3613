package engine

import (
	"slices"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
)

// heavyLibrary is the library whose users are compiled apart from the rest:
// IAM's condition semantics and everything built on them (trust-policy and
// binding rules) are about half of all Rego, and a workload manifest alone
// feeds none of them.
//
// A group's rules of one scope are also a unit of evaluation, and a
// library's values are computed once per unit that uses them. Dealing the
// rules out by size instead balanced compiling (42 and 40 ms against 48
// and 24) but put IAM's users of one scope in two units: the
// 10,000-workload corpus then took 0.2 to 0.3 CPU-seconds more, for 3 ms
// less on one file.
var heavyLibrary = ast.MustParseRef("data.irsalint.lib.iam")

// partition splits the modules into groups to compile separately: each
// rule package with every module it refers to, transitively. groupOf maps a
// rule ID to its group. A library used by two groups is compiled in both.
//
// The rules are grouped by whether they use the heavy library and by their
// scope (scopes maps a rule ID to its METADATA scope). Evaluation already
// runs each scope's rules apart (on shards of the workloads, of the roles,
// or on the whole input), so splitting by scope computes no library value
// twice; it gives the two cores four compilers to share instead of one of
// 48 ms beside one of 24, and lets a run compile only the groups its input
// feeds (Options.Defer): a Deployment alone needs neither IAM group.
//
// Custom rules (a module marked Custom) are grouped apart from the shipped
// ones, by the same two measures: the shipped groups stay as
// rules/compiled.bin holds them, and only a custom group is parsed and
// compiled with every check. A library value that a custom rule and a
// shipped one both use is then computed once for each. When any custom
// rule turned the compiled form and the skipped checks off for every
// group, one file with the example's custom rule took 102 ms; with the
// custom rules apart it takes 49 ms (40 ms with none), and the 10k corpus
// the same either way.
func partition(mods []Module, scopes map[string]string) (groups [][]Module, groupOf map[string]int) {
	byPkg := map[string][]int{}
	for i, m := range mods {
		k := m.Module.Package.Path.String()
		byPkg[k] = append(byPkg[k], i)
	}
	pkgs := make([]string, 0, len(byPkg))
	for k := range byPkg {
		pkgs = append(pkgs, k)
	}
	sort.Strings(pkgs)
	pkgRefs := make(map[string]ast.Ref, len(pkgs))
	for _, k := range pkgs {
		pkgRefs[k] = mods[byPkg[k][0]].Module.Package.Path
	}
	// deps: the packages a module's refs reach (an import, or a full
	// data.… reference), including packages below a ref to a prefix.
	deps := make([]map[string]bool, len(mods))
	for i, m := range mods {
		d := map[string]bool{}
		visit := func(r ast.Ref) {
			if !r.HasPrefix(ast.DefaultRootRef) {
				return
			}
			for _, k := range pkgs {
				p := pkgRefs[k]
				if r.HasPrefix(p) || p.HasPrefix(r.GroundPrefix()) {
					d[k] = true
				}
			}
		}
		for _, imp := range m.Module.Imports {
			if r, ok := imp.Path.Value.(ast.Ref); ok {
				visit(r)
			}
		}
		// The built-in rules refer to other packages only through imports
		// (TestPartitionShippedRules checks it), so only a user's module is
		// walked for full data.… references: walking every built-in one cost
		// a one-file run 2 ms.
		if m.Custom {
			ast.WalkRefs(m.Module, func(r ast.Ref) bool { visit(r); return false })
		}
		deps[i] = d
	}
	closure := func(pkg string) map[string]bool {
		out := map[string]bool{}
		stack := []string{pkg}
		for len(stack) > 0 {
			k := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if out[k] {
				continue
			}
			out[k] = true
			for _, i := range byPkg[k] {
				for d := range deps[i] {
					stack = append(stack, d)
				}
			}
		}
		return out
	}
	heavy := heavyLibrary.String()
	// Group index: custom or not, heavy or not, then the scope's shard
	// kind.
	kinds := int(byWorkload) + 1
	members := make([]map[string]bool, 4*kinds)
	for g := range members {
		members[g] = map[string]bool{}
	}
	groupOf = map[string]int{}
	for _, k := range pkgs {
		p := pkgRefs[k]
		if !p.HasPrefix(RulesRoot) {
			continue
		}
		_, id, err := ruleIdentity(p)
		if err != nil {
			continue // catalogue reports it
		}
		c := closure(k)
		g := kinds + int(scopeShard[scopes[id]])
		if c[heavy] {
			g -= kinds
		}
		if slices.ContainsFunc(byPkg[k], func(i int) bool { return mods[i].Custom }) {
			g += 2 * kinds
		}
		groupOf[id] = g
		for d := range c {
			members[g][d] = true
		}
	}
	for g := range members {
		var group []Module
		for _, k := range pkgs {
			if members[g][k] {
				for _, i := range byPkg[k] {
					group = append(group, mods[i])
				}
			}
		}
		if len(group) > 0 {
			groups = append(groups, group)
		} else {
			// No rule uses this group: later groups move down one.
			for id, gi := range groupOf {
				if gi > len(groups) {
					groupOf[id] = gi - 1
				}
			}
		}
	}
	return groups, groupOf
}
