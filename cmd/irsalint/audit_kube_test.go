package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/irsalint/irsalint/analyzer/aws/awstest"
	"github.com/irsalint/irsalint/analyzer/kube/kubetest"
	"github.com/irsalint/irsalint/analyzer/report/sariftest"
)

var kubeSeeded struct {
	once sync.Once
	err  error
}

// auditCluster is the shared API server holding the objects of the audit
// tests: the ServiceAccounts of auditManifests, a ServiceAccount a Pod
// Identity association outlived (it was renamed), and a Deployment with the
// ReplicaSet and Pod a controller would have made.
func auditCluster(t *testing.T) *kubetest.Cluster {
	t.Helper()
	c := kubetest.Shared(t)
	kubeSeeded.once.Do(func() { kubeSeeded.err = seedAudit(context.Background(), c.Client) })
	if kubeSeeded.err != nil {
		t.Fatalf("seeding the cluster: %v", kubeSeeded.err)
	}
	return c
}

func seedAudit(ctx context.Context, k kubernetes.Interface) error {
	create := metav1.CreateOptions{}
	if _, err := k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, create); err != nil {
		return err
	}
	role := "eks.amazonaws.com/role-arn"
	for name, arn := range map[string]string{
		"cart":    "arn:aws:iam::" + auditAccount + ":role/cart",
		"orders":  "arn:aws:iam::" + auditAccount + ":role/orders",
		"reports": "arn:aws:iam::" + auditAccount + ":role/reports-reader",
		"default": "",
	} {
		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"}}
		if arn != "" {
			sa.Annotations = map[string]string{role: arn}
		}
		if _, err := k.CoreV1().ServiceAccounts("shop").Create(ctx, sa, create); err != nil {
			return err
		}
	}
	labels := map[string]string{"app": "cart"}
	spec := corev1.PodSpec{
		ServiceAccountName: "cart",
		SecurityContext:    &corev1.PodSecurityContext{RunAsNonRoot: ptr(true), RunAsUser: ptr(int64(1000)), FSGroup: ptr(int64(1000))},
		Containers:         []corev1.Container{{Name: "cart", Image: "public.ecr.aws/aws-containers/retail-store-sample-cart:1.0.0"}},
	}
	dep, err := k.AppsV1().Deployments("shop").Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "cart", Namespace: "shop"},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec}},
	}, create)
	if err != nil {
		return err
	}
	rs, err := k.AppsV1().ReplicaSets("shop").Create(ctx, &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: "cart-5d4f", Namespace: "shop", OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "cart", UID: dep.UID, Controller: ptr(true)}}},
		Spec: appsv1.ReplicaSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec}},
	}, create)
	if err != nil {
		return err
	}
	_, err = k.CoreV1().Pods("shop").Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "cart-5d4f-x2x9q", Namespace: "shop", Labels: labels,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: ptr(true)}}},
		Spec: spec,
	}, create)
	return err
}

func ptr[T any](v T) *T { return &v }

// The acceptance: an audit of the test AWS server and the real API
// server finds the seeded problems, exits 1, its SARIF validates, and the
// snapshot replays.
func TestAuditReadsTheLiveCluster(t *testing.T) {
	c := auditCluster(t)
	w := auditWorld()
	// An association whose ServiceAccount was renamed away.
	w.Accounts[0].Clusters[0].Associations = append(w.Accounts[0].Clusters[0].Associations,
		awstest.Association{Namespace: "shop", ServiceAccount: "billing", RoleArn: "arn:aws:iam::" + auditAccount + ":role/api-pod-identity"})
	s := awstest.NewServer(t, w)
	s.Setenv(t)
	dir := t.TempDir()
	args := []string{"audit", "--region", "us-west-2", "--cluster", "demo", "--kubeconfig", c.Kubeconfig}
	r := runIn(t, dir, "", append(args, "--snapshot", "snap", "-f", "json")...)
	if r.code != exitFindings {
		t.Fatalf("exit %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	got := rulesOf(t, r.stdout)
	for _, want := range []string{"node-imds-reachable", "oidc-provider-audience-missing", "pod-identity-association-stale", "role-not-found", "trust-missing-sub"} {
		if !slices.Contains(got, want) {
			t.Errorf("the audit did not report %s; it reported %v", want, got)
		}
	}
	// Both kinds of stale association: the renamed ServiceAccount needs the
	// complete list of the cluster's objects.
	if !strings.Contains(r.stdout, "shop/billing") {
		t.Errorf("the association of the missing ServiceAccount shop/billing was not reported:\n%s", r.stdout)
	}
	objects := "snap/kube/" + kubetest.AdminContext + "/objects.json"
	if !strings.Contains(r.stdout, `"file": "`+objects+`"`) {
		t.Errorf("no finding points into %s:\n%s", objects, r.stdout)
	}
	list, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(objects)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(list), "cart-5d4f") || !strings.Contains(string(list), `"kind": "Deployment"`) {
		t.Error("the Deployment's ReplicaSet and Pod should be left out, the Deployment kept")
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, "snap", ".irsalint.yaml"))
	if !strings.Contains(string(cfg), "clusterObjects: true") {
		t.Errorf("the snapshot's configuration does not say the cluster's objects are whole:\n%s", cfg)
	}
	if lint := runIn(t, dir, "", "lint", "-f", "json", "snap"); lint.code != r.code || lint.stdout != r.stdout {
		t.Errorf("lint of the snapshot differs from the audit (exit %d):\n%s", lint.code, lint.stdout)
	}
	sarif := runIn(t, dir, "", append(args, "-f", "sarif")...)
	if sarif.code != exitFindings {
		t.Fatalf("sarif: exit %d; stderr:\n%s", sarif.code, sarif.stderr)
	}
	sariftest.Validate(t, []byte(sarif.stdout))
}

func TestAuditLiveClusterWithoutProvider(t *testing.T) {
	c := auditCluster(t)
	w := auditWorld()
	w.Accounts[0].OIDCProviders = nil
	s := awstest.NewServer(t, w)
	s.Setenv(t)
	r := runIn(t, t.TempDir(), "", "audit", "--region", "us-west-2", "--cluster", "demo", "--kubeconfig", c.Kubeconfig, "-f", "json")
	if r.code != exitFindings || !slices.Contains(rulesOf(t, r.stdout), "oidc-provider-missing") {
		t.Fatalf("exit %d, rules %v; stderr:\n%s", r.code, rulesOf(t, r.stdout), r.stderr)
	}
}

// A user who may not list pods: the audit reads the rest and says what it
// could not read.
func TestAuditLiveClusterForbiddenIsPartial(t *testing.T) {
	c := auditCluster(t)
	s := awstest.NewServer(t, auditWorld())
	s.Setenv(t)
	r := runIn(t, t.TempDir(), "", "audit", "--cluster", "demo", "--kubeconfig", c.RestrictedKubeconfig, "-f", "json")
	if r.code != exitError || !strings.Contains(r.stderr, "list namespaces") {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	bad := runIn(t, t.TempDir(), "", "audit", "--cluster", "demo", "--kubeconfig", c.Kubeconfig, "--context", "nope")
	if bad.code != exitError || !strings.Contains(bad.stderr, `"nope"`) {
		t.Errorf("unknown context: exit %d; stderr:\n%s", bad.code, bad.stderr)
	}
}
