// Package eks reads EKS facts from files: Pod Identity associations as
// `aws eks list-pod-identity-associations` and
// `aws eks describe-pod-identity-association` print them.
package eks

import (
	"fmt"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Association is one Pod Identity association read from a file.
type Association struct {
	Ref   string
	Entry map[string]any
	File  string
	Base  []any
	Pos   *source.Positions
}

// Detect reports whether a document is Pod Identity association output.
func Detect(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	if a, ok := m["association"].(map[string]any); ok {
		return a["namespace"] != nil && a["serviceAccount"] != nil
	}
	list, ok := m["associations"].([]any)
	if !ok {
		return false
	}
	for _, it := range list {
		if a, ok := it.(map[string]any); ok && a["namespace"] != nil && a["serviceAccount"] != nil {
			return true
		}
	}
	return len(list) == 0 && len(m) <= 2 // {"associations": [], "nextToken": …}: none
}

// Extract reads the associations of one document.
func Extract(file string, doc source.Doc) ([]*Association, []analyzer.Diagnostic) {
	m := doc.Value.(map[string]any)
	var items []any
	var bases [][]any
	if a, ok := m["association"].(map[string]any); ok {
		// Describe output. An "association" that is not a mapping is not,
		// here as in Detect.
		items, bases = []any{a}, [][]any{{"association"}}
	} else {
		for j, it := range m["associations"].([]any) {
			items = append(items, it)
			bases = append(bases, []any{"associations", j})
		}
	}
	var out []*Association
	var diags []analyzer.Diagnostic
	for i, it := range items {
		a, _ := it.(map[string]any)
		ns, _ := a["namespace"].(string)
		sa, _ := a["serviceAccount"].(string)
		if ns == "" || sa == "" {
			diags = append(diags, analyzer.Diagnostic{Level: analyzer.LevelError,
				Location: doc.Locate(file, bases[i]),
				Message:  "Pod Identity association without namespace and serviceAccount"})
			continue
		}
		ref := fmt.Sprintf("%s#%d.%s", file, doc.Index, source.FormatPath(bases[i]))
		entry := map[string]any{
			"ref": ref, "namespace": ns, "serviceAccount": sa, "key": ns + "/" + sa,
			"roleArn": str(a["roleArn"]), "targetRoleArn": str(a["targetRoleArn"]),
			"clusterName": str(a["clusterName"]), "associationArn": str(a["associationArn"]),
			"ownerArn": str(a["ownerArn"]), "disableSessionTags": a["disableSessionTags"] == true,
			"source": "file", "at": []any{},
		}
		out = append(out, &Association{Ref: ref, Entry: entry, File: file, Base: bases[i], Pos: doc.Pos})
	}
	return out, diags
}

func str(v any) any {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return nil
}
