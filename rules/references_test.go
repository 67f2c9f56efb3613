package rules_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// citation matches pointers into research notes that are not part of the
// repository ("(W13)", "S1, S4", "edge case 23", "domain.md"): comments and
// docs state the fact itself.
var citation = regexp.MustCompile(`\((?:[WSKP]\d{1,2}|C[2-9]\d?)(?:[,/ +]+(?:[WSKCP]\d{1,2}))*\)|(?:^|[#/]\s*)(?:[WSKP]\d{1,2}|C[2-9])(?:[/+,]\s*\w+)*:|[Ee]dge case \d+|domain\.md|RULES\.md`)

func TestNoCitationsOfOutsideNotes(t *testing.T) {
	root := filepath.Join("..")
	for _, dir := range []string{"rules", "docs", "testdata", "analyzer", "cmd", "examples"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			switch filepath.Ext(p) {
			case ".rego", ".go", ".md", ".yaml", ".yml", ".json":
			default:
				return nil
			}
			if strings.HasSuffix(p, "references_test.go") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(b), "\n") {
				if m := citation.FindString(line); m != "" {
					t.Errorf("%s:%d: %q cites notes outside the repository; say the fact instead", p, i+1, m)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
