package eks

import (
	"fmt"
	"strings"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/reader"
	"github.com/irsalint/irsalint/analyzer/source"
)

// The EKS facts an audit reads, in the shapes `aws eks describe-cluster`,
// `describe-nodegroup` and `describe-fargate-profile` print them.

// ClusterReader reads {"cluster": {...}}.
type ClusterReader struct{}

// NodegroupReader reads {"nodegroup": {...}}.
type NodegroupReader struct{}

// FargateProfileReader reads {"fargateProfile": {...}}.
type FargateProfileReader struct{}

// Detect tells describe-cluster output.
func (ClusterReader) Detect(v any) bool { return wrapped(v, "cluster", "arn", "name") }

// Detect tells describe-nodegroup output.
func (NodegroupReader) Detect(v any) bool {
	return wrapped(v, "nodegroup", "nodegroupName", "clusterName")
}

// Detect tells describe-fargate-profile output.
func (FargateProfileReader) Detect(v any) bool {
	return wrapped(v, "fargateProfile", "fargateProfileName", "clusterName")
}

// wrapped: v is {key: {...}} holding the fields that identify the shape.
func wrapped(v any, key string, fields ...string) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	inner, ok := m[key].(map[string]any)
	if !ok {
		return false
	}
	for _, f := range fields {
		if _, ok := inner[f].(string); !ok {
			return false
		}
	}
	return true
}

// Read reads one cluster: its name, ARN, Kubernetes version and OIDC issuer
// (as IAM condition keys spell it: host and path).
func (ClusterReader) Read(file string, doc source.Doc) reader.Result {
	c := doc.Value.(map[string]any)["cluster"].(map[string]any)
	name, _ := c["name"].(string)
	issuer := ""
	if id, ok := c["identity"].(map[string]any); ok {
		if oidc, ok := id["oidc"].(map[string]any); ok {
			if s, ok := oidc["issuer"].(string); ok {
				issuer = strings.TrimRight(strings.TrimPrefix(strings.TrimSpace(s), "https://"), "/")
			}
		}
	}
	var mode any
	if ac, ok := c["accessConfig"].(map[string]any); ok {
		mode = str(ac["authenticationMode"])
	}
	entry := map[string]any{
		"ref": ref(file, doc, "cluster"), "name": name, "arn": str(c["arn"]),
		"version": str(c["version"]), "platformVersion": str(c["platformVersion"]),
		"issuer": str(issuer), "roleArn": str(c["roleArn"]), "status": str(c["status"]),
		"authenticationMode": mode, "at": []any{},
	}
	return one(reader.Clusters, name, "Cluster", entry, file, doc, "cluster", "EKS cluster "+name)
}

// Read reads one managed node group: its node role and launch template.
func (NodegroupReader) Read(file string, doc source.Doc) reader.Result {
	n := doc.Value.(map[string]any)["nodegroup"].(map[string]any)
	name, _ := n["nodegroupName"].(string)
	cluster, _ := n["clusterName"].(string)
	var lt any
	if t, ok := n["launchTemplate"].(map[string]any); ok {
		lt = map[string]any{"id": str(t["id"]), "name": str(t["name"]), "version": versionText(t["version"])}
	}
	entry := map[string]any{
		"ref": ref(file, doc, "nodegroup"), "name": name, "clusterName": cluster,
		"arn": str(n["nodegroupArn"]), "nodeRole": str(n["nodeRole"]), "launchTemplate": lt,
		"amiType": str(n["amiType"]), "capacityType": str(n["capacityType"]), "at": []any{},
	}
	return one(reader.Nodegroups, cluster+"/"+name, "Nodegroup", entry, file, doc, "nodegroup",
		fmt.Sprintf("node group %s of cluster %s", name, cluster))
}

// Read reads one Fargate profile: its selectors decide which pods run
// without a node (and so without IMDS).
func (FargateProfileReader) Read(file string, doc source.Doc) reader.Result {
	p := doc.Value.(map[string]any)["fargateProfile"].(map[string]any)
	name, _ := p["fargateProfileName"].(string)
	cluster, _ := p["clusterName"].(string)
	res := reader.Result{Documents: 1}
	sels := []any{}
	list, _ := p["selectors"].([]any)
	for i, raw := range list {
		s, _ := raw.(map[string]any)
		ns, _ := s["namespace"].(string)
		if ns == "" {
			res.Diagnostics = append(res.Diagnostics, analyzer.Diagnostic{Level: analyzer.LevelError,
				Location: doc.Locate(file, []any{"fargateProfile", "selectors", i}),
				Message:  "a Fargate selector without a namespace"})
			continue
		}
		labels := map[string]any{}
		if lm, ok := s["labels"].(map[string]any); ok {
			for k, v := range lm {
				if sv, ok := v.(string); ok {
					labels[k] = sv
				}
			}
		}
		sels = append(sels, map[string]any{"namespace": ns, "labels": labels})
	}
	entry := map[string]any{
		"ref": ref(file, doc, "fargateProfile"), "name": name, "clusterName": cluster,
		"podExecutionRoleArn": str(p["podExecutionRoleArn"]), "selectors": sels, "at": []any{},
	}
	r := one(reader.FargateProfiles, cluster+"/"+name, "FargateProfile", entry, file, doc, "fargateProfile",
		fmt.Sprintf("Fargate profile %s of cluster %s", name, cluster))
	r.Diagnostics = append(res.Diagnostics, r.Diagnostics...)
	return r
}

func ref(file string, doc source.Doc, key string) string {
	return fmt.Sprintf("%s#%d.%s", file, doc.Index, key)
}

func one(collection, key, kind string, entry map[string]any, file string, doc source.Doc, base, name string) reader.Result {
	return reader.Result{Documents: 1, Facts: []string{collection}, Items: []reader.Item{{
		Collection: collection, Key: key, Kind: kind, Entry: entry,
		File: file, Base: []any{base}, Pos: doc.Pos, Name: name,
	}}}
}

// versionText reads a launch template version given as text or a number.
func versionText(v any) any {
	switch x := v.(type) {
	case string:
		return str(x)
	case int64:
		return fmt.Sprint(x)
	}
	return nil
}
