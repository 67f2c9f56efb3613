package lint

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/config"
	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/analyzer/inventory"
	"github.com/irsalint/irsalint/analyzer/k8s"
	"github.com/irsalint/irsalint/analyzer/render"
	"github.com/irsalint/irsalint/analyzer/render/cloudformation"
	"github.com/irsalint/irsalint/analyzer/render/helm"
	"github.com/irsalint/irsalint/analyzer/render/kustomize"
	"github.com/irsalint/irsalint/analyzer/render/terraform"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Input says what to read and in which cluster context.
type Input struct {
	Paths        []string
	Stdin        io.Reader
	StdinName    string
	MaxFileSize  int64
	MaxTotalSize int64
	MaxFiles     int
	WorkingDir   string
	Cluster      inventory.Cluster
	Settings     inventory.Settings
	Render       render.Options
	// Include and Exclude select the files found in folders; NoGitIgnore
	// reads those git ignores too.
	Include, Exclude []source.Pattern
	NoGitIgnore      bool
	// Progress, when set, hears how far the run is; it must return fast
	// and may be called from several goroutines.
	Progress func(Progress)
	// Scanned, when set, hears the total size of the files found, once,
	// before they are rendered and decoded.
	Scanned func(bytes int64)
}

// Progress is where a run is: the phase, and for reading, the files read
// of the files found.
type Progress struct {
	Phase       string // "rendering", "reading", "evaluating"
	Done, Total int
}

// renderers render the units of a scan by kind, in this order.
var renderers = []render.Kind{
	{Kind: source.UnitKustomize, Renderer: kustomize.Renderer{}},
	{Kind: source.UnitHelm, Renderer: helm.Renderer{}},
	{Kind: source.UnitTerraform, Renderer: terraform.Renderer{}},
}

// fileRenderers read single files the YAML decoder cannot read as plain
// values; the first that claims a file reads it.
var fileRenderers = []render.FileRenderer{cloudformation.Renderer{}}

// Load collects and decodes the input files and builds the inventory.
// Diagnostics say which files or objects could not be analyzed; the rest
// still are. When ctx ends, decoding stops and an error diagnostic says why.
func Load(ctx context.Context, in Input) (*inventory.Inventory, []analyzer.Diagnostic) {
	scan := source.ScanPaths(in.Paths, source.CollectOptions{
		Stdin:        in.Stdin,
		StdinName:    in.StdinName,
		MaxFileSize:  in.MaxFileSize,
		MaxTotalSize: in.MaxTotalSize,
		MaxFiles:     in.MaxFiles,
		WorkingDir:   in.WorkingDir,
		Render:       !in.Render.NoRender,
		Include:      in.Include,
		Exclude:      in.Exclude,
		NoGitIgnore:  in.NoGitIgnore,
	})
	diags := scan.Diagnostics
	if in.Scanned != nil {
		var n int64
		for _, f := range scan.Files {
			n += int64(len(f.Data))
		}
		in.Scanned(n)
	}
	ro := in.Render
	if ro.WorkingDir == "" {
		ro.WorkingDir = in.WorkingDir
	}
	env := render.Env{Scan: scan, Options: ro}
	progress := in.Progress
	if progress == nil {
		progress = func(Progress) {}
	}
	if len(scan.Units) > 0 && !ro.NoRender {
		progress(Progress{Phase: "rendering", Total: len(scan.Units)})
	}
	rendered := render.Run(ctx, scan, renderers, ro)
	consumed := make(map[string]bool, len(rendered.Consumed))
	for _, p := range rendered.Consumed {
		consumed[p] = true
	}
	files := make([]source.File, 0, len(scan.Files))
	for _, f := range scan.Files {
		if f.Abs == "" || !consumed[f.Abs] {
			files = append(files, f)
		}
	}
	decoded := decodeAll(ctx, files, env, progress)
	b := inventory.NewBuilder(in.Cluster, in.Settings)
	var inputs []string
	var infos []fs.FileInfo
	for i, f := range files {
		d := decoded[i]
		if d.err != nil {
			diags = append(diags, decodeDiagnostic(f.Path, d.err))
		}
		diags = append(diags, d.diags...)
		if d.objects == nil {
			continue // stopped
		}
		before := b.Recognized()
		diags = append(diags, b.Add(d.objects)...)
		if f.Abs != "" && b.Recognized() > before {
			inputs = append(inputs, f.Abs)
			infos = append(infos, f.Info)
		}
	}
	diags = append(diags, rendered.Diagnostics...)
	if len(rendered.Docs) > 0 {
		names := make([]string, len(rendered.Docs))
		docs := make([]source.Doc, len(rendered.Docs))
		for i, d := range rendered.Docs {
			names[i], docs[i] = d.File, d.Doc
		}
		diags = append(diags, b.Add(inventory.ReadEach(names, docs))...)
	}
	inputs = append(inputs, rendered.Consumed...)
	inputs = append(inputs, rendered.Sources...)
	infos = append(infos, make([]fs.FileInfo, len(inputs)-len(infos))...)
	if ctx.Err() != nil {
		diags = append(diags, analyzer.Diagnostic{Level: analyzer.LevelError,
			Message: fmt.Sprintf("%v while reading the inputs", context.Cause(ctx))})
	}
	inv, buildDiags := b.Build()
	diags = append(diags, buildDiags...)
	sortDiagnostics(diags)
	inv.Inputs, inv.InputInfo = inputs, infos
	return inv, diags
}

type decodedFile struct {
	objects *inventory.FileObjects
	err     error
	diags   []analyzer.Diagnostic // a file renderer's
}

// decodeAll decodes and normalizes files in parallel; the order of results
// is the order of files, so the inventory does not depend on scheduling.
// Each file's decoded documents are dropped once its objects are read.
func decodeAll(ctx context.Context, files []source.File, env render.Env, progress func(Progress)) []decodedFile {
	out := make([]decodedFile, len(files))
	var done atomic.Int64
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(1, len(files))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if ctx.Err() != nil {
					files[i].Data = nil
					continue
				}
				out[i] = decodeOne(files[i], env)
				if n := done.Add(1); n%256 == 0 || int(n) == len(files) {
					progress(Progress{Phase: "reading", Done: int(n), Total: len(files)})
				}
				files[i].Data = nil // the bytes are not needed any more
			}
		}()
	}
	for i := range files {
		work <- i
	}
	close(work)
	wg.Wait()
	return out
}

// decodeOne reads one file: through the file renderer that claims it, or
// decoded as YAML or JSON.
func decodeOne(f source.File, env render.Env) decodedFile {
	if !env.Options.NoRender {
		for _, r := range fileRenderers {
			if !r.Claims(f) {
				continue
			}
			o := r.RenderFile(f, env)
			names := make([]string, len(o.Docs))
			docs := make([]source.Doc, len(o.Docs))
			for i, d := range o.Docs {
				names[i], docs[i] = d.File, d.Doc
			}
			return decodedFile{objects: inventory.ReadEach(names, docs), diags: o.Diagnostics}
		}
	}
	docs, err := source.Decode(f.Data)
	return decodedFile{objects: inventory.Read(f.Path, docs), err: templateHint(err, f.Data)}
}

// templateHint adds to a syntax error on a line that holds a Go template
// action ({{ … }}) that the file looks like a Helm template: YAML parsers
// choke on those lines, and the fix is to render, not to edit.
func templateHint(err error, data []byte) error {
	var se *source.Error
	if !errors.As(err, &se) || se.Pos.Line <= 0 {
		return err
	}
	for _, line := range []int{se.Pos.Line, se.Pos.Line - 1} {
		if text, ok := lineAt(data, line); ok && bytes.Contains(text, []byte("{{")) {
			return &source.Error{Pos: se.Pos, Msg: se.Msg + " (line " + strconv.Itoa(line) + " holds {{ }}: this looks like a Helm template: lint its chart folder, or the output of helm template)"}
		}
	}
	return err
}

// lineAt is the 1-based line n of data.
func lineAt(data []byte, n int) ([]byte, bool) {
	for i := 1; len(data) > 0; i++ {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		if i == n {
			return line, true
		}
		data = rest
	}
	return nil, false
}

func decodeDiagnostic(file string, err error) analyzer.Diagnostic {
	d := analyzer.Diagnostic{Level: analyzer.LevelError, Location: analyzer.Location{File: file}, Message: err.Error()}
	var se *source.Error
	if errors.As(err, &se) {
		d.Location.Line, d.Location.Column, d.Message = se.Pos.Line, se.Pos.Column, se.Msg
	}
	return d
}

// Result is what an analysis produced.
type Result struct {
	Findings    []analyzer.Finding
	Diagnostics []analyzer.Diagnostic
	// Suppressed are the findings an annotation or an ignore entry
	// silenced, each with its Suppression.
	Suppressed []analyzer.Finding
	// Omitted counts findings left out by RunOptions.MaxFindings, the most
	// severe of them OmittedMax.
	Omitted    int
	OmittedMax analyzer.Severity
	Inventory  *inventory.Inventory
	// Rules are the rules that ran, as graded (Linter.Run sets them).
	Rules []analyzer.Rule
	// Incomplete is set when the rules failed or were stopped: the
	// findings are those reported before.
	Incomplete error
}

// Failing tells whether some finding, reported or omitted, is at or above
// threshold.
func (r *Result) Failing(threshold analyzer.Severity) bool {
	if r.Omitted > 0 && r.OmittedMax >= threshold {
		return true
	}
	for _, f := range r.Findings {
		if f.Severity >= threshold {
			return true
		}
	}
	return false
}

// RunOptions adjust how findings are reported.
type RunOptions struct {
	// Severity overrides the severity of every finding of a rule
	// (.irsalint.yaml rules.severity).
	Severity map[string]analyzer.Severity
	// MaxFindings caps the findings reported, keeping the most severe; 0
	// reports all.
	MaxFindings int
	// Ignores are the configuration's ignore entries, judged on Today and
	// with paths relative to WorkingDir.
	Ignores    []config.Ignore
	Today      time.Time
	WorkingDir string
}

// Run evaluates the prepared rules over an inventory. The error is set when
// the rules themselves failed (a Rego runtime error, a malformed finding):
// then the analysis cannot be trusted.
func Run(ctx context.Context, eng *engine.Engine, q *engine.Query, inv *inventory.Inventory) (*Result, error) {
	return RunWith(ctx, eng, q, inv, RunOptions{})
}

// RunWith is Run with options.
func RunWith(ctx context.Context, eng *engine.Engine, q *engine.Query, inv *inventory.Inventory, opts RunOptions) (*Result, error) {
	return runDocument(ctx, eng, q, inv, Document(inv), opts)
}

func runDocument(ctx context.Context, eng *engine.Engine, q *engine.Query, inv *inventory.Inventory, doc engine.Document, opts RunOptions) (*Result, error) {
	raws, evalErr := q.Eval(ctx, doc)
	res := &Result{Inventory: inv}
	var problems []string
	if evalErr != nil {
		problems = append(problems, evalErr.Error())
	}
	unknownIgnores := map[string]bool{}
	noReason := map[string]bool{}
	ig := &ignores{entries: opts.Ignores, workingDir: opts.WorkingDir, today: opts.Today, used: make([]bool, len(opts.Ignores))}
	refs := make([]string, 0, len(inv.Sources))
	for ref := range inv.Sources {
		refs = append(refs, ref)
	}
	sort.Strings(refs) // the notice goes to the first object naming the ID, every run
	for _, ref := range refs {
		src := inv.Sources[ref]
		ids := make([]string, 0, len(src.Ignore))
		for id := range src.Ignore {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if _, ok := eng.Rule(id); !ok && !unknownIgnores[id] {
				unknownIgnores[id] = true
				res.Diagnostics = append(res.Diagnostics, analyzer.Diagnostic{
					Level:    analyzer.LevelNotice,
					Location: src.Locate(src.IgnoreAt),
					Message:  fmt.Sprintf("%s names unknown rule %q", inventory.IgnoreAnnotation, id),
				})
			}
		}
	}
	for _, raw := range raws {
		rule, _ := eng.Rule(raw.Rule)
		f, err := resolve(rule, raw, inv)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if sev, ok := opts.Severity[raw.Rule]; ok {
			f.Severity = sev
		}
		if src := inv.Sources[raw.Ref]; src.Ignore[raw.Rule] {
			if src.IgnoreReason != "" {
				at := src.Locate(src.IgnoreAt)
				f.Suppression = &analyzer.Suppression{Kind: "inSource", Justification: src.IgnoreReason, Location: &at}
				res.Suppressed = append(res.Suppressed, f)
				continue
			}
			if !noReason[raw.Ref] {
				noReason[raw.Ref] = true
				res.Diagnostics = append(res.Diagnostics, analyzer.Diagnostic{
					Level:    analyzer.LevelNotice,
					Location: src.Locate(src.IgnoreAt),
					Message: fmt.Sprintf("%s gives no reason, so it suppresses nothing: write \"%s: why it is accepted\", or the reason in %s",
						inventory.IgnoreAnnotation, strings.Join(slices.Sorted(maps.Keys(src.Ignore)), ", "), k8s.IgnoreReasonAnnotation),
				})
			}
		}
		if c, expired := ig.match(f); c != nil {
			if !expired {
				at := c.At
				f.Suppression = &analyzer.Suppression{Kind: "external", Justification: c.Reason, Location: &at}
				res.Suppressed = append(res.Suppressed, f)
				continue
			}
			f.Message += fmt.Sprintf(" (The ignore entry at %s that suppressed this expired on %s: fix it, or renew the entry with a reason.)", c.At, c.Expires.Format("2006-01-02"))
		}
		res.Findings = append(res.Findings, f)
	}
	res.Diagnostics = append(res.Diagnostics, ig.unused()...)
	SortFindings(res.Suppressed)
	// Kustomize overlays that build one base object differently (another
	// label, another replica count) give its other findings once each:
	// the same finding at the same place is reported once.
	type same struct {
		fingerprint, message string
		at                   analyzer.Location
	}
	SortFindings(res.Findings)
	reported := make(map[same]bool, len(res.Findings))
	res.Findings = slices.DeleteFunc(res.Findings, func(f analyzer.Finding) bool {
		k := same{f.Fingerprint, f.Message, f.Location}
		if reported[k] {
			return true
		}
		reported[k] = true
		return false
	})
	if opts.MaxFindings > 0 && len(res.Findings) > opts.MaxFindings {
		keepMostSevere(res, opts.MaxFindings)
	}
	SortFindings(res.Findings)
	sortDiagnostics(res.Diagnostics)
	var intr *engine.Interrupted
	if errors.As(evalErr, &intr) {
		return res, intr
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return res, errors.New(strings.Join(problems, "\n"))
	}
	return res, nil
}

// keepMostSevere keeps the n most severe findings (by location among equals, so the
// cut does not depend on evaluation order) and says what was left out.
func keepMostSevere(res *Result, n int) {
	SortFindings(res.Findings)
	sort.SliceStable(res.Findings, func(i, j int) bool { return res.Findings[i].Severity > res.Findings[j].Severity })
	cut := res.Findings[n:]
	res.Omitted = len(cut)
	for _, f := range cut {
		res.OmittedMax = max(res.OmittedMax, f.Severity)
	}
	res.Findings = res.Findings[:n:n]
	res.Diagnostics = append(res.Diagnostics, analyzer.Diagnostic{
		Level: analyzer.LevelNotice,
		Message: fmt.Sprintf("%d more findings (at most %s) not reported: the %d most severe are, as --max-findings says; raise it, or 0 for all",
			res.Omitted, res.OmittedMax, n),
	})
}

// Document is the inventory as the engine evaluates it.
func Document(inv *inventory.Inventory) engine.Document {
	base, workloads := inv.Split()
	return engine.Document{Base: base, Workloads: workloads, Index: inventory.WorkloadIndex}
}

// resolve turns a rule's ref and path into locations.
func resolve(rule analyzer.Rule, raw engine.RawFinding, inv *inventory.Inventory) (analyzer.Finding, error) {
	src, ok := inv.Sources[raw.Ref]
	if !ok || !src.Placed() {
		return analyzer.Finding{}, fmt.Errorf("rule %q (%s) reported a finding on %q, which is not an object read from a file", raw.Rule, rule.File, raw.Ref)
	}
	loc, shown := src.LocateRelated(raw.At)
	f := analyzer.Finding{
		Rule:     raw.Rule,
		Severity: rule.Severity,
		Message:  raw.Message,
		Object:   src.Name,
		Location: loc,
		Path:     raw.At,
	}
	if raw.Severity != 0 {
		f.Severity = raw.Severity
	}
	for _, r := range raw.Related {
		rs, ok := inv.Sources[r.Ref]
		if !ok || !rs.Placed() {
			return analyzer.Finding{}, fmt.Errorf("rule %q (%s) named a related object %q that was not read from a file", raw.Rule, rule.File, r.Ref)
		}
		f.Related = append(f.Related, analyzer.Related{Location: rs.Locate(r.At), Object: rs.Name, Message: r.Message})
	}
	// What rendering adds (the template that used a value) comes after
	// what the rule named.
	f.Related = append(f.Related, shown...)
	f.Fingerprint = fingerprint(f.Rule, src.File, src.Name, raw.At)
	return f, nil
}

// fingerprint identifies a finding by what it is about, not where: moving
// unrelated lines leaves it unchanged (SARIF primaryLocationLineHash).
func fingerprint(rule, file, object string, at []any) string {
	h := sha256.New()
	for _, s := range []string{rule, file, object, source.FormatPath(at)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// SortFindings orders findings by file, position, rule and message so
// output is deterministic.
func SortFindings(fs []analyzer.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if c := compareLocations(a.Location, b.Location); c != 0 {
			return c < 0
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
}

// SortDiagnostics puts diagnostics in the order reports show them: by
// location, then message.
func SortDiagnostics(ds []analyzer.Diagnostic) { sortDiagnostics(ds) }

func sortDiagnostics(ds []analyzer.Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if c := compareLocations(a.Location, b.Location); c != 0 {
			return c < 0
		}
		return a.Message < b.Message
	})
}

func compareLocations(a, b analyzer.Location) int {
	return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
}
