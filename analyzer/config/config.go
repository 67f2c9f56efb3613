package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/guard"
	"github.com/irsalint/irsalint/analyzer/source"
)

// FileNames are the names searched for, upward from the first linted path.
var FileNames = []string{".irsalint.yaml", ".irsalint.yml"}

// Config is the content of .irsalint.yaml.
type Config struct {
	// File is the path the configuration was read from.
	File    string
	Cluster Cluster
	// Settings add to the built-in catalogues.
	Settings Settings
	Rules    Rules
	Limits   Limits
	Complete Complete
	Paths    Paths
	// Ignore are the suppressions the configuration writes.
	Ignore []Ignore
}

// Ignore suppresses the findings it matches: each of its given criteria
// must match. Reason is required; after Expires (a date, "" for never) it
// suppresses nothing and the findings it matched say so.
type Ignore struct {
	Rules     []string // rule IDs; ["*"] for every rule
	Paths     []string // globs relative to Dir, as paths.include
	Kind      string   // object kind, namespace, name: globs
	Namespace string
	Name      string
	RoleARN   string // glob over the ARN of a role finding
	Reason    string
	Expires   time.Time
	Dir       string
	At        analyzer.Location // the entry, for messages
	// RulePositions are where each rule ID is written, for unknown IDs.
	RulePositions map[string]analyzer.Location
}

// Paths select the files found in folders: globs relative to the folder
// that holds the configuration (Dir).
type Paths struct {
	Include, Exclude []string
	Dir              string
}

// Complete says what the scanned files hold entirely, so that rules may call
// an object missing when it is not among them. An audit snapshot writes it;
// a repository rarely can.
type Complete struct {
	// ClusterObjects: every Namespace and ServiceAccount of the cluster.
	ClusterObjects bool
	// ClusterRegions: the regions whose EKS clusters were all read.
	ClusterRegions []string
}

// Limits are the caps the configuration sets; zero means "not set". A
// configuration file is repository content, so callers let these only
// lower the defaults (see docs/configuration.md).
type Limits struct {
	Timeout      time.Duration
	Memory       int64
	MaxFileSize  int64
	MaxTotalSize int64
	MaxFiles     int
	MaxFindings  int
	// Where each key was written, for messages.
	Positions map[string]analyzer.Location
}

// Cluster is the cluster section. Empty strings mean "not given".
type Cluster struct {
	Name              string
	OIDCIssuer        string
	AccountID         string
	Region            string
	KubernetesVersion string
	FargateProfiles   []FargateProfile
	// PodIdentityAssociations is nil when the section is absent, and an
	// empty non-nil slice when it says there are none.
	PodIdentityAssociations []Association
	// Where each field was read, for error messages by later validation.
	Positions map[string]analyzer.Location
}

// FargateProfile selects pods by namespace (wildcards allowed) and labels.
type FargateProfile struct {
	Name      string
	Selectors []FargateSelector
}

// FargateSelector is one selector of a Fargate profile.
type FargateSelector struct {
	Namespace string
	Labels    map[string]string
}

// Association is an EKS Pod Identity association.
type Association struct {
	Namespace          string
	ServiceAccount     string
	RoleARN            string
	TargetRoleARN      string
	DisableSessionTags bool
	Location           analyzer.Location
}

// Settings extend the built-in catalogues (see inventory.Settings).
type Settings struct {
	HostNetworkAllowlist []string
	AWSImages            []string
	AWSEnv               []string
}

// Rules selects and grades rules.
type Rules struct {
	Enable   []string
	Disable  []string
	Severity map[string]analyzer.Severity
	// Dirs are extra rule directories, made absolute relative to the file.
	Dirs []string
	// Where rule IDs were named, to report unknown ones.
	Positions map[string]analyzer.Location
}

// MaxFileSize caps a configuration file: a real one is a few KiB, and a
// link to /dev/zero must not be read to the end.
const MaxFileSize = 1 << 20

// Find looks for a configuration file in dir and its parents. What it finds
// may still be a pipe or a link: Load checks.
func Find(dir string) (string, bool) {
	for {
		for _, n := range FileNames {
			p := filepath.Join(dir, n)
			if st, err := os.Lstat(p); err == nil && !st.IsDir() {
				return p, true
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// Error is a configuration problem at a position.
type Error struct {
	Location analyzer.Location
	Msg      string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Location, e.Msg) }

// Load reads and checks a configuration file: a regular file of at most
// MaxFileSize bytes. display is the name used in messages. A file found
// automatically (found is true) is repository content: a symbolic link
// must stay inside the folder that holds it.
func Load(path, display string, found bool) (*Config, error) {
	if found {
		if lst, err := os.Lstat(path); err == nil && lst.Mode()&os.ModeSymlink != 0 {
			real, err := filepath.EvalSymlinks(path)
			dir, derr := filepath.EvalSymlinks(filepath.Dir(path))
			if err != nil || derr != nil || !Inside(dir, real) {
				target, _ := os.Readlink(path)
				return nil, fmt.Errorf("%s: a symbolic link to %q, outside the folder that holds it; not read (name a configuration with --config)", display, target)
			}
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", display, pathReason(err))
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file; a configuration must be one", display)
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than the 1 MiB a configuration file may have", display)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", display, pathReason(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", display, pathReason(err))
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than the 1 MiB a configuration file may have", display)
	}
	return Parse(data, display, filepath.Dir(path))
}

func pathReason(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Inside tells whether path is dir or below it (both cleaned, absolute).
func Inside(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// Parse reads configuration text; dir resolves relative rule directories.
func Parse(data []byte, display, dir string) (*Config, error) {
	docs, err := source.Decode(data)
	if err != nil {
		var se *source.Error
		if errors.As(err, &se) {
			return nil, &Error{Location: analyzer.Location{File: display, Line: se.Pos.Line, Column: se.Pos.Column}, Msg: se.Msg}
		}
		return nil, fmt.Errorf("%s: %v", display, err)
	}
	cfg := &Config{File: display}
	if len(docs) == 0 {
		return cfg, nil
	}
	if len(docs) > 1 {
		return nil, &Error{Location: analyzer.Location{File: display, Line: docs[1].Pos.Root().Line}, Msg: "the configuration must be one YAML document"}
	}
	r := &reader{file: display, pos: docs[0].Pos}
	if len(docs[0].Duplicates) > 0 {
		d := docs[0].Duplicates[0]
		return nil, &Error{Location: analyzer.Location{File: display, Line: d.At.Line, Column: d.At.Column}, Msg: fmt.Sprintf("key %q is set twice (first at line %d)", d.Key, d.First.Line)}
	}
	top := r.object(docs[0].Value, nil, "cluster", "settings", "rules", "limits", "complete", "paths", "ignore")
	if c := r.object(top["cluster"], []any{"cluster"}, "name", "oidcIssuer", "accountId", "region", "kubernetesVersion", "fargateProfiles", "podIdentityAssociations"); c != nil {
		cfg.Cluster = r.cluster(c)
	}
	if s := r.object(top["settings"], []any{"settings"}, "hostNetworkAllowlist", "awsImages", "awsEnv"); s != nil {
		cfg.Settings.HostNetworkAllowlist = r.strings(s["hostNetworkAllowlist"], []any{"settings", "hostNetworkAllowlist"})
		cfg.Settings.AWSImages = r.strings(s["awsImages"], []any{"settings", "awsImages"})
		cfg.Settings.AWSEnv = r.strings(s["awsEnv"], []any{"settings", "awsEnv"})
	}
	if rl := r.object(top["rules"], []any{"rules"}, "enable", "disable", "severity", "dirs"); rl != nil {
		cfg.Rules = r.rules(rl, dir)
	}
	if l := r.object(top["limits"], []any{"limits"}, "timeout", "memory", "maxFileSize", "maxTotalSize", "maxFiles", "maxFindings"); l != nil {
		cfg.Limits = r.limits(l)
	}
	if c := r.object(top["complete"], []any{"complete"}, "clusterObjects", "clusterRegions"); c != nil {
		cfg.Complete = Complete{
			ClusterObjects: r.boolean(c["clusterObjects"], []any{"complete", "clusterObjects"}),
			ClusterRegions: r.strings(c["clusterRegions"], []any{"complete", "clusterRegions"}),
		}
	}
	if p := r.object(top["paths"], []any{"paths"}, "include", "exclude"); p != nil {
		cfg.Paths = Paths{Dir: dir,
			Include: r.globs(p["include"], []any{"paths", "include"}),
			Exclude: r.globs(p["exclude"], []any{"paths", "exclude"})}
	}
	if v := top["ignore"]; v != nil {
		cfg.Ignore = r.ignores(v, dir)
	}
	if r.err != nil {
		return nil, r.err
	}
	return cfg, nil
}

// ignores reads the ignore entries.
func (r *reader) ignores(v any, dir string) []Ignore {
	list, ok := v.([]any)
	if !ok {
		r.fail([]any{"ignore"}, "ignore: expected a list of entries")
		return nil
	}
	var out []Ignore
	for i, it := range list {
		at := []any{"ignore", i}
		m := r.object(it, at, "rule", "rules", "paths", "kind", "namespace", "name", "roleArn", "reason", "expires")
		if m == nil {
			if it == nil {
				r.fail(at, "%s: an empty entry", name(at))
			}
			continue
		}
		p := func(k string) []any { return append(append([]any{}, at...), k) }
		e := Ignore{Dir: dir, At: r.loc(at), RulePositions: map[string]analyzer.Location{}}
		if id := r.str(m["rule"], p("rule")); id != "" {
			e.Rules = append(e.Rules, id)
			e.RulePositions[id] = r.loc(p("rule"))
		}
		for j, id := range r.strings(m["rules"], p("rules")) {
			e.Rules = append(e.Rules, id)
			e.RulePositions[id] = r.loc(append(p("rules"), j))
		}
		if len(e.Rules) == 0 {
			r.fail(at, "%s: name the rule it suppresses (rule: ID, or rules: [...]; \"*\" for every rule)", name(at))
		}
		e.Paths = r.globs(m["paths"], p("paths"))
		e.Kind, e.Namespace, e.Name = r.str(m["kind"], p("kind")), r.str(m["namespace"], p("namespace")), r.str(m["name"], p("name"))
		e.RoleARN = r.str(m["roleArn"], p("roleArn"))
		for _, g := range []struct{ key, glob string }{{"kind", e.Kind}, {"namespace", e.Namespace}, {"name", e.Name}, {"roleArn", e.RoleARN}} {
			if g.glob != "" && !source.ValidPattern(g.glob) {
				r.fail(p(g.key), "%s: %q is not a valid glob", name(p(g.key)), g.glob)
			}
		}
		if e.Reason = strings.TrimSpace(r.str(m["reason"], p("reason"))); e.Reason == "" {
			r.fail(at, "%s: a suppression needs a reason (reason: why this is accepted), for the next reviewer", name(at))
		}
		if ex := r.str(m["expires"], p("expires")); ex != "" {
			t, err := time.Parse("2006-01-02", ex)
			if err != nil {
				t, err = time.Parse(time.RFC3339, ex)
			}
			if err != nil {
				r.fail(p("expires"), "%s: %q is not a date (write YYYY-MM-DD)", name(p("expires")), ex)
			}
			e.Expires = t
		}
		out = append(out, e)
	}
	return out
}

// globs reads a list of path globs, each checked.
func (r *reader) globs(v any, path []any) []string {
	out := r.strings(v, path)
	for i, g := range out {
		if !source.ValidPattern(g) {
			at := append(append([]any{}, path...), i)
			r.fail(at, "%s: %q is not a valid glob (unclosed [ or {, or a bad escape)", name(at), g)
		}
	}
	return out
}

// boolean reads true or false; absent is false.
func (r *reader) boolean(v any, path []any) bool {
	if v == nil {
		return false
	}
	b, ok := v.(bool)
	if !ok {
		r.fail(path, "%s: expected true or false", source.FormatPath(path))
	}
	return b
}

// reader reads typed values, remembering the first error with its position.
type reader struct {
	file string
	pos  *source.Positions
	err  error
}

func (r *reader) loc(path []any) analyzer.Location {
	p, _ := r.pos.Lookup(path)
	return analyzer.Location{File: r.file, Line: p.Line, Column: p.Column}
}

func (r *reader) fail(path []any, format string, args ...any) {
	if r.err == nil {
		r.err = &Error{Location: r.loc(path), Msg: fmt.Sprintf(format, args...)}
	}
}

func (r *reader) object(v any, path []any, known ...string) map[string]any {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		r.fail(path, "%s: expected a mapping", name(path))
		return nil
	}
	for _, k := range sortedKeys(m) {
		if !contains(known, k) {
			r.fail(append(append([]any{}, path...), k), "unknown key %q in %s (known: %s)", k, name(path), strings.Join(known, ", "))
		}
	}
	return m
}

func (r *reader) str(v any, path []any) string {
	switch s := v.(type) {
	case nil:
		return ""
	case string:
		return s
	case int64, float64:
		r.fail(path, "%s: write it as a quoted string (YAML reads %v as a number, which loses leading zeros and trailing zeros: 1.30 is 1.3)", name(path), s)
	default:
		r.fail(path, "%s: expected a string", name(path))
	}
	return ""
}

func (r *reader) strings(v any, path []any) []string {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		r.fail(path, "%s: expected a list of strings", name(path))
		return nil
	}
	out := []string{}
	for i, it := range list {
		ip := append(append([]any{}, path...), i)
		if it == nil {
			// str reads null as "not given", which an item of a list
			// cannot be: "dirs: [~]" would name the file's own directory.
			r.fail(ip, "%s: expected a string, got an empty item", name(ip))
			continue
		}
		out = append(out, r.str(it, ip))
	}
	return out
}

func (r *reader) cluster(c map[string]any) Cluster {
	p := func(k string) []any { return []any{"cluster", k} }
	cl := Cluster{
		Name:              r.str(c["name"], p("name")),
		OIDCIssuer:        r.str(c["oidcIssuer"], p("oidcIssuer")),
		AccountID:         r.str(c["accountId"], p("accountId")),
		Region:            r.str(c["region"], p("region")),
		KubernetesVersion: r.str(c["kubernetesVersion"], p("kubernetesVersion")),
		Positions:         map[string]analyzer.Location{},
	}
	for _, k := range []string{"oidcIssuer", "accountId", "region", "kubernetesVersion"} {
		cl.Positions[k] = r.loc(p(k))
	}
	if v, ok := c["fargateProfiles"]; ok {
		list, isList := v.([]any)
		if !isList {
			r.fail(p("fargateProfiles"), "cluster.fargateProfiles: expected a list")
		}
		for i, it := range list {
			ip := []any{"cluster", "fargateProfiles", i}
			fp := r.object(it, ip, "name", "selectors")
			if fp == nil {
				continue
			}
			prof := FargateProfile{Name: r.str(fp["name"], append(ip, "name"))}
			sels, _ := fp["selectors"].([]any)
			if fp["selectors"] != nil && sels == nil {
				r.fail(append(ip, "selectors"), "selectors: expected a list")
			}
			for j, s := range sels {
				sp := append(append([]any{}, ip...), "selectors", j)
				sm := r.object(s, sp, "namespace", "labels")
				if sm == nil {
					continue
				}
				sel := FargateSelector{Namespace: r.str(sm["namespace"], append(sp, "namespace")), Labels: map[string]string{}}
				if sel.Namespace == "" {
					r.fail(sp, "a Fargate selector needs a namespace")
				}
				if lm, ok := sm["labels"].(map[string]any); ok {
					for _, k := range sortedKeys(lm) {
						sel.Labels[k] = r.str(lm[k], append(append([]any{}, sp...), "labels", k))
					}
				} else if sm["labels"] != nil {
					r.fail(append(sp, "labels"), "labels: expected a mapping")
				}
				prof.Selectors = append(prof.Selectors, sel)
			}
			cl.FargateProfiles = append(cl.FargateProfiles, prof)
		}
	}
	if v, ok := c["podIdentityAssociations"]; ok {
		cl.PodIdentityAssociations = []Association{}
		list, isList := v.([]any)
		if v != nil && !isList {
			r.fail(p("podIdentityAssociations"), "cluster.podIdentityAssociations: expected a list")
		}
		for i, it := range list {
			ip := []any{"cluster", "podIdentityAssociations", i}
			am := r.object(it, ip, "namespace", "serviceAccount", "roleArn", "targetRoleArn", "disableSessionTags")
			if am == nil {
				continue
			}
			a := Association{
				Namespace:      r.str(am["namespace"], append(ip, "namespace")),
				ServiceAccount: r.str(am["serviceAccount"], append(ip, "serviceAccount")),
				RoleARN:        r.str(am["roleArn"], append(ip, "roleArn")),
				TargetRoleARN:  r.str(am["targetRoleArn"], append(ip, "targetRoleArn")),
				Location:       r.loc(ip),
			}
			if b, ok := am["disableSessionTags"].(bool); ok {
				a.DisableSessionTags = b
			} else if am["disableSessionTags"] != nil {
				r.fail(append(ip, "disableSessionTags"), "disableSessionTags: expected true or false")
			}
			if a.Namespace == "" || a.ServiceAccount == "" {
				r.fail(ip, "a Pod Identity association needs namespace and serviceAccount")
			}
			cl.PodIdentityAssociations = append(cl.PodIdentityAssociations, a)
		}
	}
	return cl
}

func (r *reader) rules(rl map[string]any, dir string) Rules {
	out := Rules{
		Enable:    r.strings(rl["enable"], []any{"rules", "enable"}),
		Disable:   r.strings(rl["disable"], []any{"rules", "disable"}),
		Severity:  map[string]analyzer.Severity{},
		Positions: map[string]analyzer.Location{},
	}
	for i, id := range out.Enable {
		out.Positions[id] = r.loc([]any{"rules", "enable", i})
	}
	for i, id := range out.Disable {
		out.Positions[id] = r.loc([]any{"rules", "disable", i})
	}
	if m, ok := rl["severity"].(map[string]any); ok {
		for _, id := range sortedKeys(m) {
			path := []any{"rules", "severity", id}
			s, err := analyzer.ParseSeverity(r.str(m[id], path))
			if err != nil {
				r.fail(path, "rules.severity.%s: %v", id, err)
				continue
			}
			out.Severity[id] = s
			out.Positions[id] = r.loc(path)
		}
	} else if rl["severity"] != nil {
		r.fail([]any{"rules", "severity"}, "rules.severity: expected a mapping of rule IDs to severities")
	}
	for i, d := range r.strings(rl["dirs"], []any{"rules", "dirs"}) {
		if p, ok := r.ruleDir(d, dir, []any{"rules", "dirs", i}); ok {
			out.Dirs = append(out.Dirs, p)
		}
	}
	return out
}

// ruleDir resolves a rule folder named by the configuration. Rules are code,
// and the configuration is repository content, so the folder must be inside
// the one that holds the configuration, links included; --rules, the
// user's own choice, may name any folder.
func (r *reader) ruleDir(d, dir string, path []any) (string, bool) {
	const hint = "rule folders named in a configuration file must be inside the folder that holds it (--rules may name any)"
	if d == "" {
		r.fail(path, "rules.dirs: empty path")
		return "", false
	}
	if filepath.IsAbs(d) || filepath.VolumeName(d) != "" {
		r.fail(path, "rules.dirs: %q is an absolute path; %s", d, hint)
		return "", false
	}
	p := filepath.Join(dir, d)
	if !Inside(dir, p) {
		r.fail(path, "rules.dirs: %q leads outside %s; %s", d, dir, hint)
		return "", false
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return p, true // does not exist: the engine says so
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil || !Inside(realDir, real) {
		r.fail(path, "rules.dirs: %q is a symbolic link leading outside %s; %s", d, dir, hint)
		return "", false
	}
	return p, true
}

func (r *reader) limits(l map[string]any) Limits {
	out := Limits{Positions: map[string]analyzer.Location{}}
	p := func(k string) []any { return []any{"limits", k} }
	for _, k := range sortedKeys(l) {
		out.Positions[k] = r.loc(p(k))
	}
	if v := l["timeout"]; v != nil {
		d, err := time.ParseDuration(r.str(v, p("timeout")))
		switch {
		case r.err != nil:
		case err != nil || d <= 0:
			r.fail(p("timeout"), "limits.timeout: want a duration such as 10m or 90s")
		default:
			out.Timeout = d
		}
	}
	size := func(k string) int64 {
		v := l[k]
		if v == nil {
			return 0
		}
		s, ok := v.(string)
		if !ok {
			r.fail(p(k), "limits.%s: want a size such as \"10MiB\"", k)
			return 0
		}
		n, err := guard.ParseSize(s)
		if err != nil {
			r.fail(p(k), "limits.%s: %v", k, err)
		}
		return n
	}
	count := func(k string) int {
		v := l[k]
		if v == nil {
			return 0
		}
		n, ok := v.(int64)
		if !ok || n < 1 || n > 1<<31 {
			r.fail(p(k), "limits.%s: want a whole number from 1", k)
			return 0
		}
		return int(n)
	}
	out.Memory = size("memory")
	out.MaxFileSize = size("maxFileSize")
	out.MaxTotalSize = size("maxTotalSize")
	out.MaxFiles = count("maxFiles")
	out.MaxFindings = count("maxFindings")
	return out
}

// sortedKeys orders a mapping's keys, so that the first error reported is
// the same on every run.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func name(path []any) string {
	if len(path) == 0 {
		return "the configuration"
	}
	return source.FormatPath(path)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
