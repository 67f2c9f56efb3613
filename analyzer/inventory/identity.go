package inventory

import (
	"encoding/csv"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/irsalint/irsalint/analyzer/config"
)

// The effective identity of a container is resolution, not judgement: which
// credentials the AWS SDK in it finds first. The webhook injects web
// identity (IRSA) or the Pod Identity provider at pod creation; the SDK
// then searches static keys in env, web identity, the container credential
// provider and, last, the instance metadata service (the node's role).
// Computed here once per workload, as facts rules read (workload.identity,
// container.identity) instead of re-deriving them in every rule.

// Environment variables the credential chain reads.
const (
	envAccessKeyID        = "AWS_ACCESS_KEY_ID"
	envSecretAccessKey    = "AWS_SECRET_ACCESS_KEY"
	envRoleARN            = "AWS_ROLE_ARN"
	envWebIdentityToken   = "AWS_WEB_IDENTITY_TOKEN_FILE"
	envContainerFullURI   = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	envContainerRelURI    = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
	envContainerAuthToken = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
)

// Annotation and label keys the pod identity webhook reads.
const (
	roleARNAnnotation        = "eks.amazonaws.com/role-arn"
	skipContainersAnnotation = "eks.amazonaws.com/skip-containers"
	skipWebhookLabel         = "eks.amazonaws.com/skip-pod-identity-webhook"
)

// Resolve adds the resolved facts to an input document:
// workloads[].identity, containers[].identity and awsSignals, and the trust
// facts serviceAccounts[].trust and roles[].admits (binding.go). It reads
// serviceAccounts, roles, podIdentityAssociations, cluster and settings,
// and returns a copy of input with new workload, ServiceAccount and role
// entries; input itself is not changed. Build calls it; so do the Rego unit tests, through
// a test-only built-in, to give hand-written inputs the same facts.
func Resolve(input map[string]any) map[string]any { return resolve(input, false) }

// resolve is Resolve; with owned, the workload and container maps are the
// caller's to change, and get their facts in place instead of in copies.
// Build owns them (it made them from the files, and resolving again gives
// the same facts, so a second Build still gives the same inventory): on
// 10,000 workloads the copies were 30,000 maps built only to be dropped.
func resolve(input map[string]any, owned bool) map[string]any {
	ic := identityContext{signals: newSignalCatalogue(settingsOf(input)), owned: owned}
	ic.serviceAccounts, _ = input["serviceAccounts"].(map[string]any)
	ic.associations, _ = input["podIdentityAssociations"].(map[string]any)
	cluster, _ := input["cluster"].(map[string]any)
	profiles, _ := cluster["fargateProfiles"].([]any)
	for _, raw := range profiles {
		p, _ := raw.(map[string]any)
		sels, _ := p["selectors"].([]any)
		var fp config.FargateProfile
		for _, rs := range sels {
			sel, _ := rs.(map[string]any)
			ns, _ := sel["namespace"].(string)
			fs := config.FargateSelector{Namespace: ns, Labels: map[string]string{}}
			labels, _ := sel["labels"].(map[string]any)
			for k, v := range labels {
				fs.Labels[k], _ = v.(string)
			}
			fp.Selectors = append(fp.Selectors, fs)
		}
		ic.fargate = append(ic.fargate, fp)
	}
	out := make(map[string]any, len(input))
	for k, v := range input {
		out[k] = v
	}
	list, _ := input["workloads"].([]any)
	workloads := make([]any, len(list))
	// Workloads resolve independently: in chunks, one per core, each with
	// its own signal catalogue (it caches verdicts as it goes).
	eachChunk(len(list), func(c, lo, hi int) {
		mine := ic
		if c > 0 {
			mine.signals = newSignalCatalogue(settingsOf(input))
		}
		for i := lo; i < hi; i++ {
			workloads[i] = mine.resolve(list[i].(map[string]any))
		}
	})
	out["workloads"] = workloads
	resolveTrust(out)
	return out
}

// minResolveChunk: fewer objects than this per core are not worth a
// goroutine.
const minResolveChunk = 500

// eachChunk calls fn with the chunks [lo, hi) of [0, n), numbered from 0:
// one per core, each at least minResolveChunk long, in parallel. It
// returns when all have returned.
func eachChunk(n int, fn func(chunk, lo, hi int)) {
	chunks := max(1, min(runtime.GOMAXPROCS(0), n/minResolveChunk))
	var wg sync.WaitGroup
	for c := range chunks {
		wg.Go(func() { fn(c, c*n/chunks, (c+1)*n/chunks) })
	}
	wg.Wait()
}

// settingsOf reads the catalogues from input.settings.
func settingsOf(input map[string]any) Settings {
	m, _ := input["settings"].(map[string]any)
	strs := func(k string) []string {
		list, _ := m[k].([]any)
		out := make([]string, 0, len(list))
		for _, v := range list {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return Settings{HostNetworkAllowlist: strs("hostNetworkAllowlist"), AWSImages: strs("awsImages"), AWSEnv: strs("awsEnv")}
}

// identityContext is what resolving a workload's identity looks up.
type identityContext struct {
	serviceAccounts map[string]any
	associations    map[string]any
	fargate         []config.FargateProfile
	signals         *signalCatalogue
	owned           bool // resolve sets the facts in the maps it is given
}

// resolve returns workload w with its identity facts, and each container
// with its own and its signs of calling AWS: copies, unless owned.
func (ic identityContext) resolve(w map[string]any) map[string]any {
	out := w
	if !ic.owned {
		out = make(map[string]any, len(w)+1)
		for k, v := range w {
			out[k] = v
		}
	}
	tpl, _ := w["template"].(map[string]any)
	labels, _ := tpl["labels"].(map[string]any)
	annotations, _ := tpl["annotations"].(map[string]any)
	wsa, _ := w["serviceAccount"].(map[string]any)
	saKey, _ := wsa["key"].(string)
	namespace, _ := w["namespace"].(string)

	// The label's presence alone keeps the webhook away: its objectSelector
	// is DoesNotExist, so the value does not matter.
	_, optedOut := labels[skipWebhookLabel]
	skipped, skipErr := skippedContainers(annotations)
	sa, known := ic.serviceAccounts[saKey].(map[string]any)
	annotationsOfSA, _ := sa["annotations"].(map[string]any)
	_, associated := ic.associations[saKey]
	var irsaRole any
	if known && !associated && !optedOut {
		if role, ok := annotationsOfSA[roleARNAnnotation]; ok {
			irsaRole = role
		}
	}
	f := facts{
		optedOut:   optedOut,
		skipped:    skipped,
		associated: associated,
		irsaRole:   irsaRole,
		fargate:    ic.onFargate(namespace, labels),
		known:      known,
	}
	list, _ := w["containers"].([]any)
	containers := make([]any, len(list))
	nodeRole := false
	for i, raw := range list {
		c, _ := raw.(map[string]any)
		cc := c
		if !ic.owned || c == nil {
			cc = make(map[string]any, len(c)+2)
			for k, v := range c {
				cc[k] = v
			}
		}
		id := f.container(c)
		nodeRole = nodeRole || id["mechanism"] == "node-role"
		cc["identity"] = id
		cc["awsSignals"] = ic.signals.signals(c)
		containers[i] = cc
	}
	out["containers"] = containers
	skippedList := make([]any, 0, len(skipped))
	for _, n := range sortedKeysOf(skipped) {
		skippedList = append(skippedList, n)
	}
	var association any
	if associated {
		association = saKey
	}
	out["identity"] = map[string]any{
		"optedOut":            optedOut,
		"skippedContainers":   skippedList,
		"skipContainersError": skipErr,
		"association":         association,
		"irsaRole":            irsaRole,
		"fargate":             f.fargate,
		"serviceAccountKnown": known,
		"usesNodeRole":        nodeRole,
	}
	return out
}

// facts are what the webhook and the SDK see of one pod.
type facts struct {
	optedOut   bool
	skipped    map[string]bool
	associated bool
	irsaRole   any // the role annotation, when the webhook would inject it
	fargate    bool
	known      bool // the ServiceAccount is in the scan
}

// container resolves one container: whether the webhook mutates it, what it
// injects, and which credentials the SDK ends with.
func (f facts) container(c map[string]any) map[string]any {
	names := map[string]bool{}
	var manualRole any
	env, _ := c["env"].([]any)
	for _, raw := range env {
		e, _ := raw.(map[string]any)
		name, _ := e["name"].(string)
		names[name] = true
		if v, ok := e["value"].(string); ok && name == envRoleARN {
			manualRole = v // Kubernetes keeps the last of repeated names
		}
	}
	typ, _ := c["type"].(string)
	name, _ := c["name"].(string)
	// The webhook acts on pod creation only, so ephemeral containers, added
	// later through their own subresource, are never mutated.
	mutated := typ != "ephemeralContainer" && !f.optedOut && !f.skipped[name]
	var injected any
	switch {
	case !mutated:
	case f.associated && !names[envContainerFullURI] && !names[envContainerAuthToken]:
		// A hand-set provider variable stops the webhook injecting its own.
		injected = "pod-identity"
	case f.irsaRole != nil && !names[envRoleARN] && !names[envWebIdentityToken]:
		// Either web identity variable set by hand stops it injecting both.
		injected = "web-identity"
	}
	var mechanism string
	var role any
	switch {
	case names[envAccessKeyID] && names[envSecretAccessKey]:
		mechanism = "static-keys"
	case injected == "web-identity":
		mechanism, role = "web-identity", f.irsaRole
	case names[envRoleARN] && names[envWebIdentityToken]:
		mechanism, role = "web-identity", manualRole
	case names[envWebIdentityToken]:
		// A token file without a role ARN: the Go SDK's web identity
		// provider fails ("role ARN is not set") instead of moving on.
		mechanism = "web-identity-incomplete"
	case injected == "pod-identity":
		mechanism = "pod-identity"
	case names[envContainerFullURI] || names[envContainerRelURI]:
		mechanism = "container-credentials"
	case !f.known:
		// The workload names a ServiceAccount the scan does not hold: its
		// annotations, and so its identity, are unknown.
		mechanism = "unknown"
	case f.fargate:
		mechanism = "none" // Fargate has no instance metadata service
	default:
		mechanism = "node-role"
	}
	id := map[string]any{"mutated": mutated, "injected": injected, "mechanism": mechanism}
	if role != nil {
		id["roleArn"] = role
	}
	return id
}

// skippedContainers reads the skip-containers annotation as the webhook's
// encoding/csv reader does: the first record, fields split on commas outside
// quotes, spaces kept (" app" is not "app"), quotes removed. A value the
// reader rejects skips nothing; invalid says so.
func skippedContainers(annotations map[string]any) (names map[string]bool, invalid bool) {
	v, ok := annotations[skipContainersAnnotation].(string)
	if !ok {
		return nil, false
	}
	record, err := csv.NewReader(strings.NewReader(v)).Read()
	if err != nil {
		return nil, v != ""
	}
	out := make(map[string]bool, len(record))
	for _, name := range record {
		out[name] = true
	}
	return out, false
}

// onFargate tells whether a Fargate profile of the cluster selects the pod:
// a selector's namespace (EKS allows * and ? there) and each of its labels.
func (ic identityContext) onFargate(namespace string, labels map[string]any) bool {
	for _, p := range ic.fargate {
		for _, sel := range p.Selectors {
			if !wildcardMatch(sel.Namespace, namespace) {
				continue
			}
			all := true
			for k, want := range sel.Labels {
				got, _ := labels[k].(string)
				if !wildcardMatch(want, got) {
					all = false
					break
				}
			}
			if all {
				return true
			}
		}
	}
	return false
}

// wildcardMatch matches s against a pattern where * is any run of
// characters and ? one character.
func wildcardMatch(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi, mark = star+1, mark+1
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func sortedKeysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
