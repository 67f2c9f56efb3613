package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const helmFixture = "testdata/rules/role-not-found/fail-helm"

// A chart's values set a truncated role ARN: the finding is at the values
// line with the template as related; --set with the right ARN clears it;
// --values prod.yaml points at prod.yaml.
func TestHelmChartValues(t *testing.T) {
	values := helmFixture + "/chart/aws-load-balancer-controller/values.yaml:15:5: high role-not-found"
	template := "related: " + helmFixture + "/chart/aws-load-balancer-controller/templates/serviceaccount.yaml:9: the template that renders this value"
	r := runCLI(t, "", "lint", "--no-config", "--release-namespace", "kube-system", helmFixture)
	if r.code != exitFindings || !strings.Contains(r.stdout, values) || !strings.Contains(r.stdout, template) || !strings.Contains(r.stdout, "ServiceAccount kube-system/aws-load-balancer-controller") {
		t.Errorf("values.yaml: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "lint", "--no-config", "--release-namespace", "kube-system",
		"--set", `serviceAccount.annotations.eks\.amazonaws\.com/role-arn=arn:aws:iam::743263909644:role/AmazonEKSLoadBalancerControllerRole`, helmFixture)
	if r.code != exitOK {
		t.Errorf("--set the right ARN: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "lint", "--no-config", "--release-namespace", "kube-system", "--values", helmFixture+"/prod.yaml", helmFixture)
	if r.code != exitFindings || !strings.Contains(r.stdout, helmFixture+"/prod.yaml:4:5: high role-not-found") || strings.Contains(r.stdout, "values.yaml:15") {
		t.Errorf("--values prod.yaml: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The chart's workloads are in identities, joined to the chart's
	// ServiceAccount in the release namespace; its test pod is not.
	r = runCLI(t, "", "identities", "--no-config", "--release-namespace", "kube-system", helmFixture)
	if !strings.Contains(r.stdout, "kube-system  Deployment/aws-load-balancer-controller  aws-load-balancer-controller  web-identity") || strings.Contains(r.stdout, "-test") {
		t.Errorf("identities:\n%s%s", r.stdout, r.stderr)
	}
	// --no-render reads none of it as a chart.
	if r := runCLI(t, "", "lint", "--no-config", "--no-render", helmFixture); strings.Contains(r.stdout, "role-not-found") || !strings.Contains(r.stderr, "skipped Helm chart") {
		t.Errorf("--no-render: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func writeChart(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const chartYAML = "apiVersion: v2\nname: app\nversion: 0.1.0\n"

func TestHelmChartErrors(t *testing.T) {
	// A required value that is not given: an error at the template's line.
	dir := writeChart(t, map[string]string{
		"Chart.yaml":                chartYAML,
		"values.yaml":               "image: {}\n",
		"templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: {{ required \"image.repository is required\" .Values.image.repository }}\n",
	})
	r := runIn(t, dir, "", "lint", "--no-config", ".")
	if r.code != exitError || !strings.Contains(r.stderr, "templates/deployment.yaml:10:") || !strings.Contains(r.stderr, "image.repository is required") {
		t.Errorf("required: exit %d\n%s", r.code, r.stderr)
	}
	// A dependency that is not vendored: a notice; the chart still renders.
	dir = writeChart(t, map[string]string{
		"Chart.yaml":                    chartYAML + "dependencies:\n  - name: redis\n    version: 19.x\n    repository: https://charts.example.com\n",
		"templates/serviceaccount.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  annotations:\n    eks.amazonaws.com/role-arn: not-an-arn\n",
	})
	r = runIn(t, dir, "", "lint", "--no-config", ".")
	if !strings.Contains(r.stderr, `notice: dependency "redis" (https://charts.example.com) is not vendored under charts/`) || !strings.Contains(r.stdout, "templates/serviceaccount.yaml:6:") {
		t.Errorf("missing dependency: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// getHostByName resolves nothing: repository content must not reach DNS.
	dir = writeChart(t, map[string]string{
		"Chart.yaml":                    chartYAML,
		"templates/serviceaccount.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  annotations:\n    resolved: \"{{ getHostByName \"localhost\" }}\"\n",
	})
	r = runIn(t, dir, "", "inventory", "--no-config", ".")
	if !strings.Contains(r.stdout, `"resolved": ""`) {
		t.Errorf("getHostByName: %s%s", r.stdout, r.stderr)
	}
	// A template that runs long is stopped by --timeout, not waited for.
	dir = writeChart(t, map[string]string{
		"Chart.yaml":               chartYAML,
		"templates/configmap.yaml": "{{ range until 4000 }}{{ range until 4000 }}{{ end }}{{ end }}\n",
	})
	r = runIn(t, dir, "", "lint", "--no-config", "--timeout", "100ms", ".")
	if r.code != exitError || !strings.Contains(r.stderr, "rendering stopped") {
		t.Errorf("endless template: exit %d\n%s", r.code, r.stderr)
	}
}
