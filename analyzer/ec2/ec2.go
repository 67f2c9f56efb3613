package ec2

import (
	"fmt"

	"github.com/irsalint/irsalint/analyzer/reader"
	"github.com/irsalint/irsalint/analyzer/source"
)

// LaunchTemplateReader reads {"LaunchTemplateVersions": [...]}.
type LaunchTemplateReader struct{}

// Detect tells describe-launch-template-versions output.
func (LaunchTemplateReader) Detect(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	_, ok = m["LaunchTemplateVersions"].([]any)
	return ok
}

// Read reads each version with its metadata options. A version keyed by
// template and number, "lt-0abc:3", is what a node group names.
func (LaunchTemplateReader) Read(file string, doc source.Doc) reader.Result {
	res := reader.Result{Documents: 1, Facts: []string{reader.LaunchTemplates}}
	list := doc.Value.(map[string]any)["LaunchTemplateVersions"].([]any)
	for i, raw := range list {
		v, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		id, _ := v["LaunchTemplateId"].(string)
		number := fmt.Sprint(v["VersionNumber"])
		data, _ := v["LaunchTemplateData"].(map[string]any)
		var md any
		if m, ok := data["MetadataOptions"].(map[string]any); ok {
			md = map[string]any{
				"httpTokens":              str(m["HttpTokens"]),
				"httpPutResponseHopLimit": m["HttpPutResponseHopLimit"],
				"httpEndpoint":            str(m["HttpEndpoint"]),
			}
		}
		base := []any{"LaunchTemplateVersions", i}
		entry := map[string]any{
			"ref": fmt.Sprintf("%s#%d.LaunchTemplateVersions[%d]", file, doc.Index, i),
			"id":  id, "name": str(v["LaunchTemplateName"]), "version": number,
			"defaultVersion": v["DefaultVersion"] == true, "metadataOptions": md,
			// Where a finding about the metadata options points.
			"metadataAt": []any{"LaunchTemplateData", "MetadataOptions"},
			"at":         []any{},
		}
		res.Items = append(res.Items, reader.Item{
			Collection: reader.LaunchTemplates, Key: id + ":" + number, Kind: "LaunchTemplateVersion",
			Entry: entry, File: file, Base: base, Pos: doc.Pos,
			Name: fmt.Sprintf("launch template %s version %s", id, number),
		})
	}
	return res
}

func str(v any) any {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return nil
}
