package helm

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	chart "helm.sh/helm/v4/pkg/chart/v2"
)

// schemaURL is the name a chart's values.schema.json is compiled under, as
// Helm names it; references relative to it resolve to file:///... URLs.
const schemaURL = "file:///values.schema.json"

// offlineLoader is the loader of a schema's references. Helm's own
// validator fetches http and https references and reads file references
// from anywhere on the host (file:///dev/zero never ends): repository
// content must not make irsalint do either. A reference outside the schema
// is checked as the schema true, which accepts any value, and is named.
type offlineLoader struct {
	skipped map[string]bool
}

func (l *offlineLoader) Load(url string) (any, error) {
	if !strings.HasPrefix(url, "urn:") {
		// Helm accepts an unresolved urn: reference the same way,
		// silently; only the others would have been fetched.
		l.skipped[url] = true
	}
	return true, nil
}

// validateValues checks the values against the chart's values.schema.json
// and, with the part of the values each one gets, its dependencies', as
// Helm does before rendering. It gives the references it did not follow.
func validateValues(c *chart.Chart, values map[string]any) (skipped []string, err error) {
	l := &offlineLoader{skipped: map[string]bool{}}
	var sb strings.Builder
	validateChart(c, values, l, &sb)
	for u := range l.skipped {
		skipped = append(skipped, u)
	}
	sort.Strings(skipped)
	if sb.Len() > 0 {
		return skipped, errors.New(strings.TrimSpace(sb.String()))
	}
	return skipped, nil
}

func validateChart(c *chart.Chart, values map[string]any, l *offlineLoader, sb *strings.Builder) {
	if c.Schema != nil {
		if err := validateOne(c.Schema, values, l); err != nil {
			fmt.Fprintf(sb, "%s: %s\n", c.Name(), err)
		}
	}
	deps := append([]*chart.Chart(nil), c.Dependencies()...)
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name() < deps[j].Name() })
	for _, d := range deps {
		raw, ok := values[d.Name()]
		if !ok || raw == nil {
			continue // nothing given to the dependency: nothing to check
		}
		sub, ok := raw.(map[string]any)
		if !ok {
			fmt.Fprintf(sb, "%s: the values for it are %T, not a mapping\n", d.Name(), raw)
			continue
		}
		validateChart(d, sub, l, sb)
	}
}

func validateOne(schemaJSON []byte, values map[string]any, l *offlineLoader) (err error) {
	defer func() {
		// The validator panics on a few malformed schemas, as Helm's
		// wrapper of it knows.
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot check the values against values.schema.json: %v", r)
		}
	}()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return fmt.Errorf("values.schema.json is not JSON: %v", err)
	}
	comp := jsonschema.NewCompiler()
	comp.UseLoader(l)
	if err := comp.AddResource(schemaURL, doc); err != nil {
		return err
	}
	sch, err := comp.Compile(schemaURL)
	if err != nil {
		return err
	}
	return sch.Validate(values)
}
