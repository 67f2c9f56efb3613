package main

import (
	"os"
	"testing"

	"github.com/irsalint/irsalint/analyzer/kube/kubetest"
	"github.com/irsalint/irsalint/cmd/irsalint/internal/initgc"
)

// The audit tests share one real kube-apiserver, started on first use.
// The tests call run, not main, so they resume the collector here.
func TestMain(m *testing.M) {
	initgc.Resume()
	os.Exit(kubetest.Main(m))
}
