package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/irsalint/irsalint/analyzer"
)

// ANSI SGR sequences for the text format.
const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiBoldRed = "\x1b[1;31m"
	ansiRed     = "\x1b[31m"
	ansiYellow  = "\x1b[33m"
	ansiCyan    = "\x1b[36m"
	ansiDim     = "\x1b[2m"
)

var severityColor = map[analyzer.Severity]string{
	analyzer.SeverityCritical: ansiBoldRed,
	analyzer.SeverityHigh:     ansiRed,
	analyzer.SeverityMedium:   ansiYellow,
	analyzer.SeverityLow:      ansiCyan,
	analyzer.SeverityInfo:     ansiDim,
}

// Text writes one line per finding, `path:line:col: severity rule: message`,
// each related location indented below it, then a blank line and a one-line
// summary. Diagnostics are not printed: the CLI writes them to stderr for
// every format. Control characters from the input (a newline or an escape
// sequence in an annotation value) are shown escaped, so that one finding
// stays one line and cannot drive the terminal.
func Text(w io.Writer, r *Report, opts Options) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !opts.Color || code == "" {
			return s
		}
		return code + s + ansiReset
	}
	for _, f := range r.Findings {
		fmt.Fprintf(bw, "%s: %s %s: %s\n",
			paint(ansiBold, clean(f.Location.String())),
			paint(severityColor[f.Severity], f.Severity.String()),
			clean(f.Rule), clean(f.Message))
		for _, rel := range f.Related {
			msg := rel.Message
			if msg == "" {
				msg = rel.Object
			}
			if msg == "" {
				fmt.Fprintf(bw, "    related: %s\n", clean(rel.Location.String()))
				continue
			}
			fmt.Fprintf(bw, "    related: %s: %s\n", clean(rel.Location.String()), clean(msg))
		}
	}
	if opts.Quiet {
		return bw.Flush()
	}
	if len(r.Findings) > 0 {
		bw.WriteString("\n")
	}
	bw.WriteString(textSummary(r))
	bw.WriteString("\n")
	return bw.Flush()
}

// suppressedBy says by what, when the suppressed findings are known:
// " (2 by annotations, 1 by .irsalint.yaml, 5 by the baseline)".
func suppressedBy(fs []analyzer.Finding) string {
	var inSource, config, baseline int
	for _, f := range fs {
		switch {
		case f.Suppression == nil:
		case f.Suppression.Kind == "inSource":
			inSource++
		case f.Suppression.Location != nil:
			config++
		default:
			baseline++
		}
	}
	var parts []string
	if inSource > 0 {
		parts = append(parts, fmt.Sprintf("%d by irsalint.io/ignore", inSource))
	}
	if config > 0 {
		parts = append(parts, fmt.Sprintf("%d by ignore entries", config))
	}
	if baseline > 0 {
		parts = append(parts, fmt.Sprintf("%d known in the baseline", baseline))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// textSummary is the last line of the text format, for example
// "3 findings (1 critical, 2 medium) in 2 files; 14 files, 52 objects
// analyzed, 9 documents of other kinds skipped; 1 file could not be analyzed".
func textSummary(r *Report) string {
	c := count(r)
	var parts []string
	if len(r.Findings) == 0 {
		parts = append(parts, "no findings")
	} else {
		var sev []string
		for _, s := range severitiesDesc {
			if n := c.bySeverity[s]; n > 0 {
				sev = append(sev, fmt.Sprintf("%d %s", n, s))
			}
		}
		parts = append(parts, fmt.Sprintf("%s (%s) in %s",
			plural(len(r.Findings), "finding", "findings"),
			strings.Join(sev, ", "),
			plural(c.findingFiles, "file", "files")))
	}
	analyzed := fmt.Sprintf("%s, %s analyzed",
		plural(r.Stats.Files, "file", "files"),
		plural(c.objects, "object", "objects"))
	if r.Stats.Ignored > 0 {
		analyzed += fmt.Sprintf(", %s of other kinds skipped",
			plural(r.Stats.Ignored, "document", "documents"))
	}
	parts = append(parts, analyzed)
	if r.Stats.Suppressed > 0 {
		parts = append(parts, plural(r.Stats.Suppressed, "finding", "findings")+" suppressed"+suppressedBy(r.Suppressed))
	}
	if c.errorFiles > 0 {
		parts = append(parts, plural(c.errorFiles, "file", "files")+" could not be analyzed")
	}
	if c.errorsWithoutFile > 0 {
		if c.errorFiles > 0 {
			parts = append(parts, plural(c.errorsWithoutFile, "other error", "other errors"))
		} else {
			parts = append(parts, plural(c.errorsWithoutFile, "error", "errors"))
		}
	}
	if r.FailOn.Valid() && len(r.Findings) > 0 {
		parts = append(parts, fmt.Sprintf("%d at or above --fail-on %s", c.failing, r.FailOn))
	}
	return strings.Join(parts, "; ")
}

// clean escapes control characters (C0, DEL, C1) and bidirectional
// formatting characters, so that input text can neither break a line, send
// escape sequences to a terminal, nor reorder what a reader sees (U+202E in
// a name can make "lmay.dab" read as "bad.yaml").
func clean(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case isControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || isBidi(r)
}

// isBidi tells the characters that change the display order of text: the
// marks, embeddings, overrides and isolates of Unicode's bidirectional
// algorithm.
func isBidi(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}
