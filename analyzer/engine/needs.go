package engine

import (
	"maps"
	"slices"
)

// inputNeeds are the names a rule's METADATA custom.needs may list, each
// with the test that the input holds one: a rule that needs some of them
// finds nothing in an input that holds none (a workload manifest alone
// feeds no trust-policy rule), so evaluation skips it.
var inputNeeds = map[string]func(base map[string]any) bool{
	// An implicit default ServiceAccount (declared: false) is in every
	// input that has a workload: only one read from a file counts.
	"serviceAccounts": func(base map[string]any) bool {
		sas, _ := base["serviceAccounts"].(map[string]any)
		for _, raw := range sas {
			if sa, _ := raw.(map[string]any); sa["declared"] == true {
				return true
			}
		}
		return false
	},
	"roles":                   nonEmpty("roles"),
	"nodegroups":              nonEmpty("nodegroups"),
	"oidcProviders":           nonEmpty("oidcProviders"),
	"podIdentityAssociations": nonEmpty("podIdentityAssociations"),
	"duplicates":              nonEmpty("duplicates"),
}

func nonEmpty(key string) func(map[string]any) bool {
	return func(base map[string]any) bool {
		switch v := base[key].(type) {
		case map[string]any:
			return len(v) > 0
		case []any:
			return len(v) > 0
		}
		return false
	}
}

func needNames() []string { return slices.Sorted(maps.Keys(inputNeeds)) }

// fed tells whether base holds one of needs; no needs: always.
func fed(needs []string, base map[string]any) bool {
	return len(needs) == 0 || slices.ContainsFunc(needs, func(n string) bool { return inputNeeds[n](base) })
}
