// Package initgc keeps the garbage collector off while the program's
// packages initialise. They allocate about 8 MB, nearly all of it alive
// until the process ends (schemas, tables, registries), and the collector's
// first goal is 4 MB: it would mark that heap two or three times before
// main, a quarter of what a one-file lint waits for before it reads its
// file. Imported only by the command's main package, which calls Resume;
// with nothing to import but the standard library, its init runs before
// the packages that allocate.
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
