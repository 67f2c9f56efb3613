package lint

import (
	"math"
	"testing"
)

func TestHeapFloor(t *testing.T) {
	for _, tc := range []struct {
		n, limit, want int64
	}{
		{1 << 20, math.MaxInt64, 18 << 20},
		{29 << 20, math.MaxInt64, 522 << 20}, // the 10k corpus
		{42 << 20, math.MaxInt64, 756 << 20},
		{43 << 20, math.MaxInt64, 0},     // past 768 MiB: the default pacing
		{145 << 20, math.MaxInt64, 0},    // the 50k corpus
		{10 << 20, 400 << 20, 180 << 20}, // within half the memory limit
		{20 << 20, 400 << 20, 0},         // past it
		{0, math.MaxInt64, 0},
	} {
		if got := heapFloor(tc.n, tc.limit); got != tc.want {
			t.Errorf("heapFloor(%d, %d) = %d, want %d", tc.n, tc.limit, got, tc.want)
		}
	}
}
