package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/spf13/cobra"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/baseline"
	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/analyzer/inventory"
	"github.com/irsalint/irsalint/analyzer/lint"
	"github.com/irsalint/irsalint/analyzer/render"
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
  irsalint audit [PATH|-]...      read the live AWS account and cluster, then analyze as lint does
  irsalint merge REPORT...        combine JSON reports (the shards of an audit) into one
  irsalint identities [PATH|-]... every workload's effective AWS identity and verdict
  irsalint inventory [PATH|-]...  print the normalized input the rules see, as JSON
  irsalint rules                  list the rules
  irsalint explain RULE           describe one rule: why it matters and how to fix it
  irsalint test DIR...            run the Rego tests of your own rules, with irsalint's library
  irsalint version                print the version
  irsalint completion SHELL       print a completion script for bash, zsh, fish or powershell

Run "irsalint COMMAND --help" for the flags of a command.

Exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on
  2  the analysis could not be trusted: bad flag, unreadable or unparseable
     input, a rule that failed to compile or run, no input read at all
`

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
	render            render.Options
	include, exclude  []string
	noGitIgnore       bool
	allowEmpty        bool
}

func (f *inputFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.configPath, "config", "", "configuration file (default: .irsalint.yaml found upward from the first path)")
	fs.BoolVar(&f.noConfig, "no-config", false, "read no configuration file")
	f.registerContext(fs)
	fs.StringVar(&f.stdinName, "stdin-filename", "<stdin>", "the name findings in standard input (-) are reported under")
	fs.StringArrayVar(&f.include, "include", nil, "in folders, read only files matching this glob (** for any folders; a glob without / matches names); repeatable")
	fs.StringArrayVar(&f.exclude, "exclude", nil, "in folders, skip files and folders matching this glob; repeatable")
	fs.BoolVar(&f.noGitIgnore, "no-gitignore", false, "also read the files git ignores (.gitignore, .git/info/exclude) in a git work tree")
	f.registerRender(fs)
	f.limits.register(fs)
}

// registerRender registers the flags that say how Kustomize overlays, Helm
// charts and Terraform modules are rendered.
func (f *inputFlags) registerRender(fs *pflag.FlagSet) {
	r := &f.render
	fs.BoolVar(&r.NoRender, "no-render", false, "read Kustomize overlays, Helm charts and Terraform modules as plain files instead of rendering them")
	fs.StringArrayVar(&r.ValuesFiles, "values", nil, "Helm values file applied to every chart, after the chart's values.yaml; repeatable, later ones win")
	fs.StringArrayVar(&r.Set, "set", nil, "Helm value as KEY=VALUE (helm template --set); repeatable")
	fs.StringArrayVar(&r.SetString, "set-string", nil, "Helm string value as KEY=VALUE (helm template --set-string); repeatable")
	fs.StringVar(&r.ReleaseName, "release-name", "", "Helm release name (default: the chart's name)")
	fs.StringVar(&r.ReleaseNamespace, "release-namespace", "", "Helm release namespace (default: \"default\")")
	fs.StringArrayVar(&r.TFVars, "tf-var", nil, "Terraform variable as NAME=VALUE (terraform -var); repeatable, later ones win")
	fs.StringArrayVar(&r.CFNParameters, "cfn-parameter", nil, "CloudFormation parameter value as NAME=VALUE (aws cloudformation deploy --parameter-overrides); repeatable, later ones win")
	fs.StringArrayVar(&r.TFVarFiles, "tf-var-file", nil, "Terraform variable file (.tfvars or .tfvars.json, terraform -var-file); repeatable, later ones win")
}

// registerContext registers the flags that give the cluster context.
func (f *inputFlags) registerContext(fs *pflag.FlagSet) {
	fs.StringVar(&f.kubernetesVersion, "kubernetes-version", "", "Kubernetes version of the cluster (e.g. 1.29); some rules depend on it")
	fs.StringVar(&f.oidcIssuer, "oidc-issuer", "", "the cluster's OIDC issuer URL (https://oidc.eks.REGION.amazonaws.com/id/ID)")
	fs.StringVar(&f.accountID, "account-id", "", "the AWS account ID the cluster runs in")
	fs.StringVar(&f.region, "region", "", "the AWS region the cluster runs in (derives the ARN partition)")
}

// options maps the flags to the linter's options.
func (f *inputFlags) options(paths []string, sys system) (lint.Options, error) {
	wd, err := sys.Getwd()
	if err != nil {
		return lint.Options{}, fmt.Errorf("working directory: %w", err)
	}
	lim, err := f.limits.parse()
	if err != nil {
		return lint.Options{}, err
	}
	for flag, list := range map[string][]string{"--tf-var": f.render.TFVars, "--cfn-parameter": f.render.CFNParameters} {
		for _, kv := range list {
			if name, _, ok := strings.Cut(kv, "="); !ok || strings.TrimSpace(name) == "" {
				return lint.Options{}, usageError{fmt.Sprintf("%s %q: want NAME=VALUE", flag, kv)}
			}
		}
	}
	return lint.Options{
		Paths: paths, Stdin: sys.Stdin, StdinName: f.stdinName, WorkingDir: wd,
		ConfigFile: f.configPath, NoConfig: f.noConfig,
		KubernetesVersion: f.kubernetesVersion, OIDCIssuer: f.oidcIssuer, AccountID: f.accountID, Region: f.region,
		Render: f.render, Include: f.include, Exclude: f.exclude, NoGitIgnore: f.noGitIgnore,
		Limits: lim, Getenv: sys.Getenv, Compile: sys.Compile,
	}, nil
}

// usage turns the linter's errors about flag values into usage errors.
func usage(err error) error {
	var fe *lint.FlagError
	if errors.As(err, &fe) {
		return usageError{fe.Error()}
	}
	return err
}

const lintUsage = `Usage: irsalint lint [flags] [PATH|-]...

Analyze Kubernetes manifests (YAML or JSON, multi-document, kind: List) and
IAM roles (a trust policy document; aws iam get-role, list-roles and
get-account-authorization-details output) in the named files and folders
("." when none; "-" reads standard input). Folders are walked for *.yaml,
*.yml and *.json, skipping hidden files and folders, node_modules and vendor,
following symbolic links only while they stay inside the folder, and leaving
out what --exclude/--include (and paths: in the configuration) select and,
in a git work tree, what git ignores; a named regular file is read whatever
its extension (pipe a command's output to "-"). Kustomize overlays and
Helm charts are rendered in-process and a folder of Terraform configuration
is evaluated as one module (--no-render reads them as plain files).
CloudFormation templates, eksctl ClusterConfigs, and ACK and Crossplane IAM
resources are read as the roles and associations they create. Pod Identity associations are read from aws eks
list-pod-identity-associations or describe-pod-identity-association output,
or from the configuration.

The cluster context (OIDC issuer, account, region, Kubernetes version,
Fargate profiles, Pod Identity associations) comes from .irsalint.yaml,
found upward from the first path, and from flags, which win.

Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it;
2 the analysis could not be trusted (bad flag, unreadable or unparseable
input, a rule that failed, no input file read). Findings in files that did
parse are still reported when the exit code is 2.
`

func lintCommand(sys system) *cobra.Command {
	return newCommand("lint", lintUsage, sys, func(c *cobra.Command) runFunc {
		fs := c.Flags()
		var (
			in inputFlags
			rf reportFlags
		)
		rf.registerOutput(fs)
		in.register(fs)
		fs.BoolVar(&in.allowEmpty, "allow-empty", false, "exit 0, not 2, when no input file is found (a scan of a folder that may be empty)")
		rf.registerRules(fs)
		return func(ctx context.Context, args []string) (int, error) {
			opts, err := in.options(args, sys)
			if err != nil {
				return 0, err
			}
			return lintAndReport(ctx, opts, &rf, args, sys, !in.allowEmpty)
		}
	})
}

// onceValue is a string flag that may be given once: a second -f would
// otherwise silently replace the first.
type onceValue struct {
	p   *string
	set bool
}

func (v *onceValue) String() string {
	if v == nil || v.p == nil {
		return ""
	}
	return *v.p
}

func (v *onceValue) Set(s string) error {
	if v.set {
		return fmt.Errorf("given twice (%q, then %q): one per run", *v.p, s)
	}
	*v.p, v.set = s, true
	return nil
}

func (*onceValue) Type() string { return "string" }

// reportFlags are the flags of the commands that run rules and report.
type reportFlags struct {
	format        string
	output        string
	failOn        string
	ruleDirs      []string
	enable        []string
	disable       []string
	noColor       bool
	maxFindings   string
	minSeverity   string
	reports       []string
	quiet         bool
	formatSet     *onceValue
	baseline      string
	writeBaseline string
	root          string
	category      string
}

func (f *reportFlags) registerOutput(fs *pflag.FlagSet) {
	f.format = "text"
	f.formatSet = &onceValue{p: &f.format}
	fs.VarP(f.formatSet, "format", "f", "output format: "+strings.Join(report.Names(), ", "))
	fs.StringVarP(&f.output, "output", "o", "", "write the report to FILE instead of standard output")
	fs.StringArrayVar(&f.reports, "report", nil, "write one more report, as FORMAT=FILE (or FORMAT for standard output); repeatable. With --report and no -f/-o, only the --report reports are written")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "print only findings and errors: no summary line, no notices")
	fs.StringVar(&f.baseline, "baseline", "", "report only findings not in this baseline (written by --write-baseline); the known ones are counted, not reported")
	fs.StringVar(&f.writeBaseline, "write-baseline", "", "write the run's findings to FILE as a baseline")
	fs.StringVar(&f.root, "root", "", "the repository's top folder, which SARIF file URIs are relative to (default: the git work tree holding the working directory, else the working directory)")
	fs.StringVar(&f.category, "category", "", "SARIF automationDetails category, for several code-scanning uploads of one commit (for example irsalint/manifests)")
	fs.StringVar(&f.failOn, "fail-on", "low", "lowest severity that makes the exit code 1: critical, high, medium, low, info or none")
	fs.StringVar(&f.minSeverity, "min-severity", "info", "report only findings of this severity or above (the others neither show nor count)")
	fs.StringVar(&f.minSeverity, "severity", "info", "the same as --min-severity")
}

// repositoryRoot is --root, or the top of the git work tree that holds the
// working directory (the folder with .git), or "" for the working
// directory itself: GitHub maps SARIF URIs from the repository's top.
func repositoryRoot(flag, wd string) string {
	if flag != "" {
		return resolvePath(flag, wd)
	}
	for dir := wd; dir != ""; {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return ""
}

// applyBaseline writes the run's findings as a baseline (--write-baseline)
// and hides those a baseline knows (--baseline), saying how many.
func applyBaseline(res *lint.Result, rf *reportFlags, wd string, sys system) error {
	all := res.Findings
	if rf.baseline != "" {
		b, err := baseline.Read(resolvePath(rf.baseline, wd))
		if err != nil {
			return usagef("--baseline %s: %v", rf.baseline, err)
		}
		fresh, known, gone := b.Apply(res.Findings)
		for _, f := range known {
			f.Suppression = &analyzer.Suppression{Kind: "external", Justification: "known: in the baseline " + rf.baseline}
			res.Suppressed = append(res.Suppressed, f)
		}
		lint.SortFindings(res.Suppressed)
		res.Findings = fresh
		res.Diagnostics = append(res.Diagnostics, analyzer.Diagnostic{Level: analyzer.LevelNotice, Location: analyzer.Location{File: rf.baseline},
			Message: fmt.Sprintf("%d known findings hidden by the baseline, %d new; %d of the baseline's findings are gone (fixed or removed): --write-baseline refreshes it", len(known), len(fresh), gone)})
	}
	if rf.writeBaseline != "" {
		out, err := openOutput(resolvePath(rf.writeBaseline, wd), rf.writeBaseline, sys)
		if err != nil {
			return err
		}
		if err := baseline.Write(out, "irsalint "+version(), all); err != nil {
			out.abort()
			return fmt.Errorf("writing the baseline: %w", err)
		}
		if err := out.commit(); err != nil {
			return err
		}
	}
	return nil
}

// writeReport writes one report, whole or not at all.
func writeReport(t reportTarget, rep *report.Report, rf *reportFlags, sys system) error {
	out, err := openOutput(t.path, t.name, sys)
	if err != nil {
		return err
	}
	color := t.path == "" && !rf.noColor && isTerminal(sys.Stdout) && sys.Getenv("NO_COLOR") == "" && sys.Getenv("TERM") != "dumb"
	if err := t.reporter(out, rep, report.Options{Color: color, Quiet: rf.quiet}); err != nil {
		out.abort()
		return fmt.Errorf("writing the %s report: %w", t.format, err)
	}
	return out.commit()
}

// reportTarget is one report a run writes: a format and where to.
type reportTarget struct {
	format   string
	reporter report.Reporter
	path     string // absolute; "" is standard output
	name     string // as given, for messages
}

// targets are the reports to write: -f/-o, and every --report. The
// paths must differ, and at most one report goes to standard output.
func (f *reportFlags) targets(primary report.Reporter, wd string) ([]reportTarget, error) {
	var out []reportTarget
	if len(f.reports) == 0 || f.formatSet.set || f.output != "" {
		out = append(out, reportTarget{format: strings.ToLower(f.format), reporter: primary, path: resolvePath(f.output, wd), name: f.output})
	}
	for _, spec := range f.reports {
		format, file, _ := strings.Cut(spec, "=")
		format = strings.ToLower(strings.TrimSpace(format))
		rep, ok := report.Reporters[format]
		if !ok {
			hint := ""
			if best, near := closest(format, report.Names()); near {
				hint = fmt.Sprintf("; did you mean %q?", best)
			}
			return nil, usagef("--report %q: unknown format %q (want %s)%s", spec, format, strings.Join(report.Names(), ", "), hint)
		}
		if strings.Contains(spec, "=") && file == "" {
			return nil, usagef("--report %q: no file after =; write FORMAT=FILE, or FORMAT alone for standard output", spec)
		}
		out = append(out, reportTarget{format: format, reporter: rep, path: resolvePath(file, wd), name: file})
	}
	stdout := 0
	for i, t := range out {
		if t.path == "" {
			if stdout++; stdout > 1 {
				return nil, usagef("two reports would go to standard output; give all but one a file (FORMAT=FILE)")
			}
			continue
		}
		for _, u := range out[:i] {
			if u.path != "" && samePath(u.path, t.path) {
				return nil, usagef("two reports would be written to %s", t.name)
			}
		}
	}
	return out, nil
}

func (f *reportFlags) registerRules(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.ruleDirs, "rules", nil, "directory (or .rego file) of extra rules; repeatable")
	fs.StringSliceVar(&f.enable, "enable", nil, "run only these rules (comma-separated, repeatable)")
	fs.StringSliceVar(&f.disable, "disable", nil, "do not run these rules (comma-separated, repeatable)")
	fs.BoolVar(&f.noColor, "no-color", false, "never colour the text output (colour is only used on a terminal)")
	fs.StringVar(&f.maxFindings, "max-findings", "", "report at most this many findings, the most severe first (default 20000; 0 for all)")
}

// check validates the flag values before any work is done.
func (f *reportFlags) check() (report.Reporter, analyzer.Severity, error) {
	reporter, ok := report.Reporters[strings.ToLower(f.format)]
	if !ok {
		hint := ""
		if best, near := closest(strings.ToLower(f.format), report.Names()); near {
			hint = fmt.Sprintf("; did you mean %q?", best)
		}
		return nil, 0, usagef("unknown --format %q (want %s)%s", f.format, strings.Join(report.Names(), ", "), hint)
	}
	if _, err := f.min(); err != nil {
		return nil, 0, err
	}
	threshold, err := parseFailOn(f.failOn)
	return reporter, threshold, err
}

// min is --min-severity.
func (f *reportFlags) min() (analyzer.Severity, error) {
	if f.minSeverity == "" {
		return analyzer.SeverityInfo, nil
	}
	sev, err := analyzer.ParseSeverity(f.minSeverity)
	if err != nil {
		return 0, usagef("--min-severity: %v", err)
	}
	return sev, nil
}

// keepAtLeast drops the findings below min.
func keepAtLeast(fs []analyzer.Finding, min analyzer.Severity) []analyzer.Finding {
	out := fs[:0:0]
	for _, f := range fs {
		if f.Severity >= min {
			out = append(out, f)
		}
	}
	return out
}

// lintAndReport runs the rules on opts' inputs and writes the report; the
// exit code follows the findings and diagnostics. inputs are the arguments
// an output path must not be.
func lintAndReport(ctx context.Context, opts lint.Options, rf *reportFlags, inputs []string, sys system, needInput bool) (int, error) {
	reporter, threshold, err := rf.check()
	if err != nil {
		return 0, err
	}
	opts.RuleDirs, opts.Enable, opts.Disable = rf.ruleDirs, rf.enable, rf.disable
	switch rf.maxFindings {
	case "":
	case "0":
		zero := 0
		opts.Limits.MaxFindings = &zero
	default:
		n, err := parseCount(rf.maxFindings)
		if err != nil {
			return 0, usagef("--max-findings: %v (0 for all)", err)
		}
		opts.Limits.MaxFindings = &n
	}
	targets, err := rf.targets(reporter, opts.WorkingDir)
	if err != nil {
		return 0, err
	}
	for _, t := range targets {
		if err := notAnInput(t.path, t.name, inputs, opts.WorkingDir); err != nil {
			return 0, err
		}
	}
	if err := notAnInput(resolvePath(rf.writeBaseline, opts.WorkingDir), rf.writeBaseline, inputs, opts.WorkingDir); err != nil {
		return 0, err
	}
	var progress *progressLine
	if isTerminal(sys.Stderr) {
		progress = newProgressLine(sys.Stderr)
		opts.Progress = progress.update
		defer progress.done()
	}
	linter := lint.New(opts)
	if err := linter.Prepare(ctx); err != nil {
		return 0, usage(err)
	}
	res, err := linter.Run(ctx)
	defer linter.Close()
	progress.done() // before the diagnostics go to the same terminal
	if err != nil {
		return 0, err
	}
	minSev, _ := rf.min()
	res.Findings = keepAtLeast(res.Findings, minSev)
	if res.OmittedMax < minSev {
		res.Omitted = 0
	}
	for _, t := range targets {
		if err := notWrittenOverInput(t.path, t.name, res.Inventory); err != nil {
			return 0, err
		}
	}
	if err := notWrittenOverInput(resolvePath(rf.writeBaseline, opts.WorkingDir), rf.writeBaseline, res.Inventory); err != nil {
		return 0, err
	}
	if err := applyBaseline(res, rf, opts.WorkingDir, sys); err != nil {
		return 0, err
	}
	for _, d := range res.Diagnostics {
		if rf.quiet && d.Level != analyzer.LevelError {
			continue
		}
		fmt.Fprintln(sys.Stderr, d.String())
	}
	rep := &report.Report{
		Tool:        report.Tool{Name: "irsalint", Version: version(), InformationURI: "https://github.com/irsalint/irsalint"},
		Findings:    res.Findings,
		Diagnostics: res.Diagnostics,
		WorkingDir:  opts.WorkingDir,
		Root:        repositoryRoot(rf.root, opts.WorkingDir),
		Category:    rf.category,
		FailOn:      threshold,
		Stats:       statsOf(res.Inventory.Stats, len(res.Suppressed)),
		Suppressed:  res.Suppressed,
		Rules:       res.Rules,
	}
	for _, t := range targets {
		if err := writeReport(t, rep, rf, sys); err != nil {
			return 0, err
		}
	}
	for _, d := range res.Diagnostics {
		if d.Level == analyzer.LevelError {
			return exitError, nil
		}
	}
	if needInput && res.Inventory.Stats.Files == 0 {
		// A gate that read nothing proved nothing: a mistyped path or a
		// folder of other files must not pass.
		fmt.Fprintln(sys.Stderr, "irsalint: nothing was analyzed: no file held an object irsalint reads (check the paths, or pass --allow-empty)")
		return exitError, nil
	}
	if threshold != 0 && res.Failing(threshold) {
		return exitFindings, nil
	}
	return exitOK, nil
}

// newEngine reads the catalogue of the built-in rules and compiles the
// --rules directories (for the commands that describe rules rather than
// lint).
func newEngine(ruleDirs []string, sys system) (*engine.Engine, error) {
	wd, err := sys.Getwd()
	if err != nil {
		return nil, fmt.Errorf("working directory: %w", err)
	}
	return lint.New(lint.Options{WorkingDir: wd, RuleDirs: ruleDirs, NoConfig: true, Compile: sys.Compile, RulesOnly: true}).Engine()
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
		return 0, usagef("--fail-on: %v, or none)", strings.TrimSuffix(err.Error(), ")"))
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
