package main

import (
	"os"
	"testing"

	"github.com/irsalint/irsalint/analyzer/kube/kubetest"
)

// The audit tests share one real kube-apiserver, started on first use.
func TestMain(m *testing.M) { os.Exit(kubetest.Main(m)) }
