package engine

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Module is a parsed Rego file and where it came from.
type Module struct {
	// Name is the file name shown in errors: "rules/workload/x/rule.rego" for
	// embedded files, the path as found for user files.
	Name   string
	Module *ast.Module
	Custom bool
	// full, when set, parses the whole file, once: Module then holds only
	// its package and imports (loadShipped).
	full func() (*ast.Module, error)
}

// LoadFS parses the .rego files of fsys. Test files (_test.rego) are
// included only when tests is true. prefix is prepended to names in messages.
func LoadFS(fsys fs.FS, prefix string, tests bool) ([]Module, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && wantRego(p, tests) {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	// Parsing is a third of the start-up time and each file is independent:
	// parse them in parallel, keeping the sorted order.
	mods := make([]Module, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), max(1, len(names))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				n := names[i]
				src, err := fs.ReadFile(fsys, n)
				if err == nil {
					var m *ast.Module
					if m, err = parse(path.Join(prefix, n), src); err == nil {
						mods[i] = Module{Name: path.Join(prefix, n), Module: m}
					}
				}
				errs[i] = err
			}
		}()
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return mods, nil
}

// MaxRuleFileSize caps one .rego file of a user's rule folder.
const MaxRuleFileSize = 4 << 20

// LoadDir parses the .rego files under a user's rule directory (--rules), or
// one .rego file. Only regular files are read (a named pipe would block).
// When confined is true the folder was named by repository content (a
// configuration file): a symbolic link inside it must not lead outside it,
// or a rule file could read the host into an error message.
func LoadDir(dir string, tests, confined bool) ([]Module, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("rules directory %s: %w", dir, unwrapPathError(err))
	}
	if !info.IsDir() {
		if !strings.HasSuffix(dir, ".rego") {
			return nil, fmt.Errorf("rules %s: not a directory or .rego file", dir)
		}
		m, err := loadFile(filepath.ToSlash(dir), dir, info)
		if err != nil {
			return nil, err
		}
		return []Module{m}, nil
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("rules directory %s: %w", dir, unwrapPathError(err))
	}
	var paths []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("rules directory %s: %w", dir, unwrapPathError(err))
		}
		if d.IsDir() || !wantRego(p, tests) {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 && confined {
			real, err := filepath.EvalSymlinks(p)
			if rel, rerr := filepath.Rel(root, real); err != nil || rerr != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				target, _ := os.Readlink(p)
				return fmt.Errorf("%s: a symbolic link to %q, outside the rule folder %s; not read", filepath.ToSlash(p), target, filepath.ToSlash(dir))
			}
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	mods := make([]Module, 0, len(paths))
	for _, p := range paths { // WalkDir goes in lexical order
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.ToSlash(p), unwrapPathError(err))
		}
		m, err := loadFile(filepath.ToSlash(p), p, info)
		if err != nil {
			return nil, err
		}
		mods = append(mods, m)
	}
	return mods, nil
}

// loadFile reads and parses one user rule file.
func loadFile(name, path string, info fs.FileInfo) (Module, error) {
	if !info.Mode().IsRegular() {
		return Module{}, fmt.Errorf("%s: not a regular file", name)
	}
	if info.Size() > MaxRuleFileSize {
		return Module{}, fmt.Errorf("%s: larger than the %d MiB a rule file may have", name, MaxRuleFileSize>>20)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return Module{}, fmt.Errorf("%s: %w", name, unwrapPathError(err))
	}
	m, err := parse(name, src)
	if err != nil {
		return Module{}, err
	}
	return Module{Name: name, Module: m, Custom: true}, nil
}

func wantRego(p string, tests bool) bool {
	if !strings.HasSuffix(p, ".rego") {
		return false
	}
	return tests || !strings.HasSuffix(p, "_test.rego")
}

func parse(name string, src []byte) (*ast.Module, error) {
	m, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{
		ProcessAnnotation: true,
		RegoVersion:       ast.RegoV1,
	})
	if err != nil {
		return nil, formatRegoErrors(err)
	}
	return m, nil
}

// formatRegoErrors turns OPA's error lists into "file:line:col: message"
// lines, the form every other irsalint error takes.
func formatRegoErrors(err error) error {
	var errs ast.Errors
	switch e := err.(type) {
	case ast.Errors:
		errs = e
	case *ast.Error:
		errs = ast.Errors{e}
	default:
		return err
	}
	lines := make([]string, 0, len(errs))
	for _, e := range errs {
		msg := e.Message
		if e.Details != nil {
			// The type checker says which fields there are ("want (one
			// of): ..."): what a rule author needs to fix a typo.
			for _, l := range e.Details.Lines() {
				if strings.HasPrefix(strings.TrimSpace(l), "have:") || strings.HasPrefix(strings.TrimSpace(l), "want") {
					msg += "; " + strings.TrimSpace(l)
				}
			}
		}
		e := *e
		e.Message = msg
		switch {
		case e.Location != nil && e.Location.Col > 0:
			lines = append(lines, fmt.Sprintf("%s:%d:%d: %s", e.Location.File, e.Location.Row, e.Location.Col, e.Message))
		case e.Location != nil:
			// OPA gives column 0 at the end of the file.
			lines = append(lines, fmt.Sprintf("%s:%d: %s", e.Location.File, e.Location.Row, e.Message))
		default:
			lines = append(lines, e.Message)
		}
	}
	return fmt.Errorf("%s", strings.Join(lines, "\n"))
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
