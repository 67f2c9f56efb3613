// Package guard bounds a run's time and memory: a deadline and a memory
// ceiling that end the run's context with a cause naming the limit, so that
// content an outsider controls cannot make irsalint run or grow without end.
package guard
