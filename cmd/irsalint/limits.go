package main

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/irsalint/irsalint/analyzer/guard"
	"github.com/irsalint/irsalint/analyzer/lint"
)

// limitFlags are the caps every command that reads input takes.
type limitFlags struct {
	timeout      string
	memory       string
	maxFileSize  string
	maxTotalSize string
	maxFiles     string
}

func (f *limitFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.timeout, "timeout", "", "stop the run after this long, exit code 2 (default 10m; 0 for none)")
	fs.StringVar(&f.memory, "memory-limit", "", "stop the run when the heap grows past this, exit code 2 (default GOMEMLIMIT, else 4GiB; none for none)")
	fs.StringVar(&f.maxFileSize, "max-file-size", "", "larger files are not read, an error (default 10MiB)")
	fs.StringVar(&f.maxTotalSize, "max-total-size", "", "stop reading when the inputs add up to more, an error (default 1GiB)")
	fs.StringVar(&f.maxFiles, "max-files", "", "stop reading after this many input files, an error (default 200000)")
}

// parse reads the flags given; anything malformed is a usage error.
func (f *limitFlags) parse() (lint.Limits, error) {
	var l lint.Limits
	if f.timeout != "" {
		d, err := time.ParseDuration(f.timeout)
		if err != nil || d < 0 {
			return l, usagef("--timeout: invalid duration %q (e.g. 10m, 90s; 0 for none)", f.timeout)
		}
		l.Timeout = &d
	}
	switch f.memory {
	case "":
	case "none", "off":
		n := int64(math.MaxInt64)
		l.Memory = &n
	default:
		n, err := guard.ParseSize(f.memory)
		if err != nil {
			return l, usagef("--memory-limit: %v", err)
		}
		l.Memory = &n
	}
	for _, s := range []struct {
		flag, value string
		into        **int64
	}{{"max-file-size", f.maxFileSize, &l.MaxFileSize}, {"max-total-size", f.maxTotalSize, &l.MaxTotalSize}} {
		if s.value == "" {
			continue
		}
		n, err := guard.ParseSize(s.value)
		if err != nil {
			return l, usagef("--%s: %v", s.flag, err)
		}
		*s.into = &n
	}
	if f.maxFiles != "" {
		n, err := parseCount(f.maxFiles)
		if err != nil {
			return l, usagef("--max-files: %v", err)
		}
		l.MaxFiles = &n
	}
	return l, nil
}

// parseCount reads a positive whole number of at most 2^31.
func parseCount(s string) (int, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || n > 1<<31 {
		return 0, fmt.Errorf("invalid count %q (a whole number from 1)", s)
	}
	return int(n), nil
}
