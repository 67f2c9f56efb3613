package helm

import (
	"context"
	"fmt"
	texttemplate "text/template"

	"github.com/Masterminds/sprig/v3"
)

// Bounds on what one call of a template function may build. A template is
// repository content: {{ range until 100000000 }} would allocate 800 MB
// before its loop starts, and repeat a string of any length. Charts use
// these for replica counts and padding, far below the bounds.
const (
	maxElements = 1_000_000
	maxRepeat   = 10 << 20 // bytes
)

// The functions bounded, as sprig defines them.
var (
	sprigFuncs          = sprig.TxtFuncMap()
	sprigUntil, _       = sprigFuncs["until"].(func(int) []int)
	sprigUntilStep, _   = sprigFuncs["untilStep"].(func(int, int, int) []int)
	sprigSeq, _         = sprigFuncs["seq"].(func(...int) string)
	sprigRepeat, _      = sprigFuncs["repeat"].(func(int, string) string)
	boundedFuncsPresent = sprigUntil != nil && sprigUntilStep != nil && sprigSeq != nil && sprigRepeat != nil
)

// boundedFuncs replaces the functions that build in proportion to a number
// the template gives with ones that refuse past the bounds, and that stop a
// rendering the run has given up on (the engine cannot be interrupted, but
// a call that fails ends its template).
func boundedFuncs(ctx context.Context) texttemplate.FuncMap {
	if !boundedFuncsPresent {
		return nil
	}
	check := func(name string, n int) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("rendering stopped: %v", context.Cause(ctx))
		}
		if n > maxElements {
			return fmt.Errorf("%s: %d elements, more than the %d irsalint renders", name, n, maxElements)
		}
		return nil
	}
	return texttemplate.FuncMap{
		"until": func(count int) ([]int, error) {
			if err := check("until", abs(count)); err != nil {
				return nil, err
			}
			return sprigUntil(count), nil
		},
		"untilStep": func(start, stop, step int) ([]int, error) {
			if err := check("untilStep", steps(start, stop, step)); err != nil {
				return nil, err
			}
			return sprigUntilStep(start, stop, step), nil
		},
		"seq": func(params ...int) (string, error) {
			n := 0
			switch len(params) {
			case 1:
				n = steps(1, params[0], 1)
			case 2:
				n = steps(params[0], params[1], 1)
			case 3:
				n = steps(params[0], params[2], params[1])
			}
			if err := check("seq", n); err != nil {
				return "", err
			}
			return sprigSeq(params...), nil
		},
		"repeat": func(count int, s string) (string, error) {
			if err := check("repeat", 0); err != nil {
				return "", err
			}
			if count > 0 && len(s) > 0 && count > maxRepeat/len(s) {
				return "", fmt.Errorf("repeat: %d times %d bytes, more than the %d bytes irsalint renders", count, len(s), maxRepeat)
			}
			return sprigRepeat(count, s), nil
		},
	}
}

// steps counts the elements from start to stop by step, either way, or a
// bound above it (sprig builds none when step points away from stop); the
// difference is taken unsigned, as it may not fit an int.
func steps(start, stop, step int) int {
	var d uint64
	if stop >= start {
		d = uint64(stop) - uint64(start)
	} else {
		d = uint64(start) - uint64(stop)
	}
	s := uint64(abs(step))
	if s == 0 {
		s = 1
	}
	if n := d/s + 1; n <= maxElements {
		return int(n)
	}
	return maxElements + 1
}

func abs(n int) int {
	if n < 0 {
		if n == -n { // the smallest int
			return int(^uint(0) >> 1)
		}
		return -n
	}
	return n
}
