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
