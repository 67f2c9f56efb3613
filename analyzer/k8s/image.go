package k8s

import "strings"

// ParseImage splits a container image reference into registry, repository,
// tag and digest, so rules can match an image catalogue without parsing
// strings in Rego. Docker Hub references keep their path as written
// ("amazon/aws-cli"), with registry "docker.io".
func ParseImage(ref string) map[string]any {
	out := map[string]any{"registry": "", "repository": "", "tag": "", "digest": ""}
	if ref == "" {
		return out
	}
	rest := ref
	if i := strings.Index(rest, "@"); i >= 0 {
		out["digest"] = rest[i+1:]
		rest = rest[:i]
	}
	registry := "docker.io"
	if i := strings.Index(rest, "/"); i >= 0 {
		first := rest[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" {
			registry, rest = first, rest[i+1:]
		}
	}
	// A colon after the last slash separates the tag (a colon before it
	// belongs to a registry port, handled above).
	if i := strings.LastIndex(rest, ":"); i > strings.LastIndex(rest, "/") {
		out["tag"] = rest[i+1:]
		rest = rest[:i]
	}
	out["registry"] = registry
	out["repository"] = rest
	return out
}
