// Package gcpace keeps the garbage collector from collecting a heap that
// is still smaller than the one a run is known to reach.
package gcpace

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// maxPercent bounds the GC percent Floor sets while the live heap is
// tiny.
const maxPercent = 10_000

// Floor makes the garbage collector wait until the heap holds floor bytes
// before it collects, and pace itself as before above that. With the
// default GOGC=100 the collector runs each time the heap doubles from the
// last live size: a run whose live heap grows to hundreds of megabytes
// marks each smaller heap on the way, for garbage it would have collected
// later at no greater peak. Floor raises the GC percent so that the next
// collection starts at floor bytes at the earliest, and sets it again from
// the live heap after each collection, until stop restores the percent in
// force before. A soft memory limit (GOMEMLIMIT, --memory) still starts a
// collection as the heap nears it. Floor does nothing when GOGC is set in
// the environment, which says how the user wants the collector paced, or
// when collection is off.
func Floor(floor int64) (stop func()) {
	if floor <= 0 || os.Getenv("GOGC") != "" {
		return func() {}
	}
	base := debug.SetGCPercent(-1)
	debug.SetGCPercent(base)
	if base < 0 {
		return func() {}
	}
	p := &pacer{base: base, floor: floor}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.adjust()
	p.arm()
	return p.stop
}

type pacer struct {
	mu      sync.Mutex
	base    int
	floor   int64
	stopped bool
}

// adjust sets the GC percent for the live heap the last collection left:
// the larger of the base percent and the one that puts the next
// collection at floor bytes.
func (p *pacer) adjust() {
	pct := maxPercent
	if live := liveHeap(); live > 0 {
		pct = int(min(maxPercent, p.floor*100/live-100))
	}
	debug.SetGCPercent(max(p.base, pct))
}

// sentinel is garbage the moment it is made, so its finalizer runs after
// the next collection. It is larger than 16 bytes: the tiny objects the
// runtime allocates together may never have their finalizers run.
type sentinel struct {
	p *pacer
	_ [2]uintptr
}

// arm has adjust run again after the next collection.
func (p *pacer) arm() {
	runtime.SetFinalizer(&sentinel{p: p}, func(s *sentinel) {
		s.p.mu.Lock()
		defer s.p.mu.Unlock()
		if !s.p.stopped {
			s.p.adjust()
			s.p.arm()
		}
	})
}

func (p *pacer) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.stopped {
		p.stopped = true
		debug.SetGCPercent(p.base)
	}
}

// liveHeap is the size of the heap objects the last collection found
// alive (0 before the first).
func liveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}
