package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/config"
	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/analyzer/inventory"
	"github.com/irsalint/irsalint/analyzer/lint"
	"github.com/irsalint/irsalint/analyzer/report"
)

// Exit codes are part of the API: a CI gate relies on them.
const (
	exitOK       = 0 // nothing at or above the --fail-on threshold
	exitFindings = 1 // findings at or above the threshold
	exitError    = 2 // the analysis cannot be trusted: bad usage, unreadable or unparseable input, a rule that failed
)

// system is everything run takes from the process, so every CLI path can be
// tested in-process.
type system struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Getwd  func() (string, error)
}

// usageError is a mistake in the command line: exit 2 with a hint.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const mainUsage = `irsalint checks Amazon EKS workload identity (IRSA and EKS Pod Identity):
Kubernetes manifests and IAM roles, and the links between them.

Usage:
  irsalint lint [PATH|-]...       analyze files and folders (default ".")
  irsalint identities [PATH|-]... every workload's effective AWS identity and verdict
  irsalint inventory [PATH|-]...  print the normalized input the rules see, as JSON
  irsalint rules                  list the rules
  irsalint explain RULE           describe one rule: why it matters and how to fix it
  irsalint version                print the version

Run "irsalint COMMAND --help" for the flags of a command.

Exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on
  2  the analysis could not be trusted: bad flag, unreadable or unparseable
     input, a rule that failed to compile or run
`

func run(ctx context.Context, args []string, sys system) int {
	if len(args) == 0 {
		fmt.Fprint(sys.Stderr, mainUsage)
		return exitError
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "lint":
		var code int
		code, err = runLint(ctx, rest, sys)
		if err == nil {
			return code
		}
	case "inventory":
		err = runInventory(ctx, rest, sys)
	case "identities":
		err = runIdentities(ctx, rest, sys)
	case "rules":
		err = runRules(rest, sys)
	case "explain":
		err = runExplain(rest, sys)
	case "version", "--version":
		fmt.Fprintf(sys.Stdout, "irsalint %s\n", versionString())
		return exitOK
	case "help", "-h", "--help":
		if len(rest) > 0 {
			return run(ctx, []string{rest[0], "--help"}, sys)
		}
		fmt.Fprint(sys.Stdout, mainUsage)
		return exitOK
	default:
		err = usagef("unknown command %q (want lint, identities, inventory, rules, explain or version)", cmd)
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, pflag.ErrHelp):
		return exitOK
	default:
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(sys.Stderr, "irsalint: %v\nRun \"irsalint %s --help\" for usage.\n", err, args[0])
		} else {
			fmt.Fprintf(sys.Stderr, "irsalint: %v\n", err)
		}
		return exitError
	}
}

// newFlags makes a flag set whose errors are returned, not printed and
// exited on, and whose --help goes to stdout.
func newFlags(name, usage string, sys system) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprint(sys.Stdout, usage)
		fmt.Fprintln(sys.Stdout, "\nFlags:")
		fmt.Fprint(sys.Stdout, fs.FlagUsages())
	}
	return fs
}

func parseFlags(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fs.Usage()
			return err
		}
		return usagef("%v", err)
	}
	return nil
}

// inputFlags are the flags of every command that reads files.
type inputFlags struct {
	kubernetesVersion string
	oidcIssuer        string
	accountID         string
	region            string
	maxFileSize       string
	stdinName         string
	configPath        string
	noConfig          bool
}

func (f *inputFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.configPath, "config", "", "configuration file (default: .irsalint.yaml found upward from the first path)")
	fs.BoolVar(&f.noConfig, "no-config", false, "read no configuration file")
	fs.StringVar(&f.kubernetesVersion, "kubernetes-version", "", "Kubernetes version of the cluster (e.g. 1.29); some rules depend on it")
	fs.StringVar(&f.oidcIssuer, "oidc-issuer", "", "the cluster's OIDC issuer URL (https://oidc.eks.REGION.amazonaws.com/id/ID)")
	fs.StringVar(&f.accountID, "account-id", "", "the AWS account ID the cluster runs in")
	fs.StringVar(&f.region, "region", "", "the AWS region the cluster runs in (derives the ARN partition)")
	fs.StringVar(&f.maxFileSize, "max-file-size", "10MiB", "larger files are not read (an error); e.g. 50MiB")
	fs.StringVar(&f.stdinName, "stdin-filename", "<stdin>", "the name findings in standard input (-) are reported under")
}

// input builds what to read and the cluster context: the configuration
// file first, then the flags, which win.
func (f *inputFlags) input(paths []string, sys system) (lint.Input, *config.Config, error) {
	in := lint.Input{Paths: paths, Stdin: sys.Stdin, StdinName: f.stdinName, Settings: inventory.DefaultSettings()}
	wd, err := sys.Getwd()
	if err != nil {
		return in, nil, fmt.Errorf("working directory: %w", err)
	}
	in.WorkingDir = wd
	if in.MaxFileSize, err = parseSize(f.maxFileSize); err != nil {
		return in, nil, usagef("--max-file-size: %v", err)
	}
	cfg, err := f.loadConfig(paths, wd)
	if err != nil {
		return in, nil, err
	}
	if in.Cluster, err = clusterContext(cfg, f); err != nil {
		return in, nil, err
	}
	s := &in.Settings
	s.HostNetworkAllowlist = append(s.HostNetworkAllowlist, cfg.Settings.HostNetworkAllowlist...)
	s.AWSImages = append(s.AWSImages, cfg.Settings.AWSImages...)
	s.AWSEnv = append(s.AWSEnv, cfg.Settings.AWSEnv...)
	return in, cfg, nil
}

// loadConfig reads --config, or .irsalint.yaml found upward from the first
// path (the working directory for standard input), unless --no-config.
func (f *inputFlags) loadConfig(paths []string, wd string) (*config.Config, error) {
	if f.noConfig {
		if f.configPath != "" {
			return nil, usagef("--config and --no-config exclude each other")
		}
		return &config.Config{}, nil
	}
	path := resolvePath(f.configPath, wd)
	if path == "" {
		start := wd
		if len(paths) > 0 && paths[0] != "-" {
			start = resolvePath(paths[0], wd)
			if st, err := os.Stat(start); err != nil || !st.IsDir() {
				start = filepath.Dir(start)
			}
		}
		found, ok := config.Find(start)
		if !ok {
			return &config.Config{}, nil
		}
		path = found
	}
	return config.Load(path, displayPath(path, wd))
}

func displayPath(p, wd string) string {
	if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(p)
}

// clusterContext merges the configuration's cluster section with the flags
// and checks every value.
func clusterContext(cfg *config.Config, f *inputFlags) (inventory.Cluster, error) {
	cc := cfg.Cluster
	c := inventory.Cluster{
		Name:            cc.Name,
		FargateProfiles: cc.FargateProfiles,
		Associations:    cc.PodIdentityAssociations,
	}
	// pick returns the flag value, else the configuration's, and a function
	// that wraps an error with where the value came from.
	pick := func(flag, key, cfgValue string) (string, func(error) error) {
		if flag != "" {
			return flag, func(err error) error { return usagef("--%s: %v", flagName(key), err) }
		}
		return cfgValue, func(err error) error { return fmt.Errorf("%s: cluster.%s: %v", cc.Positions[key], key, err) }
	}
	var err error
	if v, wrap := pick(f.kubernetesVersion, "kubernetesVersion", cc.KubernetesVersion); v != "" {
		if c.KubernetesVersion, err = inventory.ParseKubernetesVersion(v); err != nil {
			return c, wrap(err)
		}
	}
	if v, wrap := pick(f.oidcIssuer, "oidcIssuer", cc.OIDCIssuer); v != "" {
		if c.OIDCIssuer, err = inventory.NormalizeIssuer(v); err != nil {
			return c, wrap(err)
		}
	}
	if v, wrap := pick(f.accountID, "accountId", cc.AccountID); v != "" {
		if err := inventory.ValidateAccountID(v); err != nil {
			return c, wrap(err)
		}
		c.AccountID = v
	}
	if v, wrap := pick(f.region, "region", cc.Region); v != "" {
		if err := inventory.ValidateRegion(v); err != nil {
			return c, wrap(err)
		}
		c.Region = v
	}
	return c, nil
}

// flagName is the flag that sets a cluster configuration key.
func flagName(key string) string {
	switch key {
	case "kubernetesVersion":
		return "kubernetes-version"
	case "oidcIssuer":
		return "oidc-issuer"
	case "accountId":
		return "account-id"
	}
	return key
}

// parseSize reads "10MiB", "512KiB", "20MB" or a plain byte count.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid size %q (e.g. 10MiB)", s)
	}
	return int64(n * float64(mult)), nil
}

const lintUsage = `Usage: irsalint lint [flags] [PATH|-]...

Analyze Kubernetes manifests (YAML or JSON, multi-document, kind: List) and
IAM roles (a trust policy document; aws iam get-role, list-roles and
get-account-authorization-details output) in the named files and folders
("." when none; "-" reads standard input). Folders are walked for *.yaml,
*.yml and *.json, skipping hidden files and folders, node_modules and vendor;
a named file is read whatever its extension. Pod Identity associations are
read from aws eks list-pod-identity-associations or
describe-pod-identity-association output, or from the configuration.

The cluster context (OIDC issuer, account, region, Kubernetes version,
Fargate profiles, Pod Identity associations) comes from .irsalint.yaml,
found upward from the first path, and from flags, which win.

Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it;
2 the analysis could not be trusted (bad flag, unreadable or unparseable
input, a rule that failed). Findings in files that did parse are still
reported when the exit code is 2.
`

func runLint(ctx context.Context, args []string, sys system) (int, error) {
	fs := newFlags("lint", lintUsage, sys)
	var (
		in       inputFlags
		format   string
		output   string
		failOn   string
		ruleDirs []string
		enable   []string
		disable  []string
		noColor  bool
	)
	fs.StringVarP(&format, "format", "f", "text", "output format: "+strings.Join(report.Names(), ", "))
	fs.StringVarP(&output, "output", "o", "", "write the report to FILE instead of standard output")
	fs.StringVar(&failOn, "fail-on", "low", "lowest severity that makes the exit code 1: critical, high, medium, low or none")
	in.register(fs)
	fs.StringArrayVar(&ruleDirs, "rules", nil, "directory (or .rego file) of extra rules; repeatable")
	fs.StringSliceVar(&enable, "enable", nil, "run only these rules (comma-separated, repeatable)")
	fs.StringSliceVar(&disable, "disable", nil, "do not run these rules (comma-separated, repeatable)")
	fs.BoolVar(&noColor, "no-color", false, "never colour the text output (colour is only used on a terminal)")
	if err := parseFlags(fs, args); err != nil {
		return 0, err
	}
	reporter, ok := report.Reporters[format]
	if !ok {
		return 0, usagef("unknown --format %q (want %s)", format, strings.Join(report.Names(), ", "))
	}
	threshold, err := parseFailOn(failOn)
	if err != nil {
		return 0, err
	}
	input, cfg, err := in.input(fs.Args(), sys)
	if err != nil {
		return 0, err
	}
	eng, err := newEngine(append(cfg.Rules.Dirs, ruleDirs...), sys)
	if err != nil {
		return 0, err
	}
	if err := checkConfiguredRules(cfg, eng); err != nil {
		return 0, err
	}
	if len(enable) == 0 {
		enable = cfg.Rules.Enable
	}
	ids, err := eng.Select(enable, append(cfg.Rules.Disable, disable...))
	if err != nil {
		return 0, usagef("%v", err)
	}
	query, err := eng.Prepare(ctx, ids)
	if err != nil {
		return 0, err
	}

	inv, diags := lint.Load(input)
	res, evalErr := lint.RunWith(ctx, eng, query, inv, lint.Options{Severity: cfg.Rules.Severity})
	if res == nil {
		return 0, evalErr
	}
	diags = append(diags, res.Diagnostics...)
	if evalErr != nil {
		diags = append(diags, analyzer.Diagnostic{Level: analyzer.LevelError, Message: "rules failed: " + evalErr.Error()})
	}
	for _, d := range diags {
		fmt.Fprintln(sys.Stderr, d.String())
	}

	rep := &report.Report{
		Tool:        report.Tool{Name: "irsalint", Version: version(), InformationURI: "https://github.com/irsalint/irsalint"},
		Findings:    res.Findings,
		Diagnostics: diags,
		WorkingDir:  input.WorkingDir,
		FailOn:      threshold,
		Stats:       statsOf(inv.Stats, res.Suppressed),
	}
	for _, id := range ids {
		r, _ := eng.Rule(id)
		if sev, ok := cfg.Rules.Severity[id]; ok {
			r.Severity = sev
		}
		rep.Rules = append(rep.Rules, r)
	}
	w, closeOut, err := openOutput(resolvePath(output, input.WorkingDir), sys)
	if err != nil {
		return 0, err
	}
	color := output == "" && !noColor && isTerminal(sys.Stdout) && sys.Getenv("NO_COLOR") == "" && sys.Getenv("TERM") != "dumb"
	if err := reporter(w, rep, report.Options{Color: color}); err != nil {
		closeOut()
		return 0, fmt.Errorf("writing the report: %w", err)
	}
	if err := closeOut(); err != nil {
		return 0, fmt.Errorf("writing %s: %w", output, err)
	}

	for _, d := range diags {
		if d.Level == analyzer.LevelError {
			return exitError, nil
		}
	}
	if threshold != 0 {
		for _, f := range res.Findings {
			if f.Severity >= threshold {
				return exitFindings, nil
			}
		}
	}
	return exitOK, nil
}

// checkConfiguredRules rejects rule IDs in the configuration that no rule
// has, at their line.
func checkConfiguredRules(cfg *config.Config, eng *engine.Engine) error {
	ids := make([]string, 0, len(cfg.Rules.Positions))
	for id := range cfg.Rules.Positions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if _, ok := eng.Rule(id); !ok {
			return fmt.Errorf("%s: unknown rule %q (see \"irsalint rules\")", cfg.Rules.Positions[id], id)
		}
	}
	return nil
}

// newEngine compiles the built-in rules and the --rules directories, which
// are relative to the working directory.
func newEngine(ruleDirs []string, sys system) (*engine.Engine, error) {
	// Compiling the rules allocates ~30 MB of short-lived AST on a heap that
	// is still small, so the default GC target collects several times for
	// nothing: a higher target for this step halves start-up (what a
	// pre-commit hook pays on every run). Restored before inputs are read.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	wd, err := sys.Getwd()
	if err != nil {
		return nil, fmt.Errorf("working directory: %w", err)
	}
	dirs := make([]string, len(ruleDirs))
	for i, d := range ruleDirs {
		dirs[i] = resolvePath(d, wd)
	}
	return engine.New(engine.Options{UserDirs: dirs})
}

// resolvePath makes a relative path relative to the working directory.
func resolvePath(p, wd string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(wd, p)
}

func parseFailOn(s string) (analyzer.Severity, error) {
	if s == "none" {
		return 0, nil
	}
	sev, err := analyzer.ParseSeverity(s)
	if err != nil {
		return 0, usagef("--fail-on: %v or none", strings.TrimSuffix(err.Error(), ")"))
	}
	return sev, nil
}

func statsOf(s inventory.Stats, suppressed int) report.Stats {
	objs := map[string]int{}
	for k, v := range s.Objects {
		objs[k] = v
	}
	return report.Stats{Files: s.Files, Documents: s.Documents, Objects: objs, Ignored: s.Ignored, Suppressed: suppressed}
}

// openOutput returns the report's writer. A regular file is written whole
// or not at all: the report goes to a temporary file renamed into place on
// success. Anything else (/dev/null, /dev/stdout, a named pipe) is opened and
// written in place: renaming over it would replace the device itself.
func openOutput(path string, sys system) (io.Writer, func() error, error) {
	if path == "" {
		return sys.Stdout, func() error { return nil }, nil
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return nil, nil, fmt.Errorf("--output %s: is a directory", path)
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, nil, fmt.Errorf("--output: %w", err)
		}
		return f, f.Close, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, nil, fmt.Errorf("--output: %w", err)
	}
	return tmp, func() error {
		if err := tmp.Close(); err != nil {
			os.Remove(tmp.Name())
			return err
		}
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			os.Remove(tmp.Name())
			return err
		}
		return os.Rename(tmp.Name(), path)
	}, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
