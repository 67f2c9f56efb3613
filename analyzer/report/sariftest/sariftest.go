// Package sariftest checks SARIF logs in tests: against the SARIF 2.1.0 JSON
// schema kept in the repository (testdata/sarif/sarif-schema-2.1.0.json,
// offline), and against the GitHub code-scanning rules that the schema cannot
// express. The CLI's tests reuse it for the SARIF they produce end to end.
package sariftest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemaFile is the schema's path relative to the module root.
const SchemaFile = "testdata/sarif/sarif-schema-2.1.0.json"

// Validate fails t with one error per problem Check finds.
func Validate(t testing.TB, sarif []byte) {
	t.Helper()
	for _, err := range Check(sarif) {
		t.Error(err)
	}
}

// Check returns the schema violations and GitHub-rule violations of a SARIF
// log, or nil when there are none.
func Check(sarif []byte) []error {
	errs := CheckSchema(sarif)
	return append(errs, CheckGitHub(sarif)...)
}

// CheckSchema validates sarif against the repository's copy of the SARIF
// 2.1.0 schema (draft-04, format assertions on). No network is used: the
// schema is added as a resource and its $schema/id are never fetched.
func CheckSchema(sarif []byte) []error {
	sch, err := schema()
	if err != nil {
		return []error{err}
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(sarif))
	if err != nil {
		return []error{fmt.Errorf("sarif is not JSON: %w", err)}
	}
	err = sch.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []error{fmt.Errorf("schema: %w", err)}
	}
	var errs []error
	for _, u := range ve.BasicOutput().Errors {
		if u.Error != nil {
			errs = append(errs, fmt.Errorf("schema: %s: %s", displayPointer(u.InstanceLocation), u.Error))
		}
	}
	if len(errs) == 0 {
		errs = append(errs, fmt.Errorf("schema: %v", err))
	}
	return errs
}

func displayPointer(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

var (
	schemaMu    sync.Mutex
	schemaCache = map[string]*jsonschema.Schema{}
)

// schema compiles the schema of the module that holds the working directory,
// once per process.
func schema() (*jsonschema.Schema, error) {
	root, err := ModuleRoot()
	if err != nil {
		return nil, err
	}
	file := filepath.Join(root, filepath.FromSlash(SchemaFile))
	schemaMu.Lock()
	defer schemaMu.Unlock()
	if s, ok := schemaCache[file]; ok {
		return s, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("SARIF schema: %w", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("SARIF schema %s: %w", file, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const id = "sarif-schema-2.1.0.json"
	if err := c.AddResource(id, doc); err != nil {
		return nil, fmt.Errorf("SARIF schema %s: %w", file, err)
	}
	s, err := c.Compile(id)
	if err != nil {
		return nil, fmt.Errorf("SARIF schema %s: %w", file, err)
	}
	schemaCache[file] = s
	return s, nil
}

// ModuleRoot walks up from the working directory (a test's package
// directory) to the directory that holds go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("sariftest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// The subset of SARIF the GitHub checks read.
type sarifLog struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID               string                 `json:"id"`
					Name             *string                `json:"name"`
					ShortDescription text                   `json:"shortDescription"`
					FullDescription  text                   `json:"fullDescription"`
					Help             text                   `json:"help"`
					Default          struct{ Level string } `json:"defaultConfiguration"`
					Properties       struct {
						SecuritySeverity json.RawMessage `json:"security-severity"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID              string            `json:"ruleId"`
			RuleIndex           *int              `json:"ruleIndex"`
			Level               string            `json:"level"`
			Message             text              `json:"message"`
			Locations           []location        `json:"locations"`
			RelatedLocations    []location        `json:"relatedLocations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Properties          struct {
				Severity string `json:"severity"`
			} `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

type text struct {
	Text string `json:"text"`
}

type location struct {
	PhysicalLocation *struct {
		ArtifactLocation struct {
			URI       string `json:"uri"`
			URIBaseID string `json:"uriBaseId"`
		} `json:"artifactLocation"`
		Region *struct {
			StartLine   *int `json:"startLine"`
			StartColumn *int `json:"startColumn"`
		} `json:"region"`
	} `json:"physicalLocation"`
}

// irsalint's severity names and the SARIF level each maps to.
var levelOf = map[string]string{"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}

// levelForSecuritySeverity inverts GitHub's bands as irsalint uses them:
// critical and high (>= 7.0) are errors, medium (>= 4.0) warnings, low notes.
func levelForSecuritySeverity(s float64) string {
	switch {
	case s >= 7:
		return "error"
	case s >= 4:
		return "warning"
	default:
		return "note"
	}
}

// uriRE is an RFC 3986 URI reference made of path characters only: no raw
// spaces, no query or fragment.
var uriRE = regexp.MustCompile(`^([A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})+$`)

// CheckGitHub checks what GitHub code scanning requires beyond the schema,
// and irsalint's own invariants: no nulls, no negative numbers, no empty
// arrays except results and driver.rules.
func CheckGitHub(sarif []byte) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf("github: "+format, args...)) }

	var raw any
	dec := json.NewDecoder(bytes.NewReader(sarif))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return []error{fmt.Errorf("sarif is not JSON: %w", err)}
	}
	walk(raw, "", fail)
	if root, ok := raw.(map[string]any); ok {
		if s, _ := root["$schema"].(string); s == "" {
			fail(`"$schema" is missing`)
		}
		runs, _ := root["runs"].([]any)
		if len(runs) == 0 {
			fail("no runs")
		}
		for i, r := range runs {
			if m, ok := r.(map[string]any); ok {
				if _, ok := m["results"]; !ok {
					fail("/runs/%d: the results key is missing (it must be present, even empty)", i)
				}
			}
		}
	}

	var log sarifLog
	if err := json.Unmarshal(sarif, &log); err != nil {
		return append(errs, fmt.Errorf("github: cannot read the SARIF structure: %w", err))
	}
	for ri, run := range log.Runs {
		at := fmt.Sprintf("/runs/%d", ri)
		driver := run.Tool.Driver
		if driver.Name == "" {
			fail("%s/tool/driver/name is empty", at)
		}
		seen := map[string]bool{}
		for i, rule := range driver.Rules {
			rat := fmt.Sprintf("%s/tool/driver/rules/%d", at, i)
			if rule.ID == "" {
				fail("%s: id is empty", rat)
			}
			if seen[rule.ID] {
				fail("%s: id %q is not unique", rat, rule.ID)
			}
			seen[rule.ID] = true
			if rule.Name != nil && *rule.Name == rule.ID {
				fail("%s: name %q equals the id", rat, rule.ID)
			}
			for _, d := range []struct {
				field string
				text  string
				max   int
			}{
				{"shortDescription", rule.ShortDescription.Text, 1024},
				{"fullDescription", rule.FullDescription.Text, 1024},
				{"help", rule.Help.Text, 0},
			} {
				if strings.TrimSpace(d.text) == "" {
					fail("%s (%s): %s.text is empty", rat, rule.ID, d.field)
				}
				if n := utf8.RuneCountInString(d.text); d.max > 0 && n > d.max {
					fail("%s (%s): %s.text has %d characters, more than %d", rat, rule.ID, d.field, n, d.max)
				}
			}
			var sev string
			if err := json.Unmarshal(rule.Properties.SecuritySeverity, &sev); err != nil {
				fail("%s (%s): properties.security-severity must be a string, got %s", rat, rule.ID, orMissing(rule.Properties.SecuritySeverity))
				continue
			}
			f, err := strconv.ParseFloat(sev, 64)
			if err != nil || math.IsNaN(f) || f <= 0 || f > 10 {
				fail("%s (%s): properties.security-severity %q is not a number in (0, 10]", rat, rule.ID, sev)
				continue
			}
			if want := levelForSecuritySeverity(f); rule.Default.Level != want {
				fail("%s (%s): defaultConfiguration.level is %q, want %q for security-severity %s", rat, rule.ID, rule.Default.Level, want, sev)
			}
		}

		fingerprints := map[string]int{}
		for i, res := range run.Results {
			rat := fmt.Sprintf("%s/results/%d", at, i)
			if res.RuleID == "" {
				fail("%s: ruleId is empty", rat)
			}
			switch {
			case res.RuleIndex == nil:
				fail("%s: ruleIndex is missing", rat)
			case *res.RuleIndex < 0 || *res.RuleIndex >= len(driver.Rules):
				fail("%s: ruleIndex %d is out of range (%d rules)", rat, *res.RuleIndex, len(driver.Rules))
			case driver.Rules[*res.RuleIndex].ID != res.RuleID:
				fail("%s: ruleIndex %d points at %q, not at ruleId %q", rat, *res.RuleIndex, driver.Rules[*res.RuleIndex].ID, res.RuleID)
			}
			if sev := res.Properties.Severity; sev != "" {
				if want, ok := levelOf[sev]; !ok {
					fail("%s: properties.severity %q is not a severity", rat, sev)
				} else if res.Level != want {
					fail("%s: level is %q, want %q for severity %s", rat, res.Level, want, sev)
				}
			} else if res.Level != "error" && res.Level != "warning" && res.Level != "note" {
				fail("%s: level %q is not error, warning or note", rat, res.Level)
			}
			if strings.TrimSpace(res.Message.Text) == "" {
				fail("%s: message.text is empty", rat)
			}
			if len(res.Locations) == 0 {
				fail("%s: no locations (GitHub needs one)", rat)
			}
			for j, l := range res.Locations {
				checkLocation(fmt.Sprintf("%s/locations/%d", rat, j), l, j == 0, fail)
			}
			for j, l := range res.RelatedLocations {
				checkLocation(fmt.Sprintf("%s/relatedLocations/%d", rat, j), l, false, fail)
			}
			fp := res.PartialFingerprints["primaryLocationLineHash"]
			if fp == "" {
				fail("%s: partialFingerprints.primaryLocationLineHash is missing", rat)
				continue
			}
			if prev, dup := fingerprints[fp]; dup {
				fail("%s: primaryLocationLineHash %q repeats results/%d (GitHub would merge them)", rat, fp, prev)
			}
			fingerprints[fp] = i
		}
	}
	return errs
}

func orMissing(m json.RawMessage) string {
	if len(m) == 0 {
		return "nothing"
	}
	return string(m)
}

func checkLocation(at string, l location, primary bool, fail func(string, ...any)) {
	pl := l.PhysicalLocation
	if pl == nil {
		if primary {
			fail("%s: no physicalLocation (GitHub cannot display the result)", at)
		}
		return
	}
	uri := pl.ArtifactLocation.URI
	if !uriRE.MatchString(uri) {
		fail("%s: uri %q is empty or not percent-encoded", at, uri)
	} else if u, err := url.Parse(uri); err != nil {
		fail("%s: uri %q: %v", at, uri, err)
	} else {
		switch u.Scheme {
		case "":
			if strings.HasPrefix(uri, "/") {
				fail("%s: uri %q is an absolute path without a scheme", at, uri)
			}
			if uri == ".." || strings.HasPrefix(uri, "../") || strings.Contains(uri, "/../") {
				fail("%s: relative uri %q climbs out of the source root", at, uri)
			}
		case "file":
			if pl.ArtifactLocation.URIBaseID != "" {
				fail("%s: absolute uri %q has a uriBaseId", at, uri)
			}
		default:
			fail("%s: uri %q is neither relative nor file://", at, uri)
		}
	}
	if r := pl.Region; r != nil {
		if r.StartLine == nil || *r.StartLine < 1 {
			fail("%s: region without startLine >= 1", at)
		}
		if r.StartColumn != nil && *r.StartColumn < 1 {
			fail("%s: region.startColumn %d < 1", at, *r.StartColumn)
		}
	}
}

// walk reports nulls, negative numbers and empty arrays (except results and
// driver.rules, which GitHub lists as required).
func walk(v any, at string, fail func(string, ...any)) {
	switch v := v.(type) {
	case nil:
		fail("%s: null", displayPointer(at))
	case json.Number:
		if strings.HasPrefix(v.String(), "-") {
			fail("%s: negative number %s (a -1 sentinel?)", displayPointer(at), v)
		}
	case []any:
		if len(v) == 0 && !strings.HasSuffix(at, "/results") && !strings.HasSuffix(at, "/driver/rules") {
			fail("%s: empty array", displayPointer(at))
		}
		for i, e := range v {
			walk(e, fmt.Sprintf("%s/%d", at, i), fail)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			e := v[k]
			walk(e, at+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), fail)
		}
	}
}
