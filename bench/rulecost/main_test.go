package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/analyzer/inventory"
	"github.com/irsalint/irsalint/analyzer/lint"
)

// TestCountsMatchLint times every rule over the inventory of the shipped
// example and checks each rule's findings against what the linter reports
// on the same inventory (suppressed findings included): the figures are of
// the rules as irsalint runs them, over the input it gives them.
func TestCountsMatchLint(t *testing.T) {
	ctx := context.Background()
	dir, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	inv, diags := lint.Load(ctx, lint.Input{Paths: []string{dir}, WorkingDir: dir, Settings: inventory.DefaultSettings()})
	for _, d := range diags {
		if d.Level == analyzer.LevelError {
			t.Fatalf("loading the example: %s", d)
		}
	}
	eng, err := engine.New(engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := eng.Select(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	q, err := eng.Prepare(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	res, err := lint.Run(ctx, eng, q, inv)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, f := range append(res.Findings, res.Suppressed...) {
		want[f.Rule]++
	}
	if len(want) == 0 {
		t.Fatal("the example gives no findings: nothing to compare")
	}

	data, err := json.Marshal(inv.Printed())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "inventory.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(&out, path, 1, nil, false); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	total := 0
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	for _, line := range lines[1:] {
		fields := strings.Fields(line)
		if len(fields) != 4 {
			t.Fatalf("line %q: want a rule, two times and a count", line)
		}
		n, err := strconv.Atoi(fields[3])
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if fields[0] == "all" {
			total = n
			continue
		}
		got[fields[0]] = n
	}
	if len(got) != len(ids) {
		t.Errorf("%d rules timed, want %d (every built-in rule)", len(got), len(ids))
	}
	sum := 0
	for _, id := range ids {
		if got[id] != want[id] {
			t.Errorf("%s: %d findings, the linter reports %d", id, got[id], want[id])
		}
		sum += got[id]
	}
	if total != sum {
		t.Errorf("all: %d findings, the rules alone %d", total, sum)
	}

	// --without: every rule but one, for each rule.
	out.Reset()
	if err := run(&out, path, 1, nil, true); err != nil {
		t.Fatal(err)
	}
	lines = strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(ids)+2 {
		t.Fatalf("--without printed %d lines, want a header, one per rule and all", len(lines))
	}
	for _, line := range lines[1 : len(lines)-1] {
		fields := strings.Fields(line)
		id, ok := strings.CutPrefix(fields[0], "-")
		n, err := strconv.Atoi(fields[len(fields)-1])
		if !ok || err != nil {
			t.Fatalf("--without: line %q", line)
		}
		if n != total-want[id] {
			t.Errorf("--without: %s: %d findings, want %d", line, n, total-want[id])
		}
	}
}
