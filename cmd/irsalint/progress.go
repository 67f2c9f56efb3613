package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/irsalint/irsalint/analyzer/lint"
)

// progressDelay is how long a run goes before it shows progress: a
// pre-commit run on a few files should print nothing extra.
const progressDelay = time.Second

// progressLine shows a long run's progress on one terminal line of w,
// rewritten in place, and clears it when done.
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
	now   func() time.Time
	shown bool
	last  time.Time
	width int // the columns the line holds now
}

func newProgressLine(w io.Writer) *progressLine {
	return &progressLine{w: w, start: time.Now(), now: time.Now}
}

func (p *progressLine) update(pr lint.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if now.Sub(p.start) < progressDelay || now.Sub(p.last) < 100*time.Millisecond && pr.Phase == "reading" && pr.Done != pr.Total {
		return
	}
	p.last = now
	var text string
	switch pr.Phase {
	case "rendering":
		text = fmt.Sprintf("irsalint: rendering %d Kustomize, Helm and Terraform sources…", pr.Total)
	case "reading":
		text = fmt.Sprintf("irsalint: reading files %d/%d…", pr.Done, pr.Total)
	case "evaluating":
		text = fmt.Sprintf("irsalint: evaluating %d rules…", pr.Total)
	default:
		return
	}
	width := utf8.RuneCountInString(text)
	pad := ""
	if n := p.width - width; n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprintf(p.w, "\r%s%s", text, pad)
	p.shown, p.width = true, max(p.width, width)
}

// done clears the line, if one was shown.
func (p *progressLine) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
		p.shown, p.width = false, 0
	}
}
