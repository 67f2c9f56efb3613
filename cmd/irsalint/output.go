package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/irsalint/irsalint/analyzer/inventory"
)

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
			return usagef("%s is also an input; write the report elsewhere", name)
		}
	}
	return nil
}

// notWrittenOverInput refuses an --output that is a file a folder walk read
// objects from.
func notWrittenOverInput(outPath, name string, inv *inventory.Inventory) error {
	if outPath == "" {
		return nil
	}
	// A report that does not exist yet is no input; otherwise it is
	// looked up once and compared with what the scan saw of each input,
	// not stat'ed again for each of thousands of inputs.
	out, err := os.Stat(outPath)
	if err != nil {
		return nil
	}
	for i, in := range inv.Inputs {
		var st os.FileInfo
		if i < len(inv.InputInfo) {
			st = inv.InputInfo[i]
		}
		if st == nil {
			if st, err = os.Stat(in); err != nil {
				continue
			}
		}
		if os.SameFile(st, out) {
			return usagef("%s is also an input (it holds objects that were linted); write the report elsewhere", name)
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

// isTerminal tells a terminal, where colour and progress are welcome.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
