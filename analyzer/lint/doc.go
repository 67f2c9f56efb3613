// Package lint wires one analysis: collect and decode the input files, build
// the inventory, evaluate the enabled rules, turn each finding's object ref
// and field path into file:line:col, apply suppressions, and sort.
package lint
