package report

import (
	"encoding/json"
	"io"
	"path/filepath"
	"strings"

	"github.com/irsalint/irsalint/analyzer"
)

// gitlabIssue is one entry of a GitLab code quality report (a subset of the
// Code Climate issue format that GitLab reads).
type gitlabIssue struct {
	Type        string         `json:"type"`
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Categories  []string       `json:"categories"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
}

// repoPath makes an absolute path inside the working directory (where CI
// runs, the repository's top) relative, as GitLab matches paths; one
// outside it is left as it is.
func repoPath(file, wd string) string {
	if wd == "" || !filepath.IsAbs(file) {
		return file
	}
	if rel, err := filepath.Rel(wd, file); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return file
}

// gitlabSeverity maps irsalint's severities onto GitLab's five.
var gitlabSeverity = map[analyzer.Severity]string{
	analyzer.SeverityCritical: "blocker",
	analyzer.SeverityHigh:     "critical",
	analyzer.SeverityMedium:   "major",
	analyzer.SeverityLow:      "minor",
	analyzer.SeverityInfo:     "info",
}

// GitLab writes a GitLab code quality report: a JSON array with one issue
// per finding, which a merge request shows beside the lines it changes
// (artifacts:reports:codequality). GitLab needs a line of at least 1, so a
// finding on a whole file is placed on line 1; its fingerprint is the
// finding's, stable when unrelated lines move.
func GitLab(w io.Writer, r *Report, _ Options) error {
	issues := make([]gitlabIssue, 0, len(r.Findings))
	for _, f := range r.Findings {
		issues = append(issues, gitlabIssue{
			Type:        "issue",
			Description: f.Rule + ": " + f.Message, // the merge request shows only this
			CheckName:   f.Rule,
			Fingerprint: f.Fingerprint,
			Severity:    gitlabSeverity[f.Severity],
			Categories:  []string{"Security"},
			Location:    gitlabLocation{Path: repoPath(f.Location.File, r.WorkingDir), Lines: gitlabLines{Begin: max(1, f.Location.Line)}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(issues)
}
