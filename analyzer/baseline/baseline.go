// Package baseline records the findings a repository has today, so that a
// gate can fail on new ones only: a finding is known when its fingerprint
// (rule, file, object and field, not the line) is in the baseline.
package baseline

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/irsalint/irsalint/analyzer"
)

// Version of the baseline file; it changes only when a field changes
// meaning or disappears.
const Version = 1

// MaxSize caps a baseline file read: it is a list of fingerprints.
const MaxSize = 64 << 20

// File is a baseline.
type File struct {
	Version  int     `json:"version"`
	Tool     string  `json:"tool"`
	Findings []Entry `json:"findings"`
}

// Entry is one known finding; Rule, File and Object are for people
// reading the file.
type Entry struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	File        string `json:"file"`
	Object      string `json:"object"`
}

// Write records findings, sorted, one entry per fingerprint.
func Write(w io.Writer, tool string, findings []analyzer.Finding) error {
	b := File{Version: Version, Tool: tool, Findings: []Entry{}}
	seen := map[string]bool{}
	for _, f := range findings {
		if seen[f.Fingerprint] {
			continue
		}
		seen[f.Fingerprint] = true
		b.Findings = append(b.Findings, Entry{Fingerprint: f.Fingerprint, Rule: f.Rule, File: f.Location.File, Object: f.Object})
	}
	sort.Slice(b.Findings, func(i, j int) bool {
		x, y := b.Findings[i], b.Findings[j]
		if x.File != y.File {
			return x.File < y.File
		}
		if x.Rule != y.Rule {
			return x.Rule < y.Rule
		}
		return x.Fingerprint < y.Fingerprint
	})
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(b)
}

// Read reads a baseline file: a regular file of at most MaxSize.
func Read(path string) (*File, error) {
	st, err := os.Stat(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, pe.Err
		}
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if st.Size() > MaxSize {
		return nil, fmt.Errorf("larger than the %d MiB a baseline may have", MaxSize>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var b File
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("not a baseline (irsalint lint --write-baseline writes one): %v", err)
	}
	if b.Version != Version {
		return nil, fmt.Errorf("baseline version %d, this irsalint reads version %d: write it again with --write-baseline", b.Version, Version)
	}
	return &b, nil
}

// Apply splits findings into new ones and known ones, and counts the
// baseline's entries no finding has any more (fixed, or gone with their
// files).
func (b *File) Apply(findings []analyzer.Finding) (fresh, known []analyzer.Finding, gone int) {
	in := make(map[string]bool, len(b.Findings))
	for _, e := range b.Findings {
		in[e.Fingerprint] = true
	}
	still := map[string]bool{}
	for _, f := range findings {
		if in[f.Fingerprint] {
			known = append(known, f)
			still[f.Fingerprint] = true
			continue
		}
		fresh = append(fresh, f)
	}
	for fp := range in {
		if !still[fp] {
			gone++
		}
	}
	return fresh, known, gone
}
