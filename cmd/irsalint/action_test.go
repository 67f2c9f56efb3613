package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The GitHub Action's scripts, run as the runner would run them: the
// install checks the release archive against checksums.txt (and refuses a
// tampered one), and the run writes SARIF, the job summary and the exit
// code output without failing before the upload.
func TestActionScripts(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "tar", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	root := repoRoot(t)
	tmp := t.TempDir()
	// A release v9.9.9 whose linux/amd64 archive holds a stand-in binary.
	rel := filepath.Join(tmp, "releases", "v9.9.9")
	pkg := filepath.Join(tmp, "pkg", "irsalint_9.9.9_linux_amd64")
	mustWrite(t, filepath.Join(pkg, "irsalint"), "#!/bin/sh\necho stand-in\n", 0o755)
	if err := os.MkdirAll(rel, 0o755); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(rel, "irsalint_9.9.9_linux_amd64.tar.gz")
	if out, err := exec.Command("tar", "-czf", archive, "-C", filepath.Dir(pkg), filepath.Base(pkg)).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	data, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	mustWrite(t, filepath.Join(rel, "checksums.txt"), hex.EncodeToString(sum[:])+"  irsalint_9.9.9_linux_amd64.tar.gz\n", 0o644)

	runner := filepath.Join(tmp, "runner")
	env := func(extra ...string) []string {
		return append(os.Environ(), append([]string{
			"RUNNER_OS=Linux", "RUNNER_ARCH=X64", "RUNNER_TEMP=" + runner,
			"GITHUB_PATH=" + filepath.Join(tmp, "github_path"),
			"GITHUB_OUTPUT=" + filepath.Join(tmp, "github_output"),
			"GITHUB_STEP_SUMMARY=" + filepath.Join(tmp, "summary.md"),
			"IRSALINT_RELEASES=file://" + filepath.Join(tmp, "releases"),
		}, extra...)...)
	}
	install := exec.Command("bash", filepath.Join(root, ".github", "action", "install.sh"))
	install.Env = env("IRSALINT_VERSION=v9.9.9")
	if out, err := install.CombinedOutput(); err != nil || !strings.Contains(string(out), "checksum verified") {
		t.Fatalf("install: %v\n%s", err, out)
	}
	if p, _ := os.ReadFile(filepath.Join(tmp, "github_path")); strings.TrimSpace(string(p)) != filepath.Join(runner, "irsalint-bin") {
		t.Errorf("GITHUB_PATH: %q", p)
	}
	if _, err := os.Stat(filepath.Join(runner, "irsalint-bin", "irsalint")); err != nil {
		t.Errorf("not installed: %v", err)
	}
	// A tampered archive is refused.
	if err := os.WriteFile(archive, append(data, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	install = exec.Command("bash", filepath.Join(root, ".github", "action", "install.sh"))
	install.Env = env("IRSALINT_VERSION=v9.9.9")
	if out, err := install.CombinedOutput(); err == nil || !strings.Contains(string(out), "does not match the release's checksums.txt") {
		t.Errorf("tampered archive: %v\n%s", err, out)
	}

	// The run: a stand-in irsalint that finds something.
	bin := filepath.Join(tmp, "bin")
	mustWrite(t, filepath.Join(bin, "irsalint"), `#!/bin/sh
for a in "$@"; do
  case "$a" in
    sarif=*) echo '{"version":"2.1.0","runs":[]}' > "${a#sarif=}" ;;
    text=*) printf 'sa.yaml:9:5: high role-not-found: ...\n\n1 finding (1 high) in 1 file\n' > "${a#text=}" ;;
  esac
done
exit 1
`, 0o755)
	work := filepath.Join(tmp, "repo")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	run := exec.Command("bash", filepath.Join(root, ".github", "action", "run.sh"))
	run.Dir = work
	run.Env = env("PATH="+bin+":"+os.Getenv("PATH"), "IRSALINT_ARGS=--fail-on high deploy/", "IRSALINT_SARIF=out.sarif")
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	if o, _ := os.ReadFile(filepath.Join(tmp, "github_output")); !strings.Contains(string(o), "exit-code=1") {
		t.Errorf("GITHUB_OUTPUT: %q", o)
	}
	if s, _ := os.ReadFile(filepath.Join(tmp, "summary.md")); !strings.Contains(string(s), "Findings at or above the gate.") || !strings.Contains(string(s), "1 finding (1 high)") {
		t.Errorf("summary: %q", s)
	}
	if _, err := os.Stat(filepath.Join(work, "out.sarif")); err != nil {
		t.Errorf("SARIF: %v", err)
	}
}

func mustWrite(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
}
