package config_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/config"
	"github.com/irsalint/irsalint/analyzer/internal/textpos"
	"github.com/irsalint/irsalint/analyzer/source"
)

const (
	fuzzDisplay = "repo/.irsalint.yaml"
	fuzzDir     = "/work/repo"
)

var configSeeds = []string{
	"",
	"# nothing configured yet\n",
	`# Cluster facts irsalint cannot read from manifests.
cluster:
  name: shop-prod
  oidcIssuer: https://oidc.eks.eu-central-1.amazonaws.com/id/3F8A1C0E5B7D9F2A4C6E8B0D1F3A5C7E
  accountId: "210987654321"
  region: eu-central-1
  kubernetesVersion: "1.30"
  fargateProfiles:
    - name: batch
      selectors:
        - namespace: batch-*
          labels:
            compute: fargate
        - namespace: reports
  podIdentityAssociations:
    - namespace: cart
      serviceAccount: cart-api
      roleArn: arn:aws:iam::210987654321:role/cart-api
    - namespace: cart
      serviceAccount: worker
      roleArn: arn:aws:iam::210987654321:role/cart-worker
      targetRoleArn: arn:aws:iam::109876543210:role/cart-data
      disableSessionTags: true
settings:
  hostNetworkAllowlist:
    - monitoring/node-agent
    - "*/datadog-agent"
  awsImages: [acme/s3-sync, ghcr.io/acme/uploader]
  awsEnv: [ACME_AWS_REGION]
rules:
  enable: [trust-missing-aud]
  disable:
    - hostnetwork-imds-exposure
  severity:
    trust-missing-aud: high
    orphan-trust: info
  dirs: [policy/irsalint, /opt/irsalint/rules]
`,
	"cluster:\n  podIdentityAssociations: []\n",
	"cluster: {name: a, name: b}\n",
	"cluster:\n  kubernetesVersion: 1.30\n  accountId: 012345678901\n",
	"rules:\n  severity:\n    a: severe\n    b: critical\n    c: [high]\n",
	"cluster:\n  fargateProfiles:\n    - selectors:\n        - labels: {a: 1, b: [x], c: ~}\n        - namespace: n\n          labels: [a]\n    - 7\n",
	"cluster:\n  podIdentityAssociations:\n    - namespace: a\n      disableSessionTags: \"yes\"\n    - {}\n    - x\n",
	"rules:\n  dirs:\n    -\n  enable: [~, 1]\n",
	"rules:\n  dirs: [../shared, ./, '']\n",
	"settings: []\nrules: x\ncluster: 1\n",
	"a: 1\n---\nb: 2\n",
	"---\n---\ncluster: {}\n",
	"cluster: {name: [\n",
	"cluster:\n\tname: x\n",
	"\xef\xbb\xbfcluster:\r\n  name: x\r\n  regin: y\r\n",
	`{"cluster": {"name": "x", "accountId": "210987654321"}, "rules": {"disable": ["a"]}}`,
	"x: &a {cluster: 1}\n<<: *a\n",
}

// FuzzParse reads arbitrary bytes as a configuration file. It must never
// panic or take long; an error is a *config.Error at a place inside the
// file; parsing is deterministic; and a configuration it accepts is well
// formed: absolute rule directories, known severities, every list of
// strings made of strings, every recorded position inside the file.
func FuzzParse(f *testing.F) {
	for _, s := range configSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		checkParse(t, data)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("took %v for %d bytes", d, len(data))
		}
	})
}

func checkParse(t *testing.T, data []byte) {
	text := textpos.New(data)
	inside := func(what string, l analyzer.Location) {
		t.Helper()
		if l.File != fuzzDisplay {
			t.Fatalf("%s: file %q", what, l.File)
		}
		if err := text.Check(l.Line, max(l.Column, 1)); err != nil {
			// Column 0 is a location that names a line only.
			t.Fatalf("%s at %s: %v", what, l, err)
		}
	}
	cfg, err := config.Parse(data, fuzzDisplay, fuzzDir)
	cfg2, err2 := config.Parse(data, fuzzDisplay, fuzzDir)
	if fmt.Sprint(err) != fmt.Sprint(err2) || fmt.Sprintf("%#v", deref(cfg)) != fmt.Sprintf("%#v", deref(cfg2)) {
		t.Fatalf("two parses differ:\n%v\n%v", err, err2)
	}
	if err != nil {
		var ce *config.Error
		if !errors.As(err, &ce) {
			t.Fatalf("error %T is not a *config.Error: %v", err, err)
		}
		if cfg != nil || ce.Msg == "" {
			t.Fatalf("error %v with config %v", err, cfg)
		}
		var se *source.Error
		if _, derr := source.Decode(data); errors.As(derr, &se) && se.Pos.Line == 0 && ce.Location.Line == 0 {
			// The YAML decoder knows no position for some errors (an
			// alias to an unknown anchor that appears more than once)
			// and gives none rather than a guess.
			return
		}
		inside("error "+ce.Msg, ce.Location)
		return
	}
	if cfg == nil || cfg.File != fuzzDisplay {
		t.Fatalf("config %+v", cfg)
	}
	for _, d := range cfg.Rules.Dirs {
		if !filepath.IsAbs(d) {
			t.Fatalf("rule directory %q is not absolute", d)
		}
	}
	for id, s := range cfg.Rules.Severity {
		if p, err := analyzer.ParseSeverity(s.String()); err != nil || p != s {
			t.Fatalf("rule %q has severity %v", id, s)
		}
	}
	for _, list := range [][]string{cfg.Rules.Enable, cfg.Rules.Disable} {
		for _, id := range list {
			if _, ok := cfg.Rules.Positions[id]; !ok {
				t.Fatalf("rule %q has no position", id)
			}
		}
	}
	for id, l := range cfg.Rules.Positions {
		inside("rule "+id, l)
	}
	for k, l := range cfg.Cluster.Positions {
		inside("cluster."+k, l)
	}
	for _, a := range cfg.Cluster.PodIdentityAssociations {
		if a.Namespace == "" || a.ServiceAccount == "" {
			t.Fatalf("association %+v", a)
		}
		inside("association", a.Location)
	}
	for _, p := range cfg.Cluster.FargateProfiles {
		for _, s := range p.Selectors {
			if s.Namespace == "" || s.Labels == nil {
				t.Fatalf("Fargate selector %+v", s)
			}
		}
	}
	checkStringLists(t, data)
}

// checkStringLists verifies that the lists of strings of an accepted
// configuration hold strings only: a null item is no rule directory or
// rule ID.
func checkStringLists(t *testing.T, data []byte) {
	t.Helper()
	docs, err := source.Decode(data)
	if err != nil || len(docs) != 1 {
		return
	}
	top, _ := docs[0].Value.(map[string]any)
	for _, section := range []struct {
		name string
		keys []string
	}{
		{"settings", []string{"hostNetworkAllowlist", "awsImages", "awsEnv"}},
		{"rules", []string{"enable", "disable", "dirs"}},
	} {
		m, _ := top[section.name].(map[string]any)
		for _, k := range section.keys {
			list, _ := m[k].([]any)
			for i, it := range list {
				if _, ok := it.(string); !ok {
					t.Fatalf("%s.%s[%d] is %#v, and the configuration was accepted", section.name, k, i, it)
				}
			}
		}
	}
}

func deref(c *config.Config) any {
	if c == nil {
		return nil
	}
	return *c
}
