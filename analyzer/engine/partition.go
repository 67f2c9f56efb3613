package engine

import (
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
)

// groupCount is how many compilers start-up runs in parallel.
const groupCount = 2

// partition splits the modules into groups to compile separately, in
// parallel: each rule package with every module it refers to, transitively.
// groupOf maps a rule ID to its group. A library used by rules of both
// groups is compiled in both. Compile time grows with the size of the
// Rego, so the rules are dealt out to keep the groups' sizes near equal:
// the largest rule first, each to the group it would leave the smallest.
// The IAM library and its users are half of all Rego; putting them in one
// group and the rest in the other left one compiler running alone for a
// third of start-up.
func partition(mods []Module) (groups [][]Module, groupOf map[string]int) {
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
		ast.WalkRefs(m.Module, func(r ast.Ref) bool { visit(r); return false })
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
	type rule struct {
		id      string
		closure map[string]bool
		size    int
	}
	pkgSize := make(map[string]int, len(pkgs))
	for _, k := range pkgs {
		for _, i := range byPkg[k] {
			pkgSize[k] += moduleSize(mods[i].Module)
		}
	}
	var rs []rule
	for _, k := range pkgs {
		p := pkgRefs[k]
		if !p.HasPrefix(RulesRoot) {
			continue
		}
		_, id, err := ruleIdentity(p)
		if err != nil {
			continue // catalogue reports it
		}
		r := rule{id: id, closure: closure(k)}
		for d := range r.closure {
			r.size += pkgSize[d]
		}
		rs = append(rs, r)
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].size > rs[j].size })
	members := make([]map[string]bool, groupCount)
	sizes := make([]int, groupCount)
	for g := range members {
		members[g] = map[string]bool{}
	}
	groupOf = map[string]int{}
	for _, r := range rs {
		best, bestSize := 0, 0
		for g := range members {
			size := sizes[g]
			for d := range r.closure {
				if !members[g][d] {
					size += pkgSize[d]
				}
			}
			if g == 0 || size < bestSize {
				best, bestSize = g, size
			}
		}
		groupOf[r.id] = best
		sizes[best] = bestSize
		for d := range r.closure {
			members[best][d] = true
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

// moduleSize estimates what compiling m costs: the length of its rules'
// text.
func moduleSize(m *ast.Module) int {
	n := 0
	for _, r := range m.Rules {
		if r.Location != nil {
			n += len(r.Location.Text)
		}
	}
	return n
}
