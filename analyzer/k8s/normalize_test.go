package k8s_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/irsalint/irsalint/analyzer/k8s"
)

// indent prefixes every non-empty line of text with n spaces.
func indent(text string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// templateKeys is where each workload kind keeps its pod template.
var templateKeys = map[string][]string{
	"Pod":                   nil,
	"Deployment":            {"spec", "template"},
	"StatefulSet":           {"spec", "template"},
	"DaemonSet":             {"spec", "template"},
	"ReplicaSet":            {"spec", "template"},
	"ReplicationController": {"spec", "template"},
	"Job":                   {"spec", "template"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template"},
}

// manifest writes a workload of kind in prod with the object metadata
// objMeta, the pod template metadata tplMeta (unused for a Pod, whose
// template metadata is its own) and the pod spec podSpec (block YAML).
func manifest(apiVersion, kind, objMeta, tplMeta, podSpec string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: %s\nkind: %s\nmetadata:\n  name: app\n  namespace: prod\n", apiVersion, kind)
	if objMeta != "" {
		b.WriteString(indent(objMeta, 2))
	}
	depth := 0
	for _, k := range templateKeys[kind] {
		b.WriteString(indent(k+":", depth))
		depth += 2
	}
	if kind != "Pod" && tplMeta != "" {
		b.WriteString(indent("metadata:", depth))
		b.WriteString(indent(tplMeta, depth+2))
	}
	b.WriteString(indent("spec:", depth))
	b.WriteString(indent(podSpec, depth+2))
	return b.String()
}

var apiVersions = map[string]string{
	"Pod": "v1", "ReplicationController": "v1",
	"Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1", "ReplicaSet": "apps/v1",
	"Job": "batch/v1", "CronJob": "batch/v1",
}

func TestWorkloadTemplateOfEveryKind(t *testing.T) {
	for kind, keys := range templateKeys {
		t.Run(kind, func(t *testing.T) {
			text := manifest(apiVersions[kind], kind,
				"labels: {owner: team}\nannotations: {note: object}",
				"labels: {tier: web}\nannotations: {note: template}",
				"serviceAccountName: api\ncontainers:\n  - name: app\n    image: nginx\n")
			e := workload(t, text)
			tpl := make([]any, len(keys))
			for i, k := range keys {
				tpl[i] = k
			}
			spec := append(append([]any{}, tpl...), "spec")
			wantTpl := map[string]any{
				"labels":      map[string]any{"tier": "web"},
				"annotations": map[string]any{"note": "template"},
				"at":          append(append([]any{}, tpl...), "metadata"),
			}
			if kind == "Pod" {
				wantTpl = map[string]any{
					"labels":      map[string]any{"owner": "team"},
					"annotations": map[string]any{"note": "object"},
					"at":          []any{"metadata"},
				}
			}
			equal(t, "template", e["template"], wantTpl)
			equal(t, "labels", e["labels"], map[string]any{"owner": "team"})
			equal(t, "annotations", e["annotations"], map[string]any{"note": "object"})
			equal(t, "podSpec", e["podSpec"], map[string]any{"serviceAccountName": "api", "at": spec})
			equal(t, "serviceAccount", e["serviceAccount"], map[string]any{
				"name": "api", "key": "prod/api", "source": "serviceAccountName", "at": append(append([]any{}, spec...), "serviceAccountName"),
			})
			cs := e["containers"].([]any)
			if len(cs) != 1 {
				t.Fatalf("%d containers", len(cs))
			}
			equal(t, "containers[0].at", cs[0].(map[string]any)["at"], append(append([]any{}, spec...), "containers", 0))
			for k, want := range map[string]any{"ref": file + "#0", "kind": kind, "apiVersion": apiVersions[kind], "namespace": "prod", "namespaceExplicit": true, "name": "app"} {
				if e[k] != want {
					t.Errorf("%s = %v, want %v", k, e[k], want)
				}
			}
		})
	}
}

func TestWorkloadCronJobPaths(t *testing.T) {
	// Spelled out once rather than generated, to catch a wrong generator.
	e := workload(t, `apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            eks.amazonaws.com/skip-containers: backup
        spec:
          restartPolicy: OnFailure
          containers:
            - name: backup
              image: amazon/aws-cli
`)
	spec := []any{"spec", "jobTemplate", "spec", "template", "spec"}
	equal(t, "template", e["template"], map[string]any{
		"labels":      map[string]any{},
		"annotations": map[string]any{"eks.amazonaws.com/skip-containers": "backup"},
		"at":          []any{"spec", "jobTemplate", "spec", "template", "metadata"},
	})
	equal(t, "serviceAccount", e["serviceAccount"], map[string]any{"name": "default", "key": "default/default", "source": "default", "at": spec})
	// restartPolicy bears on no identity: the inventory leaves it out.
	equal(t, "podSpec", e["podSpec"], map[string]any{"at": spec})
	if e["namespace"] != "default" || e["namespaceExplicit"] != false {
		t.Errorf("namespace %v explicit %v", e["namespace"], e["namespaceExplicit"])
	}
}

func TestWorkloadEffectiveServiceAccount(t *testing.T) {
	spec := []any{"spec", "template", "spec"}
	at := func(f string) []any { return append(append([]any{}, spec...), f) }
	tests := []struct {
		name    string
		podSpec string
		want    map[string]any
	}{
		{"serviceAccountName", "serviceAccountName: api",
			map[string]any{"name": "api", "key": "prod/api", "source": "serviceAccountName", "at": at("serviceAccountName")}},
		{"deprecated serviceAccount", "serviceAccount: legacy",
			map[string]any{"name": "legacy", "key": "prod/legacy", "source": "serviceAccount", "at": at("serviceAccount")}},
		{"serviceAccountName wins", "serviceAccount: legacy\nserviceAccountName: api",
			map[string]any{"name": "api", "key": "prod/api", "source": "serviceAccountName", "at": at("serviceAccountName")}},
		{"empty serviceAccountName is unset", "serviceAccountName: \"\"\nserviceAccount: legacy",
			map[string]any{"name": "legacy", "key": "prod/legacy", "source": "serviceAccount", "at": at("serviceAccount")}},
		{"null serviceAccountName is unset", "serviceAccountName:\nserviceAccount: legacy",
			map[string]any{"name": "legacy", "key": "prod/legacy", "source": "serviceAccount", "at": at("serviceAccount")}},
		{"both empty", "serviceAccountName: \"\"\nserviceAccount: \"\"",
			map[string]any{"name": "default", "key": "prod/default", "source": "default", "at": spec}},
		{"neither", "hostNetwork: false",
			map[string]any{"name": "default", "key": "prod/default", "source": "default", "at": spec}},
		{"explicit default", "serviceAccountName: default",
			map[string]any{"name": "default", "key": "prod/default", "source": "serviceAccountName", "at": at("serviceAccountName")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := workload(t, manifest("apps/v1", "Deployment", "", "", tt.podSpec+"\ncontainers: []"))
			equal(t, "serviceAccount", e["serviceAccount"], tt.want)
		})
	}

	// A Pod's spec is at ["spec"].
	e := workload(t, manifest("v1", "Pod", "", "", "serviceAccount: legacy\ncontainers: []"))
	equal(t, "Pod serviceAccount", e["serviceAccount"], map[string]any{"name": "legacy", "key": "prod/legacy", "source": "serviceAccount", "at": []any{"spec", "serviceAccount"}})
}

// fullDeployment exercises every normalized part of a workload entry.
const fullDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
  labels:
    app: api
spec:
  replicas: 2
  template:
    metadata:
      labels:
        app: api
      annotations:
        irsalint.io/ignore: static-aws-credentials
    spec:
      serviceAccountName: api
      hostNetwork: yes
      nodeSelector:
        kubernetes.io/os: linux
      securityContext:
        runAsUser: 1000
        runAsNonRoot: true
        fsGroup: 2000
        seccompProfile:
          type: RuntimeDefault
      ephemeralContainers:
        - name: debug
          image: busybox
      containers:
        - name: app
          image: 111122223333.dkr.ecr.us-west-2.amazonaws.com/api:1.2@sha256:abc
          ports:
            - containerPort: 8080
          env:
            - name: PORT
              value: "8080"
            - name: AWS_REGION
              valueFrom:
                configMapKeyRef: {name: aws, key: region}
            - name: EMPTY
              value: ""
          envFrom:
            - secretRef: {name: creds}
              prefix: APP_
            - configMapRef: {name: settings}
          volumeMounts:
            - name: token
              mountPath: /var/run/token
              readOnly: true
          securityContext:
            runAsUser: 0
            allowPrivilegeEscalation: false
            seLinuxOptions: {level: "s0:c1"}
        - name: sidecar
          image: envoyproxy/envoy:v1.30
      initContainers:
        - name: init
          image: busybox
          command: [sh, -c, "true"]
          securityContext:
            runAsGroup: 3000
      volumes:
        - name: token
          projected:
            sources:
              - serviceAccountToken:
                  path: token
                  expirationSeconds: 3600
`

func TestWorkloadFullEntry(t *testing.T) {
	e := workload(t, fullDeployment)
	spec := []any{"spec", "template", "spec"}
	p := func(els ...any) []any { return append(append([]any{}, spec...), els...) }
	podRunAsUser := map[string]any{"value": int64(1000), "at": p("securityContext", "runAsUser"), "from": "pod"}
	podRunAsNonRoot := map[string]any{"value": true, "at": p("securityContext", "runAsNonRoot"), "from": "pod"}
	podSeccomp := map[string]any{"value": map[string]any{"type": "RuntimeDefault"}, "at": p("securityContext", "seccompProfile"), "from": "pod"}
	noImage := func(name string) map[string]any {
		return map[string]any{"registry": "docker.io", "repository": name, "tag": "", "digest": ""}
	}
	want := map[string]any{
		"ref":               file + "#0",
		"kind":              "Deployment",
		"apiVersion":        "apps/v1",
		"namespace":         "prod",
		"namespaceExplicit": true,
		"name":              "api",
		"labels":            map[string]any{"app": "api"},
		"annotations":       map[string]any{},
		"template": map[string]any{
			"labels":      map[string]any{"app": "api"},
			"annotations": map[string]any{"irsalint.io/ignore": "static-aws-credentials"},
			"at":          []any{"spec", "template", "metadata"},
		},
		"serviceAccount": map[string]any{"name": "api", "key": "prod/api", "source": "serviceAccountName", "at": p("serviceAccountName")},
		// The pod spec as written (YAML 1.1: yes is true), without the
		// normalized lists.
		"podSpec": map[string]any{
			"serviceAccountName": "api",
			"hostNetwork":        true,
			"nodeSelector":       map[string]any{"kubernetes.io/os": "linux"},
			"securityContext": map[string]any{
				"runAsUser": int64(1000), "runAsNonRoot": true, "fsGroup": int64(2000),
				"seccompProfile": map[string]any{"type": "RuntimeDefault"},
			},
			"at": spec,
		},
		// Init containers, containers, ephemeral containers.
		"containers": []any{
			map[string]any{
				"name": "init", "image": "busybox", "type": "initContainer", "index": 0, "key": "initContainer/0", "at": p("initContainers", 0),
				"command":         []any{"sh", "-c", "true"},
				"securityContext": map[string]any{"runAsGroup": int64(3000)},
				"imageRef":        noImage("busybox"),
				"env":             []any{}, "envFrom": []any{}, "volumeMounts": []any{},
				"effectiveSecurityContext": map[string]any{
					"runAsUser":      podRunAsUser,
					"runAsGroup":     map[string]any{"value": int64(3000), "at": p("initContainers", 0, "securityContext", "runAsGroup"), "from": "container"},
					"runAsNonRoot":   podRunAsNonRoot,
					"seccompProfile": podSeccomp,
				},
			},
			map[string]any{
				"name": "app", "image": "111122223333.dkr.ecr.us-west-2.amazonaws.com/api:1.2@sha256:abc",
				"type": "container", "index": 0, "key": "container/0", "at": p("containers", 0),
				"imageRef": map[string]any{
					"registry": "111122223333.dkr.ecr.us-west-2.amazonaws.com", "repository": "api", "tag": "1.2", "digest": "sha256:abc",
				},
				"env": []any{
					map[string]any{"name": "PORT", "value": "8080", "at": p("containers", 0, "env", 0)},
					map[string]any{
						"name":      "AWS_REGION",
						"valueFrom": map[string]any{"configMapKeyRef": map[string]any{"name": "aws", "key": "region"}},
						"at":        p("containers", 0, "env", 1),
					},
					map[string]any{"name": "EMPTY", "value": "", "at": p("containers", 0, "env", 2)},
				},
				"envFrom": []any{
					map[string]any{"secretRef": map[string]any{"name": "creds"}, "prefix": "APP_", "at": p("containers", 0, "envFrom", 0)},
					map[string]any{"configMapRef": map[string]any{"name": "settings"}, "at": p("containers", 0, "envFrom", 1)},
				},
				"volumeMounts": []any{
					map[string]any{"name": "token", "mountPath": "/var/run/token", "readOnly": true, "at": p("containers", 0, "volumeMounts", 0)},
				},
				"securityContext": map[string]any{
					"runAsUser": int64(0), "allowPrivilegeEscalation": false, "seLinuxOptions": map[string]any{"level": "s0:c1"},
				},
				"effectiveSecurityContext": map[string]any{
					// The container's runAsUser 0 overrides the pod's 1000.
					"runAsUser":      map[string]any{"value": int64(0), "at": p("containers", 0, "securityContext", "runAsUser"), "from": "container"},
					"runAsNonRoot":   podRunAsNonRoot,
					"seccompProfile": podSeccomp,
					"seLinuxOptions": map[string]any{"value": map[string]any{"level": "s0:c1"}, "at": p("containers", 0, "securityContext", "seLinuxOptions"), "from": "container"},
				},
			},
			map[string]any{
				"name": "sidecar", "image": "envoyproxy/envoy:v1.30", "type": "container", "index": 1, "key": "container/1", "at": p("containers", 1),
				"imageRef": map[string]any{"registry": "docker.io", "repository": "envoyproxy/envoy", "tag": "v1.30", "digest": ""},
				"env":      []any{}, "envFrom": []any{}, "volumeMounts": []any{},
				"effectiveSecurityContext": map[string]any{
					"runAsUser": podRunAsUser, "runAsNonRoot": podRunAsNonRoot, "seccompProfile": podSeccomp,
				},
			},
			map[string]any{
				"name": "debug", "image": "busybox", "type": "ephemeralContainer", "index": 0, "key": "ephemeralContainer/0", "at": p("ephemeralContainers", 0),
				"imageRef": noImage("busybox"),
				"env":      []any{}, "envFrom": []any{}, "volumeMounts": []any{},
				"effectiveSecurityContext": map[string]any{
					"runAsUser": podRunAsUser, "runAsNonRoot": podRunAsNonRoot, "seccompProfile": podSeccomp,
				},
			},
		},
		"volumes": []any{
			map[string]any{
				"name": "token",
				"projected": map[string]any{"sources": []any{
					map[string]any{"serviceAccountToken": map[string]any{"path": "token", "expirationSeconds": int64(3600)}},
				}},
				"at": p("volumes", 0),
			},
		},
	}
	for k := range want {
		equal(t, k, e[k], want[k])
	}
	for k := range e {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected field %q", k)
		}
	}
}

func TestWorkloadDoesNotModifyTheObject(t *testing.T) {
	o := object(t, fullDeployment)
	before := js(o.Raw)
	e, _ := k8s.Workload(o)
	// Entries are copies: changing one leaves the object alone.
	c := e["containers"].([]any)[1].(map[string]any)
	c["env"].([]any)[0].(map[string]any)["value"] = "changed"
	c["at"].([]any)[0] = "changed"
	e["podSpec"].(map[string]any)["at"].([]any)[0] = "changed"
	if after := js(o.Raw); after != before {
		t.Errorf("Workload modified the object:\n%s\n%s", before, after)
	}
	if c2 := e["containers"].([]any)[2].(map[string]any)["at"].([]any); c2[0] != "spec" {
		t.Errorf("container paths share their backing array: %v", c2)
	}
}

// TestWorkloadEnvTypes checks that env values are strings as Kubernetes
// requires: YAML that types them otherwise is an error at the value.
func TestWorkloadEnvTypes(t *testing.T) {
	tests := []struct {
		value string
		want  string // the diagnostic; "" when the value is fine
		got   any
	}{
		{`"8080"`, "", "8080"},
		{`'true'`, "", "true"},
		{`"yes"`, "", "yes"},
		{"8080", "expected a string, got number 8080", nil},
		{"1.5", "expected a string, got number 1.5", nil},
		{"true", "expected a string, got boolean true", nil},
		{"yes", "expected a string, got boolean true", nil},
		{"[a]", "expected a string, got a list", nil},
		{"{a: b}", "expected a string, got a mapping", nil},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			text := manifest("apps/v1", "Deployment", "", "", "containers:\n  - name: app\n    env:\n      - name: PORT\n        value: "+tt.value)
			e, diags := k8s.Workload(object(t, text))
			if tt.want == "" {
				equal(t, "diagnostics", diagStrings(diags), []string{})
				env := e["containers"].([]any)[0].(map[string]any)["env"].([]any)
				equal(t, "env[0]", env[0], map[string]any{"name": "PORT", "value": tt.got, "at": []any{"spec", "template", "spec", "containers", 0, "env", 0}})
				return
			}
			// value: is on line 13, column 15.
			equal(t, "diagnostics", diagStrings(diags), []string{
				file + ":13:15: error: spec.template.spec.containers[0].env[0].value: " + tt.want,
			})
			if e == nil {
				t.Error("a type error in one field drops the whole workload")
			}
		})
	}
}

// TestWorkloadTypeErrors checks the fields whose YAML type Kubernetes would
// reject, each reported once at the exact line and column of its key.
func TestWorkloadTypeErrors(t *testing.T) {
	// The pod spec of manifest("apps/v1", "Deployment", "", "", ...) starts on
	// line 9, column 7.
	tests := []struct {
		name    string
		podSpec string
		want    []string
	}{
		{"containers not a list", "containers: nginx",
			[]string{"9:7: spec.template.spec.containers: expected a list, got string \"nginx\""}},
		{"container null", "containers:\n  - null",
			[]string{"10:11: spec.template.spec.containers[0]: expected a mapping, got null"}},
		{"container a string", "containers:\n  - nginx\n  - name: ok",
			[]string{"10:11: spec.template.spec.containers[0]: expected a mapping, got string \"nginx\""}},
		{"initContainers a mapping", "initContainers: {a: b}",
			[]string{"9:7: spec.template.spec.initContainers: expected a list, got a mapping"}},
		{"hostNetwork quoted yes", "hostNetwork: \"yes\"",
			[]string{"9:7: spec.template.spec.hostNetwork: expected a boolean, got string \"yes\""}},
		{"hostPID number", "hostPID: 1",
			[]string{"9:7: spec.template.spec.hostPID: expected a boolean, got number 1"}},
		{"automount quoted", "automountServiceAccountToken: \"false\"",
			[]string{"9:7: spec.template.spec.automountServiceAccountToken: expected a boolean, got string \"false\""}},
		{"serviceAccountName a number", "serviceAccountName: 5",
			[]string{"9:7: spec.template.spec.serviceAccountName: expected a string, got number 5"}},
		{"pod runAsUser a string", "securityContext:\n  runAsUser: \"1000\"",
			[]string{"10:9: spec.template.spec.securityContext.runAsUser: expected an integer, got string \"1000\""}},
		{"pod runAsUser a fraction", "securityContext:\n  runAsUser: 1.5",
			[]string{"10:9: spec.template.spec.securityContext.runAsUser: expected an integer, got number 1.5"}},
		{"pod fsGroup infinite", "securityContext:\n  fsGroup: .inf",
			[]string{"10:9: spec.template.spec.securityContext.fsGroup: expected an integer, got number +Inf"}},
		{"pod runAsNonRoot a string", "securityContext:\n  runAsNonRoot: \"true\"",
			[]string{"10:9: spec.template.spec.securityContext.runAsNonRoot: expected a boolean, got string \"true\""}},
		{"pod securityContext a list", "securityContext: []",
			[]string{"9:7: spec.template.spec.securityContext: expected a mapping, got a list"}},
		{"nodeSelector value a number", "nodeSelector: {a: 1}",
			[]string{"9:22: spec.template.spec.nodeSelector.a: expected a string, got number 1"}},
		{"container runAsUser a string", "containers:\n  - name: app\n    securityContext:\n      runAsUser: \"1000\"",
			[]string{"12:13: spec.template.spec.containers[0].securityContext.runAsUser: expected an integer, got string \"1000\""}},
		{"container runAsGroup in an init container", "initContainers:\n  - name: init\n    securityContext: {runAsGroup: x}",
			[]string{"11:29: spec.template.spec.initContainers[0].securityContext.runAsGroup: expected an integer, got string \"x\""}},
		{"container name a number", "containers:\n  - name: 1\n    image: 2",
			[]string{
				"10:11: spec.template.spec.containers[0].name: expected a string, got number 1",
				"11:11: spec.template.spec.containers[0].image: expected a string, got number 2",
			}},
		{"env a mapping", "containers:\n  - name: app\n    env: {A: b}",
			[]string{"11:11: spec.template.spec.containers[0].env: expected a list, got a mapping"}},
		{"env name a number", "containers:\n  - name: app\n    env:\n      - name: 1\n        value: x",
			[]string{"12:15: spec.template.spec.containers[0].env[0].name: expected a string, got number 1"}},
		{"envFrom entry a string", "containers:\n  - name: app\n    envFrom:\n      - creds",
			[]string{"12:15: spec.template.spec.containers[0].envFrom[0]: expected a mapping, got string \"creds\""}},
		{"volumeMounts a string", "containers:\n  - name: app\n    volumeMounts: token",
			[]string{"11:11: spec.template.spec.containers[0].volumeMounts: expected a list, got string \"token\""}},
		{"token expiration a string", "volumes:\n  - name: t\n    projected:\n      sources:\n        - serviceAccountToken:\n            expirationSeconds: \"3600\"",
			[]string{"14:19: spec.template.spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds: expected an integer, got string \"3600\""}},
		{"projected defaultMode a string", "volumes:\n  - name: t\n    projected:\n      defaultMode: \"0400\"",
			[]string{"12:13: spec.template.spec.volumes[0].projected.defaultMode: expected an integer, got string \"0400\""}},
		{"volumes a mapping", "volumes: {t: {}}",
			[]string{"9:7: spec.template.spec.volumes: expected a list, got a mapping"}},
		{"several at once, in field order",
			"hostNetwork: \"true\"\nsecurityContext:\n  runAsUser: \"0\"\ncontainers:\n  - name: app\n    securityContext:\n      runAsUser: \"1\"",
			[]string{
				"9:7: spec.template.spec.hostNetwork: expected a boolean, got string \"true\"",
				"11:9: spec.template.spec.securityContext.runAsUser: expected an integer, got string \"0\"",
				"15:13: spec.template.spec.containers[0].securityContext.runAsUser: expected an integer, got string \"1\"",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, diags := k8s.Workload(object(t, manifest("apps/v1", "Deployment", "", "", tt.podSpec)))
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				pos, msg, _ := strings.Cut(w, ": ")
				want[i] = file + ":" + pos + ": error: " + msg
			}
			equal(t, "diagnostics", diagStrings(diags), want)
			if e == nil {
				t.Error("a type error in one field drops the whole workload")
			}
		})
	}
}

func TestWorkloadTypeErrorFallbacks(t *testing.T) {
	// What the entry holds when a field has the wrong type.
	e, _ := k8s.Workload(object(t, manifest("apps/v1", "Deployment", "", "",
		"serviceAccountName: 5\nserviceAccount: legacy\ncontainers:\n  - nginx\n  - name: ok\n")))
	equal(t, "serviceAccount", e["serviceAccount"], map[string]any{
		"name": "legacy", "key": "prod/legacy", "source": "serviceAccount", "at": []any{"spec", "template", "spec", "serviceAccount"},
	})
	cs := e["containers"].([]any)
	if len(cs) != 1 || cs[0].(map[string]any)["name"] != "ok" || cs[0].(map[string]any)["index"] != 1 {
		t.Errorf("containers = %s; want only ok, index 1", js(cs))
	}
}

func TestWorkloadLabelTypes(t *testing.T) {
	text := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  labels:
    version: 2
    empty:
  annotations: [a]
spec:
  template:
    metadata:
      annotations:
        enabled: true
    spec:
      containers: []
`
	e, diags := k8s.Workload(object(t, text))
	equal(t, "diagnostics", diagStrings(diags), []string{
		file + ":6:5: error: metadata.labels.version: expected a string, got number 2",
		file + ":8:3: error: metadata.annotations: expected a mapping, got a list",
		file + ":13:9: error: spec.template.metadata.annotations.enabled: expected a string, got boolean true",
	})
	// A null label value is the empty string; a mistyped one is left out.
	equal(t, "labels", e["labels"], map[string]any{"empty": ""})
	equal(t, "annotations", e["annotations"], map[string]any{})
	equal(t, "template annotations", e["template"].(map[string]any)["annotations"], map[string]any{})
}

func TestWorkloadWithoutPodTemplate(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{"Deployment without template", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 1\n",
			"4:1: error: Deployment has no pod template spec (spec.template.spec)"},
		{"Deployment without spec", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n",
			"1:1: error: Deployment has no pod template spec (spec.template.spec)"},
		{"template without spec", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    metadata: {}\n",
			"5:3: error: Deployment has no pod template spec (spec.template.spec)"},
		{"Pod without spec", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
			"1:1: error: Pod has no pod template spec (spec)"},
		{"CronJob without jobTemplate", "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {schedule: x}\n",
			"4:1: error: CronJob has no pod template spec (spec.jobTemplate.spec.template.spec)"},
		{"template a list", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template: []\n",
			"5:3: error: spec.template: expected a mapping, got a list"},
		{"spec a string", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: x\n",
			"4:1: error: spec: expected a mapping, got string \"x\""},
		{"jobTemplate a string", "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate: x\n",
			"5:3: error: spec.jobTemplate: expected a mapping, got string \"x\""},
		{"pod spec a number", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec: 5\n",
			"6:5: error: spec.template.spec: expected a mapping, got number 5"},
		{"Pod spec a list", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: []\n",
			"4:1: error: spec: expected a mapping, got a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, diags := k8s.Workload(object(t, tt.text))
			if e != nil {
				t.Errorf("entry %s, want nil", js(e))
			}
			equal(t, "diagnostics", diagStrings(diags), []string{file + ":" + tt.want})
		})
	}
}

func TestWorkloadInAList(t *testing.T) {
	docs := decode(t, `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a}
  spec:
    containers:
    - name: app
      securityContext: {runAsUser: "0"}
`)
	ex := k8s.Extract(file, docs[0])
	if len(ex.Objects) != 1 {
		t.Fatalf("%d objects", len(ex.Objects))
	}
	e, diags := k8s.Workload(ex.Objects[0])
	// Paths in the entry are relative to the item; diagnostics name the
	// path in the document.
	equal(t, "diagnostics", diagStrings(diags), []string{
		file + `:10:25: error: items[0].spec.containers[0].securityContext.runAsUser: expected an integer, got string "0"`,
	})
	equal(t, "container at", e["containers"].([]any)[0].(map[string]any)["at"], []any{"spec", "containers", 0})
	if e["ref"] != file+"#0.items[0]" {
		t.Errorf("ref %v", e["ref"])
	}
}

func TestEffectiveSecurityContext(t *testing.T) {
	spec := []any{"spec"}
	p := func(els ...any) []any { return append(append([]any{}, spec...), els...) }
	tests := []struct {
		name      string
		pod, ctnr string // securityContext bodies (flow YAML), "" for none
		want      map[string]any
	}{
		{"neither", "", "", map[string]any{}},
		{"pod only", "{runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000]}", "", map[string]any{
			"runAsUser":  map[string]any{"value": int64(1000), "at": p("securityContext", "runAsUser"), "from": "pod"},
			"runAsGroup": map[string]any{"value": int64(3000), "at": p("securityContext", "runAsGroup"), "from": "pod"},
		}},
		{"container only", "", "{runAsNonRoot: true, privileged: false, windowsOptions: {runAsUserName: x}}", map[string]any{
			"runAsNonRoot":   map[string]any{"value": true, "at": p("containers", 0, "securityContext", "runAsNonRoot"), "from": "container"},
			"windowsOptions": map[string]any{"value": map[string]any{"runAsUserName": "x"}, "at": p("containers", 0, "securityContext", "windowsOptions"), "from": "container"},
		}},
		{"container overrides field by field", "{runAsUser: 1000, runAsNonRoot: true, appArmorProfile: {type: RuntimeDefault}}", "{runAsUser: 0, runAsNonRoot: false}", map[string]any{
			"runAsUser":       map[string]any{"value": int64(0), "at": p("containers", 0, "securityContext", "runAsUser"), "from": "container"},
			"runAsNonRoot":    map[string]any{"value": false, "at": p("containers", 0, "securityContext", "runAsNonRoot"), "from": "container"},
			"appArmorProfile": map[string]any{"value": map[string]any{"type": "RuntimeDefault"}, "at": p("securityContext", "appArmorProfile"), "from": "pod"},
		}},
		{"null in the container does not override", "{runAsUser: 1000}", "{runAsUser: null}", map[string]any{
			"runAsUser": map[string]any{"value": int64(1000), "at": p("securityContext", "runAsUser"), "from": "pod"},
		}},
		{"integral floats are integers", "{runAsUser: 1000.0}", "{runAsGroup: 2e3}", map[string]any{
			"runAsUser":  map[string]any{"value": int64(1000), "at": p("securityContext", "runAsUser"), "from": "pod"},
			"runAsGroup": map[string]any{"value": int64(2000), "at": p("containers", 0, "securityContext", "runAsGroup"), "from": "container"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n")
			if tt.pod != "" {
				b.WriteString("  securityContext: " + tt.pod + "\n")
			}
			b.WriteString("  containers:\n  - name: app\n")
			if tt.ctnr != "" {
				b.WriteString("    securityContext: " + tt.ctnr + "\n")
			}
			e := workload(t, b.String())
			equal(t, "effectiveSecurityContext", e["containers"].([]any)[0].(map[string]any)["effectiveSecurityContext"], tt.want)
		})
	}
}

// TestEffectiveSecurityContextFloats feeds values as encoding/json would
// produce them (float64), which the YAML decoder never does.
func TestEffectiveSecurityContextFloats(t *testing.T) {
	o := &k8s.Object{
		Ref: "x#0", Kind: "Pod", APIVersion: "v1", Namespace: "default", Name: "p", File: "x",
		Raw: map[string]any{
			"metadata": map[string]any{"name": "p"},
			"spec": map[string]any{
				"securityContext": map[string]any{"runAsUser": float64(1000), "fsGroup": float64(2000)},
				"containers": []any{
					map[string]any{"name": "a", "securityContext": map[string]any{"runAsGroup": float64(3000)}},
					map[string]any{"name": "b", "securityContext": map[string]any{"runAsGroup": 2.5}},
				},
			},
		},
	}
	e, diags := k8s.Workload(o)
	// No position tree: the location has the file only.
	equal(t, "diagnostics", diagStrings(diags), []string{
		"x: error: spec.containers[1].securityContext.runAsGroup: expected an integer, got number 2.5",
	})
	cs := e["containers"].([]any)
	equal(t, "a", cs[0].(map[string]any)["effectiveSecurityContext"], map[string]any{
		"runAsUser":  map[string]any{"value": int64(1000), "at": []any{"spec", "securityContext", "runAsUser"}, "from": "pod"},
		"runAsGroup": map[string]any{"value": int64(3000), "at": []any{"spec", "containers", 0, "securityContext", "runAsGroup"}, "from": "container"},
	})
	equal(t, "b runAsGroup", cs[1].(map[string]any)["effectiveSecurityContext"].(map[string]any)["runAsGroup"],
		map[string]any{"value": 2.5, "at": []any{"spec", "containers", 1, "securityContext", "runAsGroup"}, "from": "container"})
}

func TestServiceAccountEntry(t *testing.T) {
	o := object(t, `apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: prod
  labels: {team: payments}
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/api
automountServiceAccountToken: no
`)
	e, diags := k8s.ServiceAccount(o)
	equal(t, "diagnostics", diagStrings(diags), []string{})
	equal(t, "entry", e, map[string]any{
		"ref": file + "#0", "kind": "ServiceAccount", "namespace": "prod", "name": "api", "key": "prod/api", "declared": true,
		"labels":                       map[string]any{"team": "payments"},
		"annotations":                  map[string]any{"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/api"},
		"automountServiceAccountToken": false,
		"at":                           []any{},
	})

	// Unset automount is absent; a mistyped one is an error and absent.
	e, diags = k8s.ServiceAccount(object(t, "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n"))
	if _, ok := e["automountServiceAccountToken"]; ok || len(diags) > 0 || e["key"] != "default/a" {
		t.Errorf("entry %s, diagnostics %v", js(e), diagStrings(diags))
	}
	e, diags = k8s.ServiceAccount(object(t, "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\nautomountServiceAccountToken: \"false\"\n"))
	equal(t, "diagnostics", diagStrings(diags), []string{file + `:4:1: error: automountServiceAccountToken: expected a boolean, got string "false"`})
	if _, ok := e["automountServiceAccountToken"]; ok {
		t.Errorf("mistyped automountServiceAccountToken kept: %s", js(e))
	}
	e, diags = k8s.ServiceAccount(object(t, "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  annotations:\n    eks.amazonaws.com/token-expiration: 3600\n"))
	equal(t, "diagnostics", diagStrings(diags), []string{file + `:6:5: error: metadata.annotations["eks.amazonaws.com/token-expiration"]: expected a string, got number 3600`})
	equal(t, "annotations", e["annotations"], map[string]any{})
}

func TestImplicitServiceAccount(t *testing.T) {
	equal(t, "entry", k8s.ImplicitServiceAccount("prod"), map[string]any{
		"ref": "implicit:prod/default", "kind": "ServiceAccount", "namespace": "prod", "name": "default", "key": "prod/default",
		"declared": false, "labels": map[string]any{}, "annotations": map[string]any{},
	})
}

func TestNamespaceEntry(t *testing.T) {
	e, diags := k8s.Namespace(object(t, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n  labels: {env: prod}\n"))
	equal(t, "diagnostics", diagStrings(diags), []string{})
	equal(t, "entry", e, map[string]any{
		"ref": file + "#0", "name": "prod", "declared": true,
		"labels": map[string]any{"env": "prod"}, "annotations": map[string]any{}, "at": []any{},
	})
}

func TestTypeErrorShowsLongStringsShortened(t *testing.T) {
	long := strings.Repeat("é", 25) // 50 bytes, 25 characters: shown whole
	longer := strings.Repeat("é", 45)
	for _, tt := range []struct{ value, shown string }{
		{long, long},
		{strings.Repeat("x", 40), strings.Repeat("x", 40)},
		{strings.Repeat("x", 41), strings.Repeat("x", 37) + "..."},
		// Shortened on a character boundary, never inside one.
		{longer, strings.Repeat("é", 37) + "..."},
	} {
		_, diags := k8s.Workload(object(t, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: \""+tt.value+"\"\n"))
		equal(t, "diagnostics", diagStrings(diags), []string{
			fmt.Sprintf("%s:5:3: error: spec.hostNetwork: expected a boolean, got string %q", file, tt.shown),
		})
	}
}
