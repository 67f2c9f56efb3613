package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/irsalint/irsalint/analyzer/config"
	"github.com/irsalint/irsalint/analyzer/guard"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Defaults of the limits that bound a run on untrusted content.
const (
	defaultTimeout     = 10 * time.Minute
	defaultMemoryLimit = 4 << 30
	defaultMaxFindings = 20_000
)

// limitFlags are the caps every command that reads input takes.
type limitFlags struct {
	timeout      string
	memory       string
	maxFileSize  string
	maxTotalSize string
	maxFiles     string
}

// limits are the caps in force.
type limits struct {
	timeout       time.Duration
	timeoutSource string
	memory        int64 // bytes; math.MaxInt64: none
	memorySource  string
	maxFileSize   int64
	maxTotalSize  int64
	maxFiles      int
	maxFindings   int // 0: none
}

func (f *limitFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.timeout, "timeout", "", "stop the run after this long, exit code 2 (default 10m; 0 for none)")
	fs.StringVar(&f.memory, "memory-limit", "", "stop the run when the heap grows past this, exit code 2 (default GOMEMLIMIT, else 4GiB; none for none)")
	fs.StringVar(&f.maxFileSize, "max-file-size", "", "larger files are not read, an error (default 10MiB)")
	fs.StringVar(&f.maxTotalSize, "max-total-size", "", "stop reading when the inputs add up to more, an error (default 1GiB)")
	fs.StringVar(&f.maxFiles, "max-files", "", "stop reading after this many input files, an error (default 200000)")
}

// resolve merges the defaults, the configuration and the flags. The
// configuration is repository content: it may lower a limit, never raise
// it; only the flags, which the person running irsalint chooses, can.
func (f *limitFlags) resolve(cfg config.Limits, getenv func(string) string) (limits, error) {
	l := limits{
		timeout:       defaultTimeout,
		timeoutSource: "--timeout",
		memory:        defaultMemoryLimit,
		memorySource:  "--memory-limit",
		maxFileSize:   source.DefaultMaxFileSize,
		maxTotalSize:  source.DefaultMaxTotalSize,
		maxFiles:      source.DefaultMaxFiles,
		maxFindings:   defaultMaxFindings,
	}
	if getenv("GOMEMLIMIT") != "" {
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
			return l, err
		}
		l.timeout, l.timeoutSource = cfg.Timeout, "limits.timeout of "+cfg.Positions["timeout"].File
	}
	if cfg.Memory > 0 {
		if err := lower("memory", cfg.Memory > l.memory, guard.FormatSize(cfg.Memory)); err != nil {
			return l, err
		}
		l.memory, l.memorySource = cfg.Memory, "limits.memory of "+cfg.Positions["memory"].File
	}
	for _, c := range []struct {
		key  string
		n    int64
		into *int64
	}{{"maxFileSize", cfg.MaxFileSize, &l.maxFileSize}, {"maxTotalSize", cfg.MaxTotalSize, &l.maxTotalSize}} {
		if c.n > 0 {
			if err := lower(c.key, c.n > *c.into, guard.FormatSize(c.n)); err != nil {
				return l, err
			}
			*c.into = c.n
		}
	}
	if cfg.MaxFiles > 0 {
		if err := lower("maxFiles", cfg.MaxFiles > l.maxFiles, strconv.Itoa(cfg.MaxFiles)); err != nil {
			return l, err
		}
		l.maxFiles = cfg.MaxFiles
	}
	if cfg.MaxFindings > 0 {
		if err := lower("maxFindings", cfg.MaxFindings > l.maxFindings, strconv.Itoa(cfg.MaxFindings)); err != nil {
			return l, err
		}
		l.maxFindings = cfg.MaxFindings
	}

	var err error
	if f.timeout != "" {
		if l.timeout, err = time.ParseDuration(f.timeout); err != nil || l.timeout < 0 {
			return l, usagef("--timeout: invalid duration %q (e.g. 10m, 90s; 0 for none)", f.timeout)
		}
		l.timeoutSource = "--timeout"
	}
	switch f.memory {
	case "":
	case "none", "off":
		l.memory = math.MaxInt64
	default:
		if l.memory, err = guard.ParseSize(f.memory); err != nil {
			return l, usagef("--memory-limit: %v", err)
		}
		l.memorySource = "--memory-limit"
	}
	if f.maxFileSize != "" {
		if l.maxFileSize, err = guard.ParseSize(f.maxFileSize); err != nil {
			return l, usagef("--max-file-size: %v", err)
		}
	}
	if f.maxTotalSize != "" {
		if l.maxTotalSize, err = guard.ParseSize(f.maxTotalSize); err != nil {
			return l, usagef("--max-total-size: %v", err)
		}
	}
	if f.maxFiles != "" {
		if l.maxFiles, err = parseCount(f.maxFiles); err != nil {
			return l, usagef("--max-files: %v", err)
		}
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

// guard bounds ctx by the time and memory limits; stop releases them.
func (l limits) guard(ctx context.Context) (context.Context, func()) {
	ctx, cancel := guard.WithTimeout(ctx, l.timeout, l.timeoutSource)
	ctx, stopMem := guard.WithMemoryLimit(ctx, l.memory, l.memorySource)
	return ctx, func() { stopMem(); cancel() }
}
