package report

// SARIF 2.1.0, written with our own structs: go-sarif's defaults (-1
// sentinels, empty arrays, "language", level "warning" forced on every result)
// work against what GitHub code scanning reads.
//
// GitHub code-scanning quirks this file relies on (GitHub's documentation of
// its SARIF support, and the SARIF multitool's GitHub rules):
//
//   - "$schema", "version" and runs[].results are required; the results key must
//     be present even when empty. Empty strings are not accepted for required
//     properties, so every text has a fallback.
//   - Every reportingDescriptor needs shortDescription.text, fullDescription.text
//     (each at most 1024 characters) and help.text; help.markdown is shown
//     instead of help.text when present. We describe every enabled rule, not only
//     those that fired, so the rule list of an upload is complete.
//   - "name" is optional. Multitool rule SARIF2012 wants a PascalCase "friendly
//     name" that differs from the id, so we derive RoleArnInvalid from
//     role-arn-invalid and omit the name when it would equal the id.
//   - properties.security-severity must be a string ("8.0"). Any value makes
//     the alert a security alert; >= 9.0 shows as critical, 7.0-8.9 high,
//     4.0-6.9 medium, 0.1-3.9 low. GitHub reads it from the rule only, so a
//     finding graded above or below its rule's default severity is reported
//     under a descriptor of its own, RULE/GRADE (see graded).
//   - Only the first of result.locations is displayed, and a result without one
//     is rejected. URIs should be relative to the repository root; we use
//     uriBaseId %SRCROOT% (not needed by GitHub, but needed for valid SARIF with
//     relative URIs). Relative URIs are taken as relative to the repository root,
//     so the CLI should run from (or make paths relative to) the checkout root.
//     Absolute file:// URIs outside the checkout are accepted but not shown;
//     results on symlinked paths are not shown either.
//   - region.startLine must be >= 1; the schema rejects 0, and -1 sentinels draw
//     multitool warnings. A region is omitted when the line is unknown.
//   - Code scanning uses only partialFingerprints.primaryLocationLineHash (custom
//     keys are ignored). When it is present upload-sarif does not compute its own
//     line-content hash. Ours is line-independent, so alerts survive unrelated
//     edits; two results with the same value in one run would be merged, so
//     duplicates get ":2", ":3"... in report order.
//   - runAutomationDetails.id is "category/run-id"; the category is everything
//     before the last "/". One upload may not hold two runs with the same tool
//     and category, hence Report.Category.
//   - Limits: 10 MB gzip-compressed per file, 20 runs, 25,000 results per run
//     (5,000 shown, by severity), 25,000 rules, 1,000 locations per result.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/irsalint/irsalint/analyzer"
)

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	srcRoot      = "%SRCROOT%"
	// maxDescription is GitHub's limit on shortDescription and fullDescription.
	maxDescription = 1024
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                        `json:"tool"`
	AutomationDetails  *sarifAutomationDetails          `json:"automationDetails,omitempty"`
	Invocations        []sarifInvocation                `json:"invocations"`
	OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds"`
	ColumnKind         string                           `json:"columnKind"`
	Results            []sarifResult                    `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string                     `json:"name"`
	Version         string                     `json:"version,omitempty"`
	SemanticVersion string                     `json:"semanticVersion,omitempty"`
	InformationURI  string                     `json:"informationUri,omitempty"`
	Rules           []sarifReportingDescriptor `json:"rules"`
}

type sarifReportingDescriptor struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name,omitempty"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      sarifText          `json:"fullDescription"`
	Help                 sarifText          `json:"help"`
	HelpURI              string             `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

// sarifText is a message or multiformatMessageString.
type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags             []string `json:"tags,omitempty"`
	Precision        string   `json:"precision"`
	SecuritySeverity string   `json:"security-severity"`
}

type sarifAutomationDetails struct {
	ID string `json:"id"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                   `json:"executionSuccessful"`
	WorkingDirectory           *sarifArtifactLocation `json:"workingDirectory,omitempty"`
	ToolExecutionNotifications []sarifNotification    `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	// Suppressions mark a result that is not reported (an annotation, an
	// ignore entry, a baseline): GitHub shows it as closed, not open.
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
	Properties   *sarifResultProps  `json:"properties,omitempty"`
}

type sarifSuppression struct {
	Kind          string         `json:"kind"`
	Justification string         `json:"justification,omitempty"`
	Location      *sarifLocation `json:"location,omitempty"`
}

// sarifResultProps carries what SARIF has no field for: the object the
// finding is about, and the finding's own (possibly graded) severity.
type sarifResultProps struct {
	Object   string `json:"object,omitempty"`
	Severity string `json:"severity"`
}

type sarifLocation struct {
	// ID is 1-based and only set on related locations (0 is omitted).
	ID               int                    `json:"id,omitempty"`
	PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
	Message          *sarifText             `json:"message,omitempty"`
}

type sarifLogicalLocation struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri,omitempty"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

var sarifLevels = map[analyzer.Severity]string{
	analyzer.SeverityCritical: "error",
	analyzer.SeverityHigh:     "error",
	analyzer.SeverityMedium:   "warning",
	analyzer.SeverityLow:      "note",
	analyzer.SeverityInfo:     "note",
}

// securitySeverity places each severity inside GitHub's band of the same name.
var securitySeverity = map[analyzer.Severity]string{
	analyzer.SeverityCritical: "9.5",
	analyzer.SeverityHigh:     "8.0",
	analyzer.SeverityMedium:   "5.5",
	analyzer.SeverityLow:      "3.0",
	// Below GitHub's low band (0.1 to 3.9): shown, never an alert level.
	analyzer.SeverityInfo: "0.0",
}

// SARIF writes the report as a SARIF 2.1.0 log with one run, for GitHub code
// scanning. It fails on a finding whose rule is not in r.Rules or on an
// invalid severity: both are bugs of the producer, not of the input.
func SARIF(w io.Writer, r *Report, _ Options) error {
	log, err := sarifLogOf(r)
	if err != nil {
		return err
	}
	return writeSARIF(w, log)
}

func sarifLogOf(r *Report) (sarifLog, error) {
	loc := uriMapper{workingDir: slashDir(r.WorkingDir), root: slashDir(r.Root)}

	rules := make([]sarifReportingDescriptor, 0, len(r.Rules))
	index := make(map[string]int, len(r.Rules))
	for i, rule := range r.Rules {
		d, err := descriptor(rule)
		if err != nil {
			return sarifLog{}, err
		}
		if _, dup := index[rule.ID]; dup {
			return sarifLog{}, fmt.Errorf("sarif: rule %q is listed twice", rule.ID)
		}
		index[rule.ID] = i
		rules = append(rules, d)
	}

	gradedIDs := map[string]int{}
	results := make([]sarifResult, 0, len(r.Findings)+len(r.Suppressed))
	fingerprints := make(map[string]bool, len(r.Findings))
	for _, f := range append(append([]analyzer.Finding{}, r.Findings...), r.Suppressed...) {
		i, ok := index[f.Rule]
		if !ok {
			return sarifLog{}, fmt.Errorf("sarif: finding at %s names rule %q, which is not among the enabled rules", f.Location, f.Rule)
		}
		level, ok := sarifLevels[f.Severity]
		if !ok {
			return sarifLog{}, fmt.Errorf("sarif: finding at %s: invalid severity %d", f.Location, int(f.Severity))
		}
		ruleID := f.Rule
		if f.Severity != r.Rules[i].Severity {
			ruleID, i = graded(&rules, gradedIDs, i, f.Severity)
		}
		res := sarifResult{
			RuleID:    ruleID,
			RuleIndex: i,
			Level:     level,
			Message:   sarifText{Text: withLinks(firstNonEmpty(f.Message, r.Rules[index[f.Rule]].Title, f.Rule), len(f.Related))},
			Locations: []sarifLocation{loc.location(f.Location, f.Object)},
			Properties: &sarifResultProps{
				Object:   f.Object,
				Severity: f.Severity.String(),
			},
		}
		for j, rel := range f.Related {
			l := loc.location(rel.Location, rel.Object)
			l.ID = j + 1
			if m := firstNonEmpty(rel.Message, rel.Object); m != "" {
				l.Message = &sarifText{Text: m}
			}
			res.RelatedLocations = append(res.RelatedLocations, l)
		}
		if fp := f.Fingerprint; fp != "" {
			unique := fp
			for n := 2; fingerprints[unique]; n++ {
				unique = fmt.Sprintf("%s:%d", fp, n)
			}
			fingerprints[unique] = true
			res.PartialFingerprints = map[string]string{"primaryLocationLineHash": unique}
		}
		if sp := f.Suppression; sp != nil {
			s := sarifSuppression{Kind: sp.Kind, Justification: sp.Justification}
			if sp.Location != nil && sp.Location.File != "" {
				l := loc.location(*sp.Location, "")
				s.Location = &l
			}
			res.Suppressions = []sarifSuppression{s}
		}
		results = append(results, res)
	}

	inv := sarifInvocation{ExecutionSuccessful: true}
	for _, d := range r.Diagnostics {
		n := sarifNotification{Level: "note", Message: sarifText{Text: firstNonEmpty(d.Message, string(d.Level))}}
		if d.Level == analyzer.LevelError {
			n.Level = "error"
			inv.ExecutionSuccessful = false
		}
		if d.Location.File != "" {
			n.Locations = []sarifLocation{loc.location(d.Location, "")}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}

	base := sarifArtifactLocation{}
	if loc.workingDir != "" {
		base.URI = dirURI(loc.srcRoot())
		inv.WorkingDirectory = &sarifArtifactLocation{URI: dirURI(loc.workingDir)}
	}

	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:            firstNonEmpty(r.Tool.Name, "irsalint"),
			Version:         numericVersion(r.Tool.Version),
			SemanticVersion: semanticVersion(r.Tool.Version),
			InformationURI:  r.Tool.InformationURI,
			Rules:           rules,
		}},
		Invocations:        []sarifInvocation{inv},
		OriginalURIBaseIDs: map[string]sarifArtifactLocation{srcRoot: base},
		ColumnKind:         "unicodeCodePoints",
		Results:            results,
	}
	if r.Category != "" {
		run.AutomationDetails = &sarifAutomationDetails{ID: strings.TrimSuffix(r.Category, "/") + "/"}
	}
	return sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}, nil
}

// sarifResultsEnd is how encodeJSON ends a log of one run whose results,
// its last field, are empty.
const sarifResultsEnd = "\"results\": []\n    }\n  ]\n}\n"

// writeSARIF writes log as encodeJSON would: its one run's results, most
// of the bytes (12 MB for 6,000 findings, 150–190 ms to encode on one
// core), are encoded on every core (writeList) after the rest of the log.
func writeSARIF(w io.Writer, log sarifLog) error {
	if len(log.Runs) != 1 || len(log.Runs[0].Results) < parallelFrom {
		return encodeJSON(w, log)
	}
	results := log.Runs[0].Results
	head := log
	head.Runs = []sarifRun{log.Runs[0]}
	head.Runs[0].Results = []sarifResult{}
	var b bytes.Buffer
	if err := encodeJSON(&b, head); err != nil {
		return err
	}
	text, ok := bytes.CutSuffix(b.Bytes(), []byte(sarifResultsEnd))
	if !ok {
		return errors.New("SARIF: the run's results are not its last field")
	}
	ew := &errWriter{w: w}
	ew.Write(text)
	ew.WriteString(`"results": `)
	if err := writeList(ew, results, 3); err != nil {
		return err
	}
	ew.WriteString(strings.TrimPrefix(sarifResultsEnd, `"results": []`))
	return ew.err
}

// graded is the descriptor of rule i's findings graded sev, added to rules
// the first time: GitHub takes an alert's severity from its rule only, so a
// finding graded away from its rule's default severity is reported under
// the hierarchical rule ID RULE/GRADE (trust-wildcard-sub/critical), whose
// security-severity is that grade's. The CLI, JSON and GitHub then agree.
func graded(rules *[]sarifReportingDescriptor, seen map[string]int, i int, sev analyzer.Severity) (string, int) {
	base := (*rules)[i]
	id := base.ID + "/" + sev.String()
	if j, ok := seen[id]; ok {
		return id, j
	}
	d := base
	d.ID = id
	d.Name = pascalCase(base.ID) + pascalCase(sev.String())
	d.DefaultConfiguration = sarifConfiguration{Level: sarifLevels[sev]}
	d.Properties.SecuritySeverity = securitySeverity[sev]
	d.ShortDescription = sarifText{Text: truncate(base.ShortDescription.Text+" ("+sev.String()+")", maxDescription)}
	*rules = append(*rules, d)
	seen[id] = len(*rules) - 1
	return id, len(*rules) - 1
}

// linkLike is text a SARIF viewer would read as an embedded link.
var linkLike = regexp.MustCompile(`\[([^\]]*)\]\((\d+)\)`)

// withLinks ends a result's message with embedded links to its n related
// locations ("[1](1)"), which GitHub shows as links; text that would read
// as such a link is escaped first.
func withLinks(text string, n int) string {
	if n == 0 {
		return text
	}
	text = linkLike.ReplaceAllString(text, `\[$1\]($2)`)
	var b strings.Builder
	b.WriteString(text)
	b.WriteString(" Related: ")
	for j := 1; j <= n; j++ {
		if j > 1 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "[%d](%d)", j, j)
	}
	b.WriteString(".")
	return b.String()
}

// descriptor turns one rule into its reportingDescriptor.
func descriptor(rule analyzer.Rule) (sarifReportingDescriptor, error) {
	level, ok := sarifLevels[rule.Severity]
	if !ok {
		return sarifReportingDescriptor{}, fmt.Errorf("sarif: rule %q: invalid severity %d", rule.ID, int(rule.Severity))
	}
	title := firstNonEmpty(rule.Title, rule.ID)
	description := firstNonEmpty(rule.Description, title)
	d := sarifReportingDescriptor{
		ID:                   rule.ID,
		ShortDescription:     sarifText{Text: truncate(title, maxDescription)},
		FullDescription:      sarifText{Text: truncate(description, maxDescription)},
		Help:                 sarifText{Text: helpText(rule, description), Markdown: helpMarkdown(rule, description)},
		HelpURI:              rule.HelpURI,
		DefaultConfiguration: sarifConfiguration{Level: level},
		Properties: sarifRuleProps{
			Tags:             ruleTags(rule),
			Precision:        firstNonEmpty(rule.Precision, "high"),
			SecuritySeverity: securitySeverity[rule.Severity],
		},
	}
	if name := pascalCase(rule.ID); name != rule.ID {
		d.Name = name
	}
	return d, nil
}

// ruleTags are a rule's SARIF tags: "security", its group and, for a user's
// rule, "custom" — each once (the schema wants unique items, and a user's
// group may well be called custom).
func ruleTags(rule analyzer.Rule) []string {
	tags := []string{"security"}
	add := func(t string) {
		if t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	add(rule.Group)
	if rule.Custom {
		add("custom")
	}
	return tags
}

// helpText is the plain-text help: the description, the remediation and the
// references, one a line.
func helpText(rule analyzer.Rule, description string) string {
	var b strings.Builder
	b.WriteString(description)
	if rule.Remediation != "" {
		b.WriteString("\n\nRemediation: ")
		b.WriteString(rule.Remediation)
	}
	if len(rule.References) > 0 {
		b.WriteString("\n\nReferences:")
		for _, ref := range rule.References {
			b.WriteString("\n- ")
			if ref.Description != "" {
				b.WriteString(ref.Description)
				b.WriteString(": ")
			}
			b.WriteString(ref.URL)
		}
	}
	return b.String()
}

// helpMarkdown is helpText as Markdown: a Remediation section and the
// references as links.
func helpMarkdown(rule analyzer.Rule, description string) string {
	var b strings.Builder
	b.WriteString(escapeHTMLTags(description))
	if rule.Remediation != "" {
		b.WriteString("\n\n## Remediation\n\n")
		b.WriteString(escapeHTMLTags(rule.Remediation))
	}
	if len(rule.References) > 0 {
		b.WriteString("\n\n## References\n")
		for _, ref := range rule.References {
			b.WriteString("\n- ")
			b.WriteString(markdownLink(ref))
		}
	}
	return b.String()
}

// escapeHTMLTags escapes "<" outside code spans, so that a placeholder such
// as system:serviceaccount:<namespace>:<name> is not taken for an HTML tag
// and stripped by GitHub's sanitizer. Autolinks (<https://…>) and the rest of
// the Markdown a rule author wrote are left alone.
func escapeHTMLTags(s string) string {
	var b strings.Builder
	inCode := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '`':
			inCode = !inCode
		case c == '<' && !inCode && !isAutolink(s[i+1:]):
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isAutolink(s string) bool {
	for _, p := range []string{"http://", "https://", "mailto:"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

var markdownLinkText = strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`)

func markdownLink(ref analyzer.Reference) string {
	// <…> destinations may hold spaces and parentheses but not < > or newlines.
	dest := strings.NewReplacer("<", "%3C", ">", "%3E", "\n", "", "\r", "").Replace(ref.URL)
	text := ref.Description
	if text == "" {
		text = ref.URL
	}
	return "[" + markdownLinkText.Replace(text) + "](<" + dest + ">)"
}

// truncate shortens s to at most max characters (runes), cutting at the last
// space in the second half of the allowance and appending "…". GitHub rejects
// descriptions longer than 1024 characters; the full text stays in help.
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut := []rune(s)[:max-1] // room for the ellipsis
	if i := lastIndexRune(cut, unicode.IsSpace); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimRightFunc(string(cut), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r)
	}) + "…"
}

func lastIndexRune(rs []rune, f func(rune) bool) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if f(rs[i]) {
			return i
		}
	}
	return -1
}

// pascalCase turns "role-arn-invalid" into "RoleArnInvalid".
func pascalCase(id string) string {
	var b strings.Builder
	upper := true
	for _, r := range id {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// semverRE is the SemVer 2.0.0 grammar, with an optional leading "v".
var semverRE = regexp.MustCompile(`^v?((0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(-(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?` +
	`(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?)$`)

// semanticVersion returns v without its "v" when it is SemVer, else "".
func semanticVersion(v string) string {
	if m := semverRE.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	return ""
}

// numericVersion drops the "v" of "v1.2.3": multitool rule SARIF2005 wants a
// driver.version that starts with a digit, so versions compare.
func numericVersion(v string) string {
	if len(v) > 1 && v[0] == 'v' && '0' <= v[1] && v[1] <= '9' {
		return v[1:]
	}
	return v
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// uriMapper turns display paths into SARIF locations.
type uriMapper struct {
	// workingDir is Report.WorkingDir with forward slashes and no trailing
	// slash (except the root), or "".
	workingDir string
	// root is Report.Root the same way: %SRCROOT%, which file URIs are
	// relative to ("" is workingDir).
	root string
}

// srcRoot is the folder %SRCROOT% stands for.
func (m uriMapper) srcRoot() string {
	if m.root != "" {
		return m.root
	}
	return m.workingDir
}

func (m uriMapper) location(l analyzer.Location, object string) sarifLocation {
	if l.File == "" {
		// No file: a logical location is valid SARIF, though GitHub needs a
		// physical one to display the result.
		if object == "" {
			return sarifLocation{}
		}
		return sarifLocation{LogicalLocations: []sarifLogicalLocation{{FullyQualifiedName: object}}}
	}
	pl := &sarifPhysicalLocation{ArtifactLocation: m.artifact(l.File)}
	if l.Line >= 1 {
		pl.Region = &sarifRegion{StartLine: l.Line}
		if l.Column >= 1 {
			pl.Region.StartColumn = l.Column
		}
	}
	out := sarifLocation{PhysicalLocation: pl}
	if object != "" {
		// The object (a role's ARN, a ServiceAccount) names the finding's
		// target however the file it was read from is laid out: what a
		// live audit's findings are about.
		out.LogicalLocations = []sarifLogicalLocation{{FullyQualifiedName: object}}
	}
	return out
}

// artifact maps a display path to an artifactLocation:
//   - a path relative to the working directory, or an absolute path inside it:
//     a relative, percent-encoded URI with uriBaseId %SRCROOT%;
//   - an absolute path outside it, or a relative one that climbs out of it
//     ("../x") when the working directory is known: an absolute file:// URI
//     without uriBaseId;
//   - standard input ("<stdin>"): the name as a relative URI without uriBaseId,
//     since it is no file under the source root. A name the user gave for
//     stdin is treated like any other path.
func (m uriMapper) artifact(file string) sarifArtifactLocation {
	if file == stdinName {
		return sarifArtifactLocation{URI: escapePath(file)}
	}
	if isAbs(file) {
		if rel, ok := m.inside(file); ok {
			return sarifArtifactLocation{URI: escapePath(rel), URIBaseID: srcRoot}
		}
		return sarifArtifactLocation{URI: fileURI(file)}
	}
	p := path.Clean(file)
	if m.root != "" && m.workingDir != "" {
		// Relative to the working directory: make it relative to the root.
		return m.artifact(path.Join(m.workingDir, p))
	}
	if (p == ".." || strings.HasPrefix(p, "../")) && m.workingDir != "" {
		return sarifArtifactLocation{URI: fileURI(path.Join(m.workingDir, p))}
	}
	return sarifArtifactLocation{URI: escapePath(p), URIBaseID: srcRoot}
}

// inside returns file relative to the working directory when it lies below it.
func (m uriMapper) inside(file string) (string, bool) {
	if m.srcRoot() == "" {
		return "", false
	}
	prefix := m.srcRoot()
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	rel, ok := strings.CutPrefix(path.Clean(file), prefix)
	return rel, ok && rel != ""
}

// slashDir normalizes a directory: forward slashes, no trailing slash.
func slashDir(dir string) string {
	if dir == "" {
		return ""
	}
	return path.Clean(filepath.ToSlash(dir))
}

var driveRE = regexp.MustCompile(`^/?[A-Za-z]:/`)

// isAbs reports whether a slash path is absolute, on Unix or Windows.
func isAbs(p string) bool {
	return strings.HasPrefix(p, "/") || driveRE.MatchString(p)
}

// fileURI returns the file:// URI of an absolute slash path (RFC 8089:
// file:///home/x, file:///C:/x).
func fileURI(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if driveRE.MatchString(p) {
		return "file://" + p[:3] + escapePath(p[3:])
	}
	return "file://" + escapePath(p)
}

// dirURI is the file:// URI of a directory, with the trailing slash that makes
// it usable as a base URI.
func dirURI(dir string) string {
	u := fileURI(dir)
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// escapePath percent-encodes every byte of p except RFC 3986's unreserved
// characters and "/": spaces, "%", "#", "?", ":" (which would read as a
// scheme in a relative reference), the other reserved characters and all
// non-ASCII bytes (as UTF-8).
func escapePath(p string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if isUnreserved(c) || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
