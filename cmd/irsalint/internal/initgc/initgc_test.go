package initgc

import (
	"os"
	"runtime/debug"
	"testing"
)

func percent() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}

func TestPausedUntilResume(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set: the collector is paced as it says")
	}
	if p := percent(); p >= 0 {
		t.Fatalf("before Resume the GC percent is %d: init did not turn the collector off", p)
	}
	Resume()
	if p := percent(); p != before || p < 0 {
		t.Fatalf("after Resume the GC percent is %d, want %d", p, before)
	}
	debug.SetGCPercent(before + 50)
	Resume() // a second call leaves the percent alone
	if p := percent(); p != before+50 {
		t.Errorf("a second Resume set the GC percent to %d", p)
	}
	debug.SetGCPercent(before)
}
