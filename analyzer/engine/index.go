package engine

import (
	"fmt"
	"slices"
)

// chunks cuts [0, n) into pieces of about n/want workloads, with a cut at
// each end of every span, so that each span is a run of whole pieces.
func chunks(n, want int, spans [][2]int) [][2]int {
	cuts := []int{0, n}
	for _, sp := range spans {
		cuts = append(cuts, min(max(sp[0], 0), n), min(max(sp[1], 0), n))
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	size := max(1, (n+want-1)/max(want, 1))
	var out [][2]int
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		m := (b - a + size - 1) / size
		for k := range m {
			out = append(out, [2]int{a + k*(b-a)/m, a + (k+1)*(b-a)/m})
		}
	}
	return out
}

// mergeIndexes puts together the index of the workloads in span from the
// indexes of the pieces it is made of (parts[i] indexes pieces[i]). An
// index is an object whose values are lists of positions, ascending, in
// the list it was built for, or objects of the same kind; the positions of
// each piece are moved by where the piece starts in the span, and lists
// under the same key are joined in piece order. Keys absent from a piece
// are absent from its index, so the merged index is the one the whole
// span would have been given.
func mergeIndexes(pieces [][2]int, parts []map[string]any, span [2]int) (map[string]any, error) {
	var in []indexPart
	covered := 0
	for i, pc := range pieces {
		if pc[0] >= span[0] && pc[1] <= span[1] {
			in = append(in, indexPart{at: pc[0] - span[0], index: parts[i]})
			covered += pc[1] - pc[0]
		}
	}
	if covered != span[1]-span[0] {
		return nil, fmt.Errorf("the pieces cover %d of the %d workloads in [%d, %d)", covered, span[1]-span[0], span[0], span[1])
	}
	return mergeIndex(in)
}

type indexPart struct {
	at    int
	index map[string]any
}

func mergeIndex(parts []indexPart) (map[string]any, error) {
	out := map[string]any{}
	nested := map[string][]indexPart{}
	for _, p := range parts {
		for k, v := range p.index {
			switch v := v.(type) {
			case []any:
				if nested[k] != nil {
					return nil, fmt.Errorf("index key %q is a list in one piece and an object in another", k)
				}
				l, ok := out[k].([]any) // out holds only lists until the end
				if !ok {
					l = make([]any, 0, len(v))
				}
				for _, e := range v {
					n, isInt := e.(int)
					if !isInt {
						return nil, fmt.Errorf("index key %q holds %T, not a position", k, e)
					}
					l = append(l, n+p.at)
				}
				out[k] = l
			case map[string]any:
				if _, isList := out[k]; isList {
					return nil, fmt.Errorf("index key %q is a list in one piece and an object in another", k)
				}
				nested[k] = append(nested[k], indexPart{at: p.at, index: v})
			default:
				return nil, fmt.Errorf("index key %q holds %T, not a list or an object", k, v)
			}
		}
	}
	for k, ps := range nested {
		m, err := mergeIndex(ps)
		if err != nil {
			return nil, err
		}
		out[k] = m
	}
	return out, nil
}
