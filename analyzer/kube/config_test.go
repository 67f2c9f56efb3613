package kube

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeKubeconfig writes a kubeconfig with one context, "dev", for server.
func writeKubeconfig(t *testing.T, server string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config")
	cfg := `apiVersion: v1
kind: Config
clusters:
- name: dev
  cluster:
    server: ` + server + `
users:
- name: dev
  user:
    token: not-a-real-token
contexts:
- name: dev
  context:
    cluster: dev
    user: dev
current-context: dev
`
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The configuration errors say which kubeconfig and context, since a user
// with several of each otherwise cannot tell what was read.
func TestCollectConfigErrors(t *testing.T) {
	// A port nothing listens on: taken, then released.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "https://" + l.Addr().String()
	l.Close()
	kubeconfig := writeKubeconfig(t, dead)
	missing := filepath.Join(t.TempDir(), "no-such-config")

	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"unknown context", Options{Kubeconfig: kubeconfig, Context: "prod-eu"}, []string{kubeconfig, `context "prod-eu" does not exist`}},
		{"missing kubeconfig", Options{Kubeconfig: missing}, []string{missing}},
		{"unreachable server", Options{Kubeconfig: kubeconfig}, []string{kubeconfig, `context "dev"`, dead}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			snap, err := Collect(ctx, tt.opts)
			if err == nil {
				t.Fatalf("no error; snapshot %+v", snap)
			}
			t.Log(err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
