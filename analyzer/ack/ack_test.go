package ack_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/ack"
	"github.com/irsalint/irsalint/analyzer/internal/textpos"
	"github.com/irsalint/irsalint/analyzer/reader"
	"github.com/irsalint/irsalint/analyzer/source"
)

const file = "iam/roles.yaml"

func read(t *testing.T, text string) reader.Result {
	t.Helper()
	docs, err := source.Decode([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if !(ack.Reader{}).Detect(docs[0].Value) {
		t.Fatal("not detected")
	}
	return ack.Reader{}.Read(file, docs[0])
}

const ackRole = `apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  name: exporter
spec:
  name: exporter
  path: /apps
  policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
  inlinePolicies:
    write-exports: '{"Statement": []}'
  assumeRolePolicyDocument: |
    {"Statement": [{"Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::381492006517:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/ABC"},
      "Action": "sts:AssumeRoleWithWebIdentity"}]}
`

func TestACKRole(t *testing.T) {
	res := read(t, ackRole)
	if len(res.Items) != 1 || len(res.Diagnostics) != 0 {
		t.Fatalf("items %+v diagnostics %v", res.Items, res.Diagnostics)
	}
	it := res.Items[0]
	if it.Collection != reader.Roles || it.Key != "arn:aws:iam::381492006517:role/apps/exporter" || it.Entry["account"] != "381492006517" {
		t.Errorf("item %+v", it)
	}
	// The action's line in the file: line 3 of the block.
	loc, _ := it.Origin.Locate(append(append([]any{}, it.Base...), "AssumeRolePolicyDocument", "Statement", 0, "Action"))
	if loc.File != file || loc.Line != 14 || loc.Column != 7 {
		t.Errorf("Action at %v, want %s:14:7", loc, file)
	}
	if fmt.Sprint(it.Entry["attachedPolicies"], it.Entry["inlinePolicies"]) != "[arn:aws:iam::aws:policy/ReadOnlyAccess] [write-exports]" {
		t.Errorf("policies %v %v", it.Entry["attachedPolicies"], it.Entry["inlinePolicies"])
	}
	if loc, _ := it.Origin.Locate(append(append([]any{}, it.Base...), "Path")); loc.Line != 7 {
		t.Errorf("Path at %v, want line 7", loc)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		line       int
		want       string
	}{
		{"JSON that does not parse, at its line", "apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\nmetadata: {name: x}\nspec:\n  name: x\n  assumeRolePolicyDocument: |\n    {\"Statement\": [\n      {\"Effect\": \"Allow\",,}\n    ]}\n", 8, "does not parse"},
		{"no document", "apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\nmetadata: {name: x}\nspec:\n  name: x\n", 4, "has no spec.assumeRolePolicyDocument"},
		{"document not a string", "apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\nmetadata: {name: x}\nspec:\n  name: x\n  assumeRolePolicyDocument: {Statement: []}\n", 6, "is not a string"},
		{"no name", "apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\nmetadata: {name: x}\nspec:\n  assumeRolePolicyDocument: '{}'\n", 4, "has no role name"},
		{"a JSON array", "apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\nmetadata: {name: x}\nspec:\n  name: x\n  assumeRolePolicyDocument: '[1]'\n", 6, "not a JSON object"},
		{"association without namespace", "apiVersion: eks.services.k8s.aws/v1alpha1\nkind: PodIdentityAssociation\nmetadata: {name: a}\nspec:\n  clusterName: c\n  serviceAccount: s\n  roleARN: arn:aws:iam::381492006517:role/r\n", 4, "has no spec.namespace"},
		{"Crossplane role without policy", "apiVersion: iam.aws.upbound.io/v1beta1\nkind: Role\nmetadata: {name: x}\nspec:\n  forProvider:\n    path: /\n", 5, "has no spec.forProvider.assumeRolePolicy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := read(t, tc.text)
			if len(res.Items) != 0 || len(res.Diagnostics) != 1 {
				t.Fatalf("items %+v diagnostics %v", res.Items, res.Diagnostics)
			}
			d := res.Diagnostics[0]
			if d.Level != analyzer.LevelError || d.Location.File != file || d.Location.Line != tc.line || !strings.Contains(d.Message, tc.want) {
				t.Errorf("diagnostic %+v, want an error at line %d saying %q", d, tc.line, tc.want)
			}
		})
	}
}

// An account the resource does not tell is a placeholder, with a notice;
// a Crossplane role takes its name from the external-name annotation and
// its account from the ARN in its status.
func TestAccountAndName(t *testing.T) {
	res := read(t, strings.Replace(ackRole, "arn:aws:iam::381492006517:oidc-provider/", "arn:aws:iam::${AWS_ACCOUNT}:oidc-provider/", 1))
	if len(res.Items) != 1 || res.Items[0].Key != "arn:aws:iam::${ACCOUNT_ID}:role/apps/exporter" {
		t.Fatalf("items %+v", res.Items)
	}
	var notices []string
	for _, d := range res.Diagnostics {
		if d.Level == analyzer.LevelNotice {
			notices = append(notices, d.Message)
		}
	}
	if len(notices) != 2 || !strings.Contains(strings.Join(notices, "\n"), "its account is not in the resource") {
		t.Errorf("notices %q", notices)
	}

	xp := `apiVersion: iam.aws.upbound.io/v1beta1
kind: Role
metadata:
  name: k8s-name
  annotations:
    crossplane.io/external-name: cloud-name
spec:
  forProvider:
    assumeRolePolicy: '{"Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}'
status:
  atProvider:
    arn: arn:aws:iam::290011223344:role/cloud-name
`
	res = read(t, xp)
	if len(res.Items) != 1 || res.Items[0].Key != "arn:aws:iam::290011223344:role/cloud-name" || len(res.Diagnostics) != 0 {
		t.Fatalf("items %+v diagnostics %v", res.Items, res.Diagnostics)
	}
	// A one-line string: everything in it at its line.
	it := res.Items[0]
	if loc, _ := it.Origin.Locate(append(append([]any{}, it.Base...), "AssumeRolePolicyDocument", "Statement", 0, "Principal")); loc.Line != 9 {
		t.Errorf("Principal at %v, want line 9", loc)
	}
}

func TestAssociation(t *testing.T) {
	res := read(t, `apiVersion: eks.services.k8s.aws/v1alpha1
kind: PodIdentityAssociation
metadata:
  name: cart
spec:
  clusterName: shop
  namespace: cart
  serviceAccount: cart-api
  roleRef:
    from: {name: cart-role}
`)
	if len(res.Items) != 1 || res.Items[0].Key != "cart/cart-api" || res.Items[0].Entry["roleArn"] != nil || res.Items[0].Entry["clusterName"] != "shop" {
		t.Fatalf("items %+v", res.Items)
	}
	if len(res.Facts) != 0 {
		t.Errorf("one resource claims to list every association: %v", res.Facts)
	}
	if len(res.Diagnostics) != 1 || res.Diagnostics[0].Level != analyzer.LevelNotice || res.Diagnostics[0].Location.Line != 9 {
		t.Errorf("diagnostics %+v", res.Diagnostics)
	}
	it := res.Items[0]
	if loc, _ := it.Origin.Locate(append(append([]any{}, it.Base...), "serviceAccount")); loc.Line != 8 {
		t.Errorf("serviceAccount at %v, want line 8", loc)
	}
}

// FuzzRead reads arbitrary bytes as ACK and Crossplane resources: never a
// panic or a long read; every diagnostic and every item's place inside the
// file; the same reading twice.
func FuzzRead(f *testing.F) {
	for _, s := range []string{ackRole,
		"apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\nspec:\n  name: x\n  assumeRolePolicyDocument: >\n    {\"Statement\":\n    [{}]}\n",
		"apiVersion: iam.aws.crossplane.io/v1beta1\nkind: Role\nmetadata: {name: x}\nspec: {forProvider: {assumeRolePolicyDocument: \"{\\\"Statement\\\": 1}\", tags: [{key: a}, 1]}}\n",
		"apiVersion: eks.services.k8s.aws/v1alpha1\nkind: PodIdentityAssociation\nspec: {namespace: a, serviceAccount: b, roleARN: 1}\n",
		"apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\nspec:\n  name: x\n  assumeRolePolicyDocument: |2\n     {}\n",
		"kind: List\nitems:\n- {apiVersion: iam.aws.upbound.io/v1beta1, kind: Role, metadata: {name: a}, spec: {forProvider: {assumeRolePolicy: \"{}\"}}}\n- {apiVersion: eks.services.k8s.aws/v1alpha1, kind: PodIdentityAssociation, spec: {namespace: a, serviceAccount: b}}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		docs, _ := source.Decode(data)
		text := textpos.New(data)
		for _, doc := range docs {
			if !(ack.Reader{}).Detect(doc.Value) {
				continue
			}
			res := ack.Reader{}.Read(file, doc)
			if again := (ack.Reader{}).Read(file, doc); fmt.Sprint(again.Diagnostics) != fmt.Sprint(res.Diagnostics) || len(again.Items) != len(res.Items) {
				t.Fatal("two readings differ")
			}
			for _, d := range res.Diagnostics {
				if err := text.Check(d.Location.Line, d.Location.Column); d.Location.File != file || err != nil {
					t.Fatalf("diagnostic %+v: %v", d, err)
				}
			}
			for _, it := range res.Items {
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

// kubectl get prints a List: each item is read, placed at its lines, with
// a ref of its own.
func TestList(t *testing.T) {
	res := read(t, `apiVersion: v1
kind: List
items:
  - apiVersion: iam.services.k8s.aws/v1alpha1
    kind: Role
    metadata: {name: a, namespace: x, uid: 1c9e}
    spec:
      name: a
      assumeRolePolicyDocument: |
        {"Statement": [{"Effect": "Allow",
          "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    status:
      ackResourceMetadata: {arn: "arn:aws:iam::290011223344:role/a", ownerAccountID: "290011223344"}
  - apiVersion: iam.services.k8s.aws/v1alpha1
    kind: Role
    metadata: {name: b, namespace: x}
    spec:
      name: b
      assumeRolePolicyDocument: '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}'
`)
	if len(res.Items) != 2 || res.Documents != 2 || res.Items[0].Entry["ref"] == res.Items[1].Entry["ref"] || res.Items[0].Key != "arn:aws:iam::290011223344:role/a" {
		t.Fatalf("items %+v", res.Items)
	}
	it := res.Items[0]
	if loc, _ := it.Origin.Locate(append(append([]any{}, it.Base...), "AssumeRolePolicyDocument", "Statement", 0, "Principal")); loc.Line != 11 || loc.Column != 11 {
		t.Errorf("Principal at %v, want 11:11", loc)
	}
	it = res.Items[1]
	if loc, _ := it.Origin.Locate(append(append([]any{}, it.Base...), "AssumeRolePolicyDocument", "Statement", 0, "Principal")); loc.Line != 19 {
		t.Errorf("Principal at %v, want line 19", loc)
	}
}

// irsalint.io/ignore on the resource suppresses rules on its role, placed
// at the annotation.
func TestIgnoreAnnotation(t *testing.T) {
	res := read(t, strings.Replace(ackRole, "  name: exporter\nspec:", "  name: exporter\n  annotations:\n    irsalint.io/ignore: \"trust-missing-aud: sandbox only\"\nspec:", 1))
	if len(res.Items) != 1 {
		t.Fatalf("items %+v", res.Items)
	}
	it := res.Items[0]
	if !it.Ignore["trust-missing-aud"] || it.IgnoreReason != "sandbox only" {
		t.Errorf("ignore %v %q", it.Ignore, it.IgnoreReason)
	}
	if loc, _ := it.Origin.Locate(append(append([]any{}, it.Base...), it.IgnoreAt...)); loc.Line != 6 {
		t.Errorf("annotation at %v, want line 6", loc)
	}
}

func TestDetect(t *testing.T) {
	for api, want := range map[string]bool{
		"iam.services.k8s.aws/v1alpha1": true, "iam.aws.upbound.io/v1beta1": true, "iam.aws.m.upbound.io/v1beta1": true,
		"iam.aws.crossplane.io/v1beta1": true, "rbac.authorization.k8s.io/v1": false, "iam.cnrm.cloud.google.com/v1beta1": false,
	} {
		if got := (ack.Reader{}).Detect(map[string]any{"apiVersion": api, "kind": "Role"}); got != want {
			t.Errorf("%s Role: Detect %v, want %v", api, got, want)
		}
	}
	if (ack.Reader{}).Detect(map[string]any{"kind": "List", "items": []any{map[string]any{"apiVersion": "v1", "kind": "ServiceAccount"}}}) {
		t.Error("a List of other objects detected")
	}
}

// A trust with an unrendered placeholder is not judged: one notice, at the
// policy's first line.
func TestPlaceholderTrust(t *testing.T) {
	res := read(t, `apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata: {name: r}
spec:
  name: r
  assumeRolePolicyDocument: |
    {"Statement": [{"Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::381492006517:oidc-provider/${OIDC_PROVIDER}"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {"StringEquals": {"${OIDC_PROVIDER}:sub": "system:serviceaccount:a:b"}}}]}
`)
	if len(res.Items) != 1 {
		t.Fatalf("items %+v", res.Items)
	}
	if len(res.Diagnostics) != 1 || res.Diagnostics[0].Level != analyzer.LevelNotice || !strings.Contains(res.Diagnostics[0].Message, "${OIDC_PROVIDER}") || res.Diagnostics[0].Location.Line != 7 {
		t.Errorf("diagnostics %+v", res.Diagnostics)
	}
}
