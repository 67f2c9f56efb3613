package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// identities joins what an eksctl ClusterConfig creates: the IRSA pair
// eksctl creates whole, a role only (roleOnly: true) that a ServiceAccount
// written elsewhere names, and a Pod Identity association whose role
// eksctl creates, joined as one read from aws eks output is.
func TestEksctlIdentities(t *testing.T) {
	root := repoRoot(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"identities", "--format", "json", "testdata/cli/eksctl-identities"}, testSystem(root, "", &stdout, &stderr))
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr.String())
	}
	var doc struct{ Identities []identityRow }
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	want := map[string][3]string{
		// The issuer is known only once the cluster exists: the trust is
		// not judged.
		"storefront/s3-reader": {"web-identity", "arn:aws:iam::512345678901:role/shop-s3-reader", "unverified"},
		"storefront/catalog":   {"web-identity", "arn:aws:iam::512345678901:role/shop-catalog", "unverified"},
		"orders/orders-worker": {"pod-identity", "arn:aws:iam::512345678901:role/shop-orders-worker", "ok"},
	}
	if len(doc.Identities) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(doc.Identities), len(want), doc.Identities)
	}
	for _, r := range doc.Identities {
		w, ok := want[r.Namespace+"/"+r.ServiceAccount]
		if !ok || r.RoleARN == nil || r.Mechanism != w[0] || *r.RoleARN != w[1] || r.Verdict != w[2] {
			t.Errorf("row %+v, want %v", r, w)
		}
	}
	if !strings.Contains(stderr.String(), "cluster.yaml:10:1: notice: eksctl ClusterConfig shop") {
		t.Errorf("no notice about the unknown issuer at iam:\n%s", stderr.String())
	}

	stdout.Reset()
	stderr.Reset()
	code = run(context.Background(), []string{"identities", "testdata/cli/eksctl-identities"}, testSystem(root, "", &stdout, &stderr))
	if code != exitOK {
		t.Fatalf("text: exit code %d; stderr:\n%s", code, stderr.String())
	}
	for _, line := range []string{
		"storefront  Deployment/assets         s3-reader        web-identity  arn:aws:iam::512345678901:role/shop-s3-reader      unverified",
		"orders      Deployment/orders-worker  orders-worker    pod-identity  arn:aws:iam::512345678901:role/shop-orders-worker  ok",
	} {
		if !strings.Contains(stdout.String(), line) {
			t.Errorf("text output lacks %q:\n%s", line, stdout.String())
		}
	}
}

// Without an IAM ARN of the account in the config, the roles eksctl
// creates are written with a placeholder account, and the ServiceAccounts
// eksctl creates still join them by that ARN.
func TestEksctlPlaceholderAccountJoins(t *testing.T) {
	root := repoRoot(t)
	cfg := `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: lab, region: us-east-2}
iam:
  withOIDC: true
  serviceAccounts:
    - metadata: {name: uploader, namespace: media}
      attachPolicyARNs: [arn:aws:iam::aws:policy/AmazonS3FullAccess]
---
apiVersion: batch/v1
kind: Job
metadata: {name: upload, namespace: media}
spec:
  template:
    spec:
      serviceAccountName: uploader
      restartPolicy: Never
      securityContext: {runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000}
      containers: [{name: up, image: "public.ecr.aws/lab/up:1.0.0"}]
`
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"identities", "--format", "json", "-"}, testSystem(root, cfg, &stdout, &stderr))
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr.String())
	}
	var doc struct{ Identities []identityRow }
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	rows := doc.Identities
	wantARN := "arn:aws:iam::${ACCOUNT_ID}:role/eksctl-lab-addon-iamserviceaccount-media-uploader-Role1-${RANDOM_SUFFIX}"
	if len(rows) != 1 || rows[0].RoleARN == nil || *rows[0].RoleARN != wantARN || rows[0].Verdict != "unverified" {
		t.Errorf("rows = %+v", rows)
	}
	if !strings.Contains(stderr.String(), "${ACCOUNT_ID}") {
		t.Errorf("no notice about the unknown account:\n%s", stderr.String())
	}
}
