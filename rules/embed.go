// Package rules holds irsalint's Rego rules and their shared library. Each
// rule is a directory <group>/<rule-id>/ with rule.rego (whose # METADATA
// block is the single source of the rule's title, description, severity,
// remediation and references) and rule_test.rego beside it.
package rules

import "embed"

//go:generate go run ../cmd/docgen -root ..

// FS holds every .rego file, tests included; the engine leaves the tests
// out of the runtime set (they cost nothing noticeable in binary size).
//
//go:embed lib/*.rego */*/*.rego
var FS embed.FS

// InventorySchema is the JSON Schema of the rules' input (the inventory).
// Rules are type-checked against it: a reference to a field the inventory
// does not have is a compile error. docs/inventory.schema.json is a copy,
// written by go generate.
//
//go:embed inventory.schema.json
var InventorySchema []byte

// Catalogue is the rules' catalogue (each rule's METADATA as the engine
// reads it) and each module's package and imports, written by go generate
// from the modules; a run over a few files reads it instead of parsing
// every module's METADATA. A test fails when it is stale.
//
//go:embed catalogue.json
var Catalogue []byte

// Compiled is every group of these rules as OPA's compiler leaves it,
// written by go generate: a run of the shipped rules reads it instead of
// parsing and fully compiling them. A test fails when it is stale.
//
//go:embed compiled.bin
var Compiled []byte
