package lint_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/lint"
)

// TestLinter: the builder reads the configuration found upward, applies its
// severity overrides once (to the rules and to their findings), and lets
// flags win.
func TestLinter(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".irsalint.yaml", "rules:\n  severity:\n    role-arn-invalid: low\n")
	write("deploy/sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: shop\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::1234:role/api\n")
	ctx := context.Background()
	l := lint.New(lint.Options{Paths: []string{"deploy"}, WorkingDir: dir, Enable: []string{"role-arn-invalid"}})
	if err := l.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := l.Run(ctx)
	if err != nil || res.Incomplete != nil {
		t.Fatalf("Run: %v, %v", err, res.Incomplete)
	}
	if len(res.Rules) != 1 || res.Rules[0].ID != "role-arn-invalid" || res.Rules[0].Severity != analyzer.SeverityLow {
		t.Errorf("rules %+v", res.Rules)
	}
	if len(res.Findings) != 1 || res.Findings[0].Severity != analyzer.SeverityLow || res.Findings[0].Location.File != "deploy/sa.yaml" {
		t.Errorf("findings %+v", res.Findings)
	}

	// A flag value that is not valid is a FlagError; a configuration
	// value, an error at its line.
	var fe *lint.FlagError
	if err := lint.New(lint.Options{WorkingDir: dir, Region: "mars"}).Prepare(ctx); !errors.As(err, &fe) || fe.Flag != "region" {
		t.Errorf("bad flag: %v", err)
	}
	write(".irsalint.yaml", "cluster:\n  region: mars\n")
	if err := lint.New(lint.Options{WorkingDir: dir}).Prepare(ctx); err == nil || errors.As(err, &fe) || err.Error() != `.irsalint.yaml:2:3: cluster.region: invalid AWS region "mars" (e.g. us-west-2)` {
		t.Errorf("bad configuration: %v", err)
	}
	if _, err := lint.New(lint.Options{WorkingDir: dir}).Run(ctx); err == nil {
		t.Error("Run before Prepare")
	}
}
