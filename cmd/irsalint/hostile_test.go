package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// hostileRepo copies testdata/hostile/repo into a temporary folder, with
// LISTENER replaced by addr.
func hostileRepo(t *testing.T, addr string) string {
	t.Helper()
	src := filepath.Join(repoRoot(t), "testdata", "hostile", "repo")
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, bytes.ReplaceAll(b, []byte("LISTENER"), []byte(addr)), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// listener accepts connections on loopback and counts them; the sandbox
// must keep it at zero.
func listener(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String(), &n
}

// within fails the test when f takes longer than limit.
func within(t *testing.T, limit time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("did not finish within %v", limit)
	}
}

// TestHostileRepository: each thing an outsider can put in a repository
// gets a clear error or notice, exit code 2 where the analysis cannot be
// trusted, no network, nothing outside the tree, and a result that does not
// depend on the order of arguments.
func TestHostileRepository(t *testing.T) {
	t.Parallel()
	addr, connections := listener(t)
	dir := hostileRepo(t, addr)

	t.Run("rules that reach the network do not compile", func(t *testing.T) {
		r := runIn(t, dir, "", "lint", ".")
		if r.code != exitError {
			t.Fatalf("exit code %d, want %d; stderr:\n%s", r.code, exitError, r.stderr)
		}
		for _, want := range []string{
			`policy/exfil/rule.rego:13:10: rule "exfil" calls http.send, which irsalint does not allow`,
			`policy/exfil/rule.rego:16:16: rule "exfil" calls opa.runtime, which irsalint does not allow`,
			`policy/dns/rule.rego:13:2: rule "dns" calls net.lookup_ip_addr, which irsalint does not allow`,
		} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
			}
		}
	})

	t.Run("a rule that never ends is stopped and named", func(t *testing.T) {
		slow := filepath.Join(repoRoot(t), "testdata", "hostile", "slow")
		var r cliResult
		within(t, time.Minute, func() {
			r = runIn(t, dir, "", "lint", "--no-config", "--rules", slow, "--timeout", "2s", "manifests/a.yaml")
		})
		if r.code != exitError || !strings.Contains(r.stderr, `the analysis stopped at the --timeout of 2s while evaluating rule "never-ends"`) {
			t.Errorf("exit code %d; stderr:\n%s", r.code, r.stderr)
		}
		within(t, time.Minute, func() {
			r = runIn(t, dir, "", "lint", "--no-config", "--rules", slow, "--timeout", "0", "--memory-limit", "300MiB", "manifests/a.yaml")
		})
		if r.code != exitError || !strings.Contains(r.stderr, `the analysis stopped at the --memory-limit of 300 MiB while evaluating rule "never-ends"`) {
			t.Errorf("exit code %d; stderr:\n%s", r.code, r.stderr)
		}
	})

	t.Run("a link to the root of the host reads nothing of it", func(t *testing.T) {
		tree := t.TempDir()
		for _, l := range [][2]string{{"/", "root"}, {"/etc", "etc"}, {"/etc/hostname", "hostname.yaml"}} {
			if err := os.Symlink(l[0], filepath.Join(tree, l[1])); err != nil {
				t.Fatal(err)
			}
		}
		var r cliResult
		within(t, 30*time.Second, func() { r = runIn(t, tree, "", "lint", "--no-config", "-f", "json", ".") })
		if !strings.Contains(r.stdout, `"files": 0`) {
			t.Errorf("files were read:\n%s", r.stdout)
		}
		if n := strings.Count(r.stderr, "notice: not followed: symbolic link to "); n != 3 {
			t.Errorf("%d notices, want one per link:\n%s", n, r.stderr)
		}
	})

	t.Run("a configuration that is a pipe", func(t *testing.T) {
		tree := t.TempDir()
		if err := syscall.Mkfifo(filepath.Join(tree, ".irsalint.yaml"), 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		var r cliResult
		within(t, 30*time.Second, func() { r = runIn(t, tree, "", "lint", ".") })
		if r.code != exitError || !strings.Contains(r.stderr, ".irsalint.yaml: not a regular file; a configuration must be one") {
			t.Errorf("exit code %d; stderr:\n%s", r.code, r.stderr)
		}
	})

	t.Run("the report is never written over an input", func(t *testing.T) {
		before, _ := os.ReadFile(filepath.Join(dir, "manifests", "b.yaml"))
		// Another name of the same file: a hard link, a symbolic link.
		hard, soft := filepath.Join(t.TempDir(), "hard.yaml"), filepath.Join(t.TempDir(), "soft.yaml")
		if err := os.Link(filepath.Join(dir, "manifests", "b.yaml"), hard); err != nil {
			t.Skipf("link: %v", err)
		}
		if err := os.Symlink(filepath.Join(dir, "manifests", "b.yaml"), soft); err != nil {
			t.Skipf("symlink: %v", err)
		}
		for _, args := range [][]string{
			{"lint", "--no-config", "-o", "manifests/b.yaml", "manifests/b.yaml"},
			{"lint", "--no-config", "-o", "./manifests//b.yaml", "manifests/"},
			{"lint", "--no-config", "-o", hard, "manifests/"},
			{"lint", "--no-config", "-o", soft, "manifests/"},
		} {
			r := runIn(t, dir, "", args...)
			if r.code != exitError || !strings.Contains(r.stderr, "is also an input") {
				t.Errorf("%q: exit code %d; stderr:\n%s", args, r.code, r.stderr)
			}
		}
		after, _ := os.ReadFile(filepath.Join(dir, "manifests", "b.yaml"))
		if !bytes.Equal(before, after) {
			t.Error("the input was changed")
		}
	})

	t.Run("the order of arguments decides nothing", func(t *testing.T) {
		ab := runIn(t, dir, "", "lint", "--no-config", "-f", "json", "manifests/a.yaml", "manifests/b.yaml")
		ba := runIn(t, dir, "", "lint", "--no-config", "-f", "json", "manifests/b.yaml", "manifests/a.yaml")
		if ab.code != exitFindings || ab.code != ba.code || ab.stdout != ba.stdout || ab.stderr != ba.stderr {
			t.Errorf("a b: exit %d\n%s\nb a: exit %d\n%s", ab.code, ab.stdout, ba.code, ba.stdout)
		}
		for _, want := range []string{`"rule": "conflicting-duplicate"`, `"rule": "role-arn-invalid"`} {
			if !strings.Contains(ab.stdout, want) {
				t.Errorf("no %s finding:\n%s", want, ab.stdout)
			}
		}
	})

	if n := connections.Load(); n != 0 {
		t.Errorf("the listener saw %d connections", n)
	}
}
