package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/irsalint/irsalint/analyzer/engine"
)

// engines compiles each set of rule folders once per test binary: compiling
// the rules is most of the cost of a CLI run on a small fixture.
var engines struct {
	sync.Mutex
	byKey map[string]*compiled
}

type compiled struct {
	once sync.Once
	eng  *engine.Engine
	err  error
}

func sharedCompile(opts engine.Options) (*engine.Engine, error) {
	if opts.Builtin != nil || opts.Print != nil {
		return engine.New(opts)
	}
	// A small run's engine defers its groups (and reads the shipped
	// catalogue from rules/catalogue.json): one of each kind.
	key := fmt.Sprint(opts.Defer) + "\x01" + strings.Join(opts.RepoDirs, "\x00") + "\x01" + strings.Join(opts.UserDirs, "\x00")
	engines.Lock()
	if engines.byKey == nil {
		engines.byKey = map[string]*compiled{}
	}
	c := engines.byKey[key]
	if c == nil {
		c = &compiled{}
		engines.byKey[key] = c
	}
	engines.Unlock()
	c.once.Do(func() { c.eng, c.err = engine.New(opts) })
	return c.eng, c.err
}

// testSystem is a system for in-process runs from dir, with no environment.
func testSystem(dir, stdin string, stdout, stderr *bytes.Buffer) system {
	return system{
		Stdin: strings.NewReader(stdin), Stdout: stdout, Stderr: stderr,
		Getenv:  func(string) string { return "" },
		Getwd:   func() (string, error) { return dir, nil },
		Compile: sharedCompile,
	}
}

// runIn runs the command in-process from dir.
func runIn(t *testing.T, dir, stdin string, args ...string) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, testSystem(dir, stdin, &stdout, &stderr))
	return cliResult{code, stdout.String(), stderr.String()}
}
