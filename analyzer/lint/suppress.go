package lint

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/config"
	"github.com/irsalint/irsalint/analyzer/source"
)

// ignores applies the configuration's ignore entries to findings.
type ignores struct {
	entries    []config.Ignore
	workingDir string
	today      time.Time
	used       []bool
}

// match returns the entry that suppresses f, or, when only an expired one
// matches, that entry and expired set.
func (ig *ignores) match(f analyzer.Finding) (e *config.Ignore, expired bool) {
	var stale *config.Ignore
	for i := range ig.entries {
		c := &ig.entries[i]
		if !ig.matches(c, f) {
			continue
		}
		ig.used[i] = true
		if !c.Expires.IsZero() && ig.today.After(c.Expires) {
			if stale == nil {
				stale = c
			}
			continue
		}
		return c, false
	}
	return stale, stale != nil
}

func (ig *ignores) matches(c *config.Ignore, f analyzer.Finding) bool {
	rule := false
	for _, id := range c.Rules {
		if id == "*" || id == f.Rule {
			rule = true
		}
	}
	if !rule {
		return false
	}
	if len(c.Paths) > 0 {
		abs := f.Location.File
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(ig.workingDir, abs)
		}
		in := false
		for _, g := range c.Paths {
			if (source.Pattern{Glob: g, Base: c.Dir}).Match(abs) {
				in = true
			}
		}
		if !in {
			return false
		}
	}
	kind, rest, _ := strings.Cut(f.Object, " ")
	ns, name, namespaced := strings.Cut(rest, "/")
	if !namespaced {
		ns, name = "", rest
	}
	if kind == "role" {
		kind = "Role"
	}
	for _, g := range []struct{ glob, value string }{{c.Kind, kind}, {c.Namespace, ns}, {c.Name, name}} {
		if g.glob != "" && !globMatch(g.glob, g.value) {
			return false
		}
	}
	if c.RoleARN != "" && (kind != "Role" || !globMatch(c.RoleARN, rest)) {
		return false
	}
	return true
}

// globMatch matches one name; * does not cross a slash.
func globMatch(glob, s string) bool {
	ok, _ := doublestar.Match(glob, s)
	return ok
}

// unused are the notices for entries that suppressed nothing: a stale
// suppression hides nothing today and would hide a new finding tomorrow.
func (ig *ignores) unused() []analyzer.Diagnostic {
	var out []analyzer.Diagnostic
	for i, c := range ig.entries {
		if !ig.used[i] {
			out = append(out, analyzer.Diagnostic{Level: analyzer.LevelNotice, Location: c.At,
				Message: fmt.Sprintf("this ignore entry (%s) matches no finding: remove it, or it may hide a new one", strings.Join(c.Rules, ", "))})
		}
	}
	return out
}
