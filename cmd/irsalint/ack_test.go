package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// An ACK Role joins a ServiceAccount written as a plain manifest, and the
// finding's related location is the condition's line inside the role's
// block scalar; an ACK PodIdentityAssociation joins like aws eks output.
func TestACKIdentities(t *testing.T) {
	root := repoRoot(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"identities", "--format", "json", "testdata/cli/ack-identities"}, testSystem(root, "", &stdout, &stderr))
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr.String())
	}
	var doc struct{ Identities []identityRow }
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	want := map[string][3]string{
		"payments/payments-api": {"web-identity", "arn:aws:iam::381492006517:role/payments-api", "will-be-denied"},
		"orders/orders-worker":  {"pod-identity", "arn:aws:iam::381492006517:role/orders-worker", "ok"},
	}
	if len(doc.Identities) != len(want) {
		t.Fatalf("rows %+v", doc.Identities)
	}
	for _, r := range doc.Identities {
		w := want[r.Namespace+"/"+r.ServiceAccount]
		if r.RoleARN == nil || r.Mechanism != w[0] || *r.RoleARN != w[1] || r.Verdict != w[2] {
			t.Errorf("row %+v, want %v", r, w)
		}
	}

	stdout.Reset()
	stderr.Reset()
	code = run(context.Background(), []string{"lint", "--fail-on", "none", "testdata/cli/ack-identities"}, testSystem(root, "", &stdout, &stderr))
	if code != exitOK {
		t.Fatalf("lint: exit code %d; stderr:\n%s", code, stderr.String())
	}
	for _, s := range []string{
		"testdata/cli/ack-identities/apps.yaml:7:5: high trust-does-not-admit-sa",
		"related: testdata/cli/ack-identities/iam.yaml:20:13: this StringEquals condition",
	} {
		if !strings.Contains(stdout.String(), s) {
			t.Errorf("lint output lacks %q:\n%s", s, stdout.String())
		}
	}
}
