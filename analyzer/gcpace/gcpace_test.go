package gcpace

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// percent reads the GC percent in force.
func percent() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}

// sink takes garbage; held is a live heap a test keeps.
var sink, held []byte

// cycles allocates n bytes of garbage in 64 KiB pieces and counts the
// collections that ran meanwhile.
func cycles(n int) uint32 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n / (64 << 10) {
		sink = make([]byte, 64<<10)
	}
	sink = nil
	runtime.ReadMemStats(&after)
	return after.NumGC - before.NumGC
}

// withBase runs f with GOGC=100 and no GOGC in the environment.
func withBase(t *testing.T, f func()) {
	t.Setenv("GOGC", "")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	runtime.GC()
	f()
}

func TestFloorLetsTheHeapGrow(t *testing.T) {
	withBase(t, func() {
		paced := cycles(256 << 20)
		// A collection the paced half started may still be running, and
		// would be counted below. This one finishes it, and measures the
		// live heap that Floor sets the percent from.
		runtime.GC()
		stop := Floor(512 << 20)
		floored := cycles(256 << 20)
		stop()
		// The test binary's live heap is a few hundred kilobytes: GOGC=100
		// sets a goal of 4 MB (the runtime's smallest), 64 collections in
		// 256 MiB. On a loaded machine a collection lasts longer than 4 MB
		// of this loop's allocation and the next one waits for it: 4 to 7
		// collections were seen with another test binary beside this one.
		// Under the floor the percent is capped at maxPercent, where that
		// smallest goal is 400 MB.
		if paced < 2 {
			t.Fatalf("256 MiB of garbage took %d collections at GOGC=100, expected several", paced)
		}
		if floored > 0 {
			t.Errorf("with a 512 MiB floor, 256 MiB of garbage took %d collections (%d without), want none", floored, paced)
		}
	})
}

func TestFloorFollowsTheLiveHeap(t *testing.T) {
	withBase(t, func() {
		held = make([]byte, 64<<20)
		runtime.GC()
		stop := Floor(32 << 20)
		if p := percent(); p != 100 {
			t.Errorf("live heap 64 MiB, floor 32 MiB: GC percent %d, want 100 (the floor is below what the pacing does)", p)
		}
		stop()
		stop = Floor(1 << 30)
		if p := percent(); p < 1400 || p > 1600 {
			t.Errorf("live heap 64 MiB, floor 1 GiB: GC percent %d, want about 1500", p)
		}
		// The live heap shrinks: after the next collection the percent
		// is set from the new one.
		held = nil
		runtime.GC()
		deadline := time.Now().Add(5 * time.Second)
		for percent() < 5000 && time.Now().Before(deadline) {
			runtime.GC()
			time.Sleep(10 * time.Millisecond)
		}
		if p := percent(); p < 5000 {
			t.Errorf("live heap a few MiB, floor 1 GiB: GC percent %d after collections, want it raised past 5000", p)
		}
		stop()
		stop()
		if p := percent(); p != 100 {
			t.Errorf("after stop: GC percent %d, want 100", p)
		}
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
		if p := percent(); p != 100 {
			t.Errorf("a collection after stop set the GC percent to %d, want 100", p)
		}
	})
}

func TestFloorLeavesGOGCAlone(t *testing.T) {
	t.Setenv("GOGC", "50")
	defer debug.SetGCPercent(debug.SetGCPercent(50))
	stop := Floor(1 << 30)
	defer stop()
	if p := percent(); p != 50 {
		t.Errorf("GOGC=50 in the environment: GC percent %d after Floor, want 50", p)
	}
	debug.SetGCPercent(-1)
	t.Setenv("GOGC", "")
	stop2 := Floor(1 << 30)
	defer stop2()
	if p := percent(); p != -1 {
		t.Errorf("collection off: GC percent %d after Floor, want -1", p)
	}
	debug.SetGCPercent(50)
}

func TestFloorsOverlap(t *testing.T) {
	withBase(t, func() {
		held = make([]byte, 64<<20)
		runtime.GC()
		defer func() { held = nil }()
		near := func(want int) bool { p := percent(); return p > want-100 && p < want+100 }
		stopA := Floor(1 << 30) // about 1500% over 64 MiB
		stopB := Floor(2 << 30) // about 3100%
		if !near(3100) {
			t.Errorf("two floors, 1 and 2 GiB: GC percent %d, want about 3100 (the larger)", percent())
		}
		stopB()
		if !near(1500) {
			t.Errorf("the 2 GiB floor stopped: GC percent %d, want about 1500", percent())
		}
		stopC := Floor(32 << 20)
		stopA()
		if p := percent(); p != 100 {
			t.Errorf("only a 32 MiB floor left: GC percent %d, want 100", p)
		}
		stopA()
		stopC()
		if p := percent(); p != 100 {
			t.Errorf("all stopped: GC percent %d, want 100", p)
		}
		// Stopped in the other order, the base is still what comes back.
		stopA, stopB = Floor(1<<30), Floor(2<<30)
		stopA()
		stopB()
		if p := percent(); p != 100 {
			t.Errorf("stopped out of order: GC percent %d, want 100", p)
		}
	})
}
