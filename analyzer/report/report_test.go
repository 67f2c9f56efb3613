package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/report/sariftest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

type goldenCase struct {
	file   string
	format string
	report func() *Report
	opts   Options
}

var goldenCases = []goldenCase{
	{"report.txt", "text", fixture, Options{}},
	{"report.color.txt", "text", fixture, Options{Color: true}},
	{"report.json", "json", fixture, Options{}},
	{"report.sarif", "sarif", fixture, Options{}},
	{"report.github.txt", "github", fixture, Options{}},
	{"empty.txt", "text", emptyFixture, Options{}},
	{"empty.json", "json", emptyFixture, Options{}},
	{"empty.sarif", "sarif", emptyFixture, Options{}},
}

func render(t *testing.T, format string, r *Report, opts Options) []byte {
	t.Helper()
	rep, ok := Reporters[format]
	if !ok {
		t.Fatalf("no reporter %q", format)
	}
	var buf bytes.Buffer
	if err := rep(&buf, r, opts); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.file, func(t *testing.T) {
			got := render(t, c.format, c.report(), c.opts)
			golden := filepath.Join("testdata", c.file)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", golden, firstDiff(want, got))
			}
		})
	}
}

// firstDiff describes the first line where two outputs differ.
func firstDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl || i >= len(w) || i >= len(g) {
			return fmt.Sprintf("line %d:\nwant %q\ngot  %q", i+1, wl, gl)
		}
	}
	return "(same lines, different bytes)"
}

// Every SARIF golden file, and SARIF rendered now, is schema-valid and keeps
// GitHub's rules.
func TestSARIFValid(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.sarif"))
	if err != nil || len(files) < 2 {
		t.Fatalf("want at least 2 golden SARIF files, got %v (%v)", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			sariftest.Validate(t, b)
		})
	}
	for name, r := range map[string]*Report{"fixture": fixture(), "empty": emptyFixture(), "zero": {}} {
		t.Run("fresh-"+name, func(t *testing.T) {
			sariftest.Validate(t, render(t, "sarif", r, Options{}))
		})
	}
}

func TestSARIFContent(t *testing.T) {
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					SemanticVersion string `json:"semanticVersion"`
					Rules           []struct {
						ID                   string `json:"id"`
						Name                 string `json:"name"`
						DefaultConfiguration struct {
							Level string `json:"level"`
						} `json:"defaultConfiguration"`
						Properties struct {
							SecuritySeverity string `json:"security-severity"`
						} `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			AutomationDetails  struct{ ID string } `json:"automationDetails"`
			OriginalURIBaseIDs map[string]struct {
				URI string `json:"uri"`
			} `json:"originalUriBaseIds"`
			Invocations []struct {
				ExecutionSuccessful bool `json:"executionSuccessful"`
			} `json:"invocations"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Locations           []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
						Region *struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				RelatedLocations []struct {
					ID int `json:"id"`
				} `json:"relatedLocations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(render(t, "sarif", fixture(), Options{}), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	// The 4 enabled rules, then the graded descriptor of the low finding of
	// a rule that defaults to medium, with that grade's security severity.
	if got := len(run.Tool.Driver.Rules); got != 5 {
		t.Fatalf("rules: got %d descriptors, want all 4 enabled rules and 1 graded", got)
	}
	if got := run.Tool.Driver.Rules[4]; got.ID != "node-role-fallback/low" || got.Name != "NodeRoleFallbackLow" ||
		got.Properties.SecuritySeverity != "3.0" || got.DefaultConfiguration.Level != "note" {
		t.Errorf("graded descriptor: %+v", got)
	}
	if got := run.Tool.Driver.Rules[2]; got.ID != "role-arn-invalid" || got.Name != "RoleArnInvalid" {
		t.Errorf("rule 2: got id %q name %q", got.ID, got.Name)
	}
	if got := run.Tool.Driver.SemanticVersion; got != "0.4.0" {
		t.Errorf("semanticVersion = %q, want 0.4.0", got)
	}
	if got := run.AutomationDetails.ID; got != "irsalint/manifests/" {
		t.Errorf("automationDetails.id = %q", got)
	}
	if got := run.OriginalURIBaseIDs["%SRCROOT%"].URI; got != "file:///home/runner/work/app/app/" {
		t.Errorf("%%SRCROOT%% = %q", got)
	}
	if run.Invocations[0].ExecutionSuccessful {
		t.Error("executionSuccessful is true despite an error diagnostic")
	}
	res := run.Results
	if len(res) != 5 {
		t.Fatalf("got %d results, want 5", len(res))
	}
	type loc struct {
		uri, base string
		line, col int
	}
	wantLocs := []loc{
		{"file:///opt/shared/iam/trust.json", "", 14, 11},
		{"deploy/app.yaml", "%SRCROOT%", 10, 7},
		{"deploy/app.yaml", "%SRCROOT%", 42, 7},
		{"deploy/my%20app/sa.yaml", "%SRCROOT%", 7, 5},
		{"jobs/cleanup.yaml", "%SRCROOT%", 12, 0},
	}
	for i, w := range wantLocs {
		pl := res[i].Locations[0].PhysicalLocation
		got := loc{uri: pl.ArtifactLocation.URI, base: pl.ArtifactLocation.URIBaseID}
		if pl.Region != nil {
			got.line, got.col = pl.Region.StartLine, pl.Region.StartColumn
		}
		if got != w {
			t.Errorf("result %d location: got %+v, want %+v", i, got, w)
		}
	}
	if a, b := res[1].PartialFingerprints["primaryLocationLineHash"], res[2].PartialFingerprints["primaryLocationLineHash"]; a != "51d0a7c3e9b2f486" || b != "51d0a7c3e9b2f486:2" {
		t.Errorf("duplicate fingerprints: got %q and %q, want the second suffixed :2", a, b)
	}
	if got := []string{res[0].Level, res[1].Level, res[3].Level, res[4].Level}; !slices.Equal(got, []string{"error", "warning", "error", "note"}) {
		t.Errorf("levels: got %v (the graded low finding must be a note though its rule defaults to warning)", got)
	}
	if got := res[3].RelatedLocations; len(got) != 2 || got[0].ID != 1 || got[1].ID != 2 {
		t.Errorf("related locations: got %+v, want ids 1 and 2", got)
	}
	if got := res[3].Message.Text; !strings.HasSuffix(got, " Related: [1](1), [2](2).") {
		t.Errorf("message does not link its related locations: %q", got)
	}
	if res[4].RuleID != "node-role-fallback/low" || res[4].RuleIndex != 4 {
		t.Errorf("graded result: ruleId %q ruleIndex %d", res[4].RuleID, res[4].RuleIndex)
	}
}

// The GitHub checks must be able to fail: break a valid log in each way they
// look for, and expect the matching complaint.
func TestSariftestCatchesProblems(t *testing.T) {
	good := render(t, "sarif", fixture(), Options{})
	if errs := sariftest.Check(good); len(errs) > 0 {
		t.Fatalf("the fixture is not valid to start with: %v", errs)
	}
	type doc = map[string]any
	run := func(d doc) doc { return d["runs"].([]any)[0].(doc) }
	rule := func(d doc, i int) doc {
		return run(d)["tool"].(doc)["driver"].(doc)["rules"].([]any)[i].(doc)
	}
	result := func(d doc, i int) doc { return run(d)["results"].([]any)[i].(doc) }
	physical := func(d doc, i int) doc {
		return result(d, i)["locations"].([]any)[0].(doc)["physicalLocation"].(doc)
	}
	cases := []struct {
		name   string
		break_ func(doc)
		want   string
	}{
		{"name equals id", func(d doc) { rule(d, 0)["name"] = rule(d, 0)["id"] }, "equals the id"},
		{"numeric security-severity", func(d doc) { rule(d, 0)["properties"].(doc)["security-severity"] = 5.5 }, "must be a string"},
		{"security-severity out of range", func(d doc) { rule(d, 0)["properties"].(doc)["security-severity"] = "11" }, "not a number in (0, 10]"},
		{"empty help", func(d doc) { rule(d, 1)["help"].(doc)["text"] = "" }, "help.text is empty"},
		{"no results key", func(d doc) { delete(run(d), "results") }, "results key is missing"},
		{"ruleIndex off", func(d doc) { result(d, 0)["ruleIndex"] = 1 }, "points at"},
		{"level mismatch", func(d doc) { result(d, 4)["level"] = "warning" }, `want "note" for severity low`},
		{"no locations", func(d doc) { result(d, 0)["locations"] = []any{map[string]any{"id": 1}} }, "no physicalLocation"},
		{"startLine 0", func(d doc) { physical(d, 1)["region"].(doc)["startLine"] = 0 }, "startLine >= 1"},
		{"raw space in uri", func(d doc) { physical(d, 3)["artifactLocation"].(doc)["uri"] = "deploy/my app/sa.yaml" }, "not percent-encoded"},
		{"absolute path uri", func(d doc) { physical(d, 1)["artifactLocation"].(doc)["uri"] = "/home/x/a.yaml" }, "absolute path without a scheme"},
		{"https uri", func(d doc) { physical(d, 1)["artifactLocation"].(doc)["uri"] = "https://example.com/a.yaml" }, "neither relative nor file://"},
		{"duplicate fingerprint", func(d doc) {
			result(d, 2)["partialFingerprints"] = result(d, 1)["partialFingerprints"]
		}, "repeats results/1"},
		{"missing fingerprint", func(d doc) { delete(result(d, 0), "partialFingerprints") }, "primaryLocationLineHash is missing"},
		{"-1 sentinel", func(d doc) { physical(d, 1)["region"].(doc)["startColumn"] = -1 }, "negative number"},
		{"null", func(d doc) { result(d, 0)["properties"] = nil }, "null"},
		{"empty array", func(d doc) { run(d)["invocations"].([]any)[0].(doc)["toolExecutionNotifications"] = []any{} }, "empty array"},
		{"wrong version", func(d doc) { d["version"] = "2.0.0" }, "schema: /version"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var d doc
			if err := json.Unmarshal(good, &d); err != nil {
				t.Fatal(err)
			}
			c.break_(d)
			bad, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			errs := sariftest.Check(bad)
			for _, e := range errs {
				if strings.Contains(e.Error(), c.want) {
					return
				}
			}
			t.Errorf("want a complaint containing %q, got %v", c.want, errs)
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, format := range Names() {
		for _, opts := range []Options{{}, {Color: true}} {
			a := render(t, format, fixture(), opts)
			b := render(t, format, fixture(), opts)
			if !bytes.Equal(a, b) {
				t.Errorf("%s (color %v): two renderings differ:\n%s", format, opts.Color, firstDiff(a, b))
			}
		}
	}
}

func TestJSONEmptyArrays(t *testing.T) {
	got := string(render(t, "json", &Report{}, Options{}))
	for _, want := range []string{`"findings": []`, `"diagnostics": []`, `"objects": {}`, `"failOn": "none"`} {
		if !strings.Contains(got, want) {
			t.Errorf("JSON of an empty report lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "null") {
		t.Errorf("JSON of an empty report has a null:\n%s", got)
	}
	if !strings.HasSuffix(got, "}\n") {
		t.Error("JSON does not end with a newline")
	}
	sarif := string(render(t, "sarif", &Report{}, Options{}))
	if !strings.Contains(sarif, `"results": []`) || strings.Contains(sarif, "null") {
		t.Errorf("SARIF of an empty report: want results [] and no null:\n%s", sarif)
	}
}

func TestNames(t *testing.T) {
	want := []string{"github", "gitlab", "json", "junit", "sarif", "text"}
	if got := Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
}

func TestTextColor(t *testing.T) {
	plain := render(t, "text", fixture(), Options{})
	if bytes.ContainsRune(plain, '\x1b') {
		t.Error("text without colour has an escape code")
	}
	color := string(render(t, "text", fixture(), Options{Color: true}))
	for _, want := range []string{
		"\x1b[1;31mcritical\x1b[0m", "\x1b[31mhigh\x1b[0m", "\x1b[33mmedium\x1b[0m", "\x1b[36mlow\x1b[0m",
		"\x1b[1mjobs/cleanup.yaml:12\x1b[0m: ",
	} {
		if !strings.Contains(color, want) {
			t.Errorf("coloured text lacks %q", want)
		}
	}
}

func TestTextSummary(t *testing.T) {
	r := fixture()
	want := "5 findings (1 critical, 1 high, 2 medium, 1 low) in 4 files; 7 files, 10 objects analyzed, 5 documents of other kinds skipped; 1 file could not be analyzed; 2 at or above --fail-on high"
	if got := textSummary(r); got != want {
		t.Errorf("summary:\ngot  %s\nwant %s", got, want)
	}
	r = &Report{
		Stats:       Stats{Files: 1, Objects: map[string]int{"Pod": 1}},
		Diagnostics: []analyzer.Diagnostic{{Level: analyzer.LevelError, Message: "rule x failed"}},
	}
	if got, want := textSummary(r), "no findings; 1 file, 1 object analyzed; 1 error"; got != want {
		t.Errorf("summary:\ngot  %s\nwant %s", got, want)
	}
}

func TestTextEscapesControlCharacters(t *testing.T) {
	r := &Report{Findings: []analyzer.Finding{{
		Rule: "r", Severity: analyzer.SeverityLow, Location: analyzer.Location{File: "a.yaml", Line: 1},
		Message: "two\nlines \x1b[2Jand a clear-screen",
	}}}
	got := string(render(t, "text", r, Options{}))
	if want := `a.yaml:1: low r: two\nlines \u001b[2Jand a clear-screen` + "\n"; !strings.HasPrefix(got, want) {
		t.Errorf("got %q, want prefix %q", got, want)
	}
}

// TestBidiAndControlEscaped: a name carrying U+202E or raw ESC/BEL cannot
// reorder or drive what a reader sees, in text or in GitHub annotations.
func TestBidiAndControlEscaped(t *testing.T) {
	r := &Report{Findings: []analyzer.Finding{{
		Rule: "r", Severity: analyzer.SeverityHigh, Location: analyzer.Location{File: "evil\u202elmay.yaml", Line: 3, Column: 2},
		Message: "ServiceAccount prod/\u202ecba\x07\x1b[31m: bad\r\nnext",
	}}}
	text := string(render(t, "text", r, Options{}))
	if want := `evil\u202elmay.yaml:3:2: high r: ServiceAccount prod/\u202ecba\u0007\u001b[31m: bad\r\nnext` + "\n"; !strings.HasPrefix(text, want) {
		t.Errorf("text %q, want prefix %q", text, want)
	}
	gh := string(render(t, "github", r, Options{}))
	want := `::error file=evil\u202elmay.yaml,line=3,col=2,title=r (high)::ServiceAccount prod/\u202ecba\u0007\u001b[31m: bad%0D%0Anext` + "\n"
	if gh != want {
		t.Errorf("github\n got  %q\n want %q", gh, want)
	}
	for _, out := range []string{text, gh} {
		if strings.ContainsAny(out, "\u202e\x07\x1b") {
			t.Errorf("raw control or bidi character left in %q", out)
		}
	}
}

// TestSARIFTagsUnique: a custom rule in group "custom" is tagged once.
func TestSARIFTagsUnique(t *testing.T) {
	for _, r := range []analyzer.Rule{
		{ID: "x", Group: "custom", Custom: true},
		{ID: "x", Group: "security"},
		{ID: "x", Group: "team", Custom: true},
	} {
		tags := ruleTags(r)
		seen := map[string]bool{}
		for _, tg := range tags {
			if seen[tg] {
				t.Errorf("%+v: tag %q twice in %q", r, tg, tags)
			}
			seen[tg] = true
		}
		if !seen["security"] || r.Custom && !seen["custom"] || !seen[r.Group] {
			t.Errorf("%+v: tags %q", r, tags)
		}
	}
}

func TestReportersRejectProducerBugs(t *testing.T) {
	unknownRule := fixture()
	unknownRule.Findings[0].Rule = "no-such-rule"
	badSeverity := fixture()
	badSeverity.Findings[0].Severity = 0
	for _, c := range []struct {
		format string
		r      *Report
	}{
		{"sarif", unknownRule},
		{"sarif", badSeverity},
		{"json", badSeverity},
		{"github", badSeverity},
	} {
		if err := Reporters[c.format](&bytes.Buffer{}, c.r, Options{}); err == nil {
			t.Errorf("%s: no error", c.format)
		}
	}
}
