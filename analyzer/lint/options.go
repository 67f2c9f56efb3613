package lint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/config"
	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/analyzer/gcpace"
	"github.com/irsalint/irsalint/analyzer/guard"
	"github.com/irsalint/irsalint/analyzer/inventory"
	"github.com/irsalint/irsalint/analyzer/render"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Options say what to analyze and how. Values given by the person running
// irsalint (flags) win over the configuration file, which is repository
// content: it may set the cluster context and select rules, and it may
// lower limits but never raise them.
type Options struct {
	Paths      []string
	Stdin      io.Reader
	StdinName  string
	WorkingDir string // absolute

	// ConfigFile names the configuration; "" looks for .irsalint.yaml
	// upward from the first path. NoConfig reads none.
	ConfigFile string
	NoConfig   bool

	// The cluster context from flags; "" is not given.
	KubernetesVersion, OIDCIssuer, AccountID, Region string

	// Include and Exclude are path globs (--include, --exclude) relative to
	// WorkingDir, added to the configuration's paths.include/exclude;
	// NoGitIgnore reads the files git ignores too.
	Include, Exclude []string
	NoGitIgnore      bool

	// RuleDirs are extra rule folders (--rules), relative to WorkingDir.
	RuleDirs []string
	// Enable, when not empty, replaces the configuration's rules.enable;
	// Disable adds to rules.disable.
	Enable, Disable []string

	// Render says how Kustomize overlays, Helm charts and Terraform
	// modules are rendered (Render.NoRender reads every file raw).
	Render render.Options

	Limits Limits
	// Getenv reads the environment (GOMEMLIMIT); nil reads none.
	Getenv func(string) string
	// Now is the clock ignore entries' expiry dates are judged by; nil is
	// time.Now.
	Now func() time.Time
	// Progress, when set, hears how far a run is (see Input.Progress).
	Progress func(Progress)
	// Workers is how many evaluations run at once; 0 is one per core.
	Workers int
	// Compile builds the engine; nil is engine.New. Tests share one.
	Compile func(engine.Options) (*engine.Engine, error)
	// RulesOnly: the caller reads the catalogue and evaluates nothing
	// (irsalint rules, explain), so Engine waits for no group of built-in
	// rules (the one every input feeds starts compiling in the background;
	// the others never do), only for those that hold a custom rule, whose
	// mistakes it reports.
	RulesOnly bool
}

// Limits given by flags; a nil field was not given.
type Limits struct {
	Timeout      *time.Duration // 0: none
	Memory       *int64         // math.MaxInt64: none
	MaxFileSize  *int64
	MaxTotalSize *int64
	MaxFiles     *int
	MaxFindings  *int // 0: all
}

// Defaults of the limits that bound a run on untrusted content.
const (
	DefaultTimeout     = 10 * time.Minute
	DefaultMemoryLimit = 4 << 30
	DefaultMaxFindings = 20_000
)

// FlagError is a value given by a flag that is not valid: a usage error.
type FlagError struct {
	Flag string
	Err  error
}

func (e *FlagError) Error() string { return fmt.Sprintf("--%s: %v", e.Flag, e.Err) }

func (e *FlagError) Unwrap() error { return e.Err }

// Linter is one analysis, prepared: configuration read, rules compiled and
// selected. Prepare it, then Run it (or Load its inventory).
type Linter struct {
	opts   Options
	cfg    *config.Config
	input  Input
	limits limits
	eng    *engine.Engine
	ids    []string
	query  *engine.Query
	// release ends the collector's pacing that the last Run left on.
	release func()
	// compiling ends the floor a small run compiles its rules under, which
	// lasts until Close.
	compiling func()
}

// limits are the caps in force, and where each came from, for messages.
type limits struct {
	timeout       time.Duration
	timeoutSource string
	memory        int64
	memorySource  string
	maxFindings   int
}

// New returns a linter for opts; nothing is read until Prepare.
func New(opts Options) *Linter { return &Linter{opts: opts} }

// Prepare reads the configuration, merges it with the options, and
// compiles and selects the rules. Errors name the file and line of a bad
// configuration value, or are *FlagError for a bad flag value.
func (l *Linter) Prepare(ctx context.Context) error {
	if err := l.prepareInput(); err != nil {
		return err
	}
	return l.prepareRules(ctx)
}

// PrepareInput is Prepare without the rules: enough to build the inventory.
func (l *Linter) PrepareInput() error { return l.prepareInput() }

func (l *Linter) prepareInput() error {
	o := l.opts
	cfg, err := loadConfig(o)
	if err != nil {
		return err
	}
	l.cfg = cfg
	if l.limits, l.input, err = resolveLimits(o, cfg.Limits); err != nil {
		return err
	}
	l.input.Paths, l.input.Stdin, l.input.StdinName, l.input.WorkingDir = o.Paths, o.Stdin, o.StdinName, o.WorkingDir
	l.input.Render = o.Render
	l.input.Progress = o.Progress
	if l.input.Include, l.input.Exclude, err = pathPatterns(o, cfg.Paths); err != nil {
		return err
	}
	l.input.NoGitIgnore = o.NoGitIgnore
	if l.input.Render.WorkingDir == "" {
		l.input.Render.WorkingDir = o.WorkingDir
	}
	if l.input.Render.KubernetesVersion == "" {
		l.input.Render.KubernetesVersion = o.KubernetesVersion
	}
	if l.input.Cluster, err = clusterContext(cfg.Cluster, o); err != nil {
		return err
	}
	if l.input.Render.AccountID == "" {
		l.input.Render.AccountID = l.input.Cluster.AccountID
	}
	if l.input.Render.Partition == "" {
		l.input.Render.Partition = inventory.PartitionForRegion(l.input.Cluster.Region)
	}
	l.input.Cluster.Complete = cfg.Complete
	l.input.Settings = inventory.DefaultSettings()
	s := &l.input.Settings
	s.HostNetworkAllowlist = append(s.HostNetworkAllowlist, cfg.Settings.HostNetworkAllowlist...)
	s.AWSImages = append(s.AWSImages, cfg.Settings.AWSImages...)
	s.AWSEnv = append(s.AWSEnv, cfg.Settings.AWSEnv...)
	return nil
}

func (l *Linter) prepareRules(ctx context.Context) error {
	eng, err := l.Engine()
	if err != nil {
		return err
	}
	if err := checkConfiguredRules(l.cfg, eng); err != nil {
		return err
	}
	enable := l.opts.Enable
	if len(enable) == 0 {
		enable = l.cfg.Rules.Enable
	}
	if l.ids, err = eng.Select(enable, append(append([]string{}, l.cfg.Rules.Disable...), l.opts.Disable...)); err != nil {
		return &FlagError{Flag: "enable/--disable", Err: err}
	}
	l.query, err = eng.Prepare(ctx, l.ids)
	return err
}

// Engine compiles the built-in rules, the configuration's rule folders
// (confined to the repository) and the --rules folders, once.
func (l *Linter) Engine() (*engine.Engine, error) {
	if l.eng != nil {
		return l.eng, nil
	}
	compile := l.opts.Compile
	if compile == nil {
		compile = engine.New
	}
	// Compiling allocates ~30 MB of short-lived AST on a heap that is
	// still small, so the default GC target collects several times for
	// nothing: no collection during this step halves start-up (what a
	// pre-commit hook pays on every run). A small run compiles the rules
	// every input feeds (the workload rules) while it reads its files, and
	// the other groups only once it has read them, and only those the
	// files feed (a Deployment alone: none), under a floor that lasts
	// until Close: collecting while they compile would slow them (one
	// Deployment: 97 ms against 78), and so would ending the floor once
	// they are compiled, when the heap is ten times what the last
	// collection left and the collector would start at once, while the
	// rules run (a file with ServiceAccounts: 11 ms of its 100). A larger
	// run compiles every group and waits for them before it reads: there
	// reading beside the compilers bought 0–2% of the time for a larger
	// peak (1,000 workloads: 124 → 129 MiB).
	small := l.small()
	var stop func()
	switch {
	case l.opts.RulesOnly:
		stop = func() {} // nothing built in is compiled
	case small:
		stop = gcpace.Floor(compileFloor)
	default:
		prev := debug.SetGCPercent(-1)
		stop = func() { debug.SetGCPercent(prev) }
	}
	dirs := make([]string, len(l.opts.RuleDirs))
	for i, d := range l.opts.RuleDirs {
		dirs[i] = resolvePath(d, l.opts.WorkingDir)
	}
	var repoDirs []string
	if l.cfg != nil {
		repoDirs = l.cfg.Rules.Dirs
	}
	eng, err := compile(engine.Options{RepoDirs: repoDirs, UserDirs: dirs, Workers: l.opts.Workers, Defer: small || l.opts.RulesOnly})
	if err != nil {
		stop()
		return nil, err
	}
	switch {
	case l.opts.RulesOnly:
	case small:
		l.compiling = stop
	default:
		eng.Wait()
		stop()
	}
	l.eng = eng
	return eng, nil
}

// small tells whether the run reads a few files and no more, as a
// pre-commit hook does: named one by one, at most smallRun bytes in all.
func (l *Linter) small() bool {
	if len(l.opts.Paths) == 0 {
		return false
	}
	var total int64
	for _, p := range l.opts.Paths {
		if p == "-" {
			return false
		}
		fi, err := os.Stat(resolvePath(p, l.opts.WorkingDir))
		if err != nil || !fi.Mode().IsRegular() {
			return false
		}
		if total += fi.Size(); total > smallRun {
			return false
		}
	}
	return true
}

// compileFloor is the heap below which the collector waits while the
// rules compile: more than the ~30 MB compiling allocates. Tests change it.
var compileFloor int64 = 64 << 20

// smallRun is the most bytes of files a run reads beside the rules still
// compiling.
const smallRun = 1 << 20

// Rules are the enabled rules as the run grades them: the configuration's
// severity overrides applied.
func (l *Linter) Rules() []analyzer.Rule {
	out := make([]analyzer.Rule, 0, len(l.ids))
	for _, id := range l.ids {
		r, _ := l.eng.Rule(id)
		if sev, ok := l.cfg.Rules.Severity[id]; ok {
			r.Severity = sev
		}
		out = append(out, r)
	}
	return out
}

// Guard bounds ctx by the run's time and memory limits; stop releases
// them. Run guards itself; callers that only Load use this.
func (l *Linter) Guard(ctx context.Context) (context.Context, func()) {
	ctx, cancel := guard.WithTimeout(ctx, l.limits.timeout, l.limits.timeoutSource)
	ctx, stopMem := guard.WithMemoryLimit(ctx, l.limits.memory, l.limits.memorySource)
	return ctx, func() { stopMem(); cancel() }
}

// Load reads the inputs into the inventory.
func (l *Linter) Load(ctx context.Context) (*inventory.Inventory, []analyzer.Diagnostic) {
	return Load(ctx, l.input)
}

// Run reads the inputs and evaluates the rules, within the limits. The
// error is set only when nothing could be reported; a run whose rules
// failed or were stopped returns a Result with Incomplete set. Call Close
// once the results are written.
func (l *Linter) Run(ctx context.Context) (*Result, error) {
	if l.query == nil {
		return nil, errors.New("lint: Run before Prepare")
	}
	ctx, stop := l.Guard(ctx)
	defer stop()
	in := l.input
	l.endPacing()
	in.Scanned = func(n int64) { l.release = gcpace.Floor(floorOf(n, l.limits.memory)) }
	inv, diags := Load(ctx, in)
	// The rules see Rego values converted from the inventory; a lint run
	// has no use for the Go values after that, so they are not kept while
	// the rules run.
	doc := Document(inv)
	doc.Release = true
	inv.Input = nil
	if l.opts.Progress != nil {
		l.opts.Progress(Progress{Phase: "evaluating", Total: len(l.Rules())})
	}
	now := time.Now
	if l.opts.Now != nil {
		now = l.opts.Now
	}
	res, err := runDocument(ctx, l.eng, l.query, inv, doc, RunOptions{Severity: l.cfg.Rules.Severity, MaxFindings: l.limits.maxFindings,
		Ignores: l.cfg.Ignore, Today: now(), WorkingDir: l.opts.WorkingDir})
	if res == nil {
		return nil, err
	}
	res.Diagnostics = append(diags, res.Diagnostics...)
	res.Incomplete = err
	var intr *engine.Interrupted
	switch {
	case errors.As(err, &intr):
		res.Diagnostics = append(res.Diagnostics, analyzer.Diagnostic{Level: analyzer.LevelError, Message: "the analysis " + intr.Error() + "; the findings so far are incomplete"})
	case err != nil:
		res.Diagnostics = append(res.Diagnostics, analyzer.Diagnostic{Level: analyzer.LevelError, Message: "rules failed: " + err.Error()})
	}
	res.Rules = l.Rules()
	return res, nil
}

// Close ends the pacing of the collector that Run leaves on while the
// caller writes its results. Once the rules have run, their Rego values
// are garbage, but OPA's pooled evaluation state keeps them reachable
// until the second collection after Run: a collection paced on the
// default while the report is written marks them again and frees little
// (on 10,000 workloads, 0.06–0.16 s of the run). Close is safe to call
// twice. It also ends the floor a small run compiled its rules under.
func (l *Linter) Close() {
	l.endPacing()
	if l.compiling != nil {
		l.compiling()
		l.compiling = nil
	}
}

// endPacing ends the pacing the last Run left on; the next Run calls it
// first.
func (l *Linter) endPacing() {
	if l.release != nil {
		l.release()
		l.release = nil
	}
}

// floorOf is heapFloor; tests replace it.
var floorOf = heapFloor

// heapFloor is where the collector first collects in a run over n bytes
// of files: 16 times their size, about the heap that decoding them and
// building the inventory reach. Below it, the heap grows without the
// collections at each doubling that found little to free. The factor puts
// that first large collection inside the build, where the live heap is
// the inventory (some 7 times the files): once reading allocated less, 18
// let it land in the conversion, where the Go and the Rego values are both
// alive, and the 10k corpus peaked 110 MiB higher. The floor is at most
// half the memory limit, so that the soft limit, not the floor, paces a
// run that needs most of it, and never more than 2 GiB (half the default
// limit), so that a run without a limit does not hold garbage unbounded.
// On the 50k corpus (130 MiB of files) a 2 GiB floor took 14.4 s to 12.6
// s at the same peak (2.7 GiB), and one of 1.5 GiB under a 3 GiB limit
// 14.1 s to 13.3 s; a floor of a quarter of the peak (512 MiB there) had
// bought only 1–3% of the time.
func heapFloor(n, memoryLimit int64) int64 {
	const perByte, most = 16, 2 << 30
	return max(0, min(perByte*min(n, most/perByte), most, memoryLimit/2))
}

// loadConfig reads the configuration named by the options, or the one
// found upward from the first path (the working directory for standard
// input).
func loadConfig(o Options) (*config.Config, error) {
	if o.NoConfig {
		if o.ConfigFile != "" {
			return nil, &FlagError{Flag: "config", Err: errors.New("--config and --no-config exclude each other")}
		}
		return &config.Config{}, nil
	}
	path := resolvePath(o.ConfigFile, o.WorkingDir)
	found := path == ""
	if found {
		start := o.WorkingDir
		if len(o.Paths) > 0 && o.Paths[0] != "-" {
			start = resolvePath(o.Paths[0], o.WorkingDir)
			if st, err := os.Stat(start); err != nil || !st.IsDir() {
				start = filepath.Dir(start)
			}
		}
		p, ok := config.Find(start)
		if !ok {
			return &config.Config{}, nil
		}
		path = p
	}
	return config.Load(path, displayPath(path, o.WorkingDir), found)
}

func displayPath(p, wd string) string {
	if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(p)
}

// resolvePath makes a relative path relative to the working directory.
func resolvePath(p, wd string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(wd, p)
}

// clusterContext merges the configuration's cluster section with the flags
// and checks every value.
func clusterContext(cc config.Cluster, o Options) (inventory.Cluster, error) {
	c := inventory.Cluster{
		Name:            cc.Name,
		FargateProfiles: cc.FargateProfiles,
		Associations:    cc.PodIdentityAssociations,
	}
	// pick returns the flag value, else the configuration's, and a function
	// that wraps an error with where the value came from.
	pick := func(flagValue, flag, key, cfgValue string) (string, func(error) error) {
		if flagValue != "" {
			return flagValue, func(err error) error { return &FlagError{Flag: flag, Err: err} }
		}
		return cfgValue, func(err error) error { return fmt.Errorf("%s: cluster.%s: %v", cc.Positions[key], key, err) }
	}
	var err error
	if v, wrap := pick(o.KubernetesVersion, "kubernetes-version", "kubernetesVersion", cc.KubernetesVersion); v != "" {
		if c.KubernetesVersion, err = inventory.ParseKubernetesVersion(v); err != nil {
			return c, wrap(err)
		}
	}
	if v, wrap := pick(o.OIDCIssuer, "oidc-issuer", "oidcIssuer", cc.OIDCIssuer); v != "" {
		if c.OIDCIssuer, err = inventory.NormalizeIssuer(v); err != nil {
			return c, wrap(err)
		}
	}
	if v, wrap := pick(o.AccountID, "account-id", "accountId", cc.AccountID); v != "" {
		if err := inventory.ValidateAccountID(v); err != nil {
			return c, wrap(err)
		}
		c.AccountID = v
	}
	if v, wrap := pick(o.Region, "region", "region", cc.Region); v != "" {
		if err := inventory.ValidateRegion(v); err != nil {
			return c, wrap(err)
		}
		c.Region = v
	}
	return c, nil
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
	for _, e := range cfg.Ignore {
		for _, id := range e.Rules {
			if _, ok := eng.Rule(id); !ok && id != "*" {
				return fmt.Errorf("%s: ignore: unknown rule %q (see \"irsalint rules\")", e.RulePositions[id], id)
			}
		}
	}
	return nil
}

// pathPatterns joins the flags' globs (relative to the working directory)
// and the configuration's (relative to its folder).
func pathPatterns(o Options, cfg config.Paths) (include, exclude []source.Pattern, err error) {
	for _, f := range []struct {
		flag  string
		globs []string
		into  *[]source.Pattern
	}{{"include", o.Include, &include}, {"exclude", o.Exclude, &exclude}} {
		for _, g := range f.globs {
			if !source.ValidPattern(g) {
				return nil, nil, &FlagError{Flag: f.flag, Err: fmt.Errorf("%q is not a valid glob (unclosed [ or {, or a bad escape)", g)}
			}
			*f.into = append(*f.into, source.Pattern{Glob: g, Base: o.WorkingDir})
		}
	}
	for _, g := range cfg.Include {
		include = append(include, source.Pattern{Glob: g, Base: cfg.Dir})
	}
	for _, g := range cfg.Exclude {
		exclude = append(exclude, source.Pattern{Glob: g, Base: cfg.Dir})
	}
	return include, exclude, nil
}

// resolveLimits merges the defaults, the configuration and the flags into
// the limits in force and the input caps. The configuration may lower a
// limit, never raise it; only the flags can.
func resolveLimits(o Options, cfg config.Limits) (limits, Input, error) {
	l := limits{
		timeout: DefaultTimeout, timeoutSource: "--timeout",
		memory: DefaultMemoryLimit, memorySource: "--memory-limit",
		maxFindings: DefaultMaxFindings,
	}
	in := Input{MaxFileSize: source.DefaultMaxFileSize, MaxTotalSize: source.DefaultMaxTotalSize, MaxFiles: source.DefaultMaxFiles}
	if o.Getenv != nil && o.Getenv("GOMEMLIMIT") != "" {
		// The runtime read it at start: keep what it says ("off" is none).
		l.memory, l.memorySource = guard.Current(), "GOMEMLIMIT"
	}
	lower := func(key string, over bool, shown string) error {
		if over {
			return fmt.Errorf("%s: limits.%s: %s is above the limit in force; a configuration file can only lower limits (raise them with the flag)", cfg.Positions[key], key, shown)
		}
		return nil
	}
	if cfg.Timeout > 0 {
		if err := lower("timeout", cfg.Timeout > l.timeout, cfg.Timeout.String()); err != nil {
			return l, in, err
		}
		l.timeout, l.timeoutSource = cfg.Timeout, "limits.timeout of "+cfg.Positions["timeout"].File
	}
	if cfg.Memory > 0 {
		if err := lower("memory", cfg.Memory > l.memory, guard.FormatSize(cfg.Memory)); err != nil {
			return l, in, err
		}
		l.memory, l.memorySource = cfg.Memory, "limits.memory of "+cfg.Positions["memory"].File
	}
	for _, c := range []struct {
		key  string
		n    int64
		into *int64
	}{{"maxFileSize", cfg.MaxFileSize, &in.MaxFileSize}, {"maxTotalSize", cfg.MaxTotalSize, &in.MaxTotalSize}} {
		if c.n > 0 {
			if err := lower(c.key, c.n > *c.into, guard.FormatSize(c.n)); err != nil {
				return l, in, err
			}
			*c.into = c.n
		}
	}
	for _, c := range []struct {
		key  string
		n    int
		into *int
	}{{"maxFiles", cfg.MaxFiles, &in.MaxFiles}, {"maxFindings", cfg.MaxFindings, &l.maxFindings}} {
		if c.n > 0 {
			if err := lower(c.key, c.n > *c.into, fmt.Sprint(c.n)); err != nil {
				return l, in, err
			}
			*c.into = c.n
		}
	}
	f := o.Limits
	if f.Timeout != nil {
		l.timeout, l.timeoutSource = *f.Timeout, "--timeout"
	}
	if f.Memory != nil {
		l.memory, l.memorySource = *f.Memory, "--memory-limit"
	}
	if f.MaxFileSize != nil {
		in.MaxFileSize = *f.MaxFileSize
	}
	if f.MaxTotalSize != nil {
		in.MaxTotalSize = *f.MaxTotalSize
	}
	if f.MaxFiles != nil {
		in.MaxFiles = *f.MaxFiles
	}
	if f.MaxFindings != nil {
		l.maxFindings = *f.MaxFindings
	}
	if l.memory <= 0 {
		l.memory = math.MaxInt64
	}
	return l, in, nil
}
