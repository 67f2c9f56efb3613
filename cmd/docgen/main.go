// Command docgen writes docs/rules from the rule catalogue: one page per
// rule (with its fixtures as examples) and an index; and
// docs/inventory.schema.json from the schema the rules are checked against;
// and rules/catalogue.json, the catalogue a run over a few files reads
// instead of every module's METADATA. Run it through
// `go generate ./...`; a test fails when the committed pages are stale.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/analyzer/rulesdoc"
	"github.com/irsalint/irsalint/rules"
)

func main() {
	root := flag.String("root", ".", "repository root (holds testdata/ and docs/)")
	flag.Parse()
	pages, err := rulesdoc.Generate(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
	if err := rulesdoc.Write(*root, pages); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(filepath.Join(*root, "docs", "inventory.schema.json"), rules.InventorySchema, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
	index, err := engine.ShippedIndex()
	if err == nil {
		err = os.WriteFile(filepath.Join(*root, "rules", "catalogue.json"), index, 0o644)
	}
	if err == nil {
		var compiled []byte
		if compiled, err = engine.Precompiled(); err == nil {
			err = os.WriteFile(filepath.Join(*root, "rules", "compiled.bin"), compiled, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}
