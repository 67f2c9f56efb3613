// Package snapshot describes what an audit saw: the manifest written beside
// the collected files (snapshot.json) and the reader that makes lint of a
// snapshot folder report what the audit reported, including that it could
// not read everything.
package snapshot

import (
	"fmt"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/reader"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Version is the manifest's format version; a reader refuses a newer one.
const Version = 1

// ManifestName is the manifest's file name in a snapshot folder.
const ManifestName = "snapshot.json"

// Manifest is snapshot.json.
type Manifest struct {
	// Snapshot is the format version: its key tells the file from others.
	Snapshot int    `json:"irsalintSnapshot"`
	Tool     string `json:"tool"`
	// Time is when the audit ended, RFC 3339 in UTC.
	Time     string    `json:"time"`
	Accounts []Account `json:"accounts"`
	Kube     *Kube     `json:"kube,omitempty"`
	// Inputs are the files given on the command line, copied under files/.
	Inputs []string `json:"inputs"`
	// Failures are the reads that did not succeed: the snapshot is partial.
	Failures []Failure `json:"failures"`
	// AllowPartial records --allow-partial: the failures are reported as
	// notices, not as errors that make the result untrusted.
	AllowPartial bool `json:"allowPartial"`
}

// Account is what was read from one AWS account.
type Account struct {
	ID        string   `json:"id"`
	Partition string   `json:"partition"`
	Caller    string   `json:"caller"`
	Region    string   `json:"region"`
	Clusters  []string `json:"clusters"`
	// RegionComplete: every cluster of the region was listed and read.
	RegionComplete bool `json:"regionComplete"`
	Roles          int  `json:"roles"`
	Calls          int  `json:"calls"`
}

// Kube is what was read from the cluster's API server.
type Kube struct {
	Context string         `json:"context"`
	Server  string         `json:"server"`
	Version string         `json:"version"`
	Objects map[string]int `json:"objects"`
	// Skipped counts objects left out because their controller stands for
	// them (a Deployment's ReplicaSets and Pods).
	Skipped map[string]int `json:"skipped,omitempty"`
}

// Failure is one read that failed.
type Failure struct {
	Source   string `json:"source"` // "aws" or "kubernetes"
	Account  string `json:"account,omitempty"`
	Region   string `json:"region,omitempty"`
	Action   string `json:"action"` // "ec2:DescribeLaunchTemplateVersions", "list pods"
	Resource string `json:"resource,omitempty"`
	Code     string `json:"code,omitempty"`
	Message  string `json:"message"`
}

func (f Failure) String() string {
	s := f.Action
	if f.Resource != "" {
		s += " (" + f.Resource + ")"
	}
	if f.Code != "" {
		s += ": " + f.Code
	}
	if f.Message != "" {
		s += ": " + f.Message
	}
	return s
}

// Reader reads a manifest: it holds no objects, but its failures are
// diagnostics, so a lint of a partial snapshot exits 2 as its audit did.
type Reader struct{}

// Detect tells a manifest by its version key.
func (Reader) Detect(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	_, ok = m["irsalintSnapshot"]
	return ok
}

// Read reports the manifest's failures where they are written.
func (Reader) Read(file string, doc source.Doc) reader.Result {
	m := doc.Value.(map[string]any)
	res := reader.Result{Meta: true}
	at := func(path ...any) analyzer.Location {
		p, _ := doc.Pos.Lookup(path)
		return analyzer.Location{File: file, Line: p.Line, Column: p.Column}
	}
	if v, ok := m["irsalintSnapshot"].(int64); !ok || v < 1 || v > Version {
		res.Diagnostics = append(res.Diagnostics, analyzer.Diagnostic{Level: analyzer.LevelError, Location: at("irsalintSnapshot"),
			Message: fmt.Sprintf("snapshot format %v is not one this irsalint reads (1 to %d): use the irsalint that wrote it", m["irsalintSnapshot"], Version)})
		return res
	}
	level, allowed := analyzer.LevelError, m["allowPartial"] == true
	if allowed {
		level = analyzer.LevelNotice
	}
	list, _ := m["failures"].([]any)
	for i, raw := range list {
		f, _ := raw.(map[string]any)
		str := func(k string) string { s, _ := f[k].(string); return s }
		fl := Failure{Source: str("source"), Account: str("account"), Region: str("region"), Action: str("action"), Resource: str("resource"), Code: str("code"), Message: str("message")}
		msg := fmt.Sprintf("the audit could not read %s; what it would have read is left out", fl)
		if !allowed {
			msg += " (the result is partial: grant the action, or accept with irsalint audit --allow-partial)"
		}
		res.Diagnostics = append(res.Diagnostics, analyzer.Diagnostic{Level: level, Location: at("failures", i), Message: msg})
	}
	return res
}
