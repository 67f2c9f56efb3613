package rules_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
)

// TestRegoFormatted keeps every .rego file in `opa fmt` form. Run with
// IRSALINT_REGOFMT=write to rewrite the files in place.
func TestRegoFormatted(t *testing.T) {
	write := os.Getenv("IRSALINT_REGOFMT") == "write"
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out, err := format.SourceWithOpts(p, src, format.Opts{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		if !bytes.Equal(out, src) {
			if write {
				return os.WriteFile(p, out, 0o644)
			}
			t.Errorf("rules/%s is not formatted (IRSALINT_REGOFMT=write go test ./rules -run TestRegoFormatted fixes it)", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
