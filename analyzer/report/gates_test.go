package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestGitLabMatchesItsSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	sch, err := c.Compile("testdata/gitlab-codequality.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]*Report{"findings": fixture(), "empty": emptyFixture()} {
		var buf bytes.Buffer
		if err := GitLab(&buf, r, Options{}); err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(doc); err != nil {
			t.Errorf("%s: %v\n%s", name, err, buf.String())
		}
		var issues []map[string]any
		if err := json.Unmarshal(buf.Bytes(), &issues); err != nil || len(issues) != len(r.Findings) {
			t.Errorf("%s: %d issues for %d findings (%v)", name, len(issues), len(r.Findings), err)
		}
	}
	var buf bytes.Buffer
	if err := GitLab(&buf, fixture(), Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"severity": "blocker"`, `"path": "deploy/app.yaml"`, `"check_name": "role-arn-invalid"`, `"fingerprint": "e07b35c19a4d2f6b"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("want %s in\n%s", want, buf.String())
		}
	}
}

func TestJUnit(t *testing.T) {
	for name, r := range map[string]*Report{"findings": fixture(), "empty": emptyFixture()} {
		var buf bytes.Buffer
		if err := JUnit(&buf, r, Options{}); err != nil {
			t.Fatal(err)
		}
		var doc junitSuites
		if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cases, failures, errs := 0, 0, 0
		for _, s := range doc.Suites {
			if s.Tests != len(s.Cases) {
				t.Errorf("%s: suite %s says %d tests, has %d", name, s.Name, s.Tests, len(s.Cases))
			}
			for _, c := range s.Cases {
				cases++
				if c.Failure != nil {
					failures++
				}
				if c.Error != nil {
					errs++
				}
			}
		}
		wantErrors := 0
		for _, d := range r.Diagnostics {
			if d.Level == "error" {
				wantErrors++
			}
		}
		if failures != len(r.Findings) || errs != wantErrors || doc.Tests != cases || doc.Failures != failures || doc.Errors != errs || cases == 0 {
			t.Errorf("%s: %d cases, %d failures, %d errors (totals %d/%d/%d)\n%s", name, cases, failures, errs, doc.Tests, doc.Failures, doc.Errors, buf.String())
		}
		validateXSD(t, name, buf.Bytes())
	}
}

// validateXSD checks the document against testdata/junit.xsd with xmllint
// (Debian's libxml2-utils), which CI installs; IRSALINT_XMLLINT_REQUIRED=1
// makes its absence a failure rather than a skip.
func validateXSD(t *testing.T, name string, doc []byte) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("IRSALINT_XMLLINT_REQUIRED") == "1" {
			t.Fatal("xmllint is not installed (apt-get install libxml2-utils)")
		}
		t.Log("xmllint is not installed: the JUnit XML is checked by structure only")
		return
	}
	p := filepath.Join(t.TempDir(), name+".xml")
	if err := os.WriteFile(p, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", "testdata/junit.xsd", p).CombinedOutput()
	if err != nil {
		t.Errorf("%s: xmllint: %v\n%s", name, err, out)
	}
}
