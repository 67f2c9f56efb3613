package lint

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

func TestHeapFloor(t *testing.T) {
	for _, tc := range []struct {
		n, limit, want int64
	}{
		{1 << 20, math.MaxInt64, 16 << 20},
		{29 << 20, math.MaxInt64, 464 << 20},  // the 10k corpus
		{65 << 20, math.MaxInt64, 1040 << 20}, // the 25k corpus (manifests and IAM export)
		{128 << 20, math.MaxInt64, 2 << 30},
		{130 << 20, math.MaxInt64, 2 << 30}, // the 50k corpus: at most 2 GiB
		{130 << 20, 3 << 30, 1536 << 20},    // at most half the memory limit
		{12 << 20, 400 << 20, 192 << 20},    // within half the memory limit
		{13 << 20, 400 << 20, 200 << 20},    // past it
		{0, math.MaxInt64, 0},
		{math.MaxInt64 / 8, math.MaxInt64, 2 << 30}, // no overflow
	} {
		if got := heapFloor(tc.n, tc.limit); got != tc.want {
			t.Errorf("heapFloor(%d, %d) = %d, want %d", tc.n, tc.limit, got, tc.want)
		}
	}
}

// percent reads the GC percent in force.
func percent() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}

// writeServiceAccount writes dir/sa.yaml, one ServiceAccount.
func writeServiceAccount(t *testing.T, dir string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "sa.yaml"), []byte("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: x}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunPacesUntilClose: the floor a run sets lasts while its results
// are written, until Close (or the next Run), which restores the percent.
func TestRunPacesUntilClose(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set: the collector is paced as it says")
	}
	before := percent()
	defer func(f func(int64, int64) int64) { floorOf = f }(floorOf)
	floorOf = func(int64, int64) int64 { return 4 << 30 } // far above this test's heap
	dir := t.TempDir()
	writeServiceAccount(t, dir)
	l := New(Options{Paths: []string{dir}, WorkingDir: dir, NoConfig: true, Enable: []string{"role-arn-invalid"}})
	if err := l.Prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := l.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if p := percent(); p <= before {
			t.Errorf("after Run the GC percent is %d, not above %d", p, before)
		}
	}
	l.Close()
	if p := percent(); p != before {
		t.Errorf("after Close the GC percent is %d, want %d", p, before)
	}
	l.Close()
	if p := percent(); p != before {
		t.Errorf("after a second Close the GC percent is %d, want %d", p, before)
	}
}

// TestSmallRunFloorUntilClose: a small run's rules compile under a floor
// that outlasts the compiling and the run, until Close.
func TestSmallRunFloorUntilClose(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set: the collector is paced as it says")
	}
	before := percent()
	defer func(f int64) { compileFloor = f }(compileFloor)
	compileFloor = 4 << 30 // far above this test's heap
	dir := t.TempDir()
	writeServiceAccount(t, dir)
	l := New(Options{Paths: []string{"sa.yaml"}, WorkingDir: dir, NoConfig: true})
	if !l.small() {
		t.Fatal("one small file named is not a small run")
	}
	if err := l.Prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p := percent(); p <= before {
		t.Errorf("once the rules are prepared the GC percent is %d, not above %d", p, before)
	}
	if _, err := l.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p := percent(); p <= before {
		t.Errorf("after Run the GC percent is %d, not above %d", p, before)
	}
	l.Close()
	if p := percent(); p != before {
		t.Errorf("after Close the GC percent is %d, want %d", p, before)
	}
}

// TestSmallRun: only files named one by one, a megabyte at most in all,
// make a run that goes on while rules still compile.
func TestSmallRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, size int) {
		if err := os.WriteFile(filepath.Join(dir, name), make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.yaml", 100)
	write("b.yaml", 200)
	write("big.json", smallRun)
	for _, tc := range []struct {
		paths []string
		want  bool
	}{
		{[]string{"a.yaml"}, true},
		{[]string{"a.yaml", "b.yaml"}, true},
		{[]string{"big.json"}, true},
		{[]string{"big.json", "a.yaml"}, false}, // past smallRun in all
		{[]string{filepath.Join(dir, "a.yaml")}, true},
		{[]string{"."}, false}, // a folder may hold anything
		{[]string{"-"}, false}, // so may standard input
		{[]string{"missing.yaml"}, false},
		{nil, false}, // the working directory
	} {
		l := New(Options{Paths: tc.paths, WorkingDir: dir, NoConfig: true})
		if got := l.small(); got != tc.want {
			t.Errorf("small(%q) = %v, want %v", tc.paths, got, tc.want)
		}
	}
}
