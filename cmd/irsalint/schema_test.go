package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestInventoryMatchesItsSchema: the inventory is a published contract;
// what `irsalint inventory` prints for the example, every fixture and every
// scenario validates against docs/inventory.schema.json, which admits no
// field it does not describe.
func TestInventoryMatchesItsSchema(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	c := jsonschema.NewCompiler()
	f, err := os.Open(filepath.Join(root, "docs", "inventory.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("inventory.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("inventory.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	targets := [][]string{{"examples"}, {"--oidc-issuer", "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE", "--kubernetes-version", "1.29", "testdata/rules"}, {"testdata/scenarios"}}
	for _, args := range targets {
		r := runCLI(t, "", append([]string{"inventory", "--no-config"}, args...)...)
		if r.stdout == "" {
			t.Fatalf("%v: no output; stderr %s", args, r.stderr)
		}
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(r.stdout))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(v); err != nil {
			t.Errorf("%v: the inventory does not match docs/inventory.schema.json:\n%v", args, err)
		}
		var m map[string]any
		_ = json.Unmarshal([]byte(r.stdout), &m)
		if len(m["workloads"].([]any)) == 0 && args[0] != "testdata/scenarios" {
			t.Errorf("%v: no workloads to validate", args)
		}
	}
	// The schema can fail: a field it does not describe is refused.
	bad := strings.Replace(runCLI(t, "", "inventory", "--no-config", "examples").stdout, `"schemaVersion": 1`, `"schemaVersion": 1, "surprise": true`, 1)
	v, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
	if schema.Validate(v) == nil {
		t.Error("an unknown top-level field passed")
	}
}

// TestReportMatchesItsSchema: the JSON report is a published contract too;
// docs/report.schema.json admits no field it does not describe.
func TestReportMatchesItsSchema(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	f, err := os.Open(filepath.Join(root, "docs", "report.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("report.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"examples"},
		{"--no-config", "testdata/cli/misc"},
		{"--no-config", "testdata/rules/conflicting-duplicate", "testdata/rules/role-not-found/fail-helm"},
	} {
		r := runCLI(t, "", append([]string{"lint", "-f", "json", "--max-findings", "0"}, args...)...)
		report, err := jsonschema.UnmarshalJSON(strings.NewReader(r.stdout))
		if err != nil {
			t.Fatalf("%v: %v\n%.300s", args, err, r.stdout)
		}
		if err := schema.Validate(report); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}
}
