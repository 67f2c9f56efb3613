package inventory_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/config"
	"github.com/irsalint/irsalint/analyzer/internal/textpos"
	"github.com/irsalint/irsalint/analyzer/inventory"
	"github.com/irsalint/irsalint/analyzer/source"
)

// kubectlDeployment is a Deployment as `kubectl get deployment -o yaml`
// prints it, ignore annotations on the object and on its pod template.
const kubectlDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    deployment.kubernetes.io/revision: "3"
    irsalint.io/ignore: default-sa-has-role, static-aws-credentials
    irsalint.io/ignore-reason: the role is scoped to one bucket (SEC-1142)
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"name":"cart-api","namespace":"cart"}}
  creationTimestamp: "2024-11-04T09:20:11Z"
  generation: 3
  labels:
    app.kubernetes.io/name: cart-api
  name: cart-api
  namespace: cart
  resourceVersion: "48213377"
  uid: 0c6f3a52-8f7e-4d1b-9a3c-5e2b7d9f1a04
spec:
  progressDeadlineSeconds: 600
  replicas: 2
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app.kubernetes.io/name: cart-api
  strategy:
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}
    type: RollingUpdate
  template:
    metadata:
      annotations:
        irsalint.io/ignore: webhook-opt-out,,
      creationTimestamp: null
      labels:
        app.kubernetes.io/name: cart-api
    spec:
      serviceAccountName: cart-api
      containers:
      - name: api
        image: 210987654321.dkr.ecr.eu-central-1.amazonaws.com/cart-api:1.8.2
        env:
        - name: AWS_REGION
          value: eu-central-1
        imagePullPolicy: IfNotPresent
        resources: {}
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      securityContext: {}
      terminationGracePeriodSeconds: 30
status:
  availableReplicas: 2
  observedGeneration: 3
`

var inventorySeeds = []string{
	"",
	kubectlDeployment,
	// kubectl get sa,ns -o yaml: a List.
	`apiVersion: v1
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    annotations:
      eks.amazonaws.com/role-arn: arn:aws:iam::210987654321:role/cart-api
      eks.amazonaws.com/sts-regional-endpoints: "true"
      irsalint.io/ignore: sa-missing-role-arn
    creationTimestamp: "2024-11-04T09:20:10Z"
    name: cart-api
    namespace: cart
    resourceVersion: "48213301"
    uid: 5d0e9b4c-2a7f-4c8e-b1d3-7f6a9e2c4b18
- apiVersion: v1
  kind: Namespace
  metadata:
    annotations:
      irsalint.io/ignore: " , "
    labels:
      kubernetes.io/metadata.name: cart
    name: cart
  spec:
    finalizers: [kubernetes]
  status:
    phase: Active
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: cart-api, namespace: cart}
kind: List
metadata:
  resourceVersion: ""
`,
	// Ignore annotations of every shape.
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    irsalint.io/ignore: 7\n    Irsalint.io/ignore: a\nspec: {containers: [{name: c, image: busybox}]}\n" +
		"---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: s\n  annotations: {irsalint.io/ignore: [a, b], irsalint.io/ignore-reason: x}\n" +
		"---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: t\n  annotations: {irsalint.io/ignore: ~}\n" +
		"---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, annotations: null}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata: {annotations: {irsalint.io/ignore: \"a,\\tb,\\u00a0c,a\"}}\n        spec: {containers: []}\n",
	"apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d, namespace: kube-system, annotations: {irsalint.io/ignore-reason: no rule named}}\nspec:\n  template:\n    metadata: {annotations: {irsalint.io/ignore: x}}\n    spec: {hostNetwork: true, containers: [{name: c}]}\n",
	// IAM and EKS documents next to Kubernetes ones.
	`{"Role": {"RoleName": "cart-api", "Arn": "arn:aws:iam::210987654321:role/cart-api", "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22pods.eks.amazonaws.com%22%7D%2C%22Action%22%3A%5B%22sts%3AAssumeRole%22%2C%22sts%3ATagSession%22%5D%7D%5D%7D"}}`,
	"associations:\n- {clusterName: shop-prod, namespace: cart, serviceAccount: cart-api, associationArn: 'arn:aws:eks:eu-central-1:210987654321:podidentityassociation/shop-prod/a-1'}\n- {clusterName: other, namespace: cart, serviceAccount: worker}\n---\nassociation: {clusterName: shop-prod, namespace: cart, serviceAccount: cart-api, roleArn: 'arn:aws:iam::210987654321:role/cart-api'}\n",
	"Version: '2012-10-17'\nStatement: {Effect: Allow, Principal: {Service: pods.eks.amazonaws.com}, Action: sts:AssumeRole}\n---\nRoles: [{Arn: 'arn:aws:iam::1:role/a'}, {Arn: 'arn:aws:iam::1:role/a', AssumeRolePolicyDocument: {}}]\n",
	// A ServiceAccount annotated with a role whose web-identity trust the
	// inventory evaluates (one condition of each kind it decides or leaves).
	"apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: cart, namespace: shop, annotations: {eks.amazonaws.com/role-arn: 'arn:aws:iam::1:role/a', eks.amazonaws.com/audience: vault}}\n---\n" +
		"RoleDetailList: [{Arn: 'arn:aws:iam::1:role/a', AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [" +
		"{Effect: Allow, Principal: {Federated: 'arn:aws:iam::1:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/AB'}, Action: sts:AssumeRoleWithWebIdentity, " +
		"Condition: {StringEquals: {'oidc.eks.us-west-2.amazonaws.com/id/AB:sub': ['system:serviceaccount:shop:cart', 'system:serviceaccount:shop:x']}, StringLike: {'oidc.eks.us-west-2.amazonaws.com/id/AB:aud': 'v*'}, NumericLessThan: {'oidc.eks.us-west-2.amazonaws.com/id/AB:amr': 3}}}, " +
		"{Effect: Deny, Principal: '*', NotAction: sts:TagSession, Condition: {ForAnyValue:StringEquals: {'oidc.eks.us-west-2.amazonaws.com/id/ab:sub': system:serviceaccount:shop:x}}}]}}]\n",
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {x: y}}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: a}\n",
	"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n}\nspec: {serviceAccountName: s, automountServiceAccountToken: no, containers: [{name: c, image: amazon/aws-cli}]}\n---\napiVersion: v1\nkind: ReplicationController\nmetadata: {name: r}\nspec: {template: 1}\n",
}

// FuzzBuild reads arbitrary bytes as two files of a repository (the same
// text twice, so every object is declared again) for a cluster with a
// name and one association from the configuration. It must never panic or
// take long; every diagnostic and every object's source lies inside the
// file; ignore annotations are read from the object's or the pod
// template's irsalint.io/ignore, into trimmed rule IDs; building is
// deterministic and does not change the decoded documents; the input
// converts to a Rego value.
func FuzzBuild(f *testing.F) {
	for _, s := range inventorySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		checkBuild(t, data)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("took %v for %d bytes", d, len(data))
		}
	})
}

var fuzzFiles = []string{"a.yaml", "b.yaml"}

func fuzzCluster() inventory.Cluster {
	return inventory.Cluster{Name: "shop-prod", Associations: []config.Association{{
		Namespace: "cart", ServiceAccount: "worker", RoleARN: "arn:aws:iam::210987654321:role/cart-worker",
		Location: analyzer.Location{File: ".irsalint.yaml", Line: 3, Column: 7},
	}}}
}

func checkBuild(t *testing.T, data []byte) {
	docs, _ := source.Decode(data)
	text := textpos.New(data)
	before := fmt.Sprintf("%#v", docs)

	run := func() (*inventory.Inventory, []string, string) {
		b := inventory.NewBuilder(fuzzCluster(), inventory.DefaultSettings())
		var diags []string
		for _, name := range fuzzFiles {
			for _, d := range b.AddFile(name, docs) {
				if d.Location.File != name || d.Message == "" || (d.Level != analyzer.LevelError && d.Level != analyzer.LevelNotice) {
					t.Fatalf("diagnostic %+v", d)
				}
				if err := text.Check(d.Location.Line, d.Location.Column); err != nil {
					t.Fatalf("diagnostic %s: %v", d, err)
				}
				diags = append(diags, d.String())
			}
		}
		inv, built := b.Build()
		for _, d := range built {
			if d.Message == "" {
				t.Fatalf("build diagnostic %+v", d)
			}
			if slices.Contains(fuzzFiles, d.Location.File) {
				if err := text.Check(d.Location.Line, d.Location.Column); err != nil {
					t.Fatalf("build diagnostic %s: %v", d, err)
				}
			}
			diags = append(diags, d.String())
		}
		first := fmt.Sprintf("%#v", inv.Input)
		if again, _ := b.Build(); fmt.Sprintf("%#v", again.Input) != first {
			t.Fatal("a second Build of one builder differs")
		}
		sort.Strings(diags)
		return inv, diags, first
	}
	inv, diags, input := run()
	_, diags2, input2 := run()
	if input != input2 || strings.Join(diags, "\n") != strings.Join(diags2, "\n") {
		t.Fatal("two builders of the same files differ")
	}
	if fmt.Sprintf("%#v", docs) != before {
		t.Fatal("building changed the decoded documents")
	}
	if _, err := ast.InterfaceToValue(inv.Input); err != nil {
		t.Fatalf("ast.InterfaceToValue: %v", err)
	}
	for ref, src := range inv.Sources {
		if src.Pos == nil {
			if src.Fixed == nil {
				t.Fatalf("%s: no position tree and no fixed location", ref)
			}
			continue
		}
		loc := src.Locate(nil)
		if err := text.Check(loc.Line, loc.Column); err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		checkIgnore(t, text, ref, src)
	}
}

// checkIgnore verifies an object's ignore set against the annotation it was
// read from.
func checkIgnore(t *testing.T, text *textpos.Text, ref string, src *inventory.Source) {
	t.Helper()
	if src.Ignore == nil {
		if src.IgnoreAt != nil {
			t.Fatalf("%s: IgnoreAt %v without an ignore set", ref, src.IgnoreAt)
		}
		return
	}
	n := len(src.IgnoreAt)
	if n < 3 || src.IgnoreAt[n-1] != inventory.IgnoreAnnotation || src.IgnoreAt[n-2] != "annotations" {
		t.Fatalf("%s: IgnoreAt %v", ref, src.IgnoreAt)
	}
	full := append(append([]any{}, src.Base...), src.IgnoreAt...)
	if _, exact := src.Pos.Lookup(full); !exact {
		t.Fatalf("%s: IgnoreAt %v does not exist in the document", ref, src.IgnoreAt)
	}
	loc := src.Locate(src.IgnoreAt)
	if err := text.Check(loc.Line, loc.Column); err != nil {
		t.Fatalf("%s: ignore annotation: %v", ref, err)
	}
	for id := range src.Ignore {
		if id == "" || id != strings.TrimSpace(id) || strings.Contains(id, ",") {
			t.Fatalf("%s: ignored rule ID %q", ref, id)
		}
	}
}
