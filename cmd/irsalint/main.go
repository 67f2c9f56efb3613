// Command irsalint lints Kubernetes manifests and IAM roles for the ways EKS
// workload identity (IRSA and EKS Pod Identity) breaks or is too loose.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/irsalint/irsalint/cmd/irsalint/internal/initgc"
)

func main() {
	initgc.Resume()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], system{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		Getwd:  os.Getwd,
	})
	stop()
	os.Exit(code)
}
