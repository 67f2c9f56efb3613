package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/irsalint/irsalint/analyzer/aws/awstest"
	"github.com/irsalint/irsalint/analyzer/report/sariftest"
)

// The audit tests go through the SDK's whole configuration chain, from the
// environment (t.Setenv), to the test server: they cannot run in parallel.

const (
	auditAccount = "111122223333"
	auditIssuer  = "oidc.eks.us-west-2.amazonaws.com/id/5D0C1A9B8E7F6A5B4C3D2E1F0A9B8C7D"
)

func auditRole(name, trust string) awstest.Role { return awstest.Role{Name: name, TrustPolicy: trust} }

func irsaTrust(conditions string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + auditAccount +
		`:oidc-provider/` + auditIssuer + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{` + conditions + `}}}]}`
}

// auditWorld seeds the problems an audit must find: a trust without sub
// (cart), a node group whose launch template lets pods reach IMDS (hop
// limit 2), a provider without sts.amazonaws.com, and a Pod Identity
// association on a ServiceAccount that also names an IRSA role.
func auditWorld() awstest.World {
	a := "arn:aws:iam::" + auditAccount + ":role/"
	return awstest.World{Accounts: []awstest.Account{{
		ID: auditAccount,
		Roles: []awstest.Role{
			auditRole("cart", irsaTrust(`"`+auditIssuer+`:aud":"sts.amazonaws.com"`)),
			auditRole("orders", irsaTrust(`"`+auditIssuer+`:aud":"sts.amazonaws.com","`+auditIssuer+`:sub":"system:serviceaccount:shop:orders"`)),
			auditRole("api-pod-identity", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"StringEquals":{"aws:RequestTag/kubernetes-namespace":"shop"}}}]}`),
			{Name: "nodes", TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
				AttachedPolicies: []string{"arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"}},
		},
		OIDCProviders: []awstest.OIDCProvider{{URL: "https://" + auditIssuer, ClientIDs: []string{"sts.amazon.com"}}},
		Clusters: []awstest.Cluster{{
			Name: "demo", Version: "1.31", Issuer: "https://" + auditIssuer, AuthenticationMode: "API",
			Nodegroups:   []awstest.Nodegroup{{Name: "workers", NodeRole: a + "nodes", LaunchTemplate: &awstest.LaunchTemplateRef{ID: "lt-0f00", Name: "workers", Version: "3"}}},
			Associations: []awstest.Association{{Namespace: "shop", ServiceAccount: "orders", RoleArn: a + "api-pod-identity"}},
		}},
		LaunchTemplateVersions: []awstest.LaunchTemplateVersion{{ID: "lt-0f00", Name: "workers", Version: 3, Default: true, HttpTokens: "required", HttpEndpoint: "enabled", HopLimit: 2}},
	}}}
}

const auditManifests = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: cart
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/cart
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: orders
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/orders
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: reports
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/reports-reader
`

// auditDir is a working folder holding the manifests.
func auditDir(t *testing.T) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "shop.yaml"), []byte(auditManifests), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func rulesOf(t *testing.T, out string) []string {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var ids []string
	for _, f := range r.Findings {
		if !slices.Contains(ids, f.Rule) {
			ids = append(ids, f.Rule)
		}
	}
	sort.Strings(ids)
	return ids
}

func TestAuditFindsTheSeededProblemsAndTheSnapshotReplays(t *testing.T) {
	s := awstest.NewServer(t, auditWorld())
	s.Setenv(t)
	dir := auditDir(t)
	r := runIn(t, dir, "", "audit", "--region", "us-west-2", "--cluster", "demo", "--no-kube", "--snapshot", "snap", "-f", "json", "shop.yaml")
	if r.code != exitFindings {
		t.Fatalf("exit code %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	got := rulesOf(t, r.stdout)
	for _, want := range []string{"node-imds-reachable", "oidc-provider-audience-missing", "pod-identity-association-stale", "role-not-found", "trust-missing-sub"} {
		if !slices.Contains(got, want) {
			t.Errorf("the audit did not report %s; it reported %v", want, got)
		}
	}
	if strings.Contains(r.stdout, `"file": "shop.yaml"`) || !strings.Contains(r.stdout, `"file": "snap/files/shop.yaml"`) {
		t.Errorf("findings should point into the snapshot, which holds a copy of the inputs:\n%s", r.stdout)
	}
	// The snapshot alone reproduces the audit, byte for byte.
	lint := runIn(t, dir, "", "lint", "-f", "json", "snap")
	if lint.code != r.code || lint.stdout != r.stdout {
		t.Errorf("lint of the snapshot differs from the audit (exit %d vs %d):\n--- audit\n%s\n--- lint\n%s", lint.code, r.code, r.stdout, lint.stdout)
	}
	man, err := os.ReadFile(filepath.Join(dir, "snap", "snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(man, &m); err != nil || m["irsalintSnapshot"] != float64(1) || !strings.Contains(string(man), `"files/shop.yaml"`) {
		t.Errorf("manifest: %v\n%s", err, man)
	}
	// SARIF of the same audit validates.
	s2 := runIn(t, dir, "", "audit", "--region", "us-west-2", "--cluster", "demo", "--no-kube", "-f", "sarif", "shop.yaml")
	if s2.code != exitFindings {
		t.Fatalf("sarif: exit code %d; stderr:\n%s", s2.code, s2.stderr)
	}
	sariftest.Validate(t, []byte(s2.stdout))
}

// A cluster whose issuer has no IAM OIDC provider, with ServiceAccounts
// using IRSA roles of the account.
func TestAuditFindsAnIssuerWithoutProvider(t *testing.T) {
	w := auditWorld()
	w.Accounts[0].OIDCProviders = nil
	s := awstest.NewServer(t, w)
	s.Setenv(t)
	r := runIn(t, auditDir(t), "", "audit", "--cluster", "demo", "--no-kube", "-f", "json", "shop.yaml")
	if r.code != exitFindings || !slices.Contains(rulesOf(t, r.stdout), "oidc-provider-missing") {
		t.Fatalf("exit %d, rules %v; stderr:\n%s", r.code, rulesOf(t, r.stdout), r.stderr)
	}
}

func TestAuditDeniedCallIsPartial(t *testing.T) {
	s := awstest.NewServer(t, auditWorld())
	s.Deny("DescribeLaunchTemplateVersions")
	s.Setenv(t)
	dir := auditDir(t)
	r := runIn(t, dir, "", "audit", "--cluster", "demo", "--no-kube", "--snapshot", "snap", "-f", "json", "shop.yaml")
	if r.code != exitError {
		t.Fatalf("exit code %d, want 2; stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "ec2:DescribeLaunchTemplateVersions") || !strings.Contains(r.stderr, "--allow-partial") {
		t.Errorf("stderr does not name the missing action:\n%s", r.stderr)
	}
	if slices.Contains(rulesOf(t, r.stdout), "node-imds-reachable") {
		t.Error("node-imds-reachable reported without the launch template")
	}
	if lint := runIn(t, dir, "", "lint", "-f", "json", "snap"); lint.code != exitError || lint.stdout != r.stdout {
		t.Errorf("lint of a partial snapshot: exit %d, want 2 and the same report", lint.code)
	}
	allowed := runIn(t, auditDir(t), "", "audit", "--cluster", "demo", "--no-kube", "--allow-partial", "-f", "json", "shop.yaml")
	if allowed.code != exitFindings || !strings.Contains(allowed.stderr, "ec2:DescribeLaunchTemplateVersions") {
		t.Errorf("--allow-partial: exit %d, want 1 (the findings), still naming the action; stderr:\n%s", allowed.code, allowed.stderr)
	}
}

func TestAuditMissingClusterIsAnError(t *testing.T) {
	s := awstest.NewServer(t, auditWorld())
	s.Setenv(t)
	dir := t.TempDir()
	r := runIn(t, dir, "", "audit", "--cluster", "ghost", "--no-kube", "--snapshot", "snap")
	if r.code != exitError || !strings.Contains(r.stderr, `cluster not found: "ghost" in region us-west-2 of account 111122223333`) {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "snap")); !os.IsNotExist(err) {
		t.Errorf("a failed audit left a snapshot: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("a failed audit left %v", entries)
	}
}

func TestAuditUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"audit", "--all-clusters"}, "exactly one --cluster"},
		{[]string{"audit", "--no-kube", "--accounts", "111122223333"}, "--assume-role-name"},
		{[]string{"audit", "--no-kube", "--shard", "3/3"}, "0 <= I < N"},
		{[]string{"audit", "--no-kube", "-f", "xml"}, "unknown --format"},
	} {
		r := runIn(t, t.TempDir(), "", tc.args...)
		if r.code != exitError || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d; stderr:\n%s", tc.args, r.code, r.stderr)
		}
	}
}

// orgWorld is an organization of three accounts, each with the role the
// audit assumes, a cluster, and a problem of its own.
func orgWorld() awstest.World {
	ids := []string{"111122223333", "444455556666", "777788889999"}
	var w awstest.World
	for i, id := range ids {
		iss := fmt.Sprintf("oidc.eks.us-west-2.amazonaws.com/id/%032X", i+1)
		acct := awstest.Account{
			ID: id,
			Roles: []awstest.Role{
				{Name: "irsalint-audit", TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`},
				{Name: "app", TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + id + `:oidc-provider/` + iss + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"` + iss + `:sub":"system:serviceaccount:*"}}}]}`},
			},
			OIDCProviders: []awstest.OIDCProvider{{URL: "https://" + iss, ClientIDs: []string{"sts.amazonaws.com"}},
				{URL: fmt.Sprintf("https://oidc.eks.us-west-2.amazonaws.com/id/%032X", 100+i), ClientIDs: []string{"sts.amazonaws.com"}}},
			Clusters: []awstest.Cluster{{Name: fmt.Sprintf("c%d", i), Version: "1.31", Issuer: "https://" + iss}},
		}
		if i == 0 {
			for _, o := range ids {
				acct.Organization = append(acct.Organization, awstest.OrgAccount{ID: o, Name: "acct-" + o, Status: "ACTIVE"})
			}
			acct.Organization = append(acct.Organization, awstest.OrgAccount{ID: "999999999999", Name: "gone", Status: "SUSPENDED"})
		}
		w.Accounts = append(w.Accounts, acct)
	}
	return w
}

// An organization audited whole, and in three shards merged, gives the
// same report byte for byte.
func TestAuditShardsMergeIntoTheWholeRun(t *testing.T) {
	s := awstest.NewServer(t, orgWorld())
	s.Setenv(t)
	dir := t.TempDir()
	base := []string{"audit", "--no-kube", "--org", "--assume-role-name", "irsalint-audit", "--all-clusters", "-f", "json"}
	whole := runIn(t, dir, "", append(base, "-o", "whole.json")...)
	if whole.code != exitFindings {
		t.Fatalf("whole: exit %d; stderr:\n%s", whole.code, whole.stderr)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "whole.json"))
	got := rulesOf(t, string(data))
	for _, want := range []string{"oidc-provider-unused", "trust-wildcard-sub"} {
		if !slices.Contains(got, want) {
			t.Errorf("the org audit did not report %s: %v", want, got)
		}
	}
	for _, id := range []string{"111122223333", "444455556666", "777788889999"} {
		if !strings.Contains(string(data), "aws/"+id+"/") {
			t.Errorf("account %s was not read", id)
		}
	}
	if strings.Contains(string(data), "999999999999") {
		t.Error("a suspended account was read")
	}
	merge := []string{"merge", "-f", "json", "-o", "merged.json"}
	nonEmpty := 0
	for i := range 3 {
		name := fmt.Sprintf("shard-%d.json", i)
		r := runIn(t, dir, "", append(base, "--shard", fmt.Sprintf("%d/3", i), "-o", name)...)
		if r.code == exitError {
			t.Fatalf("shard %d: exit %d; stderr:\n%s", i, r.code, r.stderr)
		}
		if r.code == exitFindings {
			nonEmpty++
		}
		merge = append(merge, name)
	}
	if nonEmpty < 2 {
		t.Errorf("only %d of 3 shards held an account: the shares are not spread", nonEmpty)
	}
	m := runIn(t, dir, "", merge...)
	if m.code != exitFindings {
		t.Fatalf("merge: exit %d; stderr:\n%s", m.code, m.stderr)
	}
	merged, _ := os.ReadFile(filepath.Join(dir, "merged.json"))
	if string(merged) != string(data) {
		t.Errorf("three shards merged differ from the whole run:\n--- whole\n%s\n--- merged\n%s", data, merged)
	}
	// Merging again, in another order, gives the same bytes.
	again := runIn(t, dir, "", "merge", "-f", "json", merge[len(merge)-1], merge[len(merge)-2], merge[len(merge)-3])
	if again.stdout != string(data) {
		t.Error("merge depends on the order of its arguments")
	}
}

// --role-arn assumes a role first: the audit reads the role's account.
func TestAuditAssumesRoleArn(t *testing.T) {
	w := orgWorld()
	s := awstest.NewServer(t, w)
	s.Setenv(t)
	dir := t.TempDir()
	r := runIn(t, dir, "", "audit", "--no-kube", "--role-arn", "arn:aws:iam::444455556666:role/irsalint-audit", "--snapshot", "snap", "-f", "json")
	if r.code != exitFindings {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	man, _ := os.ReadFile(filepath.Join(dir, "snap", "snapshot.json"))
	if !strings.Contains(string(man), `"id": "444455556666"`) || strings.Contains(r.stdout, "aws/111122223333/") {
		t.Errorf("the audit did not read the assumed role's account:\n%s", man)
	}
	assumed := false
	for _, c := range s.Calls() {
		if c.Action == "AssumeRole" && c.Status == 200 {
			assumed = true
		}
	}
	if !assumed {
		t.Error("no AssumeRole call")
	}
	bad := runIn(t, t.TempDir(), "", "audit", "--no-kube", "--role-arn", "arn:aws:iam::444455556666:role/nope")
	if bad.code != exitError || !strings.Contains(bad.stderr, "AssumeRole") {
		t.Errorf("an unassumable role: exit %d; stderr:\n%s", bad.code, bad.stderr)
	}
}

// What deploy/ ships to run audits passes irsalint's own rules.
func TestDeployPassesItsOwnRules(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "lint", "--kubernetes-version", "1.31", "deploy/")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "no findings;") {
		t.Errorf("irsalint lint deploy/: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// An account whose role cannot be assumed is a failure naming
// sts:AssumeRole; the other accounts are still read.
func TestAuditAccountWithoutTheRole(t *testing.T) {
	w := orgWorld()
	w.Accounts[2].Roles = w.Accounts[2].Roles[1:] // no irsalint-audit
	s := awstest.NewServer(t, w)
	s.Setenv(t)
	r := runIn(t, t.TempDir(), "", "audit", "--no-kube", "--accounts", "444455556666,777788889999", "--assume-role-name", "irsalint-audit", "-f", "json")
	if r.code != exitError || !strings.Contains(r.stderr, "sts:AssumeRole") || !strings.Contains(r.stderr, "777788889999") {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "aws/444455556666/") || strings.Contains(r.stdout, "aws/777788889999/") {
		t.Errorf("the readable account should be reported, the other not:\n%s", r.stdout)
	}
}

// Every command prints its usage once for --help, and exits 0.
func TestHelpPrintsUsageOnce(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"lint", "audit", "merge", "identities", "inventory", "rules", "explain"} {
		r := runIn(t, t.TempDir(), "", cmd, "--help")
		if r.code != exitOK || strings.Count(r.stdout, "Usage: irsalint "+cmd) != 1 {
			t.Errorf("%s --help: exit %d, usage printed %d times", cmd, r.code, strings.Count(r.stdout, "Usage: irsalint "+cmd))
		}
	}
}

// An unrendered role ARN is unresolved, not invalid: a notice at its line,
// no finding, exit 0.
func TestUnresolvedRoleARNIsANotice(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "lint", "--no-config", "testdata/rules/role-arn-invalid/pass-unresolved.yaml")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "no findings") {
		t.Fatalf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		`pass-unresolved.yaml:10:5: notice: ServiceAccount search/helm-placeholder: eks.amazonaws.com/role-arn "{{ .Values.serviceAccount.roleArn }}" is an unrendered template value`,
		`pass-unresolved.yaml:18:5: notice: ServiceAccount search/envsubst-placeholder: eks.amazonaws.com/role-arn "arn:aws:iam::${AWS_ACCOUNT_ID}:role/search-indexer" is an unrendered template value`,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

// A repository whose only findings are info passes the default gate.
func TestInfoFindingsDoNotFailTheGate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	manifest := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cache
  namespace: shop
spec:
  selector:
    matchLabels: {app: cache}
  template:
    metadata:
      labels: {app: cache}
    spec:
      containers:
        - name: redis
          image: redis:7.2
`
	if err := os.WriteFile(filepath.Join(dir, "cache.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runIn(t, dir, "", "lint", "cache.yaml")
	if r.code != exitOK || !strings.Contains(r.stdout, "info default-sa-node-role-fallback") || !strings.Contains(r.stdout, "1 finding (1 info)") {
		t.Errorf("--fail-on low with an info finding: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, dir, "", "lint", "--fail-on", "info", "cache.yaml"); r.code != exitFindings {
		t.Errorf("--fail-on info: exit %d, want 1", r.code)
	}
	if r := runIn(t, dir, "", "lint", "--min-severity", "low", "cache.yaml"); r.code != exitOK || !strings.HasPrefix(r.stdout, "no findings") {
		t.Errorf("--min-severity low: exit %d\n%s", r.code, r.stdout)
	}
	if r := runIn(t, dir, "", "lint", "--min-severity", "bogus", "cache.yaml"); r.code != exitError {
		t.Errorf("--min-severity bogus: exit %d, want 2", r.code)
	}
}
