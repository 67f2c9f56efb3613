package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsalint/irsalint/analyzer/report/sariftest"
)

var update = flag.Bool("update", false, "rewrite the golden files under cmd/irsalint/testdata")

type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command in-process from the repository root.
func runCLI(t *testing.T, stdin string, args ...string) cliResult {
	t.Helper()
	return runIn(t, repoRoot(t), stdin, args...)
}

// golden compares got with testdata/<name>, after replacing the repository
// path (which differs between machines) with /REPO.
func golden(t *testing.T, name, got string) {
	t.Helper()
	got = strings.ReplaceAll(got, repoRoot(t), "/REPO")
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/irsalint -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run go test ./cmd/irsalint -update and review the diff):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

func TestExampleText(t *testing.T) {
	r := runCLI(t, "", "lint", "examples/")
	if r.code != exitFindings {
		t.Errorf("exit code %d, want %d; stderr:\n%s", r.code, exitFindings, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("stderr: %s", r.stderr)
	}
	golden(t, "examples.txt", r.stdout)
}

func TestExampleJSONAndSARIF(t *testing.T) {
	for _, format := range []string{"json", "sarif"} {
		r := runCLI(t, "", "lint", "--format", format, "examples/")
		if r.code != exitFindings {
			t.Errorf("%s: exit code %d; stderr:\n%s", format, r.code, r.stderr)
		}
		golden(t, "examples."+format, r.stdout)
		if format == "sarif" {
			sariftest.Validate(t, []byte(r.stdout))
		} else if !json.Valid([]byte(r.stdout)) {
			t.Error("invalid JSON")
		}
		again := runCLI(t, "", "lint", "--format", format, "examples/")
		if again.stdout != r.stdout {
			t.Errorf("%s output differs between two runs", format)
		}
	}
}

// A folder with one broken file and one file with a finding: the finding is
// reported, the broken file named with its line, and the exit code is 2.
func TestBrokenFileStillReportsTheRest(t *testing.T) {
	r := runCLI(t, "", "lint", "testdata/cli/broken")
	if r.code != exitError {
		t.Errorf("exit code %d, want %d", r.code, exitError)
	}
	if !strings.Contains(r.stdout, "testdata/cli/broken/good.yaml:13:") || !strings.Contains(r.stdout, "static-aws-credentials") {
		t.Errorf("the finding in good.yaml is missing:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "testdata/cli/broken/bad.yaml:8:4: error: did not find expected key") || !strings.Contains(r.stderr, "error:") {
		t.Errorf("stderr does not name bad.yaml with its line:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "1 file could not be analyzed") {
		t.Errorf("summary does not count the broken file:\n%s", r.stdout)
	}
	for _, format := range []string{"json", "sarif"} {
		r := runCLI(t, "", "lint", "-f", format, "testdata/cli/broken")
		if r.code != exitError || !strings.Contains(r.stdout, "bad.yaml") {
			t.Errorf("%s: exit %d; the report should carry the error too:\n%s", format, r.code, r.stdout)
		}
		if format == "sarif" {
			sariftest.Validate(t, []byte(r.stdout))
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "Usage:"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"lint", "--format", "xml"}, `unknown --format "xml"`},
		{[]string{"lint", "--no-such-flag"}, "unknown flag: --no-such-flag"},
		{[]string{"lint", "--fail-on", "severe"}, "--fail-on"},
		{[]string{"lint", "--enable", "no-such-rule"}, `unknown rule "no-such-rule"`},
		{[]string{"lint", "--disable", "static-aws-credentials,nope"}, `unknown rule "nope"`},
		{[]string{"lint", "--kubernetes-version", "latest"}, "invalid Kubernetes version"},
		{[]string{"lint", "--account-id", "12345"}, "invalid AWS account ID"},
		{[]string{"lint", "--region", "US_WEST"}, "invalid AWS region"},
		{[]string{"lint", "--oidc-issuer", "https://"}, "invalid OIDC issuer"},
		{[]string{"lint", "--max-file-size", "lots"}, "invalid size"},
		{[]string{"lint", "--rules", "testdata/cli/no-such-dir"}, "no such file or directory"},
		{[]string{"explain"}, "explain takes one rule ID"},
		{[]string{"explain", "static-aws"}, `did you mean "static-aws-credentials"`},
		{[]string{"rules", "extra"}, "rules takes no arguments"},
		{[]string{"rules", "--format", "yaml"}, `unknown --format "yaml"`},
	} {
		r := runCLI(t, "", tc.args...)
		if r.code != exitError {
			t.Errorf("%v: exit code %d, want %d", tc.args, r.code, exitError)
		}
		if !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: stderr %q does not contain %q", tc.args, r.stderr, tc.want)
		}
		if r.stdout != "" && len(tc.args) > 0 {
			t.Errorf("%v: stdout should be empty on a usage error, got %q", tc.args, r.stdout)
		}
	}
}

func TestHelpGoesToStdout(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"lint", "--help"}, {"help", "lint"}, {"inventory", "-h"}} {
		r := runCLI(t, "", args...)
		if r.code != exitOK || !strings.Contains(r.stdout, "Usage") {
			t.Errorf("%v: exit %d, stdout %q", args, r.code, r.stdout)
		}
	}
	r := runCLI(t, "", "lint", "--help")
	for _, want := range []string{"Exit codes", "--fail-on", "--format", "--kubernetes-version", "--rules", "--enable", "--no-color"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("lint --help lacks %q", want)
		}
	}
}

func TestFailOnThreshold(t *testing.T) {
	// good.yaml has one critical finding (a literal secret key).
	file := "testdata/cli/broken/good.yaml"
	for _, tc := range []struct {
		failOn string
		code   int
	}{{"low", exitFindings}, {"critical", exitFindings}, {"none", exitOK}} {
		r := runCLI(t, "", "lint", "--fail-on", tc.failOn, "--enable", "static-aws-credentials", file)
		if r.code != tc.code {
			t.Errorf("--fail-on %s: exit %d, want %d\n%s%s", tc.failOn, r.code, tc.code, r.stdout, r.stderr)
		}
	}
	r := runCLI(t, "", "lint", "--disable", "static-aws-credentials", "--fail-on", "low", file)
	if strings.Contains(r.stdout, "static-aws-credentials") {
		t.Errorf("--disable did not disable:\n%s", r.stdout)
	}
}

func TestOutputFileAndStdin(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "testdata/cli/broken/good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "report.sarif")
	r := runCLI(t, string(src), "lint", "-f", "sarif", "-o", out, "--stdin-filename", "deploy/pod.yaml", "-")
	if r.code != exitFindings || r.stdout != "" {
		t.Errorf("exit %d, stdout %q (want 1 and nothing on stdout)", r.code, r.stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	sariftest.Validate(t, b)
	if !strings.Contains(string(b), `"uri": "deploy/pod.yaml"`) {
		t.Errorf("stdin findings are not reported under --stdin-filename:\n%s", b)
	}
	r = runCLI(t, string(src), "lint", "-")
	if !strings.Contains(r.stdout, "<stdin>:13:") {
		t.Errorf("stdin finding not at <stdin>:13:\n%s", r.stdout)
	}
}

func TestQuietOnNonKubernetesInput(t *testing.T) {
	r := runCLI(t, "", "lint", "testdata/cli/misc/empty.yaml", "testdata/cli/misc/comments.yaml", "testdata/cli/misc/package.json")
	if r.code != exitOK || r.stderr != "" {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "no findings; 3 files, 0 objects analyzed, 1 document of other kinds skipped") {
		t.Errorf("summary: %q", r.stdout)
	}
}

func TestHelmTemplatesAreSkippedWithANoticeWithoutRendering(t *testing.T) {
	r := runCLI(t, "", "lint", "--no-render", "testdata/cli/helm")
	if r.code != exitOK {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	if strings.Count(r.stderr, "notice:") != 1 || !strings.Contains(r.stderr, `"webapp"`) {
		t.Errorf("want one notice naming chart webapp, got:\n%s", r.stderr)
	}
}

func TestInvalidKubernetesObjects(t *testing.T) {
	r := runCLI(t, "", "lint", "testdata/cli/misc/duplicate-key.yaml")
	if r.code != exitError || !strings.Contains(r.stderr, `testdata/cli/misc/duplicate-key.yaml:5:3: error: mapping key "name" already defined at line 4`) {
		t.Errorf("duplicate key: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, "", "lint", "testdata/cli/misc/wrong-type.yaml")
	if r.code != exitError || !strings.Contains(r.stderr, `testdata/cli/misc/wrong-type.yaml:11:9: error: spec.template.spec.securityContext.runAsUser: expected an integer, got string "1000"`) {
		t.Errorf("wrong type: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestSuppressionAnnotation(t *testing.T) {
	r := runCLI(t, "", "lint", "-f", "json", "--enable", "static-aws-credentials", "testdata/cli/misc/suppressed.yaml")
	var rep struct {
		Findings []struct{ Rule string }
		Summary  struct{ Suppressed int }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 0 || rep.Summary.Suppressed != 1 {
		t.Errorf("findings %v, suppressed %d; want none and 1", rep.Findings, rep.Summary.Suppressed)
	}
	if !strings.Contains(r.stderr, `notice: irsalint.io/ignore names unknown rule "no-such-rule"`) {
		t.Errorf("no notice about the unknown rule: %q", r.stderr)
	}
	if r.code != exitOK {
		t.Errorf("exit %d", r.code)
	}
}

func TestCustomRules(t *testing.T) {
	r := runCLI(t, "", "lint", "--rules", "testdata/cli/custom-rules/good", "--enable", "team-label", "examples/test/uploader.yaml")
	if r.code != exitFindings || !strings.Contains(r.stdout, "examples/test/uploader.yaml:14:3: low team-label: Deployment test/uploader has no team label") {
		t.Errorf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "explain", "--rules", "testdata/cli/custom-rules/good", "team-label")
	if r.code != exitOK || !strings.Contains(r.stdout, "Add metadata.labels.team.") {
		t.Errorf("explain custom rule: exit %d\n%s", r.code, r.stdout)
	}
	// rules and explain read the catalogue without compiling the built-in
	// rules, but still compile a custom rule, and report its mistake.
	broken := t.TempDir()
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "testdata/cli/custom-rules/good/team/rule.rego"))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(broken, "rule.rego"), strings.Replace(string(src), "not w.labels.team", "not undefined_function(w)", 1), 0o644)
	for _, cmd := range []string{"rules", "explain"} {
		args := []string{cmd, "--rules", broken}
		if cmd == "explain" {
			args = append(args, "team-label")
		}
		if r := runCLI(t, "", args...); r.code != exitError || !strings.Contains(r.stderr, "undefined_function") {
			t.Errorf("%s with a custom rule that does not compile: exit %d, stderr %q", cmd, r.code, r.stderr)
		}
	}
	r = runCLI(t, "", "lint", "--rules", "testdata/cli/custom-rules/incomplete", "examples/")
	if r.code != exitError || !strings.Contains(r.stderr, `rule "incomplete-rule": METADATA lacks description, custom.remediation, related_resources`) {
		t.Errorf("incomplete rule: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestRulesExplainInventoryVersion(t *testing.T) {
	r := runCLI(t, "", "rules")
	if r.code != exitOK || !strings.Contains(r.stdout, "static-aws-credentials") {
		t.Errorf("rules: %d\n%s", r.code, r.stdout)
	}
	r = runCLI(t, "", "rules", "-f", "json")
	var rules []struct{ ID, Severity, Title, Remediation string }
	if err := json.Unmarshal([]byte(r.stdout), &rules); err != nil || len(rules) == 0 {
		t.Errorf("rules -f json: %v\n%s", err, r.stdout)
	}
	r = runCLI(t, "", "explain", "static-aws-credentials")
	for _, want := range []string{"static-aws-credentials (critical, workload)", "How to fix:", "References:", "Documentation: https://"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runCLI(t, "", "inventory", "examples/")
	var inv struct {
		SchemaVersion   int
		Workloads       []map[string]any
		ServiceAccounts map[string]map[string]any
	}
	if err := json.Unmarshal([]byte(r.stdout), &inv); err != nil || r.code != exitOK {
		t.Fatalf("inventory: exit %d, %v", r.code, err)
	}
	if inv.SchemaVersion != 1 || len(inv.Workloads) != 5 || inv.ServiceAccounts["test/default"] == nil {
		t.Errorf("inventory: schema %d, %d workloads, default SA %v", inv.SchemaVersion, len(inv.Workloads), inv.ServiceAccounts["test/default"])
	}
	r = runCLI(t, "", "inventory", "testdata/cli/broken")
	if r.code != exitError || !strings.Contains(r.stderr, "bad.yaml:8") {
		t.Errorf("inventory of a broken file: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, "", "version")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "irsalint ") {
		t.Errorf("version: %q", r.stdout)
	}
}

func TestIdentities(t *testing.T) {
	r := runCLI(t, "", "identities", "examples/")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	golden(t, "identities.txt", r.stdout)
	r = runCLI(t, "", "identities", "-f", "json", "examples/")
	var doc struct {
		Version    int
		Identities []struct {
			Namespace, Name, Verdict, Mechanism string
			RoleArn                             *string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Version != 1 {
		t.Fatalf("json: %v %s", err, r.stdout)
	}
	verdicts := map[string]string{}
	for _, id := range doc.Identities {
		verdicts[id.Namespace+"/"+id.Name] = id.Verdict
	}
	for w, want := range map[string]string{
		"kube-system/aws-load-balancer-controller": "will-be-denied",
		"test/deployment-test-s3-sa":               "ok",
		"test/nightly-report":                      "falls-back-to-node-role",
		"test/uploader":                            "static-keys",
	} {
		if verdicts[w] != want {
			t.Errorf("%s: verdict %q, want %q", w, verdicts[w], want)
		}
	}
	r = runCLI(t, "", "identities", "-f", "csv", "examples/")
	if !strings.HasPrefix(r.stdout, "namespace,kind,name,service_account,mechanism,role_arn,verdict,detail,file,line\n") || strings.Count(r.stdout, "\n") != 6 {
		t.Errorf("csv:\n%s", r.stdout)
	}
	r = runCLI(t, "", "identities", "-f", "yaml", "examples/")
	if r.code != exitError {
		t.Errorf("unknown format: exit %d", r.code)
	}
}

func TestConfiguration(t *testing.T) {
	// examples/.irsalint.yaml is found upward from the first path.
	r := runCLI(t, "", "inventory", "examples/test")
	var inv struct{ Cluster map[string]any }
	if err := json.Unmarshal([]byte(r.stdout), &inv); err != nil {
		t.Fatal(err)
	}
	if inv.Cluster["oidcIssuer"] != "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56" || inv.Cluster["partition"] != "aws" || inv.Cluster["name"] != "eks-lexing" {
		t.Errorf("cluster from examples/.irsalint.yaml: %v", inv.Cluster)
	}
	// Flags win over the file; --no-config reads none.
	r = runCLI(t, "", "inventory", "--region", "cn-north-1", "examples/test")
	if !strings.Contains(r.stdout, `"partition": "aws-cn"`) {
		t.Error("--region did not override the configuration")
	}
	r = runCLI(t, "", "inventory", "--no-config", "examples/test")
	if !strings.Contains(r.stdout, `"oidcIssuer": null`) {
		t.Error("--no-config still read the configuration")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"lint", "--config", "testdata/cli/config/bad.yaml", "examples/"}, "testdata/cli/config/bad.yaml:3:3: cluster.kubernetesVersion: write it as a quoted string"},
		{[]string{"lint", "--config", "testdata/cli/config/unknown-rule.yaml", "examples/"}, `testdata/cli/config/unknown-rule.yaml:3:7: unknown rule "no-such-rule"`},
		{[]string{"lint", "--config", "testdata/cli/config/none.yaml", "examples/"}, "testdata/cli/config/none.yaml: no such file or directory"},
		{[]string{"lint", "--config", "x.yaml", "--no-config", "examples/"}, "--config and --no-config exclude each other"},
	} {
		r := runCLI(t, "", tc.args...)
		if r.code != exitError || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// Issue acceptance: ServiceAccount shop/cart annotated with a role whose
// trust admits only system:serviceaccount:checkout:cart.
func TestShopCartIsNotAdmitted(t *testing.T) {
	dir := t.TempDir()
	const issuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
	files := map[string]string{
		"cart.yaml": `apiVersion: v1
kind: ServiceAccount
metadata:
  name: cart
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::743263909644:role/cart
`,
		"iam.json": `{"RoleDetailList": [{"RoleName": "cart", "Path": "/", "Arn": "arn:aws:iam::743263909644:role/cart",
  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::743263909644:oidc-provider/` + issuer + `"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {
      "` + issuer + `:aud": "sts.amazonaws.com",
      "` + issuer + `:sub": "system:serviceaccount:checkout:cart"}}}]}}]}
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := runCLI(t, "", "lint", "-f", "json", "--oidc-issuer", "https://"+issuer, dir)
	var rep jsonReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range rep.Findings {
		if f.Rule != "trust-does-not-admit-sa" {
			continue
		}
		found = true
		if !strings.HasSuffix(f.Location.File, "cart.yaml") || f.Location.Line != 7 {
			t.Errorf("primary location %v, want the annotation (cart.yaml:7)", f.Location)
		}
		if len(f.Related) != 1 || !strings.HasSuffix(f.Related[0].Location.File, "iam.json") || f.Related[0].Location.Line != 7 {
			t.Errorf("related %v, want the sub condition (iam.json:7)", f.Related)
		}
		if !strings.Contains(f.Message, "checkout/cart") {
			t.Errorf("the message does not say what the trust admits: %s", f.Message)
		}
	}
	if !found {
		t.Errorf("no trust-does-not-admit-sa finding:\n%s\n%s", r.stdout, r.stderr)
	}
}

// A Pod Identity association read from `aws eks describe-pod-identity-association`
// output wins over the ServiceAccount's IRSA annotation.
func TestPodIdentityAssociationFromAFile(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"api.yaml": `apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: payments
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::743263909644:role/payments-irsa
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: payments
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: example.com/payments/api:1.0
`,
		"association.json": `{"association": {"clusterName": "eks-lexing", "namespace": "payments", "serviceAccount": "api",
  "roleArn": "arn:aws:iam::743263909644:role/payments-pod-identity"}}`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := runCLI(t, "", "identities", "-f", "csv", dir)
	if r.code != exitOK || !strings.Contains(r.stdout, "payments,Deployment,api,api,pod-identity,arn:aws:iam::743263909644:role/payments-pod-identity,ok,") {
		t.Errorf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "inventory", dir)
	if !strings.Contains(r.stdout, `"podIdentityAssociations": true`) {
		t.Errorf("facts.podIdentityAssociations not set")
	}
}

// -o onto a device must write to it, not rename a file over it.
func TestOutputToDevice(t *testing.T) {
	before, err := os.Stat(os.DevNull)
	if err != nil {
		t.Skip("no", os.DevNull)
	}
	r := runCLI(t, "", "lint", "--fail-on", "none", "-o", os.DevNull, "examples/test/uploader.yaml")
	after, err := os.Stat(os.DevNull)
	if err != nil || after.Mode() != before.Mode() || after.Mode().IsRegular() {
		t.Fatalf("%s was replaced: mode %v -> %v (%v)", os.DevNull, before.Mode(), after.Mode(), err)
	}
	if r.code != exitOK || r.stdout != "" {
		t.Errorf("exit %d, stdout %q", r.code, r.stdout)
	}
	out := filepath.Join(t.TempDir(), "report.txt")
	runCLI(t, "", "lint", "--fail-on", "none", "-o", out, "examples/test/uploader.yaml")
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("report file: %v %v", st, err)
	}
	if r := runCLI(t, "", "lint", "-o", t.TempDir(), "examples/"); r.code != exitError || !strings.Contains(r.stderr, "is a directory") {
		t.Errorf("-o DIR: exit %d, %q", r.code, r.stderr)
	}
}

// An object with a pod template but no containers (a Kustomize patch) is
// no workload: its own verdict in every format, not "ok".
func TestIdentitiesPartialObject(t *testing.T) {
	dir := t.TempDir()
	patch := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: payments
spec:
  template:
    spec:
      serviceAccountName: api
`
	if err := os.WriteFile(filepath.Join(dir, "patch.yaml"), []byte(patch), 0o644); err != nil {
		t.Fatal(err)
	}
	const detail = "not a workload: a patch or partial object (no containers)"
	r := runCLI(t, "", "identities", dir)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "Deployment/api") || !strings.Contains(r.stdout, "partial: "+detail+"\n") ||
		!strings.HasSuffix(r.stdout, "\n0 workloads; 1 not a workload (partial: no containers)\n") || strings.Contains(r.stdout, " ok") {
		t.Errorf("text:\n%s", r.stdout)
	}
	r = runCLI(t, "", "identities", "-f", "json", dir)
	var doc struct {
		Identities []struct{ Verdict, Detail string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Identities) != 1 ||
		doc.Identities[0].Verdict != "partial" || doc.Identities[0].Detail != detail {
		t.Errorf("json: %v\n%s", err, r.stdout)
	}
	r = runCLI(t, "", "identities", "-f", "csv", dir)
	if !strings.Contains(r.stdout, "\npayments,Deployment,api,api,,,partial,"+detail+",") {
		t.Errorf("csv:\n%s", r.stdout)
	}
}

// A trust policy committed before envsubst ran: its provider and keys are
// placeholders. The notice says so at the first one; no trust rule judges it
// as if "$OIDC_PROVIDER:aud" were a literal key.
func TestUnrenderedTrustPolicyIsANoticeNotAFinding(t *testing.T) {
	r := runCLI(t, "", "lint", "--no-config", "testdata/rules/trust-missing-aud/pass-envsubst-keys.json")
	if r.code != exitOK {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	want := `pass-envsubst-keys.json:7:9: notice: trust policy `
	if strings.Count(r.stderr, "notice:") != 1 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "unrendered placeholder $AWS_ACCOUNT_ID (and 3 more)") {
		t.Errorf("want one placeholder notice at line 7, got:\n%s", r.stderr)
	}
}

// Shell completion: a script for each shell cobra supports, and the values
// of enumerated flags and rule IDs offered by the completion protocol.
func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := runCLI(t, "", "completion", shell)
		if r.code != exitOK || !strings.Contains(r.stdout, "irsalint") || len(r.stdout) < 1000 {
			t.Errorf("completion %s: exit %d, %d bytes of script\n%s", shell, r.code, len(r.stdout), r.stderr)
		}
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "lint", "-f", ""}, []string{"sarif", "github", "json", "text"}},
		{[]string{"__complete", "lint", "--fail-on", ""}, []string{"critical", "none"}},
		{[]string{"__complete", "identities", "--format", ""}, []string{"csv"}},
		{[]string{"__complete", "explain", "role-not"}, []string{"role-not-found\t"}},
		{[]string{"__complete", "lint", "--no-r"}, []string{"--no-render"}},
	} {
		r := runCLI(t, "", tc.args...)
		for _, w := range tc.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%v: want %q among\n%s", tc.args, w, r.stdout)
			}
		}
	}
}

// Paths: --exclude and the configuration's paths select what a folder scan
// reads; an empty scan is exit 2 unless --allow-empty.
func TestPathSelection(t *testing.T) {
	dir := t.TempDir()
	bad := "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  namespace: x\n  annotations:\n    eks.amazonaws.com/role-arn: not-an-arn\n"
	for name, text := range map[string]string{"deploy/sa.yaml": bad, "deploy/test/sa.yaml": bad} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := runIn(t, dir, "", "lint", "--no-config", "--exclude", "**/test/**", ".")
	if r.code != exitFindings || !strings.Contains(r.stdout, "1 file,") {
		t.Errorf("--exclude: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if err := os.WriteFile(filepath.Join(dir, ".irsalint.yaml"), []byte("paths:\n  exclude: [test]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runIn(t, dir, "", "lint", "deploy"); r.code != exitFindings || !strings.Contains(r.stdout, "1 file,") {
		t.Errorf("paths.exclude: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, dir, "", "lint", "--no-config", "--include", "*.json", "."); r.code != exitError || !strings.Contains(r.stderr, "--allow-empty") {
		t.Errorf("empty scan: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, dir, "", "lint", "--no-config", "--include", "*.json", "--allow-empty", "."); r.code != exitOK {
		t.Errorf("--allow-empty: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, dir, "", "lint", "--no-config", "--exclude", "deploy/[", "."); r.code != exitError || !strings.Contains(r.stderr, `--exclude: "deploy/[" is not a valid glob`) {
		t.Errorf("bad glob: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A Helm template read as YAML: the syntax error says what the file is.
func TestHelmTemplateLineHint(t *testing.T) {
	r := runCLI(t, "", "lint", "--no-config", "testdata/cli/misc/helm-template-line.yaml")
	want := "testdata/cli/misc/helm-template-line.yaml:6:7: error: did not find expected node content (line 6 holds {{ }}: this looks like a Helm template"
	if r.code != exitError || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
}

// Several reports in one run; --quiet prints findings only.
func TestReportsAndQuiet(t *testing.T) {
	dir := t.TempDir()
	sarif, js := filepath.Join(dir, "out.sarif"), filepath.Join(dir, "out.json")
	r := runCLI(t, "", "lint", "--report", "sarif="+sarif, "--report", "JSON="+js, "--report", "text", "examples/")
	if r.code != exitFindings || !strings.Contains(r.stdout, "findings (") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, p := range []string{sarif, js} {
		data, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(data), "role-not-found") {
			t.Errorf("%s: %v %.100s", p, err, data)
		}
	}
	// --report alone writes only what it names: nothing on standard output.
	if r := runCLI(t, "", "lint", "--report", "sarif="+sarif, "examples/"); r.code != exitFindings || r.stdout != "" {
		t.Errorf("--report alone: exit %d, stdout %q", r.code, r.stdout)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-f", "json", "--report", "text"}, "two reports would go to standard output"},
		{[]string{"-o", js, "--report", "json=" + js}, "two reports would be written to"},
		{[]string{"--report", "sarf=x"}, `unknown format "sarf" (want github, gitlab, json, junit, sarif, text); did you mean "sarif"?`},
		{[]string{"--report", "json="}, "no file after ="},
		{[]string{"--report", "json=examples/iam/account-authorization-details.json"}, "is also an input"},
	} {
		r := runCLI(t, "", append(append([]string{"lint"}, tc.args...), "examples/")...)
		if r.code != exitError || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d\n%s", tc.args, r.code, r.stderr)
		}
	}
	full := runCLI(t, "", "lint", "examples/")
	quiet := runCLI(t, "", "lint", "-q", "examples/")
	if quiet.code != full.code || strings.Contains(quiet.stdout, "analyzed") || !strings.HasPrefix(full.stdout, quiet.stdout) || quiet.stdout == "" {
		t.Errorf("--quiet: exit %d\n%s", quiet.code, quiet.stdout)
	}
	if strings.Contains(quiet.stderr, "notice:") {
		t.Errorf("--quiet prints notices:\n%s", quiet.stderr)
	}
	high := runCLI(t, "", "lint", "--severity", "high", "-f", "json", "examples/")
	if strings.Contains(high.stdout, `"severity": "medium"`) || !strings.Contains(high.stdout, `"severity": "high"`) {
		t.Errorf("--severity high:\n%.400s", high.stdout)
	}
}

// A Terraform role the evaluator cannot read is a notice at its block, not
// a silent pass; when it is all there is, nothing was analyzed.
func TestTerraformRoleWithoutTrustIsANotice(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "iam.tf"), []byte("resource \"aws_iam_role\" \"app\" {\n  name = \"app\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runIn(t, dir, "", "lint", "--no-config", ".")
	if r.code != exitError || !strings.Contains(r.stderr, "iam.tf:1:1: notice: role aws_iam_role.app has no assume_role_policy; it is not read") ||
		!strings.Contains(r.stderr, "nothing was analyzed") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
}

// Ignore entries in the configuration: by rule, path and object, with a
// reason; an expired one suppresses nothing and the finding says so; one
// that matches nothing is a notice; a bad entry is an error at its line.
func TestIgnoreEntries(t *testing.T) {
	dir := t.TempDir()
	sa := func(ns string) string {
		return "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  namespace: " + ns + "\n  annotations:\n    eks.amazonaws.com/role-arn: not-an-arn\n"
	}
	for name, text := range map[string]string{"legacy/sa.yaml": sa("legacy"), "apps/sa.yaml": sa("apps"), "old/sa.yaml": sa("old")} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	config := func(text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, ".irsalint.yaml"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	config(`ignore:
  - rule: role-arn-invalid
    paths: ["legacy/**"]
    reason: the legacy namespace is deleted next sprint
  - rules: [role-arn-invalid]
    kind: ServiceAccount
    namespace: old
    reason: waiting for the new account
    expires: "2020-01-31"
  - rule: static-aws-credentials
    reason: nothing has static keys here
`)
	r := runIn(t, dir, "", "lint", "-f", "json", ".")
	if r.code != exitFindings || strings.Count(r.stdout, `"rule": "role-arn-invalid"`) != 3 ||
		!strings.Contains(r.stdout, `"justification": "the legacy namespace is deleted next sprint"`) ||
		!strings.Contains(r.stdout, `The ignore entry at .irsalint.yaml:5:5 that suppressed this expired on 2020-01-31`) {
		t.Errorf("exit %d\n%s", r.code, r.stdout)
	}
	if !strings.Contains(r.stderr, ".irsalint.yaml:10:5: notice: this ignore entry (static-aws-credentials) matches no finding") {
		t.Errorf("stale entry:\n%s", r.stderr)
	}
	sarif := runIn(t, dir, "", "lint", "-f", "sarif", ".")
	if !strings.Contains(sarif.stdout, `"suppressions": [`) || !strings.Contains(sarif.stdout, `"kind": "external"`) {
		t.Errorf("SARIF suppressions:\n%.2000s", sarif.stdout)
	}
	text := runIn(t, dir, "", "lint", ".")
	if !strings.Contains(text.stdout, "1 finding suppressed (1 by ignore entries)") {
		t.Errorf("text summary:\n%s", text.stdout)
	}
	for _, tc := range []struct{ config, want string }{
		{"ignore:\n  - rule: role-arn-invalid\n", ".irsalint.yaml:2:5: ignore[0]: a suppression needs a reason"},
		{"ignore:\n  - rule: role-arn-invalid\n    reason: x\n    expire: \"2027-01-01\"\n", `.irsalint.yaml:4:5: unknown key "expire" in ignore[0]`},
		{"ignore:\n  - rule: role-arn-invalid\n    reason: x\n    expires: soon\n", `.irsalint.yaml:4:5: ignore[0].expires: "soon" is not a date`},
		{"ignore:\n  - rule: role-arn-invaild\n    reason: x\n", `.irsalint.yaml:2:5: ignore: unknown rule "role-arn-invaild"`},
	} {
		config(tc.config)
		r := runIn(t, dir, "", "lint", ".")
		if r.code != exitError || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d\n%s", tc.config, r.code, r.stderr)
		}
	}
}

// Baseline round trip: record today's findings, add one problem, and only
// that one is reported; the known ones are counted.
func TestBaselineRoundTrip(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(repoRoot(t), "examples"), filepath.Join(dir, "examples"))
	base := filepath.Join(dir, "irsalint-baseline.json")
	r := runIn(t, dir, "", "lint", "--write-baseline", base, "examples/")
	if r.code != exitFindings {
		t.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
	}
	if r := runIn(t, dir, "", "lint", "--baseline", base, "examples/"); r.code != exitOK || !strings.Contains(r.stdout, "no findings") {
		t.Errorf("nothing new: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	extra := "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: new-one\n  namespace: test\n  annotations:\n    eks.amazonaws.com/role-arn: not-an-arn\n"
	if err := os.WriteFile(filepath.Join(dir, "examples", "test", "new.yaml"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runIn(t, dir, "", "lint", "-f", "json", "--baseline", base, "examples/")
	if r.code != exitFindings || strings.Count(r.stdout, `"fingerprint"`) < 1 || !strings.Contains(r.stdout, `"findings": 1,`) ||
		!strings.Contains(r.stderr, "known findings hidden by the baseline, 1 new; 0 of the baseline's findings are gone") {
		t.Errorf("one new: exit %d\n%.3000s\n%s", r.code, r.stdout, r.stderr)
	}
	text := runIn(t, dir, "", "lint", "--baseline", base, "examples/")
	if !strings.Contains(text.stdout, "1 finding (1 high)") || !strings.Contains(text.stdout, "known in the baseline)") {
		t.Errorf("text:\n%s", text.stdout)
	}
	if r := runIn(t, dir, "", "lint", "--baseline", filepath.Join(dir, "examples", ".irsalint.yaml"), "examples/"); r.code != exitError || !strings.Contains(r.stderr, "not a baseline") {
		t.Errorf("bad baseline: exit %d\n%s", r.code, r.stderr)
	}
	if r := runIn(t, dir, "", "lint", "--write-baseline", "examples/iam/account-authorization-details.json", "examples/"); r.code != exitError || !strings.Contains(r.stderr, "is also an input") {
		t.Errorf("baseline over an input: exit %d\n%s", r.code, r.stderr)
	}
}

// SARIF URIs are relative to the repository's top whatever the working
// directory, so that code scanning maps them to the right files; --root
// and --category set the base and automationDetails.
func TestSARIFFromASubfolder(t *testing.T) {
	root := t.TempDir()
	copyTree(t, filepath.Join(repoRoot(t), "examples"), filepath.Join(root, "examples"))
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := runIn(t, filepath.Join(root, "examples"), "", "lint", "-f", "sarif", "iam")
	if !strings.Contains(r.stdout, `"uri": "examples/iam/account-authorization-details.json"`) || strings.Contains(r.stdout, `"uri": "iam/`) {
		t.Errorf("from examples/:\n%.1500s", r.stdout)
	}
	r = runIn(t, filepath.Join(root, "examples"), "", "lint", "-f", "sarif", "--root", ".", "--category", "irsalint/iam", "iam")
	if !strings.Contains(r.stdout, `"uri": "iam/account-authorization-details.json"`) || !strings.Contains(r.stdout, `"id": "irsalint/iam/"`) {
		t.Errorf("--root . --category:\n%.1500s", r.stdout)
	}
}
