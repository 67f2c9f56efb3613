package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestClosest(t *testing.T) {
	for _, tc := range []struct {
		word string
		want string
		ok   bool
	}{
		{"lnt", "lint", true},
		{"role-not-foud", "role-not-found", true},
		{"role-not-fuond", "role-not-found", true}, // a swap is one edit
		{"sarf", "sarif", true},
		{"xyz", "", false},
		{"role-arn", "", false}, // too far from any: no guess
	} {
		got, ok := closest(tc.word, []string{"lint", "audit", "role-arn-invalid", "role-not-found", "sarif", "text"})
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("closest(%q) = %q, %t; want %q, %t", tc.word, got, ok, tc.want, tc.ok)
		}
	}
}

// The CLI behaves like its peers on the usual slips.
func TestCLISlips(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args     []string
		code     int
		inStderr string
	}{
		{[]string{"lnt"}, exitError, `unknown command "lnt"; did you mean "lint"?`},
		{[]string{"explain", "role-not-foud"}, exitError, `did you mean "role-not-found"?`},
		{[]string{"lint", "--fail-on", "bogus", "examples/"}, exitError, `low or info, or none)`},
		{[]string{"lint", "-f", "json", "-f", "sarif", "examples/"}, exitError, `given twice ("json", then "sarif")`},
		{[]string{"lint", "-f", "sarf", "examples/"}, exitError, `did you mean "sarif"?`},
		{[]string{"lint", "testdata/realistic/external-dns/no-such-folder"}, exitError, ""},
		{[]string{"lint", "docs/rules"}, exitError, "nothing was analyzed"},
	} {
		r := runCLI(t, "", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.inStderr) {
			t.Errorf("%v: exit %d, want %d; stderr lacks %q:\n%s", tc.args, r.code, tc.code, tc.inStderr, r.stderr)
		}
	}
	// Format names, like severities, are read case-insensitively.
	if r := runCLI(t, "", "lint", "-f", "SARIF", "examples/"); r.code != exitFindings || !strings.Contains(r.stdout, `"version": "2.1.0"`) {
		t.Errorf("-f SARIF: exit %d", r.code)
	}
	r := runCLI(t, "", "version", "--json")
	var v map[string]string
	if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &v) != nil || v["version"] == "" || v["go"] == "" || v["opa"] == "" {
		t.Errorf("version --json: exit %d: %s", r.code, r.stdout)
	}
}
