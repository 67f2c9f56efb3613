package lint

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/irsalint/irsalint/analyzer/inventory"
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

// TestLoadScanned: Load tells the size of the files it found, once, before
// it decodes them.
func TestLoadScanned(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.yaml":     "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: x}\n",
		"sub/b.json": `{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "b", "namespace": "x"}}`,
		"notes.txt":  "not an input",
	}
	for name, text := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var calls []int64
	in := Input{Paths: []string{dir}, WorkingDir: dir, Settings: inventory.DefaultSettings(),
		Scanned: func(n int64) { calls = append(calls, n) }}
	inv, diags := Load(context.Background(), in)
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	want := int64(len(files["a.yaml"]) + len(files["sub/b.json"]))
	if len(calls) != 1 || calls[0] != want {
		t.Errorf("Scanned heard %v, want [%d]", calls, want)
	}
	if n := len(inv.Input["serviceAccounts"].(map[string]any)); n != 2 {
		t.Errorf("%d ServiceAccounts, want 2", n)
	}
}
