package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/aws"
	"github.com/irsalint/irsalint/analyzer/lint"
	"github.com/irsalint/irsalint/analyzer/snapshot"
	"github.com/irsalint/irsalint/analyzer/source"
)

// snapshotDir prepares where the snapshot is written. With --snapshot the
// files go to a temporary folder beside DIR, renamed to DIR when whole, so
// that an audit cut short leaves no half snapshot; without it, to a
// temporary folder removed at the end. display is DIR as lint shows it.
func snapshotDir(flag, wd string) (dir, display string, cleanup func(), err error) {
	if flag == "" {
		dir, err = os.MkdirTemp("", "irsalint-audit-")
		if err != nil {
			return "", "", nil, fmt.Errorf("a folder for what the audit reads: %v", unwrapOS(err))
		}
		return dir, "", func() { os.RemoveAll(dir) }, nil
	}
	target := resolvePath(flag, wd)
	if entries, err := os.ReadDir(target); err == nil && len(entries) > 0 {
		return "", "", nil, usagef("--snapshot %s: the folder is not empty (name a new or empty folder)", flag)
	} else if err != nil && !os.IsNotExist(err) {
		return "", "", nil, usagef("--snapshot %s: %v", flag, unwrapOS(err))
	}
	parent := filepath.Dir(target)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", "", nil, fmt.Errorf("--snapshot %s: %v", flag, unwrapOS(err))
	}
	dir, err = os.MkdirTemp(parent, "."+filepath.Base(target)+".tmp-")
	if err != nil {
		return "", "", nil, fmt.Errorf("--snapshot %s: %v", flag, unwrapOS(err))
	}
	return dir, filepath.ToSlash(flag), func() { os.RemoveAll(dir) }, nil
}

// commitSnapshot moves a whole snapshot to the --snapshot folder.
func commitSnapshot(dir, flag, wd string) error {
	if flag == "" {
		return nil
	}
	target := resolvePath(flag, wd)
	os.Remove(target) // an empty folder, checked before the audit
	if err := os.Rename(dir, target); err != nil {
		return fmt.Errorf("--snapshot %s: %v", flag, unwrapOS(err))
	}
	return nil
}

// clusterSection is the cluster context the snapshot's configuration holds.
type clusterSection struct {
	name, issuer, account, region, version string
	objectsComplete                        bool
	regions                                []string
}

// writeSnapshot writes the files, the manifest and the configuration.
func writeSnapshot(dir string, files []aws.File, man snapshot.Manifest, c clusterSection) error {
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("writing the snapshot: %v", unwrapOS(err))
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return fmt.Errorf("writing the snapshot: %v", unwrapOS(err))
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(man); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, snapshot.ManifestName), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing the snapshot: %v", unwrapOS(err))
	}
	if err := os.WriteFile(filepath.Join(dir, ".irsalint.yaml"), []byte(c.yaml()), 0o644); err != nil {
		return fmt.Errorf("writing the snapshot: %v", unwrapOS(err))
	}
	return nil
}

// yaml is the snapshot's .irsalint.yaml. Values are JSON strings, which
// YAML reads as the same strings whatever they hold.
func (c clusterSection) yaml() string {
	var b strings.Builder
	b.WriteString("# Written by irsalint audit: the cluster context of what it read.\n")
	b.WriteString("# The cluster's issuer, account, region and version come from\n# its describe-cluster output.\n")
	q := func(s string) string { out, _ := json.Marshal(s); return string(out) }
	b.WriteString("cluster:\n")
	wrote := false
	for _, kv := range [][2]string{{"name", c.name}, {"oidcIssuer", c.issuer}, {"accountId", c.account}, {"region", c.region}, {"kubernetesVersion", c.version}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "  %s: %s\n", kv[0], q(kv[1]))
			wrote = true
		}
	}
	if !wrote {
		b.WriteString("  {}\n")
	}
	b.WriteString("complete:\n")
	fmt.Fprintf(&b, "  clusterObjects: %t\n", c.objectsComplete)
	b.WriteString("  clusterRegions: [")
	for i, r := range c.regions {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(q(r))
	}
	b.WriteString("]\n")
	return b.String()
}

// copyInputs reads the files given on the command line, to copy them into
// the snapshot under files/ so that it alone reproduces the audit.
func copyInputs(args []string, opts lint.Options, sys system) ([]aws.File, error) {
	if len(args) == 0 {
		return nil, nil
	}
	files, diags := source.Collect(args, source.CollectOptions{Stdin: sys.Stdin, StdinName: "stdin.yaml", WorkingDir: opts.WorkingDir})
	for _, d := range diags {
		if d.Level == analyzer.LevelError {
			return nil, fmt.Errorf("%s", d.String())
		}
		fmt.Fprintln(sys.Stderr, d.String())
	}
	out := make([]aws.File, 0, len(files))
	for _, f := range files {
		out = append(out, aws.File{Path: "files/" + inputName(f.Path), Data: f.Data})
	}
	return out, nil
}

// inputName is where a display path goes under files/: absolute paths lose
// their root and ".." elements become "_", so nothing lands outside.
func inputName(p string) string {
	p = strings.TrimLeft(path.Clean("/"+p), "/")
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if s == ".." || s == "" {
			parts[i] = "_"
		}
	}
	return strings.Join(parts, "/")
}

func appendUnique(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
