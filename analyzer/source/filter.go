package source

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// Pattern is a path glob (doublestar syntax: *, ?, [...], {a,b}, and ** for
// any number of folders) that selects files found by walking a folder. A
// pattern without a slash matches a file or folder name at any depth, as in
// .gitignore; one with a slash matches the path relative to Base.
type Pattern struct {
	Glob string
	Base string // absolute folder the glob is relative to
}

// ValidPattern tells whether glob is well formed.
func ValidPattern(glob string) bool { return doublestar.ValidatePattern(glob) }

// Match tells whether the absolute path abs matches.
func (p Pattern) Match(abs string) bool { return p.match(abs) }

func (p Pattern) match(abs string) bool {
	if !strings.Contains(p.Glob, "/") {
		ok, _ := doublestar.Match(p.Glob, filepath.Base(abs))
		return ok
	}
	rel, err := filepath.Rel(p.Base, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return false
	}
	ok, _ := doublestar.Match(strings.TrimPrefix(p.Glob, "./"), filepath.ToSlash(rel))
	return ok
}

func matchAny(ps []Pattern, abs string) bool {
	for _, p := range ps {
		if p.match(abs) {
			return true
		}
	}
	return false
}

// maxIgnoreFile caps a .gitignore file: it only ever selects files.
const maxIgnoreFile = 1 << 20

// ignorer holds the .gitignore patterns in force in a folder of a git work
// tree: those of the work tree's .git/info/exclude and of every .gitignore
// from the top of the work tree down to the folder.
type ignorer struct {
	top      string // the work tree's top folder
	patterns []gitignore.Pattern
	matcher  gitignore.Matcher
}

// workTree finds the git work tree holding dir (the folder that has .git),
// and the .gitignore patterns in force down to dir.
func workTree(dir string) *ignorer {
	top := dir
	for {
		if _, err := os.Lstat(filepath.Join(top, ".git")); err == nil {
			break
		}
		parent := filepath.Dir(top)
		if parent == top {
			return nil
		}
		top = parent
	}
	ig := &ignorer{top: top}
	ig.patterns = append(ig.patterns, readIgnore(filepath.Join(top, ".git", "info", "exclude"), nil)...)
	ig.matcher = gitignore.NewMatcher(ig.patterns)
	// The folders above dir, from the top down; walking dir enters dir.
	if rel, _ := filepath.Rel(top, dir); rel != "." {
		at := top
		for _, part := range strings.Split(rel, string(filepath.Separator)) {
			ig = ig.enter(at)
			at = filepath.Join(at, part)
		}
	}
	return ig
}

// enter returns the ignorer for a sub-folder: its .gitignore added.
func (ig *ignorer) enter(dir string) *ignorer {
	if ig == nil {
		return nil
	}
	domain := ig.components(dir)
	more := readIgnore(filepath.Join(dir, ".gitignore"), domain)
	if len(more) == 0 {
		return ig
	}
	ps := append(append([]gitignore.Pattern(nil), ig.patterns...), more...)
	return &ignorer{top: ig.top, patterns: ps, matcher: gitignore.NewMatcher(ps)}
}

func (ig *ignorer) components(path string) []string {
	rel, err := filepath.Rel(ig.top, path)
	if err != nil || rel == "." {
		return nil
	}
	return strings.Split(filepath.ToSlash(rel), "/")
}

// ignored tells whether git ignores path.
func (ig *ignorer) ignored(path string, isDir bool) bool {
	if ig == nil || ig.matcher == nil {
		return false
	}
	parts := ig.components(path)
	return len(parts) > 0 && ig.matcher.Match(parts, isDir)
}

// readIgnore reads the patterns of one ignore file: a regular file (not a
// symbolic link, which could lead anywhere) of at most 1 MiB.
func readIgnore(path string, domain []string) []gitignore.Pattern {
	st, err := os.Lstat(path)
	if err != nil || !st.Mode().IsRegular() || st.Size() > maxIgnoreFile {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxIgnoreFile))
	if err != nil {
		return nil
	}
	var ps []gitignore.Pattern
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxIgnoreFile)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(line, domain))
	}
	return ps
}
