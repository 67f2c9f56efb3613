package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/guard"
)

// Default caps, used when the CollectOptions field is 0. A decoded file
// takes several times the size of its text in memory.
const (
	DefaultMaxFileSize  = 10 << 20
	DefaultMaxTotalSize = 1 << 30
	DefaultMaxFiles     = 200_000
)

// CollectOptions tune Collect.
type CollectOptions struct {
	Stdin        io.Reader // read when an arg is "-"
	StdinName    string    // display name for stdin (default "<stdin>")
	MaxFileSize  int64     // bytes; 0 means DefaultMaxFileSize
	MaxTotalSize int64     // bytes of all files read; 0 means DefaultMaxTotalSize
	MaxFiles     int       // files read; 0 means DefaultMaxFiles
	WorkingDir   string    // absolute; display paths are made relative to it (default: os.Getwd)
	// Render records the folders that are Kustomize kustomizations, Helm
	// charts and Terraform modules as units to render, instead of
	// skipping a chart's templates with a notice.
	Render bool
	// Include, when not empty, reads only the files found in folders that
	// match one of its patterns; Exclude skips the files and folders that
	// match one. Files named as arguments are always read.
	Include, Exclude []Pattern
	// NoGitIgnore reads files that git ignores (.gitignore, .git/info/exclude)
	// in a folder of a git work tree.
	NoGitIgnore bool
}

// File is one input file.
type File struct {
	Path string // display path: relative to WorkingDir when the file is inside it, else absolute; forward slashes
	Abs  string // absolute path ("" for stdin)
	Data []byte
	// Info is what the scan saw of the file when it read it (nil for
	// standard input): callers tell the file by it without a stat.
	Info fs.FileInfo
}

// Collect reads the files named by args ("." when there are none): a named
// regular file whatever its extension, a folder's *.yaml, *.yml and *.json
// files (recursively, in lexical order, without hidden folders,
// node_modules, vendor and Helm templates), "-" for standard input. Files
// come in the order of args; a file reached twice is read once. Problems
// come back as diagnostics, in the same deterministic order, and do not stop
// the others.
//
// A folder's content is untrusted: a symbolic link in it is followed only
// while its target stays inside the folder named on the command line, and
// only regular files are read, so that a link to / or /dev/zero reads
// nothing of the host. Named pipes and devices are refused even when named
// (standard input is "-"), and the caps on file size, total size and number
// of files bound the work.
func Collect(args []string, opts CollectOptions) ([]File, []analyzer.Diagnostic) {
	s := ScanPaths(args, opts)
	return s.Files, s.Diagnostics
}

// ScanPaths is Collect with the units found: folders whose files are the
// sources of rendered objects (see CollectOptions.Render). A unit's files of
// the input kinds are among Files too; its renderer says which it consumed.
func ScanPaths(args []string, opts CollectOptions) *Scan {
	c := &collector{
		opts:     opts,
		seen:     map[string]bool{},
		seenDirs: map[string]bool{},
	}
	if c.opts.MaxFileSize <= 0 {
		c.opts.MaxFileSize = DefaultMaxFileSize
	}
	if c.opts.MaxTotalSize <= 0 {
		c.opts.MaxTotalSize = DefaultMaxTotalSize
	}
	if c.opts.MaxFiles <= 0 {
		c.opts.MaxFiles = DefaultMaxFiles
	}
	if c.opts.StdinName == "" {
		c.opts.StdinName = "<stdin>"
	}
	if c.opts.WorkingDir == "" {
		wd, err := os.Getwd()
		if err != nil {
			c.errorf("", "cannot find the working directory: %s", reason(err))
		}
		c.opts.WorkingDir = wd
	}
	if abs, err := filepath.Abs(c.opts.WorkingDir); err == nil {
		c.opts.WorkingDir = abs
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	for _, arg := range args {
		if c.full {
			break
		}
		if arg == "-" {
			c.stdin()
			continue
		}
		c.arg(arg)
	}
	s := &Scan{Files: c.files, Units: c.units, Diagnostics: c.diags,
		workingDir: c.opts.WorkingDir, maxFile: c.opts.MaxFileSize, budget: new(atomic.Int64)}
	s.budget.Store(c.opts.MaxTotalSize - c.total)
	return s
}

type collector struct {
	opts     CollectOptions
	files    []File
	diags    []analyzer.Diagnostic
	seen     map[string]bool // real paths of files read (or refused), and "-"
	seenDirs map[string]bool // real paths of folders walked
	found    int             // input files met, read or already read
	total    int64           // bytes read
	full     bool            // a cap on the total was reached: read no more
	root     string          // real path of the folder argument being walked
	units    []Unit
	unitSeen map[string]bool // kind and folder of the units recorded
}

// unit records a folder to render, once.
func (c *collector) unit(kind, abs, root string) {
	key := kind + "\x00" + abs
	if c.unitSeen == nil {
		c.unitSeen = map[string]bool{}
	}
	if c.unitSeen[key] {
		return
	}
	c.unitSeen[key] = true
	c.units = append(c.units, Unit{Kind: kind, Dir: abs, Path: c.display(abs), Root: root})
}

func (c *collector) errorf(path, format string, args ...any) {
	c.diags = append(c.diags, analyzer.Diagnostic{
		Level:    analyzer.LevelError,
		Location: analyzer.Location{File: path},
		Message:  fmt.Sprintf(format, args...),
	})
}

// display makes the path shown to users.
func (c *collector) display(abs string) string { return displayPath(c.opts.WorkingDir, abs) }

func (c *collector) stdin() {
	name := c.opts.StdinName
	if c.seen["-"] {
		return
	}
	c.seen["-"] = true
	if c.opts.Stdin == nil {
		c.errorf(name, "no standard input to read")
		return
	}
	data, err := io.ReadAll(io.LimitReader(c.opts.Stdin, c.opts.MaxFileSize+1))
	if err != nil {
		c.errorf(name, "%s", reason(err))
		return
	}
	if int64(len(data)) > c.opts.MaxFileSize {
		c.errorf(name, "input is larger than the %s limit (raise it with --max-file-size)", guard.FormatSize(c.opts.MaxFileSize))
		return
	}
	c.add(File{Path: name, Data: data})
}

// add keeps a file read, within the caps on the total.
func (c *collector) add(f File) {
	if len(c.files) >= c.opts.MaxFiles {
		c.full = true
		c.errorf(f.Path, "not read: the inputs are more than the %d files of --max-files; lint fewer paths or raise the cap", c.opts.MaxFiles)
		return
	}
	if c.total+int64(len(f.Data)) > c.opts.MaxTotalSize {
		c.full = true
		c.errorf(f.Path, "not read: the inputs are larger than the %s of --max-total-size; lint fewer paths or raise the cap",
			guard.FormatSize(c.opts.MaxTotalSize))
		return
	}
	c.total += int64(len(f.Data))
	c.files = append(c.files, f)
}

func (c *collector) arg(arg string) {
	abs := arg
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(c.opts.WorkingDir, abs)
	}
	abs = filepath.Clean(abs)
	disp := c.display(abs)
	info, err := os.Stat(abs)
	if err != nil {
		c.statError(abs, disp, err)
		return
	}
	if info.IsDir() {
		if helmTemplates(abs) {
			c.chartNotice(filepath.Dir(abs), c.display(filepath.Dir(abs)))
			return
		}
		real, _ := filepath.EvalSymlinks(abs)
		again := c.seenDirs[real]
		before, diagsBefore, unitsBefore := c.found, len(c.diags), len(c.units)
		c.root = real
		var ig *ignorer
		if !c.opts.NoGitIgnore {
			ig = workTree(abs)
		}
		c.walk(abs, disp, ig)
		c.root = ""
		if !again && c.found == before && len(c.diags) == diagsBefore && len(c.units) == unitsBefore {
			// A CI gate pointed at the wrong folder would pass silently.
			c.diags = append(c.diags, analyzer.Diagnostic{
				Level:    analyzer.LevelNotice,
				Location: analyzer.Location{File: disp},
				Message:  "no *.yaml, *.yml or *.json files found in this folder",
			})
		}
		return
	}
	if !info.Mode().IsRegular() {
		// A named pipe blocks until someone writes to it, and a device
		// such as /dev/zero never ends.
		c.errorf(disp, "not a regular file (%s); to lint a command's output, pipe it to standard input: kubectl get deploy -A -o yaml | irsalint lint -", fileKind(info.Mode()))
		return
	}
	if c.opts.Render {
		// A kustomization or chart named as a file stands for its folder.
		dir := filepath.Dir(abs)
		real, _ := filepath.EvalSymlinks(dir)
		switch name := filepath.Base(abs); {
		case name == "Chart.yaml":
			c.unit(UnitHelm, dir, real)
		case slices.Contains(KustomizationFiles, name):
			c.unit(UnitKustomize, dir, real)
		}
	}
	c.read(abs, disp, info)
}

// fileKind names what a non-regular file is.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a file"
}

// statError reports a path that cannot be stat'ed, telling a broken symbolic
// link from a missing file.
func (c *collector) statError(abs, disp string, err error) {
	if errors.Is(err, fs.ErrNotExist) {
		if target, lerr := os.Readlink(abs); lerr == nil {
			// Report a link once, however it is reached.
			key := abs
			if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
				key = filepath.Join(dir, filepath.Base(abs))
			}
			if c.seen["link:"+key] {
				return
			}
			c.seen["link:"+key] = true
			c.errorf(disp, "broken symbolic link to %q", target)
			return
		}
	}
	c.errorf(disp, "%s", reason(err))
}

// walk reads a folder's YAML and JSON files in lexical order, following
// symbolic links that stay inside the root, never into a folder twice.
func (c *collector) walk(abs, disp string, ig *ignorer) {
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		c.errorf(disp, "%s", reason(err))
		return
	}
	if c.seenDirs[real] {
		return // a symbolic link loop, or a folder named twice
	}
	c.seenDirs[real] = true
	entries, err := os.ReadDir(abs)
	if err != nil {
		c.errorf(disp, "%s", reason(err))
		return
	}
	ig = ig.enter(abs)
	chart := false
	for _, kind := range unitKinds(entries) {
		if kind == UnitHelm {
			chart = true
		}
		if c.opts.Render {
			c.unit(kind, abs, c.root)
		}
	}
	if chart && !c.opts.Render {
		if fi, err := os.Stat(filepath.Join(abs, "templates")); err == nil && fi.IsDir() {
			c.chartNotice(abs, disp)
		}
	}
	for _, e := range entries { // os.ReadDir sorts by name
		if c.full {
			return
		}
		name := e.Name()
		path := filepath.Join(abs, name)
		childDisp := c.display(path)
		info, err := e.Info()
		if err == nil && info.Mode()&fs.ModeSymlink != 0 {
			if skipDir(name) || strings.HasPrefix(name, ".") {
				continue // hidden: not followed, whatever it points at
			}
			info, err = os.Stat(path)
			if err != nil {
				// Only a link that looks like an input is worth an
				// error: a dangling link to a folder cannot be told
				// from one to anything else.
				if hasInputExt(name) {
					c.statError(path, childDisp, err)
				}
				continue
			}
			if !c.inRoot(path) {
				if info.IsDir() || hasInputExt(name) {
					c.outsideNotice(path, childDisp)
				}
				continue
			}
		}
		if err != nil {
			c.errorf(childDisp, "%s", reason(err))
			continue
		}
		if c.excluded(path, info.IsDir(), ig) {
			continue
		}
		switch {
		case info.IsDir():
			if skipDir(name) || chart && name == "templates" {
				continue
			}
			if chart && c.opts.Render && name == "charts" {
				continue // the chart's dependencies, rendered with it
			}
			c.walk(path, childDisp, ig)
		case info.Mode().IsRegular() && hasInputExt(name) && !strings.HasPrefix(name, "."):
			// Hidden files (.irsalint.yaml, .pre-commit-config.yaml) are
			// tool configuration, not manifests; they are read when named.
			c.read(path, childDisp, info)
		}
	}
}

// excluded tells whether a file or folder met while walking is left out by
// --exclude, --include (files only) or git's ignore rules.
func (c *collector) excluded(path string, dir bool, ig *ignorer) bool {
	if matchAny(c.opts.Exclude, path) || ig.ignored(path, dir) {
		return true
	}
	return !dir && len(c.opts.Include) > 0 && !matchAny(c.opts.Include, path)
}

// inRoot tells whether a link's target is inside the folder being walked.
func (c *collector) inRoot(path string) bool {
	real, err := filepath.EvalSymlinks(path)
	return err == nil && isUnder(c.root, real)
}

// outsideNotice reports, once per link, a symbolic link that is not
// followed because it leads out of the folder being linted.
func (c *collector) outsideNotice(path, disp string) {
	key := path
	if dir, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		key = filepath.Join(dir, filepath.Base(path))
	}
	if c.seen["outside:"+key] {
		return
	}
	c.seen["outside:"+key] = true
	target, _ := os.Readlink(path)
	c.diags = append(c.diags, analyzer.Diagnostic{
		Level:    analyzer.LevelNotice,
		Location: analyzer.Location{File: disp},
		Message:  fmt.Sprintf("not followed: symbolic link to %q leads outside %s (name the target on the command line to lint it)", target, c.display(c.root)),
	})
}

// skipDir tells folders a walk does not enter (they are read when named).
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor"
}

func hasInputExt(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// helmTemplates tells a folder named templates inside a Helm chart.
func helmTemplates(abs string) bool {
	if filepath.Base(abs) != "templates" {
		return false
	}
	fi, err := os.Stat(filepath.Join(filepath.Dir(abs), "Chart.yaml"))
	return err == nil && fi.Mode().IsRegular()
}

func (c *collector) chartNotice(abs, disp string) {
	if c.seen["chart:"+abs] {
		return
	}
	c.seen["chart:"+abs] = true
	c.diags = append(c.diags, analyzer.Diagnostic{
		Level:    analyzer.LevelNotice,
		Location: analyzer.Location{File: disp},
		Message: fmt.Sprintf("skipped Helm chart %q: its templates/ are not plain YAML; render the chart (helm template ...) and lint the output",
			chartName(abs)),
	})
}

// chartName reads the chart's name from Chart.yaml, or falls back to the
// folder's name.
func chartName(abs string) string {
	p := filepath.Join(abs, "Chart.yaml")
	if st, err := os.Lstat(p); err != nil || !st.Mode().IsRegular() {
		return filepath.Base(abs) // a pipe would block, a link may leave the tree
	}
	if f, err := os.Open(p); err == nil {
		data, _ := io.ReadAll(io.LimitReader(f, 1<<20))
		f.Close()
		if docs, _ := Decode(data); len(docs) > 0 {
			if m, ok := docs[0].Value.(map[string]any); ok {
				if name, ok := m["name"].(string); ok && name != "" {
					return name
				}
			}
		}
	}
	return filepath.Base(abs)
}

// read reads one file, once, within the size cap.
func (c *collector) read(abs, disp string, info fs.FileInfo) {
	c.found++
	key, ok := fileID(abs, info)
	if !ok {
		key = abs
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			key = real
		}
	}
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	max := c.opts.MaxFileSize
	if info.Mode().IsRegular() && info.Size() > max {
		c.tooLarge(disp, info.Size())
		return
	}
	f, err := os.Open(abs)
	if err != nil {
		c.errorf(disp, "%s", reason(err))
		return
	}
	defer f.Close()
	// Read one byte past the cap: the file may have grown since Stat, and a
	// pipe has no size.
	data, err := readUpTo(f, info, max+1)
	if err != nil {
		c.errorf(disp, "%s", reason(err))
		return
	}
	if int64(len(data)) > max {
		size := int64(len(data))
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
		c.tooLarge(disp, size)
		return
	}
	c.add(File{Path: disp, Abs: abs, Data: data, Info: info})
}

// readUpTo reads at most limit bytes of r. For a regular file the buffer
// is sized from its FileInfo, so the bytes are read into it once, where
// io.ReadAll would grow and copy its buffer about twenty times for a
// megabyte; a file that grew since is still read whole, up to limit.
func readUpTo(r io.Reader, info fs.FileInfo, limit int64) ([]byte, error) {
	lr := io.LimitReader(r, limit)
	if info == nil || !info.Mode().IsRegular() || info.Size() >= limit {
		return io.ReadAll(lr)
	}
	// bytes.MinRead spare bytes let the read that meets the end of the
	// file happen without growing the buffer.
	buf := bytes.NewBuffer(make([]byte, 0, info.Size()+bytes.MinRead))
	_, err := buf.ReadFrom(lr)
	return buf.Bytes(), err
}

func (c *collector) tooLarge(disp string, size int64) {
	if size > c.opts.MaxFileSize {
		c.errorf(disp, "file is %s, larger than the %s limit (raise it with --max-file-size)",
			guard.FormatSize(size), guard.FormatSize(c.opts.MaxFileSize))
		return
	}
	c.errorf(disp, "file is larger than the %s limit (raise it with --max-file-size)", guard.FormatSize(c.opts.MaxFileSize))
}

// reason strips Go's "open /abs/path: " from an error, leaving what went
// wrong ("no such file or directory", "permission denied").
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}
