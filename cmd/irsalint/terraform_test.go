package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// lintJSON runs lint on args and decodes the JSON report.
func lintJSON(t *testing.T, wantCode int, args ...string) (jsonReport, string) {
	t.Helper()
	root := repoRoot(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"lint", "--format", "json", "--fail-on", "none"}, args...), testSystem(root, "", &stdout, &stderr))
	if code != wantCode {
		t.Fatalf("exit code %d, want %d; stderr:\n%s", code, wantCode, stderr.String())
	}
	var rep jsonReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("JSON report: %v\n%s", err, stdout.String())
	}
	return rep, stderr.String()
}

// The acceptance of Terraform rendering: a ServiceAccount joined to a role
// of the same module (or of the IRSA module, the ServiceAccount rendered
// from a Helm chart) is reported at its annotation (the values line for
// the chart), with the condition that refuses it as the related location.
func TestTerraformTrustDoesNotAdmitRelated(t *testing.T) {
	for _, c := range []struct {
		dir, at, related string
		flags            []string
	}{
		{"testdata/rules/trust-does-not-admit-sa/fail-terraform-same-module", "main.tf:55", "main.tf:33", nil},
		{"testdata/rules/trust-does-not-admit-sa/fail-terraform-jsonencode", "main.tf:37", "main.tf:25", nil},
		{"testdata/rules/trust-does-not-admit-sa/fail-terraform-irsa-module-namespace", "chart/values.yaml:6", "main.tf:15", []string{"--release-namespace", "kube-system"}},
	} {
		t.Run(c.dir, func(t *testing.T) {
			rep, _ := lintJSON(t, exitOK, append(c.flags, c.dir)...)
			var f *jsonFinding
			for i := range rep.Findings {
				if rep.Findings[i].Rule == "trust-does-not-admit-sa" {
					f = &rep.Findings[i]
				}
			}
			if f == nil {
				t.Fatalf("no trust-does-not-admit-sa in %+v", rep.Findings)
			}
			if got := f.Location.File + ":" + itoa(f.Location.Line); got != c.dir+"/"+c.at {
				t.Errorf("finding at %s, want %s/%s", got, c.dir, c.at)
			}
			if len(f.Related) == 0 {
				t.Fatal("no related location")
			}
			if got := f.Related[0].Location.File + ":" + itoa(f.Related[0].Location.Line); got != c.dir+"/"+c.related {
				t.Errorf("related at %s, want %s/%s", got, c.dir, c.related)
			}
		})
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// A Terraform file that does not parse is an error at its line (exit 2);
// the rest of the scan is still linted.
func TestTerraformSyntaxError(t *testing.T) {
	root := repoRoot(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"lint", "--format", "json", "--fail-on", "none", "testdata/cli/terraform-syntax"}, testSystem(root, "", &stdout, &stderr))
	if code != exitError {
		t.Fatalf("exit code %d, want %d", code, exitError)
	}
	if !strings.Contains(stderr.String(), "testdata/cli/terraform-syntax/main.tf:1:34: error: Unclosed configuration block") {
		t.Errorf("stderr does not place the syntax error:\n%s", stderr.String())
	}
	var rep jsonReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Rule != "role-arn-invalid" {
		t.Errorf("the YAML beside the broken module was not linted: %+v", rep.Findings)
	}
}

// identities joins a Terraform ServiceAccount to the Terraform role its
// annotation references.
func TestTerraformIdentities(t *testing.T) {
	root := repoRoot(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"identities", "--format", "json", "testdata/cli/terraform-identities"}, testSystem(root, "", &stdout, &stderr))
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr.String())
	}
	var doc struct{ Identities []identityRow }
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	rows := doc.Identities
	if len(rows) != 1 || rows[0].RoleARN == nil || *rows[0].RoleARN != "arn:aws:iam::210987654321:role/checkout-api" || rows[0].Verdict != "will-be-denied" {
		t.Errorf("rows = %+v", rows)
	}
}
