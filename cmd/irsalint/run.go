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
	// Compile builds an engine; nil means engine.New. Tests share one
	// compiled engine between runs.
	Compile func(engine.Options) (*engine.Engine, error)
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
	stdinName         string
	configPath        string
	noConfig          bool
	limits            limitFlags
}

func (f *inputFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.configPath, "config", "", "configuration file (default: .irsalint.yaml found upward from the first path)")
	fs.BoolVar(&f.noConfig, "no-config", false, "read no configuration file")
	fs.StringVar(&f.kubernetesVersion, "kubernetes-version", "", "Kubernetes version of the cluster (e.g. 1.29); some rules depend on it")
	fs.StringVar(&f.oidcIssuer, "oidc-issuer", "", "the cluster's OIDC issuer URL (https://oidc.eks.REGION.amazonaws.com/id/ID)")
	fs.StringVar(&f.accountID, "account-id", "", "the AWS account ID the cluster runs in")
	fs.StringVar(&f.region, "region", "", "the AWS region the cluster runs in (derives the ARN partition)")
	fs.StringVar(&f.stdinName, "stdin-filename", "<stdin>", "the name findings in standard input (-) are reported under")
	f.limits.register(fs)
}

// setup is what a command that reads input works from.
type setup struct {
	in  lint.Input
	cfg *config.Config
	lim limits
}

// input builds what to read, the cluster context and the limits: the
// configuration file first, then the flags, which win.
func (f *inputFlags) input(paths []string, sys system) (setup, error) {
	in := lint.Input{Paths: paths, Stdin: sys.Stdin, StdinName: f.stdinName, Settings: inventory.DefaultSettings()}
	wd, err := sys.Getwd()
	if err != nil {
		return setup{}, fmt.Errorf("working directory: %w", err)
	}
	in.WorkingDir = wd
	cfg, err := f.loadConfig(paths, wd)
	if err != nil {
		return setup{}, err
	}
	lim, err := f.limits.resolve(cfg.Limits, sys.Getenv)
	if err != nil {
		return setup{}, err
	}
	in.MaxFileSize, in.MaxTotalSize, in.MaxFiles = lim.maxFileSize, lim.maxTotalSize, lim.maxFiles
	if in.Cluster, err = clusterContext(cfg, f); err != nil {
		return setup{}, err
	}
	s := &in.Settings
	s.HostNetworkAllowlist = append(s.HostNetworkAllowlist, cfg.Settings.HostNetworkAllowlist...)
	s.AWSImages = append(s.AWSImages, cfg.Settings.AWSImages...)
	s.AWSEnv = append(s.AWSEnv, cfg.Settings.AWSEnv...)
	return setup{in: in, cfg: cfg, lim: lim}, nil
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
	found := path == ""
	if found {
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
	return config.Load(path, displayPath(path, wd), found)
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

const lintUsage = `Usage: irsalint lint [flags] [PATH|-]...

Analyze Kubernetes manifests (YAML or JSON, multi-document, kind: List) and
IAM roles (a trust policy document; aws iam get-role, list-roles and
get-account-authorization-details output) in the named files and folders
("." when none; "-" reads standard input). Folders are walked for *.yaml,
*.yml and *.json, skipping hidden files and folders, node_modules and vendor,
and following symbolic links only while they stay inside the folder; a named
regular file is read whatever its extension (pipe a command's output to
"-"). Pod Identity associations are read from aws eks
list-pod-identity-associations or describe-pod-identity-association output,
or from the configuration.

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
		in          inputFlags
		format      string
		output      string
		failOn      string
		ruleDirs    []string
		enable      []string
		disable     []string
		noColor     bool
		maxFindings string
	)
	fs.StringVarP(&format, "format", "f", "text", "output format: "+strings.Join(report.Names(), ", "))
	fs.StringVarP(&output, "output", "o", "", "write the report to FILE instead of standard output")
	fs.StringVar(&failOn, "fail-on", "low", "lowest severity that makes the exit code 1: critical, high, medium, low or none")
	in.register(fs)
	fs.StringArrayVar(&ruleDirs, "rules", nil, "directory (or .rego file) of extra rules; repeatable")
	fs.StringSliceVar(&enable, "enable", nil, "run only these rules (comma-separated, repeatable)")
	fs.StringSliceVar(&disable, "disable", nil, "do not run these rules (comma-separated, repeatable)")
	fs.BoolVar(&noColor, "no-color", false, "never colour the text output (colour is only used on a terminal)")
	fs.StringVar(&maxFindings, "max-findings", "", "report at most this many findings, the most severe first (default 20000; 0 for all)")
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
	st, err := in.input(fs.Args(), sys)
	if err != nil {
		return 0, err
	}
	input, cfg := st.in, st.cfg
	switch maxFindings {
	case "":
	case "0":
		st.lim.maxFindings = 0
	default:
		if st.lim.maxFindings, err = parseCount(maxFindings); err != nil {
			return 0, usagef("--max-findings: %v (0 for all)", err)
		}
	}
	outPath := resolvePath(output, input.WorkingDir)
	if err := notAnInput(outPath, output, fs.Args(), input.WorkingDir); err != nil {
		return 0, err
	}
	ctx, stop := st.lim.guard(ctx)
	defer stop()
	eng, err := newEngine(cfg.Rules.Dirs, ruleDirs, sys)
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

	inv, diags := lint.Load(ctx, input)
	if err := notWrittenOverInput(outPath, output, inv.Inputs); err != nil {
		return 0, err
	}
	res, evalErr := lint.RunWith(ctx, eng, query, inv, lint.Options{Severity: cfg.Rules.Severity, MaxFindings: st.lim.maxFindings})
	if res == nil {
		return 0, evalErr
	}
	diags = append(diags, res.Diagnostics...)
	if evalErr != nil {
		var intr *engine.Interrupted
		if errors.As(evalErr, &intr) {
			diags = append(diags, analyzer.Diagnostic{Level: analyzer.LevelError, Message: "the analysis " + intr.Error() + "; the findings so far are incomplete"})
		} else {
			diags = append(diags, analyzer.Diagnostic{Level: analyzer.LevelError, Message: "rules failed: " + evalErr.Error()})
		}
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
	out, err := openOutput(outPath, output, sys)
	if err != nil {
		return 0, err
	}
	color := output == "" && !noColor && isTerminal(sys.Stdout) && sys.Getenv("NO_COLOR") == "" && sys.Getenv("TERM") != "dumb"
	if err := reporter(out, rep, report.Options{Color: color}); err != nil {
		out.abort()
		return 0, fmt.Errorf("writing the report: %w", err)
	}
	if err := out.commit(); err != nil {
		return 0, err
	}

	for _, d := range diags {
		if d.Level == analyzer.LevelError {
			return exitError, nil
		}
	}
	if threshold != 0 && res.Failing(threshold) {
		return exitFindings, nil
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

// newEngine compiles the built-in rules, the configuration's rule folders
// (already absolute, and confined to the repository) and the --rules
// directories, which are relative to the working directory.
func newEngine(repoDirs, ruleDirs []string, sys system) (*engine.Engine, error) {
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
	compile := sys.Compile
	if compile == nil {
		compile = engine.New
	}
	return compile(engine.Options{RepoDirs: repoDirs, UserDirs: dirs})
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

// output is where a report goes. A regular file is written whole or not at
// all: the report goes to a temporary file beside it, renamed into place by
// commit; abort (or a failed write) removes the temporary file and leaves
// the previous report as it was. Anything else (/dev/null, /dev/stdout, a
// named pipe) is written in place: renaming over it would replace the
// device itself.
type output struct {
	w       io.Writer
	name    string // the path as the user wrote it, for messages
	path    string
	tmp     *os.File
	failed  error
	closeFn func() error
}

func (o *output) Write(p []byte) (int, error) {
	if o.failed != nil {
		return 0, o.failed
	}
	n, err := o.w.Write(p)
	if err != nil {
		o.failed = err
	}
	return n, err
}

// commit finishes the report: closes it and, for a file, renames it over
// the previous one.
func (o *output) commit() error {
	if o.tmp == nil {
		if o.closeFn != nil {
			if err := o.closeFn(); err != nil {
				return fmt.Errorf("writing %s: %v", o.name, unwrapOS(err))
			}
		}
		if o.failed != nil {
			return fmt.Errorf("writing %s: %v", o.name, unwrapOS(o.failed))
		}
		return nil
	}
	fail := func(err error) error {
		o.tmp.Close()
		os.Remove(o.tmp.Name())
		return fmt.Errorf("writing %s: %v (the previous file, if any, is unchanged)", o.name, unwrapOS(err))
	}
	if o.failed != nil {
		return fail(o.failed)
	}
	if err := o.tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := o.tmp.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := o.tmp.Close(); err != nil {
		os.Remove(o.tmp.Name())
		return fmt.Errorf("writing %s: %v (the previous file, if any, is unchanged)", o.name, unwrapOS(err))
	}
	if err := os.Rename(o.tmp.Name(), o.path); err != nil {
		os.Remove(o.tmp.Name())
		return fmt.Errorf("writing %s: %v (the previous file, if any, is unchanged)", o.name, unwrapOS(err))
	}
	return nil
}

// abort drops a report that could not be written whole.
func (o *output) abort() {
	if o.tmp != nil {
		o.tmp.Close()
		os.Remove(o.tmp.Name())
	} else if o.closeFn != nil {
		o.closeFn()
	}
}

// openOutput opens path (the user wrote name), or standard output when
// path is "".
func openOutput(path, name string, sys system) (*output, error) {
	if path == "" {
		return &output{w: sys.Stdout, name: "standard output"}, nil
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return nil, fmt.Errorf("--output %s: is a directory", name)
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("--output %s: %v", name, unwrapOS(err))
		}
		return &output{w: f, name: name, path: path, closeFn: f.Close}, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, fmt.Errorf("--output %s: %v", name, unwrapOS(err))
	}
	return &output{w: tmp, name: name, path: path, tmp: tmp}, nil
}

// unwrapOS drops Go's "open /tmp/.x.123: " prefix, which names the
// temporary file rather than the user's path.
func unwrapOS(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// notAnInput refuses an --output that names one of the files to lint:
// writing the report would destroy the input.
func notAnInput(outPath, name string, args []string, wd string) error {
	if outPath == "" {
		return nil
	}
	for _, a := range args {
		if a == "-" {
			continue
		}
		if samePath(resolvePath(a, wd), outPath) {
			return usagef("--output %s is also an input; write the report elsewhere", name)
		}
	}
	return nil
}

// notWrittenOverInput refuses an --output that is a file a folder walk read
// objects from.
func notWrittenOverInput(outPath, name string, inputs []string) error {
	if outPath == "" {
		return nil
	}
	for _, in := range inputs {
		if samePath(in, outPath) {
			return usagef("--output %s is also an input (it holds objects that were linted); write the report elsewhere", name)
		}
	}
	return nil
}

// samePath tells two paths of the same file, through links.
func samePath(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
