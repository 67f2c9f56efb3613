package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// tagIndex is an index of the kind inventory.WorkloadIndex builds: a list
// of positions always present ("flagged"), and an object whose keys appear
// only when some workload has them ("tags", "byKind.<kind>").
func tagIndex(workloads []any) map[string]any {
	flagged := []any{}
	tags := map[string]any{}
	kinds := map[string]any{}
	for i, raw := range workloads {
		w := raw.(map[string]any)
		if w["flagged"] == true {
			flagged = append(flagged, i)
		}
		for _, t := range w["tags"].([]any) {
			l, _ := tags[t.(string)].([]any)
			tags[t.(string)] = append(l, i)
		}
		k := w["kind"].(string)
		l, _ := kinds[k].([]any)
		kinds[k] = append(l, i)
	}
	return map[string]any{"flagged": flagged, "tags": tags, "byKind": map[string]any{"kinds": kinds}}
}

func tagWorkloads(r *rand.Rand, n int) []any {
	out := make([]any, n)
	for i := range out {
		var tags []any
		for t := range 6 {
			if r.IntN(7) == 0 {
				tags = append(tags, fmt.Sprintf("t%d", t))
			}
		}
		out[i] = map[string]any{
			"flagged": r.IntN(3) == 0,
			"tags":    append([]any{}, tags...),
			"kind":    []string{"Deployment", "Job", "Pod"}[r.IntN(3)],
		}
	}
	return out
}

// TestConvertIndexesEachSpan: the index of each span, put together from
// the indexes of the pieces converted, is the index of the span's own
// workloads, for spans that do not fall on piece boundaries, empty spans
// and any number of workers. The workloads are released as they are
// converted, so the index cannot be read from them afterwards.
func TestConvertIndexesEachSpan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 7, 31, 100, 257} {
		for _, workers := range []int{1, 2, 3, 8} {
			ws := tagWorkloads(r, n)
			spans := [][2]int{{0, n}, {0, n / 2}, {n / 2, n}, {n / 3, n / 3}}
			if n > 4 {
				a := r.IntN(n - 1)
				spans = append(spans, [2]int{a, a + 1 + r.IntN(n-a-1)})
			}
			want := make([]string, len(spans))
			for i, sp := range spans {
				tw, err := newConverter().term(tagIndex(ws[sp[0]:sp[1]]))
				if err != nil {
					t.Fatal(err)
				}
				want[i] = tw.String()
			}
			doc := Document{Base: map[string]any{}, Workloads: append([]any{}, ws...), Index: tagIndex, Release: true}
			c, err := convert(context.Background(), doc, workers, spans)
			if err != nil {
				t.Fatal(err)
			}
			for i, sp := range spans {
				got, ok := c.indexes[sp]
				if !ok {
					t.Fatalf("n=%d workers=%d: no index for span %v", n, workers, sp)
				}
				if got.String() != want[i] {
					t.Errorf("n=%d workers=%d span %v:\n got %s\nwant %s", n, workers, sp, got, want[i])
				}
			}
			for i, w := range c.workloads {
				if w == nil {
					t.Fatalf("n=%d workers=%d: workload %d not converted", n, workers, i)
				}
			}
		}
	}
}

// TestChunksCutAtSpans: the pieces cover [0, n) in order without gaps,
// none is empty or much larger than n/want, and every end of a span is a
// cut.
func TestChunksCutAtSpans(t *testing.T) {
	for _, tc := range []struct {
		n, want int
		spans   [][2]int
	}{
		{0, 8, [][2]int{{0, 0}}},
		{10, 8, [][2]int{{0, 10}, {0, 5}, {5, 10}}},
		{10000, 8, [][2]int{{0, 10000}, {0, 5000}, {5000, 10000}}},
		{1001, 3, [][2]int{{0, 1001}, {0, 333}, {333, 667}, {667, 1001}, {400, 401}}},
		{5, 100, [][2]int{{0, 5}, {2, 3}}},
	} {
		pieces := chunks(tc.n, tc.want, tc.spans)
		cuts := map[int]bool{}
		at := 0
		size := max(1, (tc.n+tc.want-1)/tc.want)
		for _, p := range pieces {
			if p[0] != at || p[1] <= p[0] || p[1]-p[0] > size {
				t.Fatalf("n=%d: pieces %v: %v is not the next piece after %d of at most %d", tc.n, pieces, p, at, size)
			}
			cuts[p[0]], cuts[p[1]] = true, true
			at = p[1]
		}
		if at != tc.n {
			t.Errorf("n=%d: pieces %v end at %d", tc.n, pieces, at)
		}
		for _, sp := range tc.spans {
			if tc.n > 0 && (!cuts[sp[0]] || !cuts[sp[1]]) {
				t.Errorf("n=%d: span %v does not start and end at cuts of %v", tc.n, sp, pieces)
			}
		}
	}
}

// TestMergeIndexesRejects: a piece's index that is not lists of positions
// and objects of them, or pieces that do not cover the span, are errors
// (a bug in the index builder), not a silently different index.
func TestMergeIndexesRejects(t *testing.T) {
	pieces := [][2]int{{0, 2}, {2, 4}}
	for _, tc := range []struct {
		parts []map[string]any
		span  [2]int
		want  string
	}{
		{[]map[string]any{{"a": []any{0}}, {"a": map[string]any{}}}, [2]int{0, 4}, "a list in one piece and an object in another"},
		{[]map[string]any{{"a": map[string]any{}}, {"a": []any{1}}}, [2]int{0, 4}, "a list in one piece and an object in another"},
		{[]map[string]any{{"a": []any{"x"}}, {}}, [2]int{0, 4}, "holds string, not a position"},
		{[]map[string]any{{"a": true}, {}}, [2]int{0, 4}, "holds bool, not a list or an object"},
		{[]map[string]any{{}, {}}, [2]int{1, 4}, "cover 2 of the 3 workloads"},
	} {
		_, err := mergeIndexes(pieces, tc.parts, tc.span)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("mergeIndexes(%v, %v) = %v, want an error with %q", tc.parts, tc.span, err, tc.want)
		}
	}
}
