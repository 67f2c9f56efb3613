// Package reader is the one way into the inventory: a Reader recognizes
// the documents of one input format and turns each into Items, the objects
// the inventory collects. A new input format is a package with a Reader,
// listed once in the inventory's registry.
package reader
