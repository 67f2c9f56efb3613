package engine

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/irsalint/irsalint/analyzer"
)

// RulesRoot is the package prefix every rule lives under:
// package irsalint.rules.<group>["<rule-id>"].
var RulesRoot = ast.MustParseRef("data.irsalint.rules")

// DocsBase is where the generated page of a built-in rule is published.
const DocsBase = "https://github.com/irsalint/irsalint/blob/main/docs/rules/"

var idRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ruleEntry is a catalogue entry plus what evaluation needs.
type ruleEntry struct {
	rule analyzer.Rule
	ref  ast.Ref // data.irsalint.rules.<group>["<id>"]
}

// catalogue reads the rules from the modules' package METADATA and checks
// that each is complete. Packages outside irsalint.rules are libraries.
func catalogue(mods []Module) ([]ruleEntry, error) { return catalogueWith(nil, mods) }

// catalogueWith is catalogue for modules added to rules already read
// (the shipped rules, from rules/catalogue.json): the modules' rules may
// not reuse their IDs, and the result holds both.
func catalogueWith(known []ruleEntry, mods []Module) ([]ruleEntry, error) {
	byID := map[string]*ruleEntry{}
	var problems []string
	hasDeny, hasMeta := map[string]bool{}, map[string]bool{}
	for _, e := range known {
		byID[e.rule.ID] = &e
		hasDeny[e.rule.ID], hasMeta[e.rule.ID] = true, true
	}
	for _, m := range mods {
		path := m.Module.Package.Path
		if !path.HasPrefix(RulesRoot) {
			continue
		}
		loc := fmt.Sprintf("%s:%d", m.Name, m.Module.Package.Location.Row)
		group, id, err := ruleIdentity(path)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", loc, err))
			continue
		}
		for _, r := range m.Module.Rules {
			if r.Head.Name.String() == "deny" || (len(r.Head.Reference) > 0 && r.Head.Reference[0].Value.Compare(ast.Var("deny")) == 0) {
				hasDeny[id] = true
			}
		}
		var ann *ast.Annotations
		for _, a := range m.Module.Annotations {
			if a.Scope == "package" {
				ann = a
			}
		}
		e, seen := byID[id]
		if seen && e.rule.Group != group {
			problems = append(problems, fmt.Sprintf("%s: rule id %q is already used in group %q (%s)", loc, id, e.rule.Group, e.rule.File))
			continue
		}
		if seen && e.rule.Custom != m.Custom {
			problems = append(problems, fmt.Sprintf("%s: rule id %q is already a built-in rule", loc, id))
			continue
		}
		if !seen {
			e = &ruleEntry{ref: path.Copy(), rule: analyzer.Rule{ID: id, Group: group, Custom: m.Custom, File: m.Name}}
			byID[id] = e
		}
		if ann == nil {
			continue
		}
		if hasMeta[id] {
			problems = append(problems, fmt.Sprintf("%s: rule %q has a second package METADATA block (first in %s)", loc, id, e.rule.File))
			continue
		}
		hasMeta[id] = true
		e.rule.File = m.Name
		if err := fillRule(&e.rule, ann); err != nil {
			problems = append(problems, fmt.Sprintf("%s: rule %q: %v", loc, id, err))
		}
	}
	var out []ruleEntry
	for id, e := range byID {
		switch {
		case !hasMeta[id]:
			problems = append(problems, fmt.Sprintf("%s: rule %q has no package-scoped # METADATA block (title, description, custom.severity, custom.remediation, related_resources)", e.rule.File, id))
		case !hasDeny[id]:
			problems = append(problems, fmt.Sprintf("%s: rule %q defines no `deny contains finding if { ... }`", e.rule.File, id))
		}
		if !e.rule.Custom {
			e.rule.HelpURI = DocsBase + id + ".md"
		} else if len(e.rule.References) > 0 {
			e.rule.HelpURI = e.rule.References[0].URL
		}
		out = append(out, *e)
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rule.ID < out[j].rule.ID })
	return out, nil
}

// ruleIdentity reads <group> and <id> from data.irsalint.rules.<group>["<id>"].
func ruleIdentity(path ast.Ref) (group, id string, err error) {
	if len(path) != len(RulesRoot)+2 {
		return "", "", fmt.Errorf("package %v: a rule package must be irsalint.rules.<group>[\"<rule-id>\"]", path)
	}
	g, ok1 := path[len(RulesRoot)].Value.(ast.String)
	i, ok2 := path[len(RulesRoot)+1].Value.(ast.String)
	if !ok1 || !ok2 {
		return "", "", fmt.Errorf("package %v: a rule package must be irsalint.rules.<group>[\"<rule-id>\"]", path)
	}
	group, id = string(g), string(i)
	if !idRE.MatchString(id) || !idRE.MatchString(group) {
		return "", "", fmt.Errorf("package %v: group and rule id must be lower-case words joined by hyphens", path)
	}
	return group, id, nil
}

func fillRule(r *analyzer.Rule, a *ast.Annotations) error {
	var missing []string
	r.Title = strings.TrimSpace(a.Title)
	r.Description = strings.TrimSpace(a.Description)
	if r.Title == "" {
		missing = append(missing, "title")
	}
	if r.Description == "" {
		missing = append(missing, "description")
	}
	sev, _ := a.Custom["severity"].(string)
	if sev == "" {
		missing = append(missing, "custom.severity")
	}
	switch scope := a.Custom["scope"].(type) {
	case nil:
	case string:
		if _, ok := scopeShard[scope]; !ok || scope == "" {
			return fmt.Errorf("custom.scope: %q is not a scope (one of workload, role)", scope)
		}
		r.Scope = scope
	default:
		return fmt.Errorf("custom.scope: want a string")
	}
	switch needs := a.Custom["needs"].(type) {
	case nil:
	case []any:
		for _, n := range needs {
			name, ok := n.(string)
			if _, known := inputNeeds[name]; !ok || !known {
				return fmt.Errorf("custom.needs: %v is not one of %s", n, strings.Join(needNames(), ", "))
			}
			r.Needs = append(r.Needs, name)
		}
		if len(r.Needs) == 0 {
			return fmt.Errorf("custom.needs: an empty list; leave it out when the rule needs nothing")
		}
	default:
		return fmt.Errorf("custom.needs: want a list of names (%s)", strings.Join(needNames(), ", "))
	}
	switch p := a.Custom["precision"].(type) {
	case nil:
		r.Precision = "high"
	case string:
		if p != "very-high" && p != "high" && p != "medium" && p != "low" {
			return fmt.Errorf("custom.precision: %q is not one of very-high, high, medium, low", p)
		}
		r.Precision = p
	default:
		return fmt.Errorf("custom.precision: want a string")
	}
	rem, _ := a.Custom["remediation"].(string)
	r.Remediation = strings.TrimSpace(rem)
	if r.Remediation == "" {
		missing = append(missing, "custom.remediation")
	}
	for _, rr := range a.RelatedResources {
		r.References = append(r.References, analyzer.Reference{URL: rr.Ref.String(), Description: rr.Description})
	}
	if len(r.References) == 0 {
		missing = append(missing, "related_resources")
	}
	if len(missing) > 0 {
		return fmt.Errorf("METADATA lacks %s", strings.Join(missing, ", "))
	}
	s, err := analyzer.ParseSeverity(sev)
	if err != nil {
		return fmt.Errorf("custom.severity: %v", err)
	}
	r.Severity = s
	return nil
}
