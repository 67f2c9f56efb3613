package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/irsalint/irsalint/analyzer/lint"
)

func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressLine(&buf)
	clock := p.start
	p.now = func() time.Time { return clock }
	p.update(lint.Progress{Phase: "reading", Done: 256, Total: 13000})
	if buf.Len() != 0 {
		t.Fatalf("a run shorter than %v shows nothing, got %q", progressDelay, buf.String())
	}
	clock = clock.Add(2 * time.Second)
	p.update(lint.Progress{Phase: "reading", Done: 512, Total: 13000})
	p.update(lint.Progress{Phase: "reading", Done: 768, Total: 13000}) // within 100 ms: skipped
	clock = clock.Add(time.Second)
	p.update(lint.Progress{Phase: "evaluating", Total: 41})
	p.done()
	p.done()
	// The shorter line is padded over the longer; done blanks the widest.
	want := "\rirsalint: reading files 512/13000…\rirsalint: evaluating 41 rules…    " +
		"\r" + strings.Repeat(" ", 34) + "\r"
	if got := buf.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	var nilLine *progressLine
	nilLine.done() // no terminal: nothing to clear
}
