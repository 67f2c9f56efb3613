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
//
// Floors may overlap (two runs in one process): the largest in force
// applies, and the percent is restored when the last one stops.
func Floor(floor int64) (stop func()) {
	if floor <= 0 || os.Getenv("GOGC") != "" {
		return func() {}
	}
	state.mu.Lock()
	defer state.mu.Unlock()
	if len(state.floors) == 0 {
		state.base = debug.SetGCPercent(-1)
		debug.SetGCPercent(state.base)
	}
	if state.base < 0 {
		return func() {}
	}
	id := new(int)
	if state.floors == nil {
		state.floors = map[*int]int64{}
	}
	state.floors[id] = floor
	adjust()
	if !state.armed {
		state.armed = true
		arm()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			state.mu.Lock()
			defer state.mu.Unlock()
			delete(state.floors, id)
			if len(state.floors) == 0 {
				debug.SetGCPercent(state.base)
			} else {
				adjust()
			}
		})
	}
}

// state is the floors in force and the GC percent before the first.
var state struct {
	mu     sync.Mutex
	floors map[*int]int64
	base   int
	armed  bool // a sentinel waits for the next collection
}

// adjust sets the GC percent for the live heap the last collection left:
// the larger of the base percent and the one that puts the next
// collection at the largest floor. state.mu is held.
func adjust() {
	var floor int64
	for _, f := range state.floors {
		floor = max(floor, f)
	}
	pct := maxPercent
	if live := liveHeap(); live > 0 {
		pct = int(min(maxPercent, floor*100/live-100))
	}
	debug.SetGCPercent(max(state.base, pct))
}

// sentinel is garbage the moment it is made, so its finalizer runs after
// the next collection. It is larger than 16 bytes: the tiny objects the
// runtime allocates together may never have their finalizers run.
type sentinel struct {
	_ [3]uintptr
}

// arm has adjust run again after the next collection, for as long as a
// floor is in force.
func arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		state.mu.Lock()
		defer state.mu.Unlock()
		if len(state.floors) == 0 {
			state.armed = false
			return
		}
		adjust()
		arm()
	})
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
