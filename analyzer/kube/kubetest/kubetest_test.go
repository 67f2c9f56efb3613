package kubetest

import (
	"os"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

func clientFor(t *testing.T, kubeconfig, context string) kubernetes.Interface {
	t.Helper()
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: context}).ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestStart checks what the package promises: the server version, an admin,
// a restricted user the server refuses, impersonation, and that Stop ends
// both processes.
func TestStart(t *testing.T) {
	c := Start(t)
	ctx := t.Context()

	v, err := c.Client.Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v.GitVersion != KubeVersion || v.Major != "1" || !strings.HasPrefix(KubeVersion, "v1."+v.Minor+".") {
		t.Errorf("server version %+v, want %s", v, KubeVersion)
	}
	for _, ns := range systemNamespaces {
		if _, err := c.Client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err != nil {
			t.Errorf("namespace %s: %v", ns, err)
		}
	}

	for name, cs := range map[string]kubernetes.Interface{
		"restricted context":    clientFor(t, c.Kubeconfig, RestrictedContext),
		"restricted kubeconfig": clientFor(t, c.RestrictedKubeconfig, ""),
		"impersonated":          clientFor(t, c.KubeconfigAs(t, "someone"), ""),
	} {
		_, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
		if !apierrors.IsForbidden(err) {
			t.Errorf("%s: listing pods: %v, want Forbidden", name, err)
		}
	}

	procs := c.procs
	c.Stop()
	for _, p := range procs {
		if p.exited() == nil {
			t.Errorf("%s still runs after Stop", p.name)
		}
	}
	if _, err := os.Stat(c.Kubeconfig); err != nil {
		t.Errorf("kubeconfig gone before cleanup: %v", err)
	}
	if _, err := c.Client.Discovery().ServerVersion(); err == nil {
		t.Errorf("the server still answers after Stop")
	}
}
