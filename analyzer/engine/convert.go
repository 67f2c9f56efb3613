package engine

import (
	"encoding/json"
	"hash/maphash"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// converter turns the inventory's Go values into Rego values. Inventories
// repeat themselves: the same short strings (field names, kinds, mechanism
// names), the same field paths (["spec", "template", "spec", "containers",
// 0]) and the same small objects ({"mechanism": "node-role", ...}, an env
// entry's valueFrom, an empty list) in every workload. The converter gives
// equal values one shared term: a string by its text, a list or an object
// by its elements' shared terms, so that a repeated subtree is found
// without being built again. In the generated corpus three objects in four
// are such repeats. Rego values are never modified, so sharing them is
// safe. A converter is used by one goroutine.
type converter struct {
	strings map[string]*ast.Term
	shared  map[uint64][]sharedEntry
	seed    maphash.Seed
	// items and pairs are scratch stacks for the elements of the lists and
	// objects being converted, innermost last.
	items []*ast.Term
	pairs [][2]*ast.Term
}

// sharedEntry is a list (pairs nil) or an object (items nil) already built,
// by the shared terms of its elements.
type sharedEntry struct {
	items []*ast.Term
	pairs [][2]*ast.Term
	term  *ast.Term
}

func newConverter() *converter {
	return &converter{strings: map[string]*ast.Term{}, shared: map[uint64][]sharedEntry{}, seed: maphash.MakeSeed()}
}

// What is shared is bounded: longer strings and larger lists and objects
// rarely repeat.
const (
	maxSharedString = 64
	maxSharedItems  = 16
)

func (c *converter) term(x any) (*ast.Term, error) {
	t, _, err := c.value(x)
	return t, err
}

// value converts x; shared tells that equal values converted by c get the
// same term, which is what lets a list or an object holding x be shared.
func (c *converter) value(x any) (t *ast.Term, shared bool, err error) {
	switch v := x.(type) {
	case string:
		if len(v) > maxSharedString {
			return ast.StringTerm(v), false, nil
		}
		return c.str(v), true, nil
	case bool:
		return ast.InternedTerm(v), true, nil
	case nil:
		return ast.InternedNullTerm, true, nil
	case []any:
		return c.list(v)
	case map[string]any:
		return c.object(v)
	case int:
		return ast.InternedTerm(v), true, nil
	case int64:
		if v >= math.MinInt && v <= math.MaxInt {
			return ast.InternedTerm(int(v)), true, nil
		}
		return ast.NumberTerm(json.Number(strconv.FormatInt(v, 10))), false, nil
	}
	val, err := ast.InterfaceToValue(x)
	if err != nil {
		return nil, false, err
	}
	return ast.NewTerm(val), false, nil
}

func (c *converter) list(v []any) (*ast.Term, bool, error) {
	base := len(c.items)
	defer func() { c.items = c.items[:base] }()
	all := len(v) <= maxSharedItems
	for _, e := range v {
		t, shared, err := c.value(e)
		if err != nil {
			return nil, false, err
		}
		all = all && shared
		c.items = append(c.items, t)
	}
	items := c.items[base:]
	if !all {
		return ast.ArrayTerm(exact(items)...), false, nil
	}
	h := c.hash('l', len(items))
	for _, t := range items {
		h = c.mix(h, t)
	}
	for _, e := range c.shared[h] {
		if e.pairs == nil && slices.Equal(e.items, items) {
			return e.term, true, nil
		}
	}
	own := exact(items)
	t := ast.ArrayTerm(own...)
	c.shared[h] = append(c.shared[h], sharedEntry{items: own, term: t})
	return t, true, nil
}

func (c *converter) object(v map[string]any) (*ast.Term, bool, error) {
	base := len(c.pairs)
	defer func() { c.pairs = c.pairs[:base] }()
	all := len(v) <= maxSharedItems
	for k, e := range v {
		t, shared, err := c.value(e)
		if err != nil {
			return nil, false, err
		}
		key := c.str(k)
		all = all && shared && len(k) <= maxSharedString
		c.pairs = append(c.pairs, [2]*ast.Term{key, t})
	}
	pairs := c.pairs[base:]
	if !all {
		return ast.NewTerm(ast.NewObject(pairs...)), false, nil
	}
	// Map order is random: the pairs are put in key order to be compared.
	slices.SortFunc(pairs, func(a, b [2]*ast.Term) int {
		return strings.Compare(string(a[0].Value.(ast.String)), string(b[0].Value.(ast.String)))
	})
	h := c.hash('o', len(pairs))
	for _, p := range pairs {
		h = c.mix(c.mix(h, p[0]), p[1])
	}
	for _, e := range c.shared[h] {
		if e.items == nil && slices.Equal(e.pairs, pairs) {
			return e.term, true, nil
		}
	}
	own := slices.Clone(pairs)
	t := ast.NewTerm(ast.NewObject(own...))
	c.shared[h] = append(c.shared[h], sharedEntry{pairs: own, term: t})
	return t, true, nil
}

// exact copies a list's elements into a slice of its own, with no room to
// grow: an array appended to must copy, never write into a shared one.
func exact(items []*ast.Term) []*ast.Term {
	out := make([]*ast.Term, len(items))
	copy(out, items)
	return out
}

func (c *converter) hash(kind byte, n int) uint64 {
	return maphash.Comparable(c.seed, [2]int{int(kind), n})
}

// mix adds a shared term to a hash by its identity: shared terms are equal
// exactly when they are the same term.
func (c *converter) mix(h uint64, t *ast.Term) uint64 {
	return (h ^ maphash.Comparable(c.seed, t)) * 1099511628211
}

func (c *converter) str(s string) *ast.Term {
	if len(s) > maxSharedString {
		return ast.StringTerm(s)
	}
	if t, ok := c.strings[s]; ok {
		return t
	}
	t := ast.StringTerm(s)
	c.strings[s] = t
	return t
}
