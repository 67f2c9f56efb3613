package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/irsalint/irsalint/analyzer"
)

const full = `# The seed's cluster.
cluster:
  name: eks-lexing
  oidcIssuer: https://oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56
  accountId: "743263909644"
  region: us-west-2
  kubernetesVersion: "1.29"
  fargateProfiles:
    - name: serverless
      selectors:
        - namespace: jobs-*
          labels: {compute: fargate}
  podIdentityAssociations:
    - namespace: payments
      serviceAccount: api
      roleArn: arn:aws:iam::743263909644:role/payments-api
settings:
  hostNetworkAllowlist: [monitoring/node-agent]
  awsImages: [acme/s3-sync]
rules:
  disable: [hostnetwork-imds-exposure]
  severity:
    trust-missing-aud: medium
  dirs: [policy]
`

func TestParseFull(t *testing.T) {
	cfg, err := Parse([]byte(full), ".irsalint.yaml", "/repo")
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Cluster
	if c.Name != "eks-lexing" || c.AccountID != "743263909644" || c.Region != "us-west-2" || c.KubernetesVersion != "1.29" ||
		!strings.HasPrefix(c.OIDCIssuer, "https://oidc.eks.us-west-2") {
		t.Errorf("cluster %+v", c)
	}
	if want := []FargateProfile{{Name: "serverless", Selectors: []FargateSelector{{Namespace: "jobs-*", Labels: map[string]string{"compute": "fargate"}}}}}; !reflect.DeepEqual(c.FargateProfiles, want) {
		t.Errorf("fargate %+v", c.FargateProfiles)
	}
	if len(c.PodIdentityAssociations) != 1 || c.PodIdentityAssociations[0].RoleARN != "arn:aws:iam::743263909644:role/payments-api" || c.PodIdentityAssociations[0].Location.Line != 14 {
		t.Errorf("associations %+v", c.PodIdentityAssociations)
	}
	if loc := c.Positions["kubernetesVersion"]; loc.Line != 7 || loc.Column != 3 {
		t.Errorf("kubernetesVersion at %v", loc)
	}
	if !reflect.DeepEqual(cfg.Settings.HostNetworkAllowlist, []string{"monitoring/node-agent"}) || !reflect.DeepEqual(cfg.Settings.AWSImages, []string{"acme/s3-sync"}) {
		t.Errorf("settings %+v", cfg.Settings)
	}
	if !reflect.DeepEqual(cfg.Rules.Disable, []string{"hostnetwork-imds-exposure"}) || cfg.Rules.Severity["trust-missing-aud"] != analyzer.SeverityMedium ||
		!reflect.DeepEqual(cfg.Rules.Dirs, []string{filepath.Join("/repo", "policy")}) {
		t.Errorf("rules %+v", cfg.Rules)
	}
}

func TestAssociationsAbsentVersusEmpty(t *testing.T) {
	cfg, err := Parse([]byte("cluster:\n  name: x\n"), "c.yaml", "/")
	if err != nil || cfg.Cluster.PodIdentityAssociations != nil {
		t.Errorf("absent: %v %v", cfg.Cluster.PodIdentityAssociations, err)
	}
	cfg, err = Parse([]byte("cluster:\n  podIdentityAssociations: []\n"), "c.yaml", "/")
	if err != nil || cfg.Cluster.PodIdentityAssociations == nil || len(cfg.Cluster.PodIdentityAssociations) != 0 {
		t.Errorf("empty: %v %v", cfg.Cluster.PodIdentityAssociations, err)
	}
}

func TestPaths(t *testing.T) {
	cfg, err := Parse([]byte("paths:\n  include: [\"deploy/**\"]\n  exclude: [\"**/test/**\", \"*.generated.yaml\"]\n"), "c.yaml", "/repo")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Paths.Dir != "/repo" || len(cfg.Paths.Include) != 1 || len(cfg.Paths.Exclude) != 2 || cfg.Paths.Exclude[1] != "*.generated.yaml" {
		t.Errorf("paths: %+v", cfg.Paths)
	}
}

func TestStrictErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"clusters: {}\n", `c.yaml:1:1: unknown key "clusters" in the configuration`},
		{"cluster:\n  oidc: x\n", `c.yaml:2:3: unknown key "oidc" in cluster`},
		{"cluster:\n  kubernetesVersion: 1.30\n", `c.yaml:2:3: cluster.kubernetesVersion: write it as a quoted string`},
		{"cluster:\n  accountId: 012345678901\n", `c.yaml:2:3: cluster.accountId: write it as a quoted string`},
		{"cluster:\n  name: a\n  name: b\n", `c.yaml:3:3: key "name" is set twice (first at line 2)`},
		{"cluster:\n  fargateProfiles:\n    - name: p\n      selectors:\n        - labels: {a: b}\n", `c.yaml:5:11: a Fargate selector needs a namespace`},
		{"cluster:\n  podIdentityAssociations:\n    - namespace: a\n", `c.yaml:3:7: a Pod Identity association needs namespace and serviceAccount`},
		{"rules:\n  severity:\n    x: severe\n", `c.yaml:3:5: rules.severity.x: unknown severity "severe"`},
		{"rules: [a]\n", `c.yaml:1:1: rules: expected a mapping`},
		{"cluster: {name: [\n", `c.yaml:2:1:`},
		{"a: 1\n---\nb: 2\n", `the configuration must be one YAML document`},
		{"rules:\n  dirs:\n    -\n", `c.yaml:3:6: rules.dirs[0]: expected a string, got an empty item`},
		{"settings:\n  awsEnv: [A, ~]\n", `c.yaml:2:15: settings.awsEnv[1]: expected a string, got an empty item`},
		{"paths:\n  exclude: [\"charts/[\"]\n", `c.yaml:2:13: paths.exclude[0]: "charts/[" is not a valid glob`},
		{"paths:\n  excludes: [x]\n", `c.yaml:2:3: unknown key "excludes" in paths`},
	} {
		_, err := Parse([]byte(tc.text), "c.yaml", "/")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.text, err, tc.want)
		}
	}
}

func TestFindWalksUp(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, ok := Find(deep); ok {
		t.Fatal("found a configuration in an empty tree")
	}
	want := filepath.Join(root, "a", ".irsalint.yml")
	if err := os.WriteFile(want, []byte("cluster: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, ok := Find(deep); !ok || got != want {
		t.Errorf("Find = %q, %v; want %q", got, ok, want)
	}
	cfg, err := Load(want, "a/.irsalint.yml", true)
	if err != nil || cfg.File != "a/.irsalint.yml" {
		t.Errorf("Load: %v %v", cfg, err)
	}
	if _, err := Load(filepath.Join(root, "missing.yaml"), "missing.yaml", false); err == nil || !strings.Contains(err.Error(), "missing.yaml: no such file") {
		t.Errorf("missing file: %v", err)
	}
}

// TestLoadHostileFiles: a configuration that is a pipe, a device, too large
// or a link out of its folder is refused with a message, never read.
func TestLoadHostileFiles(t *testing.T) {
	root := t.TempDir()
	fifo := filepath.Join(root, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(root, "zero.yaml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(root, "big.yaml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", MaxFileSize)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	outsideTarget := filepath.Join(other, "c.yaml")
	if err := os.WriteFile(outsideTarget, []byte("cluster: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, ".irsalint.yaml")
	if err := os.Symlink(outsideTarget, out); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path  string
		found bool
		want  string
	}{
		{fifo, false, "fifo.yaml: not a regular file; a configuration must be one"},
		{zero, false, "zero.yaml: not a regular file; a configuration must be one"},
		{zero, true, `zero.yaml: a symbolic link to "/dev/zero", outside the folder that holds it; not read (name a configuration with --config)`},
		{big, false, "big.yaml: larger than the 1 MiB a configuration file may have"},
		{out, true, `.irsalint.yaml: a symbolic link to "` + outsideTarget + `", outside the folder that holds it; not read (name a configuration with --config)`},
	} {
		done := make(chan error, 1)
		go func() { _, err := Load(tc.path, filepath.Base(tc.path), tc.found); done <- err }()
		select {
		case err := <-done:
			if err == nil || err.Error() != tc.want {
				t.Errorf("%s: %v, want %s", tc.path, err, tc.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Load did not return", tc.path)
		}
	}
	// Named with --config, a link anywhere is the user's choice.
	if _, err := Load(out, ".irsalint.yaml", false); err != nil {
		t.Errorf("named link: %v", err)
	}
}

func TestRuleDirsStayInside(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "policy", "team"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(t.TempDir(), filepath.Join(root, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("policy/team", filepath.Join(root, "team")); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse([]byte("rules:\n  dirs: [policy, ./policy/team, team, missing]\n"), ".irsalint.yaml", root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(root, "policy"), filepath.Join(root, "policy", "team"), filepath.Join(root, "team"), filepath.Join(root, "missing")}
	if !reflect.DeepEqual(cfg.Rules.Dirs, want) {
		t.Errorf("dirs %q, want %q", cfg.Rules.Dirs, want)
	}
	for in, want := range map[string]string{
		"rules:\n  dirs: [/etc]\n":           `.irsalint.yaml:2:10: rules.dirs: "/etc" is an absolute path; rule folders named in a configuration file must be inside the folder that holds it (--rules may name any)`,
		"rules:\n  dirs: [../x]\n":           `.irsalint.yaml:2:10: rules.dirs: "../x" leads outside ` + root + `; rule folders named in a configuration file must be inside the folder that holds it (--rules may name any)`,
		"rules:\n  dirs: [policy/../../x]\n": `.irsalint.yaml:2:10: rules.dirs: "policy/../../x" leads outside ` + root + `; rule folders named in a configuration file must be inside the folder that holds it (--rules may name any)`,
		"rules:\n  dirs: [escape]\n":         `.irsalint.yaml:2:10: rules.dirs: "escape" is a symbolic link leading outside ` + root + `; rule folders named in a configuration file must be inside the folder that holds it (--rules may name any)`,
	} {
		if _, err := Parse([]byte(in), ".irsalint.yaml", root); err == nil || err.Error() != want {
			t.Errorf("%q:\n got  %v\n want %s", in, err, want)
		}
	}
}

func TestLimits(t *testing.T) {
	cfg, err := Parse([]byte("limits:\n  timeout: 90s\n  memory: 2GiB\n  maxFileSize: 5MiB\n  maxTotalSize: 100MB\n  maxFiles: 500\n  maxFindings: 100\n"), ".irsalint.yaml", "/repo")
	if err != nil {
		t.Fatal(err)
	}
	l := cfg.Limits
	if l.Timeout != 90*time.Second || l.Memory != 2<<30 || l.MaxFileSize != 5<<20 || l.MaxTotalSize != 100e6 || l.MaxFiles != 500 || l.MaxFindings != 100 {
		t.Errorf("limits %+v", l)
	}
	if l.Positions["maxFiles"].Line != 6 {
		t.Errorf("positions %v", l.Positions)
	}
	for in, want := range map[string]string{
		"limits:\n  timeout: soon\n":      ".irsalint.yaml:2:3: limits.timeout: want a duration such as 10m or 90s",
		"limits:\n  timeout: -1s\n":       ".irsalint.yaml:2:3: limits.timeout: want a duration such as 10m or 90s",
		"limits:\n  memory: 1e30\n":       `.irsalint.yaml:2:3: limits.memory: want a size such as "10MiB"`,
		"limits:\n  memory: 0.5B\n":       `.irsalint.yaml:2:3: limits.memory: invalid size "0.5B": not a whole number of bytes`,
		"limits:\n  maxFiles: 0\n":        ".irsalint.yaml:2:3: limits.maxFiles: want a whole number from 1",
		"limits:\n  maxFindings: many\n":  ".irsalint.yaml:2:3: limits.maxFindings: want a whole number from 1",
		"limits:\n  maxFileSizes: 1MiB\n": `.irsalint.yaml:2:3: unknown key "maxFileSizes" in limits (known: timeout, memory, maxFileSize, maxTotalSize, maxFiles, maxFindings)`,
	} {
		if _, err := Parse([]byte(in), ".irsalint.yaml", "/repo"); err == nil || err.Error() != want {
			t.Errorf("%q:\n got  %v\n want %s", in, err, want)
		}
	}
}

func TestFirstErrorIsStable(t *testing.T) {
	// The first error used to depend on map order.
	for _, tc := range []struct{ text, want string }{
		{"rules:\n  severity:\n    b: [high]\n    a: severe\n", `c.yaml:4:5: rules.severity.a: unknown severity "severe"`},
		{"cluster:\n  fargateProfiles:\n    - selectors:\n        - namespace: jobs\n          labels: {b: [x], a: 1}\n", `c.yaml:5:28: cluster.fargateProfiles[0].selectors[0].labels.a: write it as a quoted string`},
	} {
		for range 20 {
			if _, err := Parse([]byte(tc.text), "c.yaml", "/"); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%q: error %v, want %q", tc.text, err, tc.want)
			}
		}
	}
}

func TestComplete(t *testing.T) {
	cfg, err := Parse([]byte("complete:\n  clusterObjects: true\n  clusterRegions: [us-west-2, eu-west-1]\n"), ".irsalint.yaml", "/repo")
	if err != nil {
		t.Fatal(err)
	}
	want := Complete{ClusterObjects: true, ClusterRegions: []string{"us-west-2", "eu-west-1"}}
	if !reflect.DeepEqual(cfg.Complete, want) {
		t.Errorf("complete %+v, want %+v", cfg.Complete, want)
	}
	for in, msg := range map[string]string{
		"complete:\n  clusterObjects: yes please\n": ".irsalint.yaml:2:3: complete.clusterObjects: expected true or false",
		"complete:\n  namespaces: true\n":           `.irsalint.yaml:2:3: unknown key "namespaces" in complete (known: clusterObjects, clusterRegions)`,
	} {
		if _, err := Parse([]byte(in), ".irsalint.yaml", "/repo"); err == nil || err.Error() != msg {
			t.Errorf("%q: %v, want %s", in, err, msg)
		}
	}
}
