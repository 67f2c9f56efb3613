package guard

import (
	"context"
	"fmt"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// LimitError is the cause of a context ended by a limit.
type LimitError struct {
	// Limit names the limit and how to change it: "the --timeout of 10m0s".
	Limit string
}

func (e *LimitError) Error() string { return "stopped at " + e.Limit }

// WithTimeout ends ctx after d with a *LimitError naming setting, the flag
// or key that set d. d <= 0 means no deadline.
func WithTimeout(ctx context.Context, d time.Duration, setting string) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, d, &LimitError{Limit: fmt.Sprintf("the %s of %s", setting, d)})
}

// Current is the memory limit in force (math.MaxInt64: none), as GOMEMLIMIT
// or an earlier SetMemoryLimit left it.
func Current() int64 { return debug.SetMemoryLimit(-1) }

// interval is how often the heap is measured: at 1 GB/s of allocation the
// ceiling is overshot by at most some 20 MB.
const interval = 20 * time.Millisecond

// WithMemoryLimit makes limit bytes the Go runtime's soft memory limit (the
// garbage collector works harder as the heap nears it) and ends ctx with a
// *LimitError once live heap objects exceed it anyway, which only work that
// really needs more memory than allowed does. stop ends the watch and
// restores the previous limit. limit <= 0 or math.MaxInt64 watches nothing.
func WithMemoryLimit(ctx context.Context, limit int64, setting string) (context.Context, func()) {
	if limit <= 0 || limit == math.MaxInt64 {
		return ctx, func() {}
	}
	prev := debug.SetMemoryLimit(limit)
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				metrics.Read(sample)
				if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > uint64(limit) {
					cancel(&LimitError{Limit: fmt.Sprintf("the %s of %s", setting, FormatSize(limit))})
					return
				}
			}
		}
	}()
	return ctx, func() {
		close(done)
		wg.Wait()
		cancel(nil)
		debug.SetMemoryLimit(prev)
	}
}

// FormatSize writes 10 MiB, 12.3 MiB, 512 KiB or 900 bytes.
func FormatSize(n int64) string {
	const kib, mib, gib = 1 << 10, 1 << 20, 1 << 30
	unit := func(u int64, name string) string {
		if n%u == 0 {
			return fmt.Sprintf("%d %s", n/u, name)
		}
		return fmt.Sprintf("%.1f %s", float64(n)/float64(u), name)
	}
	switch {
	case n >= gib:
		return unit(gib, "GiB")
	case n >= mib:
		return unit(mib, "MiB")
	case n >= kib:
		return unit(kib, "KiB")
	}
	return fmt.Sprintf("%d bytes", n)
}
