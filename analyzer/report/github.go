package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/irsalint/irsalint/analyzer"
)

// githubCommands maps a severity to the workflow command that annotates it.
var githubCommands = map[analyzer.Severity]string{
	analyzer.SeverityCritical: "error",
	analyzer.SeverityHigh:     "error",
	analyzer.SeverityMedium:   "warning",
	analyzer.SeverityLow:      "notice",
	analyzer.SeverityInfo:     "notice",
}

// GitHub writes GitHub Actions workflow commands, one per finding:
//
//	::error file=deploy/sa.yaml,line=7,col=5,title=role-arn-invalid (high)::message
//
// followed by one ::error per error diagnostic. Notice diagnostics are left to
// the CLI's stderr. GitHub shows at most 10 annotations of each kind per step
// and 50 per job; the rest stay in the log.
func GitHub(w io.Writer, r *Report, _ Options) error {
	bw := bufio.NewWriter(w)
	for _, f := range r.Findings {
		cmd, ok := githubCommands[f.Severity]
		if !ok {
			return fmt.Errorf("github: finding at %s: invalid severity %d", f.Location, int(f.Severity))
		}
		props := locationProps(f.Location)
		props = append(props, "title="+escapeProperty(fmt.Sprintf("%s (%s)", f.Rule, f.Severity)))
		writeCommand(bw, cmd, props, f.Message)
	}
	for _, d := range r.Diagnostics {
		if d.Level == analyzer.LevelError {
			writeCommand(bw, "error", locationProps(d.Location), d.Message)
		}
	}
	return bw.Flush()
}

func locationProps(l analyzer.Location) []string {
	if l.File == "" {
		return nil
	}
	props := []string{"file=" + escapeProperty(l.File)}
	if l.Line > 0 {
		props = append(props, "line="+strconv.Itoa(l.Line))
		if l.Column > 0 {
			props = append(props, "col="+strconv.Itoa(l.Column))
		}
	}
	return props
}

func writeCommand(w *bufio.Writer, cmd string, props []string, message string) {
	w.WriteString("::")
	w.WriteString(cmd)
	if len(props) > 0 {
		w.WriteByte(' ')
		w.WriteString(strings.Join(props, ","))
	}
	w.WriteString("::")
	w.WriteString(escapeData(message))
	w.WriteByte('\n')
}

// The escaping of @actions/core (command.ts): "%" first, then CR and LF; in
// property values also ":" and ",". Other control characters (ESC, BEL)
// and bidirectional overrides from input names are written escaped as the
// text format writes them, so that an annotation shows what the file says.
var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func escapeData(s string) string     { return dataEscaper.Replace(cleanKeepingLines(s)) }
func escapeProperty(s string) string { return propertyEscaper.Replace(cleanKeepingLines(s)) }

// cleanKeepingLines is clean without escaping CR and LF, which the
// workflow-command escaping encodes itself.
func cleanKeepingLines(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r != '\n' && r != '\r' && isControl(r) }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r == '\n' || r == '\r' {
			b.WriteRune(r)
			continue
		}
		b.WriteString(clean(string(r)))
	}
	return b.String()
}
