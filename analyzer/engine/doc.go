// Package engine loads irsalint's embedded Rego rules and any user rules,
// reads the rule catalogue from their METADATA, compiles everything once and
// evaluates the enabled rules over an inventory in a single query.
package engine
