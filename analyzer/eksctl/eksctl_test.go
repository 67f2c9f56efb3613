package eksctl_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/eksctl"
	"github.com/irsalint/irsalint/analyzer/internal/textpos"
	"github.com/irsalint/irsalint/analyzer/reader"
	"github.com/irsalint/irsalint/analyzer/source"
)

const file = "cluster.yaml"

const cfg = `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: shop
  region: eu-west-1
  version: "1.31"
iam:
  withOIDC: true
  serviceAccounts:
    - metadata:
        name: uploader
      attachPolicyARNs: [arn:aws:iam::512345678901:policy/uploads]
    - metadata:
        name: indexer
        namespace: search
      roleName: search-indexer
      roleOnly: true
  podIdentityAssociations:
    - namespace: cart
      serviceAccountName: cart-api
      roleARN: arn:aws:iam::512345678901:role/cart-api
`

func read(t *testing.T, text string) reader.Result {
	t.Helper()
	docs, err := source.Decode([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if !(eksctl.Reader{}).Detect(docs[0].Value) {
		t.Fatal("not detected")
	}
	return eksctl.Reader{}.Read(file, docs[0])
}

func byCollection(res reader.Result) map[string][]reader.Item {
	out := map[string][]reader.Item{}
	for _, it := range res.Items {
		out[it.Collection] = append(out[it.Collection], it)
	}
	return out
}

func line(it reader.Item, at ...any) int {
	loc, _ := it.Origin.Locate(append(append([]any{}, it.Base...), at...))
	return loc.Line
}

func TestServiceAccountsAndRoles(t *testing.T) {
	res := read(t, cfg)
	items := byCollection(res)
	// The namespace defaults to default; roleOnly creates no
	// ServiceAccount.
	sas := items[reader.ServiceAccounts]
	if len(sas) != 1 || sas[0].Key != "default/uploader" {
		t.Fatalf("service accounts %+v", sas)
	}
	arn := "arn:aws:iam::512345678901:role/eksctl-shop-addon-iamserviceaccount-default-uploader-Role1-" + eksctl.UnknownSuffix
	if got := sas[0].Entry["annotations"].(map[string]any)["eks.amazonaws.com/role-arn"]; got != arn {
		t.Errorf("annotation %v, want %s", got, arn)
	}
	roles := items[reader.Roles]
	if len(roles) != 2 || roles[0].Key != arn || roles[1].Key != "arn:aws:iam::512345678901:role/search-indexer" {
		t.Fatalf("roles %+v", roles)
	}
	// The generated trust: the issuer is a placeholder, the subject the
	// ServiceAccount's, placed at its namespace line (or its name's).
	sub := []any{"AssumeRolePolicyDocument", "Statement", 0, "Condition", "StringEquals", eksctl.UnknownIssuer + ":sub"}
	if l := line(roles[0], sub...); l != 11 {
		t.Errorf("uploader's sub at line %d, want 11 (its name: no namespace)", l)
	}
	if l := line(roles[1], sub...); l != 15 {
		t.Errorf("indexer's sub at line %d, want 15", l)
	}
	if l := line(roles[1], "RoleName"); l != 16 {
		t.Errorf("indexer's RoleName at line %d, want 16", l)
	}
	if l := line(sas[0], "metadata", "annotations", "eks.amazonaws.com/role-arn"); l != 11 {
		t.Errorf("annotation at line %d, want 11", l)
	}
	assocs := items[reader.PodIdentityAssociations]
	if len(assocs) != 1 || assocs[0].Key != "cart/cart-api" || assocs[0].Entry["roleArn"] != "arn:aws:iam::512345678901:role/cart-api" || line(assocs[0], "roleArn") != 21 {
		t.Errorf("associations %+v", assocs)
	}
	cl := items[reader.Clusters]
	if len(cl) != 1 || cl[0].Entry["version"] != "1.31" || cl[0].Entry["arn"] != "arn:aws:eks:eu-west-1:512345678901:cluster/shop" {
		t.Errorf("clusters %+v", cl)
	}
	// One notice: the issuer is not known; no advice to render the file.
	if len(res.Diagnostics) != 1 || res.Diagnostics[0].Level != analyzer.LevelNotice || strings.Contains(res.Diagnostics[0].Message, "envsubst") {
		t.Errorf("diagnostics %+v", res.Diagnostics)
	}
}

func TestPodIdentityRoleEksctlCreates(t *testing.T) {
	res := read(t, `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: shop}
addons:
  - name: vpc-cni
    podIdentityAssociations:
      - namespace: kube-system
        serviceAccountName: aws-node
        permissionPolicyARNs: [arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy]
      - serviceAccountName: no-namespace
`)
	items := byCollection(res)
	roles := items[reader.Roles]
	if len(roles) != 1 {
		t.Fatalf("roles %+v", roles)
	}
	tp := roles[0].Entry["trustPolicy"].(map[string]any)
	if text := fmt.Sprint(tp); !strings.Contains(text, "pods.eks.amazonaws.com") || !strings.Contains(text, "actions:[sts:assumerole sts:tagsession]") {
		t.Errorf("trust %v", tp)
	}
	if a := items[reader.PodIdentityAssociations]; len(a) != 1 || a[0].Entry["roleArn"] != roles[0].Key {
		t.Errorf("associations %+v", a)
	}
	if !strings.Contains(fmt.Sprint(res.Facts), reader.PodIdentityAssociations) {
		t.Errorf("facts %v", res.Facts)
	}
	if len(res.Diagnostics) != 1 || !strings.Contains(res.Diagnostics[0].Message, "without namespace") || res.Diagnostics[0].Location.Line != 10 {
		t.Errorf("diagnostics %+v", res.Diagnostics)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {region: us-east-1}\n", "without metadata.name"},
		{"apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: a}\niam:\n  serviceAccounts: [1, {metadata: {namespace: x}}]\n", "is not a mapping"},
		{"apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: a}\nmanagedNodeGroups: [{instanceType: m5.large}]\n", "without a name"},
	} {
		res := read(t, tc.text)
		found := false
		for _, d := range res.Diagnostics {
			if d.Level == analyzer.LevelError && strings.Contains(d.Message, tc.want) && d.Location.Line > 0 {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: diagnostics %+v, want an error saying %q", tc.text, res.Diagnostics, tc.want)
		}
	}
}

// FuzzRead reads arbitrary bytes as ClusterConfigs: never a panic or a
// long read; every diagnostic and item placed inside the file; refs
// unique; the same reading twice.
func FuzzRead(f *testing.F) {
	for _, s := range []string{cfg,
		"apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: a, version: 1.3}\nmanagedNodeGroups: [{name: x, disablePodIMDS: true}, {name: y, launchTemplate: {id: 1}}]\nnodeGroups: [{name: z, disableIMDSv1: \"no\"}]\n",
		"apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: a}\niam: {serviceAccounts: [{metadata: {name: s, annotations: {a: b}, labels: [1]}, tags: {k: 1}}], podIdentityAssociations: [{namespace: n, serviceAccountName: s, createServiceAccount: true, roleName: r}]}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		docs, _ := source.Decode(data)
		text := textpos.New(data)
		for _, doc := range docs {
			if !(eksctl.Reader{}).Detect(doc.Value) {
				continue
			}
			res := eksctl.Reader{}.Read(file, doc)
			if again := (eksctl.Reader{}).Read(file, doc); fmt.Sprint(again.Diagnostics) != fmt.Sprint(res.Diagnostics) || len(again.Items) != len(res.Items) {
				t.Fatal("two readings differ")
			}
			for _, d := range res.Diagnostics {
				if err := text.Check(d.Location.Line, d.Location.Column); d.Location.File != file || err != nil {
					t.Fatalf("diagnostic %+v: %v", d, err)
				}
			}
			refs := map[string]bool{}
			for _, it := range res.Items {
				ref := it.Entry["ref"].(string)
				if refs[ref] {
					t.Fatalf("ref %s twice", ref)
				}
				refs[ref] = true
				loc, _ := it.Origin.Locate(it.Base)
				if err := text.Check(loc.Line, loc.Column); loc.File != file || err != nil {
					t.Fatalf("item %s at %+v: %v", it.Name, loc, err)
				}
			}
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("took %v", d)
		}
	})
}

func TestWithoutOIDC(t *testing.T) {
	res := read(t, "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: a}\niam:\n  withOIDC: false\n  serviceAccounts: [{metadata: {name: s}}]\n")
	found := false
	for _, d := range res.Diagnostics {
		if d.Level == analyzer.LevelNotice && strings.Contains(d.Message, "iam.withOIDC is not true") && d.Location.Line == 5 {
			found = true
		}
	}
	if !found {
		t.Errorf("diagnostics %+v", res.Diagnostics)
	}
	for _, d := range read(t, cfg).Diagnostics {
		if strings.Contains(d.Message, "withOIDC") {
			t.Errorf("notice with withOIDC: true: %s", d.Message)
		}
	}
}

func TestUnquotedVersion(t *testing.T) {
	res := read(t, "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: a\n  version: 1.30\n")
	cl := byCollection(res)[reader.Clusters]
	if len(cl) != 1 || cl[0].Entry["version"] != nil {
		t.Fatalf("clusters %+v", cl)
	}
	if len(res.Diagnostics) != 1 || !strings.Contains(res.Diagnostics[0].Message, "quote it") || res.Diagnostics[0].Location.Line != 5 {
		t.Errorf("diagnostics %+v", res.Diagnostics)
	}
}
