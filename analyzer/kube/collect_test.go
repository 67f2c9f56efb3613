package kube

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/irsalint/irsalint/analyzer/kube/kubetest"
)

// One kube-apiserver serves every test of the package: it takes seconds to
// start.
func TestMain(m *testing.M) { os.Exit(kubetest.Main(m)) }

const roleARN = "arn:aws:iam::111122223333:role/web"

// noReplicaSetsUser may list everything but ReplicaSets.
const noReplicaSetsUser = "no-replicasets"

// auditSA is the service account the shipped ClusterRoleBinding names.
const auditSA = "system:serviceaccount:irsalint:irsalint-audit"

var seeded struct {
	once sync.Once
	err  error
}

// cluster returns the shared server with the test objects in it. Every test
// sees the same objects and none adds any, so snapshots are comparable
// across tests.
func cluster(t *testing.T) *kubetest.Cluster {
	t.Helper()
	c := kubetest.Shared(t)
	seeded.once.Do(func() { seeded.err = seed(t.Context(), c.Client) })
	if seeded.err != nil {
		t.Fatalf("seeding: %v", seeded.err)
	}
	return c
}

func podSpec(sa string) corev1.PodSpec {
	return corev1.PodSpec{
		ServiceAccountName: sa,
		RestartPolicy:      corev1.RestartPolicyAlways,
		Containers:         []corev1.Container{{Name: "app", Image: "registry.example/app:1"}},
	}
}

func template(app, sa string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": app}},
		Spec:       podSpec(sa),
	}
}

// seed makes what controllers would have made on a real cluster: with no
// controller manager, a Deployment gets no ReplicaSet and a CronJob no Job,
// so the test creates them, owned the way the controllers own them.
func seed(ctx context.Context, cs kubernetes.Interface) error {
	var errs []error
	check := func(_ any, err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	meta := func(ns, name string) metav1.ObjectMeta { return metav1.ObjectMeta{Namespace: ns, Name: name} }
	selector := func(app string) *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}
	}
	core, apps, batch := cs.CoreV1(), cs.AppsV1(), cs.BatchV1()
	create := metav1.CreateOptions{}

	for _, ns := range []string{"team-a", "team-b", "irsalint"} {
		check(core.Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, create))
	}
	web := meta("team-a", "web")
	web.Annotations = map[string]string{"eks.amazonaws.com/role-arn": roleARN}
	check(core.ServiceAccounts("team-a").Create(ctx, &corev1.ServiceAccount{ObjectMeta: web}, create))
	for _, name := range []string{"sa-1", "sa-2", "sa-3", "sa-4"} {
		check(core.ServiceAccounts("team-a").Create(ctx, &corev1.ServiceAccount{ObjectMeta: meta("team-a", name)}, create))
	}
	check(core.ServiceAccounts("team-b").Create(ctx, &corev1.ServiceAccount{ObjectMeta: meta("team-b", "worker")}, create))
	check(core.ServiceAccounts("irsalint").Create(ctx, &corev1.ServiceAccount{ObjectMeta: meta("irsalint", "irsalint-audit")}, create))

	dep, err := apps.Deployments("team-a").Create(ctx, &appsv1.Deployment{
		ObjectMeta: meta("team-a", "web"),
		Spec:       appsv1.DeploymentSpec{Selector: selector("web"), Template: template("web", "web")},
	}, create)
	check(dep, err)
	if err == nil {
		rsMeta := meta("team-a", "web-5d8f9c")
		rsMeta.OwnerReferences = []metav1.OwnerReference{*metav1.NewControllerRef(dep, appsv1.SchemeGroupVersion.WithKind("Deployment"))}
		rs, err := apps.ReplicaSets("team-a").Create(ctx, &appsv1.ReplicaSet{
			ObjectMeta: rsMeta,
			Spec:       appsv1.ReplicaSetSpec{Selector: selector("web"), Template: template("web", "web")},
		}, create)
		check(rs, err)
		if err == nil {
			check(createOwnedPod(ctx, cs, "team-a", "web-5d8f9c-x7k2p", "web", metav1.NewControllerRef(rs, appsv1.SchemeGroupVersion.WithKind("ReplicaSet"))))
		}
	}

	sts, err := apps.StatefulSets("team-b").Create(ctx, &appsv1.StatefulSet{
		ObjectMeta: meta("team-b", "db"),
		Spec:       appsv1.StatefulSetSpec{ServiceName: "db", Selector: selector("db"), Template: template("db", "worker")},
	}, create)
	check(sts, err)
	if err == nil {
		check(createOwnedPod(ctx, cs, "team-b", "db-0", "worker", metav1.NewControllerRef(sts, appsv1.SchemeGroupVersion.WithKind("StatefulSet"))))
	}

	ds, err := apps.DaemonSets("team-a").Create(ctx, &appsv1.DaemonSet{
		ObjectMeta: meta("team-a", "agent"),
		Spec:       appsv1.DaemonSetSpec{Selector: selector("agent"), Template: template("agent", "sa-1")},
	}, create)
	check(ds, err)
	if err == nil {
		check(createOwnedPod(ctx, cs, "team-a", "agent-q9w8e", "sa-1", metav1.NewControllerRef(ds, appsv1.SchemeGroupVersion.WithKind("DaemonSet"))))
	}

	jobTemplate := func() batchv1.JobSpec {
		tmpl := template("nightly", "worker")
		tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
		return batchv1.JobSpec{Template: tmpl}
	}
	cj, err := batch.CronJobs("team-b").Create(ctx, &batchv1.CronJob{
		ObjectMeta: meta("team-b", "nightly"),
		Spec: batchv1.CronJobSpec{
			Schedule:    "0 3 * * *",
			JobTemplate: batchv1.JobTemplateSpec{Spec: jobTemplate()},
		},
	}, create)
	check(cj, err)
	if err == nil {
		jobMeta := meta("team-b", "nightly-29000000")
		jobMeta.OwnerReferences = []metav1.OwnerReference{*metav1.NewControllerRef(cj, batchv1.SchemeGroupVersion.WithKind("CronJob"))}
		job, err := batch.Jobs("team-b").Create(ctx, &batchv1.Job{ObjectMeta: jobMeta, Spec: jobTemplate()}, create)
		check(job, err)
		if err == nil {
			check(createOwnedPod(ctx, cs, "team-b", "nightly-29000000-h5t6z", "worker", metav1.NewControllerRef(job, batchv1.SchemeGroupVersion.WithKind("Job"))))
		}
	}

	// A bare Pod, and one whose controller was never collected (a
	// ReplicaSet that no longer exists): both stay in the snapshot.
	check(core.Pods("team-b").Create(ctx, &corev1.Pod{ObjectMeta: meta("team-b", "debug"), Spec: podSpec("worker")}, create))
	gone := &metav1.ObjectMeta{Name: "old-7c6b5a", UID: types.UID("00000000-0000-0000-0000-000000000001")}
	check(createOwnedPod(ctx, cs, "team-a", "old-7c6b5a-zzzzz", "web", metav1.NewControllerRef(gone, appsv1.SchemeGroupVersion.WithKind("ReplicaSet"))))

	// The restricted user may list everything but pods; noReplicaSetsUser
	// everything but replicasets.
	rbac := cs.RbacV1()
	for user, denied := range map[string]string{kubetest.RestrictedUser: "pods", noReplicaSetsUser: "replicasets"} {
		var rules []rbacv1.PolicyRule
		for _, r := range Resources {
			if r.Resource != denied {
				rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{r.Group}, Resources: []string{r.Resource}, Verbs: Verbs})
			}
		}
		name := "no-" + denied
		check(rbac.ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, create))
		check(rbac.ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
		}, create))
	}
	return errors.Join(errs...)
}

func createOwnedPod(ctx context.Context, cs kubernetes.Interface, ns, name, sa string, owner *metav1.OwnerReference) (*corev1.Pod, error) {
	return cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, OwnerReferences: []metav1.OwnerReference{*owner}},
		Spec:       podSpec(sa),
	}, metav1.CreateOptions{})
}

// item is the part of a listed object the tests look at.
type item struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   map[string]any `json:"metadata"`
	Status     any            `json:"status"`
}

func (it item) namespace() string { s, _ := it.Metadata["namespace"].(string); return s }
func (it item) name() string      { s, _ := it.Metadata["name"].(string); return s }
func (it item) key() string       { return it.Kind + " " + it.namespace() + "/" + it.name() }

func decode(t *testing.T, list []byte) []item {
	t.Helper()
	var l struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Items      []item `json:"items"`
	}
	if err := json.Unmarshal(list, &l); err != nil {
		t.Fatalf("List is not JSON: %v", err)
	}
	if l.APIVersion != "v1" || l.Kind != "List" {
		t.Fatalf("List has apiVersion %q kind %q", l.APIVersion, l.Kind)
	}
	return l.Items
}

func collect(t *testing.T, opts Options) *Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	snap, err := Collect(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func TestCollect(t *testing.T) {
	c := cluster(t)
	snap := collect(t, Options{Kubeconfig: c.Kubeconfig})

	if snap.Context != kubetest.AdminContext || snap.Server != c.Server || snap.Version != kubetest.KubeVersion {
		t.Errorf("context %q server %q version %q, want %q %q %q",
			snap.Context, snap.Server, snap.Version, kubetest.AdminContext, c.Server, kubetest.KubeVersion)
	}
	if len(snap.Failures) > 0 {
		t.Errorf("failures: %+v", snap.Failures)
	}
	items := decode(t, snap.List)

	kindIndex := map[string]int{}
	apiVersion := map[string]string{}
	for i, r := range Resources {
		kindIndex[r.Kind] = i
		apiVersion[r.Kind] = r.APIVersion()
	}
	counts := map[string]int{}
	var keys []string
	for i, it := range items {
		r, ok := kindIndex[it.Kind]
		if !ok || it.APIVersion != apiVersion[it.Kind] {
			t.Errorf("item %d: apiVersion %q kind %q", i, it.APIVersion, it.Kind)
			continue
		}
		counts[Resources[r].Resource]++
		for _, f := range []string{"managedFields", "resourceVersion"} {
			if _, ok := it.Metadata[f]; ok {
				t.Errorf("%s: metadata.%s kept", it.key(), f)
			}
		}
		if it.Status != nil {
			t.Errorf("%s: status kept", it.key())
		}
		if i > 0 {
			p := items[i-1]
			if less := [3]any{kindIndex[p.Kind], p.namespace(), p.name()}; !ordered(less, [3]any{r, it.namespace(), it.name()}) {
				t.Errorf("%s listed after %s", it.key(), p.key())
			}
		}
		if ns := it.namespace(); ns == "team-a" || ns == "team-b" || (it.Kind == "Namespace" && strings.HasPrefix(it.name(), "team-")) {
			keys = append(keys, it.key())
		}
	}
	want := []string{
		"Namespace /team-a",
		"Namespace /team-b",
		"ServiceAccount team-a/sa-1",
		"ServiceAccount team-a/sa-2",
		"ServiceAccount team-a/sa-3",
		"ServiceAccount team-a/sa-4",
		"ServiceAccount team-a/web",
		"ServiceAccount team-b/worker",
		"Pod team-a/old-7c6b5a-zzzzz", // its ReplicaSet was not collected
		"Pod team-b/debug",            // bare
		"Deployment team-a/web",
		"StatefulSet team-b/db",
		"DaemonSet team-a/agent",
		"CronJob team-b/nightly",
	}
	if !slices.Equal(keys, want) {
		t.Errorf("items in team-a and team-b:\n got %q\nwant %q", keys, want)
	}
	for _, r := range Resources {
		if snap.Counts[r.Resource] != counts[r.Resource] {
			t.Errorf("Counts[%s] = %d, the List has %d", r.Resource, snap.Counts[r.Resource], counts[r.Resource])
		}
	}
	wantSkipped := map[string]int{"pods": 4, "replicasets": 1, "jobs": 1}
	if !mapsEqual(snap.Skipped, wantSkipped) {
		t.Errorf("Skipped = %v, want %v", snap.Skipped, wantSkipped)
	}
	if !bytes.Contains(snap.List, []byte(`"eks.amazonaws.com/role-arn": "`+roleARN+`"`)) {
		t.Errorf("the role-arn annotation is not in the List")
	}
}

func ordered(a, b [3]any) bool {
	if a[0].(int) != b[0].(int) {
		return a[0].(int) < b[0].(int)
	}
	if a[1].(string) != b[1].(string) {
		return a[1].(string) < b[1].(string)
	}
	return a[2].(string) < b[2].(string)
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestCollectDeterministic: the same cluster state gives the same bytes, so
// a snapshot can be diffed and cached.
func TestCollectDeterministic(t *testing.T) {
	c := cluster(t)
	a := collect(t, Options{Kubeconfig: c.Kubeconfig})
	b := collect(t, Options{Kubeconfig: c.Kubeconfig})
	if !bytes.Equal(a.List, b.List) {
		t.Errorf("two Collects differ:\n%s\n----\n%s", a.List, b.List)
	}
}

// TestCollectPaginates reads the seven ServiceAccounts two at a time and
// must get what one page gets.
func TestCollectPaginates(t *testing.T) {
	c := cluster(t)
	// The premise: the server really pages at this size.
	page, err := c.Client.CoreV1().ServiceAccounts("").List(t.Context(), metav1.ListOptions{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 || page.Continue == "" {
		t.Fatalf("Limit 2 gave %d items, continue %q", len(page.Items), page.Continue)
	}
	small := collect(t, Options{Kubeconfig: c.Kubeconfig, PageSize: 2})
	whole := collect(t, Options{Kubeconfig: c.Kubeconfig})
	if small.Counts["serviceaccounts"] < 5 {
		t.Errorf("%d ServiceAccounts: too few to page", small.Counts["serviceaccounts"])
	}
	if !bytes.Equal(small.List, whole.List) {
		t.Errorf("PageSize 2 gives a different List")
	}
}

// TestCollectForbidden: a user who may not list pods gets every other
// resource and one Failure with the server's message.
func TestCollectForbidden(t *testing.T) {
	c := cluster(t)
	snap := collect(t, Options{Kubeconfig: c.Kubeconfig, Context: kubetest.RestrictedContext})
	if snap.Context != kubetest.RestrictedContext {
		t.Errorf("Context = %q", snap.Context)
	}
	if len(snap.Failures) != 1 {
		t.Fatalf("Failures = %+v, want one for pods", snap.Failures)
	}
	f := snap.Failures[0]
	if f.Resource != "pods" || f.Verb != "list" || !strings.Contains(f.Reason, "forbidden") || !strings.Contains(f.Reason, kubetest.RestrictedUser) {
		t.Errorf("Failure = %+v", f)
	}
	if _, ok := snap.Counts["pods"]; ok {
		t.Errorf("Counts has pods: %v", snap.Counts)
	}
	if snap.Skipped["pods"] != 0 {
		t.Errorf("Skipped pods: %v", snap.Skipped)
	}
	admin := collect(t, Options{Kubeconfig: c.Kubeconfig})
	for _, r := range Resources {
		if r.Resource != "pods" && snap.Counts[r.Resource] != admin.Counts[r.Resource] {
			t.Errorf("Counts[%s] = %d, admin sees %d", r.Resource, snap.Counts[r.Resource], admin.Counts[r.Resource])
		}
	}
	for _, it := range decode(t, snap.List) {
		if it.Kind == "Pod" {
			t.Errorf("%s listed", it.key())
		}
	}
}

// TestCollectWithShippedClusterRole applies deploy/kubernetes/clusterrole.yaml
// and reads as its service account: the role is enough for a whole snapshot.
func TestCollectWithShippedClusterRole(t *testing.T) {
	c := cluster(t)
	role, binding := loadClusterRole(t)
	ctx := t.Context()
	rbac := c.Client.RbacV1()
	if _, err := rbac.ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rbac.ClusterRoles().Delete(context.Background(), role.Name, metav1.DeleteOptions{}) })
	if _, err := rbac.ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = rbac.ClusterRoleBindings().Delete(context.Background(), binding.Name, metav1.DeleteOptions{})
	})

	kubeconfig := c.KubeconfigAs(t, auditSA, "system:serviceaccounts", "system:serviceaccounts:irsalint")
	admin := collect(t, Options{Kubeconfig: c.Kubeconfig})
	var snap *Snapshot
	// RBAC grants reach the authorizer's cache within moments.
	for deadline := time.Now().Add(10 * time.Second); ; {
		snap = collect(t, Options{Kubeconfig: kubeconfig})
		if len(snap.Failures) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(snap.Failures) > 0 {
		t.Fatalf("as %s: %+v", auditSA, snap.Failures)
	}
	if !bytes.Equal(snap.List, admin.List) {
		t.Errorf("as %s the List differs from the admin's", auditSA)
	}
}

// TestListParses: the List is what YAML and JSON readers (and so the
// analyzer's manifest reader) take, every item naming its apiVersion and kind.
func TestListParses(t *testing.T) {
	c := cluster(t)
	snap := collect(t, Options{Kubeconfig: c.Kubeconfig})
	var list corev1.List
	if err := yaml.UnmarshalStrict(snap.List, &list); err != nil {
		t.Fatalf("sigs.k8s.io/yaml: %v", err)
	}
	if len(list.Items) == 0 {
		t.Fatal("no items")
	}
	for i, raw := range list.Items {
		var tm metav1.TypeMeta
		if err := json.Unmarshal(raw.Raw, &tm); err != nil {
			t.Fatalf("item %d: %v", i, err)
		}
		if tm.APIVersion == "" || tm.Kind == "" {
			t.Errorf("item %d: apiVersion %q kind %q", i, tm.APIVersion, tm.Kind)
		}
	}
	if !bytes.HasSuffix(snap.List, []byte("}\n")) || !bytes.HasPrefix(snap.List, []byte("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [")) {
		t.Errorf("List does not start as a two-space-indented List:\n%.80s", snap.List)
	}
}

// TestCollectCanceled: Ctrl-C (a canceled context) stops Collect.
func TestCollectCanceled(t *testing.T) {
	c := cluster(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := Collect(ctx, Options{Kubeconfig: c.Kubeconfig})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestCollectOwnerNotCollected: when the ReplicaSets cannot be listed, the
// Pod a ReplicaSet owns has nothing standing for it and is kept, while the
// Deployment still stands for nothing but itself.
func TestCollectOwnerNotCollected(t *testing.T) {
	c := cluster(t)
	snap := collect(t, Options{Kubeconfig: c.KubeconfigAs(t, noReplicaSetsUser)})
	if len(snap.Failures) != 1 || snap.Failures[0].Resource != "replicasets" {
		t.Fatalf("Failures = %+v, want one for replicasets", snap.Failures)
	}
	wantSkipped := map[string]int{"pods": 3, "jobs": 1}
	if !mapsEqual(snap.Skipped, wantSkipped) {
		t.Errorf("Skipped = %v, want %v", snap.Skipped, wantSkipped)
	}
	found := false
	for _, it := range decode(t, snap.List) {
		found = found || it.key() == "Pod team-a/web-5d8f9c-x7k2p"
	}
	if !found {
		t.Errorf("the ReplicaSet's Pod is not in the List")
	}
}

// TestCollectUnknownContext against a real kubeconfig: the error names the
// context and the file.
func TestCollectUnknownContext(t *testing.T) {
	c := cluster(t)
	_, err := Collect(t.Context(), Options{Kubeconfig: c.Kubeconfig, Context: "staging"})
	if err == nil || !strings.Contains(err.Error(), `"staging"`) || !strings.Contains(err.Error(), c.Kubeconfig) {
		t.Errorf("err = %v, want one naming context \"staging\" and %s", err, c.Kubeconfig)
	}
}

// TestCollectVersionForbidden: a cluster that withdrew the default grant of
// /version still gives a snapshot, with a Failure and no Version.
func TestCollectVersionForbidden(t *testing.T) {
	c := cluster(t)
	ctx := t.Context()
	// Both default bindings grant /version to every authenticated user.
	bindings := c.Client.RbacV1().ClusterRoleBindings()
	for _, name := range []string{"system:public-info-viewer", "system:discovery"} {
		saved, err := bindings.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := bindings.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			saved.ResourceVersion, saved.UID = "", ""
			if _, err := bindings.Create(context.Background(), saved, metav1.CreateOptions{}); err != nil {
				t.Errorf("restoring %s: %v", name, err)
			}
		})
	}
	// The restricted user lists all but pods and now may not get /version.
	var snap *Snapshot
	for deadline := time.Now().Add(10 * time.Second); ; {
		snap = collect(t, Options{Kubeconfig: c.RestrictedKubeconfig})
		if len(snap.Failures) == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(snap.Failures) != 2 || snap.Failures[0].Resource != "/version" || snap.Failures[0].Verb != "get" || snap.Failures[1].Resource != "pods" {
		t.Fatalf("Failures = %+v, want /version then pods", snap.Failures)
	}
	if snap.Version != "" {
		t.Errorf("Version = %q", snap.Version)
	}
	if snap.Counts["namespaces"] == 0 {
		t.Errorf("no namespaces: %v", snap.Counts)
	}
}
