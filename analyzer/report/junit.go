package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/irsalint/irsalint/analyzer"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnit writes JUnit XML, which Jenkins, Azure DevOps, CircleCI and GitLab
// show as test results: a test suite per rule with a failed test case per
// finding, and a suite "inputs" with an error case per input that could not
// be analyzed. A clean run has one passing case, so a gate shows that the
// check ran.
func JUnit(w io.Writer, r *Report, _ Options) error {
	byRule := map[string][]analyzer.Finding{}
	for _, f := range r.Findings {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	rules := make([]string, 0, len(byRule))
	for id := range byRule {
		rules = append(rules, id)
	}
	sort.Strings(rules)
	doc := junitSuites{Name: r.Tool.Name}
	for _, id := range rules {
		s := junitSuite{Name: id}
		for _, f := range byRule[id] {
			text := f.Message
			for _, rel := range f.Related {
				text += fmt.Sprintf("\nrelated: %s: %s", rel.Location, strings.TrimSpace(rel.Message))
			}
			s.Cases = append(s.Cases, junitCase{
				Name:      fmt.Sprintf("%s %s", f.Location, f.Object),
				Classname: id,
				File:      f.Location.File,
				Line:      f.Location.Line,
				Failure:   &junitFailure{Message: f.Message, Type: f.Severity.String(), Text: text},
			})
			s.Tests++
			s.Failures++
		}
		doc.Suites = append(doc.Suites, s)
	}
	var inputs junitSuite
	inputs.Name = "inputs"
	for _, d := range r.Diagnostics {
		if d.Level != analyzer.LevelError {
			continue
		}
		inputs.Cases = append(inputs.Cases, junitCase{
			Name: d.Location.String(), Classname: "inputs", File: d.Location.File, Line: d.Location.Line,
			Error: &junitFailure{Message: d.Message, Type: "error", Text: d.String()},
		})
		inputs.Tests++
		inputs.Errors++
	}
	if inputs.Tests > 0 {
		doc.Suites = append(doc.Suites, inputs)
	}
	if len(doc.Suites) == 0 {
		doc.Suites = []junitSuite{{Name: r.Tool.Name, Tests: 1, Cases: []junitCase{{Name: textSummary(r), Classname: r.Tool.Name}}}}
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
