package lint_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/analyzer/inventory"
	"github.com/irsalint/irsalint/analyzer/lint"
	"github.com/irsalint/irsalint/analyzer/source"
)

// genCorpus builds ../shared/bench/gencorpus and writes a corpus into a
// temporary folder; it skips when ../shared is absent (a user's clone).
func genCorpus(tb testing.TB, workloads, roles int) string {
	tb.Helper()
	gen, err := filepath.Abs("../../../shared/bench/gencorpus")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(gen, "main.go")); err != nil {
		tb.Skip("../shared/bench/gencorpus is not here (a fresh clone has no ../shared): skipping what needs the generated corpus")
	}
	dir := tb.TempDir()
	bin := filepath.Join(dir, "gencorpus")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = gen
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("building gencorpus: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "corpus")
	gc := exec.Command(bin, "-workloads", itoa(workloads), "-roles", itoa(roles), "-seed", "1", "-out", out, "-q")
	if b, err := gc.CombinedOutput(); err != nil {
		tb.Fatalf("gencorpus: %v\n%s", err, b)
	}
	return out
}

func itoa(n int) string { return fmtInt(n) }

// BenchmarkLintCorpus lints a 10,000-workload, 2,000-role corpus with every
// rule: decode, inventory, one evaluation. Sub-benchmarks: the manifests
// alone, the 2,000 per-role trust policy files alone, and everything joined
// (manifests plus the account's authorization details). Run with -benchmem
// and several -count runs; quote medians.
func BenchmarkLintCorpus(b *testing.B) {
	corpus := genCorpus(b, 10000, 2000)
	ctx := context.Background()
	eng, err := engine.New(engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	// IRSALINT_BENCH_RULES=rule-a,rule-b narrows the run to find a slow rule.
	var only []string
	if v := os.Getenv("IRSALINT_BENCH_RULES"); v != "" {
		only = strings.Split(v, ",")
	}
	ids, err := eng.Select(only, nil)
	if err != nil {
		b.Fatal(err)
	}
	q, err := eng.Prepare(ctx, ids)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		paths []string
	}{
		{"manifests", []string{"manifests"}},
		{"trust-files", []string{"iam/trust"}},
		{"joined", []string{"manifests", "iam/account-authorization-details.json"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var paths []string
			for _, p := range bc.paths {
				paths = append(paths, filepath.Join(corpus, p))
			}
			in := lint.Input{Paths: paths, WorkingDir: corpus, Settings: inventory.DefaultSettings()}
			var findings int
			for b.Loop() {
				inv, diags := lint.Load(ctx, in)
				if len(diags) > 0 {
					b.Fatalf("diagnostics: %v", diags[0])
				}
				res, err := lint.Run(ctx, eng, q, inv)
				if err != nil {
					b.Fatal(err)
				}
				findings = len(res.Findings)
			}
			b.ReportMetric(float64(findings), "findings")
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heapsys-MiB")
		})
	}
}

// BenchmarkPhases times each phase of a lint of the joined 10,000-workload
// corpus on its own: reading the files, decoding and normalizing them,
// building the inventory, converting it to Rego values and evaluating the
// rules (conversion included, as one evaluation does it), resolving the
// findings to locations, and the startup cost of compiling the rules.
func BenchmarkPhases(b *testing.B) {
	corpus := genCorpus(b, 10000, 2000)
	ctx := context.Background()
	paths := []string{filepath.Join(corpus, "manifests"), filepath.Join(corpus, "iam/account-authorization-details.json")}
	in := lint.Input{Paths: paths, WorkingDir: corpus, Settings: inventory.DefaultSettings()}
	b.Run("compile", func(b *testing.B) {
		for b.Loop() {
			e, err := engine.New(engine.Options{})
			if err != nil {
				b.Fatal(err)
			}
			e.Wait() // the IAM rules too: this corpus feeds them
		}
	})
	b.Run("collect", func(b *testing.B) {
		for b.Loop() {
			source.Collect(paths, source.CollectOptions{WorkingDir: corpus})
		}
	})
	files, _ := source.Collect(paths, source.CollectOptions{WorkingDir: corpus})
	b.Run("decode-and-read", func(b *testing.B) {
		for b.Loop() {
			for _, f := range files {
				docs, _ := source.Decode(f.Data)
				inventory.Read(f.Path, docs)
			}
		}
	})
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			lint.Load(ctx, in)
		}
	})
	_, q := everyRule(b, engine.Options{})
	inv, _ := lint.Load(ctx, in)
	b.Run("evaluate", func(b *testing.B) {
		for b.Loop() {
			if _, err := q.Eval(ctx, lint.Document(inv)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("evaluate-1-worker", func(b *testing.B) {
		_, q1 := everyRule(b, engine.Options{Workers: 1})
		for b.Loop() {
			if _, err := q1.Eval(ctx, lint.Document(inv)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
