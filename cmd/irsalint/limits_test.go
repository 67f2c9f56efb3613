package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLimitFlagsRejectNonsense(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--max-file-size", "1e30"}, {"--max-file-size", "NaN"}, {"--max-file-size", "Inf"},
		{"--max-file-size", "0.5B"}, {"--max-file-size", "99999999999999999999999"}, {"--max-file-size", "0"},
		{"--max-total-size", "-1"}, {"--max-files", "0"}, {"--max-files", "1.5"},
		{"--timeout", "soon"}, {"--timeout", "-1s"}, {"--memory-limit", "lots"}, {"--max-findings", "-3"},
	} {
		r := runCLI(t, "", append([]string{"lint"}, append(args, "examples/")...)...)
		if r.code != exitError || !strings.Contains(r.stderr, "irsalint: "+args[0]+": ") {
			t.Errorf("%q: exit %d, stderr %s", args, r.code, r.stderr)
		}
	}
}

// TestConfigurationLimitsOnlyLower: a repository's configuration can make a
// limit stricter, never looser.
func TestConfigurationLimitsOnlyLower(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: b}\n")
	for _, c := range []struct{ config, want string }{
		{"limits:\n  timeout: 2h\n", ".irsalint.yaml:2:3: limits.timeout: 2h0m0s is above the limit in force; a configuration file can only lower limits (raise them with the flag)"},
		{"limits:\n  maxFileSize: 1GiB\n", ".irsalint.yaml:2:3: limits.maxFileSize: 1 GiB is above the limit in force"},
		{"limits:\n  maxFiles: 1000000\n", ".irsalint.yaml:2:3: limits.maxFiles: 1000000 is above the limit in force"},
		{"limits:\n  memory: 64GiB\n", ".irsalint.yaml:2:3: limits.memory: 64 GiB is above the limit in force"},
	} {
		write(".irsalint.yaml", c.config)
		r := runIn(t, dir, "", "lint", ".")
		if r.code != exitError || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %s", c.config, r.code, r.stderr)
		}
	}
	// Lower is fine; the file is then too large for the configuration's cap.
	write(".irsalint.yaml", "limits:\n  maxFileSize: 10B\n")
	r := runIn(t, dir, "", "lint", ".")
	if r.code != exitError || !strings.Contains(r.stderr, "sa.yaml: error: file is 70 bytes, larger than the 10 bytes limit") {
		t.Errorf("lowered cap: exit %d, stderr %s", r.code, r.stderr)
	}
	// The flag wins over the configuration.
	r = runIn(t, dir, "", "lint", "--max-file-size", "1KiB", ".")
	if r.code != exitOK {
		t.Errorf("flag over configuration: exit %d, stderr %s", r.code, r.stderr)
	}
}

func TestMaxFindings(t *testing.T) {
	t.Parallel()
	all := runCLI(t, "", "lint", "-f", "json", "--max-findings", "0", "examples/")
	capped := runCLI(t, "", "lint", "-f", "json", "--max-findings", "2", "examples/")
	if all.code != exitFindings || capped.code != exitFindings {
		t.Fatalf("exit codes %d, %d", all.code, capped.code)
	}
	n := strings.Count(all.stdout, `"fingerprint"`)
	if got := strings.Count(capped.stdout, `"fingerprint"`); got != 2 || n <= 2 {
		t.Fatalf("%d findings capped, %d in all", got, n)
	}
	if want := fmt.Sprintf("notice: %d more findings (at most ", n-2); !strings.Contains(capped.stderr, want) {
		t.Errorf("stderr %q lacks %q", capped.stderr, want)
	}
	if strings.Count(capped.stdout, `"severity": "critical"`) != 1 || !strings.Contains(capped.stdout, `"severity": "high"`) {
		t.Errorf("not the most severe kept:\n%s", capped.stdout)
	}
	// Omitted findings still fail the gate.
	only := runCLI(t, "", "lint", "--max-findings", "1", "--fail-on", "low", "examples/")
	if only.code != exitFindings {
		t.Errorf("exit code %d", only.code)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestFailedWriteKeepsTheReport: a report that cannot be written whole
// leaves the previous one and no temporary file, and the error names the
// user's path.
func TestFailedWriteKeepsTheReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "report.sarif")
	if err := os.WriteFile(path, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := openOutput(path, "report.sarif", system{})
	if err != nil {
		t.Fatal(err)
	}
	out.w = failingWriter{}
	if _, err := out.Write([]byte("new")); err == nil {
		t.Fatal("the write did not fail")
	}
	err = out.commit()
	if err == nil || err.Error() != "writing report.sarif: no space left on device (the previous file, if any, is unchanged)" {
		t.Errorf("commit: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "previous" {
		t.Errorf("report is %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left in the folder: %v", entries)
	}
}

// More findings than GitHub keeps per run: the SARIF log holds the
// --max-findings most severe, and a run notification says what was cut.
// 30,000 findings take seconds; under -race the same is proved with 300.
func TestSARIFAtScale(t *testing.T) {
	n, limit := 30000, ""
	if raceDetector {
		n, limit = 300, "200"
	}
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-%d\n  namespace: ns\n  annotations:\n    eks.amazonaws.com/role-arn: not-an-arn-%d\n", i, i)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "many.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"lint", "--no-config", "-f", "sarif", "many.yaml"}
	want := 20000 // the default, under GitHub's 25,000 results per run
	if limit != "" {
		args = append(args, "--max-findings", limit)
		want = 200
	}
	r := runIn(t, dir, "", args...)
	var log struct {
		Runs []struct {
			Results     []json.RawMessage `json:"results"`
			Invocations []struct {
				Notifications []struct {
					Message struct{ Text string } `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("exit %d: %v\n%.500s", r.code, err, r.stderr)
	}
	run := log.Runs[0]
	if len(run.Results) != want {
		t.Errorf("%d results, want %d", len(run.Results), want)
	}
	cut := fmt.Sprintf("%d more findings (at most high) not reported", n-want)
	found := false
	for _, n := range run.Invocations[0].Notifications {
		found = found || strings.Contains(n.Message.Text, cut)
	}
	if !found || !strings.Contains(r.stderr, cut) {
		t.Errorf("no notification %q\n%s", cut, r.stderr)
	}
}
