package engine

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// TestConvertEqualsInterfaceToValue holds the converter, sharing and all,
// to OPA's own conversion on random documents.
func TestConvertEqualsInterfaceToValue(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		doc := randomValue(rng, 0)
		got, err := newConverter().term(doc)
		if err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		want, err := ast.InterfaceToValue(doc)
		if err != nil {
			t.Fatalf("document %d: InterfaceToValue: %v", i, err)
		}
		if got.Value.Compare(want) != 0 {
			t.Fatalf("document %d:\n got %v\nwant %v", i, got, want)
		}
		if got.Value.Hash() != want.Hash() {
			t.Fatalf("document %d: hash %d, want %d", i, got.Value.Hash(), want.Hash())
		}
	}
}

// randomValue draws from a small alphabet, so that equal subtrees recur.
func randomValue(rng *rand.Rand, depth int) any {
	k := rng.IntN(10)
	if depth > 4 {
		k = rng.IntN(6)
	}
	switch k {
	case 0:
		return []string{"a", "b", "c", "kind"}[rng.IntN(4)]
	case 1:
		return strings.Repeat("long", 17+rng.IntN(2)) // past maxSharedString
	case 2:
		return rng.IntN(3)
	case 3:
		return []int64{7, math.MaxInt64}[rng.IntN(2)]
	case 4:
		return rng.IntN(2) == 0
	case 5:
		return nil
	case 6, 7:
		n := rng.IntN(4)
		if rng.IntN(8) == 0 {
			n = maxSharedItems + 1
		}
		l := make([]any, n)
		for i := range l {
			l[i] = randomValue(rng, depth+1)
		}
		return l
	default:
		n := rng.IntN(4)
		if rng.IntN(8) == 0 {
			n = maxSharedItems + 1
		}
		m := make(map[string]any, n)
		for i := range n {
			m[[]string{"at", "name", "value", "from", "k"}[rng.IntN(5)]+strings.Repeat("x", i)] = randomValue(rng, depth+1)
		}
		return m
	}
}

func TestConvertShares(t *testing.T) {
	identity := func() map[string]any {
		return map[string]any{"mechanism": "node-role", "injected": nil, "mutated": true, "at": []any{"spec", "containers", 0}}
	}
	long := strings.Repeat("x", maxSharedString+1)
	many := make([]any, maxSharedItems+1)
	for i := range many {
		many[i] = "a"
	}
	doc := []any{
		map[string]any{"identity": identity(), "env": []any{}, "many": many, "long": map[string]any{"v": long}},
		map[string]any{"identity": identity(), "env": []any{}, "many": many, "long": map[string]any{"v": long}},
		map[string]any{"identity": map[string]any{"mechanism": "irsa", "injected": nil, "mutated": true, "at": []any{"spec", "containers", 0}}},
	}
	root, err := newConverter().term(doc)
	if err != nil {
		t.Fatal(err)
	}
	arr := root.Value.(*ast.Array)
	get := func(i int, key string) *ast.Term {
		return arr.Elem(i).Value.(ast.Object).Get(ast.StringTerm(key))
	}
	if get(0, "identity") != get(1, "identity") {
		t.Error("two equal identity objects are two terms, want one")
	}
	if get(0, "env") != get(1, "env") {
		t.Error("two empty lists are two terms, want one")
	}
	if get(0, "identity") == get(2, "identity") {
		t.Error("identity objects that differ in mechanism share a term")
	}
	if a, b := get(0, "identity").Value.(ast.Object).Get(ast.StringTerm("at")), get(2, "identity").Value.(ast.Object).Get(ast.StringTerm("at")); a != b {
		t.Error("equal paths inside different objects are two terms, want one")
	}
	// Past the bounds, values are converted anew (and still equal).
	if get(0, "many") == get(1, "many") {
		t.Errorf("a list of %d items is shared; the bound is %d", len(many), maxSharedItems)
	}
	if get(0, "long") == get(1, "long") {
		t.Error("an object holding a long string is shared")
	}
	if get(0, "long").Value.Compare(get(1, "long").Value) != 0 || get(0, "many").Value.Compare(get(1, "many").Value) != 0 {
		t.Error("unshared copies of equal values differ")
	}
}

// TestSharedListAppend: OPA's Array.Append appends to the elements' slice;
// with room to grow, two appends to one shared list would write the same
// slot.
func TestSharedListAppend(t *testing.T) {
	for n := 1; n <= maxSharedItems; n++ {
		l := make([]any, n)
		for i := range l {
			l[i] = "a"
		}
		term, err := newConverter().term(l)
		if err != nil {
			t.Fatal(err)
		}
		arr := term.Value.(*ast.Array)
		x := arr.Append(ast.StringTerm("x"))
		arr.Append(ast.StringTerm("y"))
		if got := x.Elem(n).Value; got.Compare(ast.String("x")) != 0 {
			t.Fatalf("list of %d: the first append's element is %v after a second append, want \"x\"", n, got)
		}
	}
}
