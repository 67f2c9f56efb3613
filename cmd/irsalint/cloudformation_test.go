package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// Roles of a CloudFormation template join across forms: a ServiceAccount
// manifest, a ServiceAccount made by Terraform, and a Pod Identity
// association of the same template naming its role by !GetAtt.
func TestCloudFormationIdentities(t *testing.T) {
	root := repoRoot(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"identities", "--no-config", "--format", "json", "testdata/cli/cloudformation-identities"}, testSystem(root, "", &stdout, &stderr))
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr.String())
	}
	var doc struct{ Identities []identityRow }
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	want := map[string][3]string{
		"payments/api":     {"web-identity", "arn:aws:iam::381492006517:role/payments-api", "ok"},
		"reports/exporter": {"web-identity", "arn:aws:iam::381492006517:role/reports", "ok"},
		"orders/worker":    {"pod-identity", "arn:${Partition}:iam::${AccountId}:role/orders-worker", "ok"},
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
}

// The acceptance of CloudFormation: a role whose subject is
// !Sub "repo:${Org}/*" is the wildcard finding at that line, whatever Org
// is, and the parameter without a value is a notice, not a silent pass.
func TestCloudFormationWildcardSub(t *testing.T) {
	rep, stderr := lintJSON(t, exitOK, "--no-config", "testdata/rules/trust-wildcard-sub/fail-cloudformation-github")
	if len(rep.Findings) != 1 || rep.Findings[0].Rule != "trust-wildcard-sub" || rep.Findings[0].Location.Line != 30 {
		t.Fatalf("findings = %+v", rep.Findings)
	}
	if !strings.Contains(stderr, "stack.yaml:30:58: notice: parameter Org has no default and no value (pass it with --cfn-parameter Org=VALUE)") {
		t.Errorf("no notice for the parameter:\n%s", stderr)
	}
	// Given a value, the wildcard is still judged, and the notices go.
	rep, stderr = lintJSON(t, exitOK, "--no-config", "--cfn-parameter", "Org=acme", "testdata/rules/trust-wildcard-sub/fail-cloudformation-github")
	if len(rep.Findings) != 1 || !strings.Contains(rep.Findings[0].Message, `"repo:acme/*"`) || strings.Contains(stderr, "parameter Org") {
		t.Errorf("findings = %+v\n%s", rep.Findings, stderr)
	}
	var stdout, errb bytes.Buffer
	if code := run(context.Background(), []string{"lint", "--cfn-parameter", "Org", "."}, testSystem(repoRoot(t), "", &stdout, &errb)); code != exitError || !strings.Contains(errb.String(), `--cfn-parameter "Org": want NAME=VALUE`) {
		t.Errorf("a --cfn-parameter without a value: exit %d\n%s", code, errb.String())
	}
}
