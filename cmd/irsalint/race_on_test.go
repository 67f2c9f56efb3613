//go:build race

package main

// raceDetector is true in a -race build, which runs some ten times slower.
const raceDetector = true
