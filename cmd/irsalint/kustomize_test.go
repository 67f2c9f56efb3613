package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestKustomizeIdentities: overlays are built before joins, so a workload
// is joined to the ServiceAccount the overlay makes of the base's: in the
// overlay's namespace, under its prefixed name.
func TestKustomizeIdentities(t *testing.T) {
	r := runCLI(t, "", "identities", "-f", "json",
		"testdata/rules/default-sa-node-role-fallback/pass-kustomize-overlay", "testdata/kustomize/prefix")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		Identities []struct {
			Kind, Namespace, Name, ServiceAccount, RoleArn string
			Location                                       struct{ File string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, id := range doc.Identities {
		got[id.Kind+" "+id.Namespace+"/"+id.Name] = id.Namespace + "/" + id.ServiceAccount + " " + id.RoleArn + " " + id.Location.File
	}
	want := map[string]string{
		"Deployment carts/carts":        "carts/carts arn:aws:iam::111122223333:role/retail-carts-dynamo testdata/rules/default-sa-node-role-fallback/pass-kustomize-overlay/base/deployment.yaml",
		"Deployment prod/prod-checkout": "prod/prod-checkout arn:aws:iam::111122223333:role/retail-checkout testdata/kustomize/prefix/base/deployment.yaml",
	}
	if len(got) != len(want) {
		t.Errorf("identities %v, want %v", got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
}

// TestKustomizeNoRender: --no-render reads the files as they are, the
// patch without a pod template included.
func TestKustomizeNoRender(t *testing.T) {
	dir := "testdata/rules/default-sa-node-role-fallback/pass-kustomize-overlay"
	r := runCLI(t, "", "lint", "--no-render", dir)
	if r.code != exitError || !strings.Contains(r.stderr, "overlay/replicas.yaml:5:1: error: Deployment has no pod template spec") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	r = runCLI(t, "", "lint", dir)
	if r.code != exitOK {
		t.Errorf("rendered: exit %d, stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestKustomizeVariantsOnce: two overlays build one base Deployment, each
// with its own replica count. They are variants, not a conflict, and the
// finding they share, at the base line, is reported once.
func TestKustomizeVariantsOnce(t *testing.T) {
	r := runCLI(t, "", "lint", "-f", "json", "--fail-on", "none", "testdata/scenarios/kustomize-variants")
	var rep jsonReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Rule != "default-sa-node-role-fallback" {
		t.Errorf("findings %+v, want one default-sa-node-role-fallback", rep.Findings)
	}
}
