package lint_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/analyzer/inventory"
	"github.com/irsalint/irsalint/analyzer/lint"
)

// The corpus generator (../shared/bench/gencorpus) injects defects and
// writes them down in ground-truth.json. Its kinds that are irsalint rules
// must each be found on the right object, and those rules must find nothing
// else: the README of the generator lists the other rules that legitimately
// fire on the corpus, and they are not compared here.
var groundTruthRules = map[string]bool{
	"role-not-found":           true,
	"trust-does-not-admit-sa":  true,
	"trust-missing-sub":        true,
	"trust-wildcard-sub":       true,
	"trust-missing-aud":        true,
	"trust-principal-wildcard": true,
}

type groundTruth struct {
	Defects []struct {
		Kind      string `json:"kind"`
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
		RoleArn   string `json:"roleArn"`
		Detail    string `json:"detail"`
	} `json:"defects"`
}

func TestGroundTruthCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the generated corpus")
	}
	t.Parallel()
	corpus := genCorpus(t, 1500, 300)
	b, err := os.ReadFile(filepath.Join(corpus, "ground-truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gt groundTruth
	if err := json.Unmarshal(b, &gt); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	eng, q := everyRule(t, engine.Options{})
	// Manifests plus the account's authorization details; no cluster
	// context, so issuers are inferred (the corpus spans three clusters).
	inv, diags := lint.Load(context.Background(), lint.Input{
		Paths:      []string{filepath.Join(corpus, "manifests"), filepath.Join(corpus, "iam", "account-authorization-details.json")},
		WorkingDir: corpus,
		Settings:   inventory.DefaultSettings(),
	})
	if len(diags) > 0 {
		t.Fatalf("diagnostics on the corpus: %v", diags)
	}
	res, err := lint.Run(ctx, eng, q, inv)
	if err != nil {
		t.Fatal(err)
	}

	want := map[string]bool{}
	counts := map[string]int{}
	for _, d := range gt.Defects {
		if !groundTruthRules[d.Kind] {
			continue
		}
		counts[d.Kind]++
		switch d.Kind {
		case "role-not-found", "trust-does-not-admit-sa":
			want[d.Kind+" @ ServiceAccount "+d.Namespace+"/"+d.Name] = true
		default:
			want[d.Kind+" @ role "+d.RoleArn] = true
		}
	}
	got := map[string]string{}
	for _, f := range res.Findings {
		if groundTruthRules[f.Rule] {
			got[f.Rule+" @ "+f.Object] = f.Location.String() + ": " + f.Message
		}
	}
	var missing, extra []string
	for k := range want {
		if _, ok := got[k]; !ok {
			missing = append(missing, k)
		}
	}
	for k, where := range got {
		if !want[k] {
			extra = append(extra, fmt.Sprintf("%s\n      %s", k, where))
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	for _, m := range missing {
		t.Errorf("injected defect not found: %s", m)
	}
	for _, e := range extra {
		t.Errorf("finding with no injected defect: %s", e)
	}
	t.Logf("ground truth: %v; %d findings in all", counts, len(res.Findings))
	if len(want) == 0 {
		t.Fatal("the corpus has no defect of a rule kind: the comparison proves nothing")
	}
}
