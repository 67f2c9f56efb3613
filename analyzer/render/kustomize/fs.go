package kustomize

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/irsalint/irsalint/analyzer/source"
)

// errReadOnly refuses every write: a build only reads.
var errReadOnly = errors.New("irsalint reads kustomizations and writes nothing")

// files is what every build of one Render reads, shared by the builds:
// each file is read once through the Guard (so the size budget counts it
// once, however many overlays use a base), and each kustomization file is
// served as sanitize left it.
//
// Kustomize is given this read-only view of the disk rather than an
// in-memory copy of the files it needs: which files those are is known
// only by building (a patch's path, a generator's env file, a component's
// resources), so a copy would have to walk the kustomization graph the way
// kustomize does, and any mistake would show as a missing file. Over the
// Guard, every path kustomize asks for is checked the same way: inside the
// folder argument, symbolic links resolved, regular files within the caps.
type files struct {
	guard *source.Guard

	mu    sync.Mutex
	cache map[string]cached
	kusts map[string]*kustFile // by absolute path of the kustomization file
	docs  map[string][]source.Doc
}

type cached struct {
	data []byte
	err  error
}

func newFiles(g *source.Guard) *files {
	return &files{guard: g, cache: map[string]cached{}, kusts: map[string]*kustFile{}, docs: map[string][]source.Doc{}}
}

// read reads a file once.
func (f *files) read(path string) ([]byte, error) {
	f.mu.Lock()
	c, ok := f.cache[path]
	f.mu.Unlock()
	if ok {
		return c.data, c.err
	}
	data, err := f.guard.ReadFile(path)
	f.mu.Lock()
	if c, ok := f.cache[path]; ok { // another build read it meanwhile
		f.mu.Unlock()
		return c.data, c.err
	}
	f.cache[path] = cached{data, err}
	f.mu.Unlock()
	return data, err
}

// kustomization parses the kustomization file at path once.
func (f *files) kustomization(path string) (*kustFile, error) {
	f.mu.Lock()
	k, ok := f.kusts[path]
	f.mu.Unlock()
	if ok {
		return k, nil
	}
	data, err := f.read(path)
	if err != nil {
		return nil, err
	}
	k = parseKustomization(path, f.guard.Display(path), data)
	f.mu.Lock()
	if prev, ok := f.kusts[path]; ok {
		k = prev
	} else {
		f.kusts[path] = k
	}
	f.mu.Unlock()
	return k, nil
}

// decoded gives the documents of a file read, decoded once; none when it
// cannot be read or decoded (the build reported that).
func (f *files) decoded(path string) []source.Doc {
	f.mu.Lock()
	docs, ok := f.docs[path]
	f.mu.Unlock()
	if ok {
		return docs
	}
	data, err := f.read(path)
	if err == nil {
		docs, _ = source.Decode(data)
	}
	f.mu.Lock()
	f.docs[path] = docs
	f.mu.Unlock()
	return docs
}

// kustAt is the kustomization of a folder a build read, or nil.
func (f *files) kustAt(dir string) *kustFile {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, name := range source.KustomizationFiles {
		if k, ok := f.kusts[filepath.Join(dir, name)]; ok {
			return k
		}
	}
	return nil
}

// view is one build's file system: it records what the build read.
type view struct {
	files *files
	read  map[string]bool // absolute paths of files read
}

var _ filesys.FileSystem = (*view)(nil)

func (v *view) ReadFile(path string) ([]byte, error) {
	path = filepath.Clean(path)
	if slices.Contains(source.KustomizationFiles, filepath.Base(path)) {
		k, err := v.files.kustomization(path)
		if err != nil {
			return nil, err
		}
		v.read[path] = true
		return k.sanitized, nil
	}
	data, err := v.files.read(path)
	if err == nil {
		v.read[path] = true
	}
	return data, err
}

func (v *view) Open(path string) (filesys.File, error) {
	data, err := v.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return &roFile{Reader: bytes.NewReader(data), name: path, size: int64(len(data))}, nil
}

// CleanedAbs splits path into a folder and a file name, as the disk's does,
// but keeps the path as written (symbolic links are resolved only to check
// that they stay in the tree): the paths kustomize reports then are the
// paths the scan read its files by.
func (v *view) CleanedAbs(path string) (filesys.ConfirmedDir, string, error) {
	abs := filepath.Clean(path)
	if !filepath.IsAbs(abs) {
		return "", "", fmt.Errorf("%q is not an absolute path", path)
	}
	info, err := v.files.guard.Stat(abs)
	if err != nil {
		return "", "", err
	}
	if info.IsDir() {
		return filesys.ConfirmedDir(abs), "", nil
	}
	return filesys.ConfirmedDir(filepath.Dir(abs)), filepath.Base(abs), nil
}

func (v *view) Exists(path string) bool {
	_, err := v.files.guard.Stat(filepath.Clean(path))
	return err == nil
}

func (v *view) IsDir(path string) bool {
	info, err := v.files.guard.Stat(filepath.Clean(path))
	return err == nil && info.IsDir()
}

func (v *view) ReadDir(path string) ([]string, error) {
	entries, err := v.files.guard.ReadDir(filepath.Clean(path))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}

// Glob and Walk serve kustomize's edit and localize commands, not builds.
func (v *view) Glob(string) ([]string, error) {
	return nil, errors.New("irsalint does not list files for kustomize")
}

func (v *view) Walk(string, filepath.WalkFunc) error {
	return errors.New("irsalint does not walk folders for kustomize")
}

func (v *view) Create(string) (filesys.File, error) { return nil, errReadOnly }
func (v *view) Mkdir(string) error                  { return errReadOnly }
func (v *view) MkdirAll(string) error               { return errReadOnly }
func (v *view) RemoveAll(string) error              { return errReadOnly }
func (v *view) WriteFile(string, []byte) error      { return errReadOnly }

// roFile is a file opened for reading.
type roFile struct {
	*bytes.Reader
	name string
	size int64
}

func (f *roFile) Write([]byte) (int, error)  { return 0, errReadOnly }
func (f *roFile) Close() error               { return nil }
func (f *roFile) Stat() (os.FileInfo, error) { return roInfo{f}, nil }

type roInfo struct{ f *roFile }

func (i roInfo) Name() string       { return filepath.Base(i.f.name) }
func (i roInfo) Size() int64        { return i.f.size }
func (i roInfo) Mode() fs.FileMode  { return 0o444 }
func (i roInfo) IsDir() bool        { return false }
func (i roInfo) Sys() any           { return nil }
func (i roInfo) ModTime() time.Time { return time.Time{} }
