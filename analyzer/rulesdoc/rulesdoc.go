// Package rulesdoc renders the rule catalogue for people: the text of
// `irsalint explain`, the Markdown pages under docs/rules, and their index.
// Everything comes from the rules' METADATA.
package rulesdoc

import (
	"io"
	"strings"
	"text/template"

	"github.com/irsalint/irsalint/analyzer"
)

// Explain writes the terminal description of one rule.
func Explain(w io.Writer, r analyzer.Rule) error {
	return explainTmpl.Execute(w, r)
}

var explainTmpl = template.Must(template.New("explain").Funcs(funcs).Parse(
	`{{.ID}} ({{.Severity}}, {{.Group}})
{{.Title}}

{{.Description}}

How to fix:
{{indent .Remediation "  "}}
{{- if .References}}

References:
{{- range .References}}
  - {{if .Description}}{{.Description}}: {{end}}{{.URL}}
{{- end}}
{{- end}}
{{- if and .HelpURI (not .Custom)}}

Documentation: {{.HelpURI}}
{{- end}}
`))

// Example is a fixture shown on a rule's page.
type Example struct {
	// Title says what the example shows ("Fires", "Passes").
	Title string
	// Lang is the code fence language (yaml, json).
	Lang string
	Text string
}

// Page writes the Markdown documentation page of one rule.
func Page(w io.Writer, r analyzer.Rule, examples []Example) error {
	return pageTmpl.Execute(w, struct {
		analyzer.Rule
		Examples []Example
	}{r, examples})
}

var pageTmpl = template.Must(template.New("page").Funcs(funcs).Parse(
	`<!-- Generated from rules/{{.Group}}/{{.ID}}/rule.rego by go generate ./...; do not edit. -->
# {{.ID}}

**{{.Title}}**

| severity | precision | group |
| --- | --- | --- |
| {{.Severity}} | {{.Precision}} | {{.Group}} |

{{.Description}}

## How to fix

{{.Remediation}}
{{- range .Examples}}

## {{.Title}}

` + "```{{.Lang}}" + `
{{.Text}}
` + "```" + `
{{- end}}

## References
{{range .References}}
- [{{if .Description}}{{.Description}}{{else}}{{.URL}}{{end}}]({{.URL}})
{{- end}}

Run ` + "`irsalint explain {{.ID}}`" + ` for this page in a terminal.
`))

// Index writes the Markdown table of all rules.
func Index(w io.Writer, rules []analyzer.Rule) error {
	return indexTmpl.Execute(w, rules)
}

var indexTmpl = template.Must(template.New("index").Funcs(funcs).Parse(
	`<!-- Generated from the rules' METADATA by go generate ./...; do not edit. -->
# Rules

| rule | severity | group | title |
| --- | --- | --- | --- |
{{- range .}}
| [{{.ID}}]({{.ID}}.md) | {{.Severity}} | {{.Group}} | {{cell .Title}} |
{{- end}}
`))

var funcs = template.FuncMap{
	"indent": func(s, prefix string) string {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		for i, l := range lines {
			if l != "" {
				lines[i] = prefix + l
			}
		}
		return strings.Join(lines, "\n")
	},
	"cell": func(s string) string { return strings.ReplaceAll(s, "|", `\|`) },
}
