package source

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/guard"
)

// Kinds of Unit.
const (
	UnitKustomize = "kustomize"
	UnitHelm      = "helm"
	UnitTerraform = "terraform"
)

// KustomizationFiles are the names Kustomize reads a kustomization from,
// in the order it tries them.
var KustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// Unit is a folder whose files are the sources of rendered objects rather
// than objects themselves: a Kustomize kustomization, a Helm chart, a
// Terraform module.
type Unit struct {
	Kind string
	Dir  string // absolute
	Path string // display path of the folder
	// Root is the real path of the folder argument the unit was found in:
	// what its renderer may read.
	Root string
}

// Scan is what Collect found: the files read, the units to render (when
// CollectOptions.Render is set) and the problems met.
type Scan struct {
	Files       []File
	Units       []Unit
	Diagnostics []analyzer.Diagnostic

	workingDir string
	maxFile    int64
	budget     *atomic.Int64 // bytes left of the total cap, for renderers
}

// unitKinds tells what units a folder's entries make it.
func unitKinds(entries []fs.DirEntry) (kinds []string) {
	var kust, helm, tf bool
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == "Chart.yaml":
			helm = true
		case name == KustomizationFiles[0] || name == KustomizationFiles[1] || name == KustomizationFiles[2]:
			kust = true
		case strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json"):
			tf = true
		}
	}
	if helm {
		kinds = append(kinds, UnitHelm)
	}
	if kust {
		kinds = append(kinds, UnitKustomize)
	}
	if tf {
		kinds = append(kinds, UnitTerraform)
	}
	return kinds
}

// Guard reads the sources of a unit by the rules Collect follows for a
// folder: only inside the folder argument (a symbolic link too), only
// regular files, within the caps on file size and total size. Repository
// content names the files a renderer reads (a kustomization's resources, a
// chart's dependencies), so it must not reach the host through them.
type Guard struct {
	root       string
	workingDir string
	maxFile    int64
	budget     *atomic.Int64
}

// Guard gives the reader of unit u's sources.
func (s *Scan) Guard(u Unit) *Guard {
	if s.budget == nil {
		s.budget = new(atomic.Int64)
	}
	return &Guard{root: u.Root, workingDir: s.workingDir, maxFile: s.maxFile, budget: s.budget}
}

// ErrOutside is the error for a path outside the folder argument.
var ErrOutside = errors.New("outside the folder being linted")

// Display makes the path shown to users, as Collect does.
func (g *Guard) Display(abs string) string {
	return displayPath(g.workingDir, abs)
}

// Inside tells whether path, symbolic links resolved, is inside the root.
func (g *Guard) Inside(path string) bool {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		// A path that does not exist yet is inside when its text is.
		real = filepath.Clean(path)
	}
	return isUnder(g.root, real)
}

func isUnder(root, real string) bool {
	if root == "" {
		return false
	}
	rel, err := filepath.Rel(root, real)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// Stat is os.Stat for a path inside the root.
func (g *Guard) Stat(path string) (fs.FileInfo, error) {
	real, err := g.resolve(path)
	if err != nil {
		return nil, err
	}
	return os.Stat(real)
}

func (g *Guard) resolve(path string) (string, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", err
	}
	if !isUnder(g.root, real) {
		return "", &fs.PathError{Op: "read", Path: path, Err: ErrOutside}
	}
	return real, nil
}

// ReadDir lists a folder inside the root, sorted by name.
func (g *Guard) ReadDir(path string) ([]fs.DirEntry, error) {
	real, err := g.resolve(path)
	if err != nil {
		return nil, err
	}
	return os.ReadDir(real)
}

// ReadFile reads a regular file inside the root within the caps.
func (g *Guard) ReadFile(path string) ([]byte, error) {
	real, err := g.resolve(path)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(real)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("not a regular file (%s)", fileKind(info.Mode()))}
	}
	if info.Size() > g.maxFile {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("file is %s, larger than the %s limit (raise it with --max-file-size)",
			guard.FormatSize(info.Size()), guard.FormatSize(g.maxFile))}
	}
	f, err := os.Open(real)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := readUpTo(f, info, g.maxFile+1)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > g.maxFile {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("file is larger than the %s limit (raise it with --max-file-size)", guard.FormatSize(g.maxFile))}
	}
	if g.budget.Add(-int64(len(data))) < 0 {
		return nil, &fs.PathError{Op: "read", Path: path, Err: errors.New("the inputs are larger than the --max-total-size cap; lint fewer paths or raise the cap")}
	}
	return data, nil
}

// Reason is what went wrong in a file error, without Go's "open /abs/path: ".
func Reason(err error) string { return reason(err) }

func displayPath(wd, abs string) string {
	if rel, err := filepath.Rel(wd, abs); err == nil && rel != ".." &&
		!strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel) {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(abs)
}
