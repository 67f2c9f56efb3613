// Package initgc keeps the garbage collector off while the program's
// packages initialise. They allocate about 8 MB, nearly all of it alive
// until the process ends (schemas, tables, registries), and the collector's
// first goal is 4 MB: it would mark that heap two or three times before
// main, a quarter of what a one-file lint waits for before it reads its
// file. Imported only by the command's main package, which calls Resume.
// With nothing to import but the standard library, its init runs as soon
// as the packages whose import paths sort before it have run theirs (Go
// initialises the packages that are ready in import path order): those,
// the AWS SDK's schemas among them, allocate about 2.7 MB first, and in
// about one run in 50 to 100 that starts the first collection before
// this init turns the collector off.
package initgc

import (
	"os"
	"runtime/debug"
)

var (
	paused bool
	before int
)

func init() {
	// GOGC in the environment says how the user wants the collector paced.
	if os.Getenv("GOGC") == "" {
		before = debug.SetGCPercent(-1)
		paused = true
	}
}

// Resume restores the collector's pacing. Calling it again does nothing.
func Resume() {
	if paused {
		paused = false
		debug.SetGCPercent(before)
	}
}
