package k8s_test

import (
	"testing"

	"github.com/irsalint/irsalint/analyzer/k8s"
)

func TestParseImage(t *testing.T) {
	tests := []struct {
		ref                               string
		registry, repository, tag, digest string
	}{
		{"", "", "", "", ""},
		{"nginx", "docker.io", "nginx", "", ""},
		{"nginx:1.25", "docker.io", "nginx", "1.25", ""},
		{"amazon/aws-cli:2.15.0", "docker.io", "amazon/aws-cli", "2.15.0", ""},
		{"library/nginx", "docker.io", "library/nginx", "", ""},
		{"docker.io/library/nginx:latest", "docker.io", "library/nginx", "latest", ""},
		{"public.ecr.aws/aws-cli/aws-cli:latest", "public.ecr.aws", "aws-cli/aws-cli", "latest", ""},
		{"111122223333.dkr.ecr.us-west-2.amazonaws.com/team/api:v1", "111122223333.dkr.ecr.us-west-2.amazonaws.com", "team/api", "v1", ""},
		{"localhost/app", "localhost", "app", "", ""},
		{"localhost:5000/app:v1", "localhost:5000", "app", "v1", ""},
		{"registry.example.com:5000/team/app", "registry.example.com:5000", "team/app", "", ""},
		{"registry.example.com:5000/team/app:1.0", "registry.example.com:5000", "team/app", "1.0", ""},
		{"nginx@sha256:abc123", "docker.io", "nginx", "", "sha256:abc123"},
		{"ghcr.io/org/app:v2@sha256:abc123", "ghcr.io", "org/app", "v2", "sha256:abc123"},
		{"registry.example.com:5000/app@sha256:abc123", "registry.example.com:5000", "app", "", "sha256:abc123"},
		{"team/app:v1", "docker.io", "team/app", "v1", ""},
	}
	for _, tt := range tests {
		got := k8s.ParseImage(tt.ref)
		want := map[string]any{"registry": tt.registry, "repository": tt.repository, "tag": tt.tag, "digest": tt.digest}
		equal(t, "ParseImage("+tt.ref+")", got, want)
	}
}
