package engine

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/open-policy-agent/opa/v1/ast"
)

// converter turns the inventory's Go values into Rego values. Inventories
// repeat themselves: the same short strings (field names, kinds, mechanism
// names) and the same field paths (["spec", "template", "spec",
// "containers", 0, "env", 1]) in every workload. The converter gives equal
// strings and equal short paths one shared term, which cuts the allocations
// of a conversion by half and more; Rego values are never modified, so
// sharing them is safe. A converter is used by one goroutine.
type converter struct {
	strings map[string]*ast.Term
	paths   map[uint64][]pathEntry
}

type pathEntry struct {
	path []any
	term *ast.Term
}

func newConverter() *converter {
	return &converter{strings: map[string]*ast.Term{}, paths: map[uint64][]pathEntry{}}
}

// maxShared bounds what is shared: longer strings rarely repeat.
const (
	maxSharedString = 64
	maxSharedPath   = 16
)

func (c *converter) term(x any) (*ast.Term, error) {
	switch v := x.(type) {
	case string:
		return c.str(v), nil
	case []any:
		if t, ok := c.path(v); ok {
			return t, nil
		}
		terms := make([]*ast.Term, len(v))
		for i, e := range v {
			t, err := c.term(e)
			if err != nil {
				return nil, err
			}
			terms[i] = t
		}
		return ast.ArrayTerm(terms...), nil
	case map[string]any:
		pairs := make([][2]*ast.Term, 0, len(v))
		for k, e := range v {
			t, err := c.term(e)
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, [2]*ast.Term{c.str(k), t})
		}
		return ast.NewTerm(ast.NewObject(pairs...)), nil
	case int:
		return ast.InternedTerm(v), nil
	case int64:
		if v >= math.MinInt && v <= math.MaxInt {
			return ast.InternedTerm(int(v)), nil
		}
		return ast.NumberTerm(json.Number(strconv.FormatInt(v, 10))), nil
	}
	val, err := ast.InterfaceToValue(x)
	if err != nil {
		return nil, err
	}
	return ast.NewTerm(val), nil
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

// path returns the shared term of a short list of strings and integers.
func (c *converter) path(p []any) (*ast.Term, bool) {
	if len(p) == 0 || len(p) > maxSharedPath {
		return nil, false
	}
	h := uint64(14695981039346656037)
	mix := func(b byte) { h = (h ^ uint64(b)) * 1099511628211 }
	for _, e := range p {
		switch v := e.(type) {
		case string:
			if len(v) > maxSharedString {
				return nil, false
			}
			for i := 0; i < len(v); i++ {
				mix(v[i])
			}
			mix(0)
		case int:
			for n := uint64(v); ; n >>= 8 {
				mix(byte(n))
				if n < 256 {
					break
				}
			}
			mix(1)
		default:
			return nil, false
		}
	}
	for _, e := range c.paths[h] {
		if samePath(e.path, p) {
			return e.term, true
		}
	}
	terms := make([]*ast.Term, len(p))
	for i, e := range p {
		if s, ok := e.(string); ok {
			terms[i] = c.str(s)
		} else {
			terms[i] = ast.InternedTerm(e.(int))
		}
	}
	t := ast.ArrayTerm(terms...)
	c.paths[h] = append(c.paths[h], pathEntry{p, t})
	return t, true
}

func samePath(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
