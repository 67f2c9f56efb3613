// Package kube reads the objects irsalint audits from a live cluster and
// writes them as one kubectl-style List, the same input the static analyzer
// reads from manifests.
//
// It only lists (and asks discovery for the server version): the ClusterRole
// in deploy/kubernetes/clusterrole.yaml grants exactly what Resources and
// Verbs name, and a test keeps the two in step.
package kube

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Options says which cluster Collect reads and how.
type Options struct {
	// Kubeconfig is the kubeconfig file; "" follows kubectl's rules
	// (KUBECONFIG, then ~/.kube/config) and, in a pod that has neither,
	// the in-cluster service account.
	Kubeconfig string
	// Context is the kubeconfig context; "" is the current context.
	Context string
	// PageSize is the list page size (Limit); 0 is DefaultPageSize.
	PageSize int64
}

// DefaultPageSize is kubectl's page size: large enough that most clusters
// are read in one request per resource, small enough to bound the server's
// work per request.
const DefaultPageSize = 500

// InClusterContext is Snapshot.Context when Collect used the pod's service
// account rather than a kubeconfig.
const InClusterContext = "in-cluster"

// Snapshot is what Collect read.
type Snapshot struct {
	// List is one JSON document {"apiVersion":"v1","kind":"List","items":[...]},
	// indented two spaces. The same cluster state gives the same bytes.
	List []byte
	// Context is the kubeconfig context used, or InClusterContext.
	Context string
	// Server is the API server URL.
	Server string
	// Version is the server's gitVersion from discovery.
	Version string
	// Counts is the number of objects kept per resource ("pods": 3), for
	// every resource that was listed.
	Counts map[string]int
	// Skipped is the number of objects left out per resource because their
	// controller was collected and stands for them (see Collect).
	Skipped map[string]int
	// Failures are what could not be read: "/version" (get) first if the
	// server refused it, then resources in Resources order.
	Failures []Failure
}

// Failure is a resource Collect was refused; the snapshot lacks its objects.
type Failure struct {
	Resource string // "pods", or "/version"
	Verb     string // "list", or "get" for /version
	Reason   string // the API server's message
}

// Resource is one kind of object Collect lists.
type Resource struct {
	Group, Version, Resource, Kind string
}

// String is "group/version/resource", with an empty group for the core API
// ("/v1/pods").
func (r Resource) String() string {
	return r.Group + "/" + r.Version + "/" + r.Resource
}

// APIVersion is the apiVersion an object of r carries ("v1", "apps/v1").
func (r Resource) APIVersion() string {
	return schema.GroupVersion{Group: r.Group, Version: r.Version}.String()
}

// Resources is what Collect reads, in the order the snapshot lists them.
// Workloads come before the ReplicaSets, Jobs and Pods they own so a reader
// meets the owner first.
var Resources = []Resource{
	{"", "v1", "namespaces", "Namespace"},
	{"", "v1", "serviceaccounts", "ServiceAccount"},
	{"", "v1", "pods", "Pod"},
	{"apps", "v1", "deployments", "Deployment"},
	{"apps", "v1", "statefulsets", "StatefulSet"},
	{"apps", "v1", "daemonsets", "DaemonSet"},
	{"apps", "v1", "replicasets", "ReplicaSet"},
	{"batch", "v1", "jobs", "Job"},
	{"batch", "v1", "cronjobs", "CronJob"},
}

// Verbs are the verbs Collect uses on every resource of Resources.
var Verbs = []string{"list"}

// standsFor says, per kind, which owner kinds carry the pod template the kind
// was made from: an object whose controller is such an owner adds nothing to
// an audit once the owner is in the snapshot.
var standsFor = map[string][]string{
	"ReplicaSet": {"Deployment"},
	"Pod":        {"ReplicaSet", "StatefulSet", "DaemonSet", "Job"},
	"Job":        {"CronJob"},
}

// Client settings: a read of a few thousand objects should neither trip the
// server's rate limits nor hang on a dead connection.
const (
	userAgent      = "irsalint"
	qps            = 20
	burst          = 40
	requestTimeout = 30 * time.Second
)

// Collect lists every resource of Resources in all namespaces, page by page,
// and returns the objects as kubectl get -o json prints them, less what
// differs from one read to the next or that rules do not read:
// metadata.managedFields, metadata.resourceVersion and status.
//
// An object whose controller ownerReference names a collected object of a
// kind that stands for it (a Deployment for its ReplicaSets, a ReplicaSet,
// StatefulSet, DaemonSet or Job for its Pods, a CronJob for its Jobs) is left
// out and counted in Skipped: it repeats the owner's pod template. A bare
// Pod, or one whose owner was not collected, is kept.
//
// A resource the server refuses (Forbidden, Unauthorized) or does not serve
// (NotFound) is a Failure and Collect reads the rest; so is a Forbidden
// GET /version, leaving Version empty. A kubeconfig that does
// not load, an unknown context, or a server that cannot be reached is an
// error.
func Collect(ctx context.Context, opts Options) (*Snapshot, error) {
	cfg, contextName, where, err := restConfig(opts)
	if err != nil {
		return nil, err
	}
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = userAgent
	cfg.QPS = qps
	cfg.Burst = burst
	cfg.Timeout = requestTimeout

	snap := &Snapshot{
		Context: contextName,
		Server:  cfg.Host,
		Counts:  map[string]int{},
		Skipped: map[string]int{},
	}
	fail := func(err error) error {
		return fmt.Errorf("kube: %s, context %q, server %s: %w", where, contextName, cfg.Host, err)
	}

	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fail(err)
	}
	// ServerVersion takes no context; the same request through the REST
	// client does, so Ctrl-C stops it.
	// A cluster that withdrew system:public-info-viewer refuses /version to
	// a user who may still list everything: that is a Failure, not the end.
	// Any other error (unreachable, bad credentials) would fail every list
	// too, so it ends Collect here with a clear message.
	raw, err := dc.RESTClient().Get().AbsPath("/version").Do(ctx).Raw()
	switch {
	case apierrors.IsForbidden(err):
		reason, _ := refused(err)
		snap.Failures = append(snap.Failures, Failure{Resource: "/version", Verb: "get", Reason: reason})
	case err != nil:
		return nil, fail(fmt.Errorf("reading the server version: %w", err))
	default:
		var info version.Info
		if err := json.Unmarshal(raw, &info); err != nil {
			return nil, fail(fmt.Errorf("reading the server version: %w", err))
		}
		snap.Version = info.GitVersion
	}

	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fail(err)
	}
	pageSize := opts.PageSize
	if pageSize <= 0 {
		pageSize = DefaultPageSize
	}

	lists := make([][]unstructured.Unstructured, len(Resources))
	listed := make([]bool, len(Resources))
	for i, r := range Resources {
		items, err := listAll(ctx, dyn, r, pageSize)
		if err != nil {
			if reason, ok := refused(err); ok {
				snap.Failures = append(snap.Failures, Failure{Resource: r.Resource, Verb: "list", Reason: reason})
				continue
			}
			return nil, fail(fmt.Errorf("listing %s: %w", r.Resource, err))
		}
		lists[i], listed[i] = items, true
	}

	// kindOf maps the uid of every collected object to its kind, so an
	// ownerReference is matched by identity, not by a name that may be reused.
	kindOf := map[string]string{}
	for i, items := range lists {
		for _, it := range items {
			kindOf[string(it.GetUID())] = Resources[i].Kind
		}
	}

	out := make([]map[string]any, 0)
	for i, r := range Resources {
		if !listed[i] {
			continue
		}
		items := lists[i]
		sort.Slice(items, func(a, b int) bool {
			if na, nb := items[a].GetNamespace(), items[b].GetNamespace(); na != nb {
				return na < nb
			}
			return items[a].GetName() < items[b].GetName()
		})
		kept := 0
		for _, it := range items {
			if ownerCollected(it, r.Kind, kindOf) {
				snap.Skipped[r.Resource]++
				continue
			}
			out = append(out, clean(it, r))
			kept++
		}
		snap.Counts[r.Resource] = kept
	}

	snap.List, err = encodeList(out)
	if err != nil {
		return nil, fail(err)
	}
	return snap, nil
}

// listAll reads every page of r. A continue token that expired between
// pages (410 Gone, on a large cluster being compacted) starts the list again
// once, rather than gluing pages from two points in time.
func listAll(ctx context.Context, dyn dynamic.Interface, r Resource, pageSize int64) ([]unstructured.Unstructured, error) {
	gvr := schema.GroupVersionResource{Group: r.Group, Version: r.Version, Resource: r.Resource}
	for attempt := 0; ; attempt++ {
		var items []unstructured.Unstructured
		opts := metav1.ListOptions{Limit: pageSize}
		for {
			page, err := dyn.Resource(gvr).List(ctx, opts)
			if apierrors.IsResourceExpired(err) && opts.Continue != "" && attempt == 0 {
				break
			}
			if err != nil {
				return nil, err
			}
			items = append(items, page.Items...)
			opts.Continue = page.GetContinue()
			if opts.Continue == "" {
				return items, nil
			}
		}
	}
}

// refused says whether err is the server declining one resource, with the
// server's message: the rest of the cluster may still be readable.
func refused(err error) (string, bool) {
	if !apierrors.IsForbidden(err) && !apierrors.IsUnauthorized(err) && !apierrors.IsNotFound(err) {
		return "", false
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) && status.Status().Message != "" {
		return status.Status().Message, true
	}
	return err.Error(), true
}

// ownerCollected says whether it's controller is a collected object of a kind
// that stands for kind.
func ownerCollected(it unstructured.Unstructured, kind string, kindOf map[string]string) bool {
	owners := standsFor[kind]
	if len(owners) == 0 {
		return false
	}
	for _, ref := range it.GetOwnerReferences() {
		if ref.Controller == nil || !*ref.Controller {
			continue
		}
		got, ok := kindOf[string(ref.UID)]
		if !ok {
			return false
		}
		for _, o := range owners {
			if got == o && ref.Kind == o {
				return true
			}
		}
		return false // an object has at most one controller
	}
	return false
}

// clean returns it as kubectl prints it (apiVersion and kind set: a list's
// items come without them) less the fields that change on every write or
// that no rule reads.
func clean(it unstructured.Unstructured, r Resource) map[string]any {
	obj := it.Object
	obj["apiVersion"] = r.APIVersion()
	obj["kind"] = r.Kind
	delete(obj, "status")
	if md, ok := obj["metadata"].(map[string]any); ok {
		delete(md, "managedFields")
		delete(md, "resourceVersion")
	}
	return obj
}

// encodeList writes the items as one List. encoding/json sorts map keys, as
// kubectl's output does, which makes the bytes deterministic.
func encodeList(items []map[string]any) ([]byte, error) {
	list := struct {
		APIVersion string           `json:"apiVersion"`
		Kind       string           `json:"kind"`
		Items      []map[string]any `json:"items"`
	}{"v1", "List", items}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(list); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// restConfig loads the client configuration as kubectl does and says which
// context it used and where it came from (for error messages).
func restConfig(opts Options) (*rest.Config, string, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	where := "kubeconfig " + strings.Join(rules.GetLoadingPrecedence(), string(os.PathListSeparator))
	if opts.Kubeconfig != "" {
		rules.ExplicitPath = opts.Kubeconfig
		where = "kubeconfig " + opts.Kubeconfig
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: opts.Context}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)

	raw, err := cc.RawConfig()
	if err != nil {
		return nil, "", where, fmt.Errorf("kube: loading %s: %w", where, err)
	}
	if opts.Kubeconfig == "" && opts.Context == "" && len(raw.Contexts) == 0 {
		// No kubeconfig at all: in a pod, use its service account.
		if cfg, err := rest.InClusterConfig(); err == nil {
			return cfg, InClusterContext, "in-cluster config", nil
		}
	}
	contextName := opts.Context
	if contextName == "" {
		contextName = raw.CurrentContext
	}
	if opts.Context != "" {
		if _, ok := raw.Contexts[opts.Context]; !ok {
			return nil, contextName, where, fmt.Errorf("kube: %s: context %q does not exist", where, opts.Context)
		}
	}
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, contextName, where, fmt.Errorf("kube: %s, context %q: %w", where, contextName, err)
	}
	return cfg, contextName, where, nil
}
