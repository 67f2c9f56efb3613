package source

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func init() {
	// A bug in the fast parser must fail the tests, not fall back.
	fastStrict = true
}

// Typical inputs, which the fast path must handle.
var (
	kubectlList = `apiVersion: v1
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    annotations:
      eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/app
      kubectl.kubernetes.io/last-applied-configuration: |
        {"apiVersion":"v1","kind":"ServiceAccount","metadata":{"annotations":{},"name":"app","namespace":"prod"}}
    creationTimestamp: "2024-08-01T22:15:02Z"
    name: app
    namespace: prod
    resourceVersion: "1695573"
    uid: f8fcfb3b-8621-9f66-f616-249b9d83d3d2
- apiVersion: v1
  kind: Pod
  metadata:
    labels:
      app.kubernetes.io/name: app
    name: app-7d4b9c
    namespace: prod
  spec:
    containers:
    - args:
      - --config=/etc/app/config.yaml
      - "--log-level=debug"
      env:
      - name: AWS_REGION
        value: eu-west-1
      - name: EMPTY
        value: ""
      image: ghcr.io/example/app:v1.8.5
      name: app
      ports:
      - containerPort: 8443
        name: http
        protocol: TCP
      resources: {}
      securityContext:
        allowPrivilegeEscalation: false
        runAsNonRoot: true
    dnsPolicy: ClusterFirst
    securityContext: {}
    serviceAccount: app
    serviceAccountName: app
    tolerations:
    - effect: NoExecute
      key: node.kubernetes.io/not-ready
      operator: Exists
      tolerationSeconds: 300
    volumes:
    - emptyDir: {}
      name: tmp
  status:
    phase: Running
    podIP: 10.0.150.40
kind: List
metadata:
  resourceVersion: ""
`
	helmBundle = `---
# Source: app/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  labels:
    helm.sh/chart: app-1.2.3
    app.kubernetes.io/version: "1.16.0"
  annotations:
    eks.amazonaws.com/role-arn: 'arn:aws:iam::111122223333:role/app'
---
# Source: app/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  replicas: 2
  selector:
    matchLabels: {app: app, tier: "web"}
  template:
    metadata:
      annotations:
        checksum/config: 3f1c2e
    spec:
      serviceAccountName: app
      containers:
        - name: app
          image: "nginx:1.16.0"
          command: ["/bin/sh", "-c"]
          args:
            - >-
              exec nginx
              -g 'daemon off;'
          env:
            - name: GREETING
              value: "Hello,\tworld \u00e9\n"
            - name: RETRIES
              value: "3"
          resources:
            limits: {cpu: 500m, memory: 512Mi}
---
# Source: app/templates/tests/empty.yaml
`
	serviceAccounts = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: a
  namespace: team-1
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/a
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: b
  namespace: team-1
automountServiceAccountToken: false
...
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: c, namespace: team-2}
`
	configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  config.yaml: |
    server:
      port: 8080

    # a comment inside the text
    log:
      level: info
  keep: |+
    kept

  strip: |-
    stripped
  indented: |2
      two more spaces
  folded: >
    one
    two

    three
      more indented
    four
  plain: a plain scalar
    over two lines
  empty:
`
)

// fastTypical are inputs the fast path must handle; they seed FuzzFastPath.
var fastTypical = []string{
	kubectlList,
	helmBundle,
	serviceAccounts,
	configMap,
	strings.ReplaceAll(helmBundle, "\n", "\r\n"),
	"\ufeff" + strings.ReplaceAll(configMap, "\n", "\r\n"),
	string(k8sYAMLPlain(4 << 10)),
}

func TestFastPathHandles(t *testing.T) {
	for i, in := range fastTypical {
		if !compareFast(t, []byte(in)) {
			t.Errorf("input %d: the fast path gave up on %.60q...", i, in)
		}
	}
	docs, ok := decodeFast([]byte(configMap))
	if !ok || len(docs) != 1 {
		t.Fatalf("configMap: %d docs, %v", len(docs), ok)
	}
	data := docs[0].Value.(map[string]any)["data"].(map[string]any)
	for k, want := range map[string]any{
		"config.yaml": "server:\n  port: 8080\n\n# a comment inside the text\nlog:\n  level: info\n",
		"keep":        "kept\n\n",
		"strip":       "stripped",
		"indented":    "  two more spaces\n",
		"folded":      "one two\nthree\n  more indented\nfour\n",
		"plain":       "a plain scalar over two lines",
		"empty":       nil,
	} {
		if got := data[k]; got != want {
			t.Errorf("data.%s = %q, want %q", k, got, want)
		}
	}
	docs, ok = decodeFast([]byte(strings.ReplaceAll(helmBundle, "\n", "\r\n")))
	if !ok || len(docs) != 2 {
		t.Fatalf("helm bundle with CRLF: %d docs, %v", len(docs), ok)
	}
	if p := lookup(t, docs[1], "spec", "template", "spec", "containers", 0, "command", 1); p != at(31, 32) {
		t.Errorf("command[1] at %v, want 31:32", p)
	}
}

// TestFastPathGivesUp checks inputs the fast path must leave to yaml.v3.
func TestFastPathGivesUp(t *testing.T) {
	for _, in := range []string{
		"a: &x 1\nb: *x\n",
		"a:\n  <<: {b: 1}\n",
		"a: !!str 1\n",
		"? a\n: b\n",
		"%YAML 1.1\n---\na: 1\n",
		"a:\n\tb: 1\n",
		"a: [1,\n  2]\n",
		"a: b: c\n",
		"a: 1\n b: 2\n",
		"a: \"x\n",
		"~: 1\n",
		"a: \"\\/\"\n",
		"a: 1\n...\nb: 2\n",
		"--- 12\n",
		"a: x\x85y\n",
	} {
		if _, ok := decodeFast([]byte(in)); ok {
			t.Errorf("%q: handled by the fast path", in)
		}
	}
}

// TestFastPathMatchesYAMLv3 compares the fast path with the yaml.v3 path on
// every input the package's tests hold, the fuzz corpora and the generated
// corpus.
func TestFastPathMatchesYAMLv3(t *testing.T) {
	var inputs [][]byte
	for _, s := range testLiterals(t) {
		inputs = append(inputs, []byte(s), []byte("v: "+s), []byte("v: "+s+"\n"))
	}
	for _, s := range slices.Concat(fuzzSeeds, differentialCases, fastTypical) {
		inputs = append(inputs, []byte(s))
	}
	inputs = append(inputs, fuzzCorpora(t)...)
	inputs = append(inputs, k8sYAML(64<<10), k8sYAMLPlain(64<<10))
	if !testing.Short() {
		if dir := genCorpus(t, 300, 30); dir != "" {
			inputs = append(inputs, readTree(t, filepath.Join(dir, "manifests"))...)
		}
	}
	handled := 0
	for _, in := range inputs {
		if compareFast(t, in) {
			handled++
		}
	}
	t.Logf("the fast path handled %d of %d inputs", handled, len(inputs))
}

// testLiterals returns the string literals of the package's test files.
func testLiterals(t *testing.T) []string {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out = append(out, s)
				}
			}
			return true
		})
	}
	return out
}

// fuzzCorpora returns the inputs committed under testdata/fuzz.
func fuzzCorpora(t *testing.T) [][]byte {
	files, err := filepath.Glob("testdata/fuzz/*/*")
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 2 || lines[0] != "go test fuzz v1" {
			t.Fatalf("%s: not a one-value corpus file", name)
		}
		lit, ok := strings.CutPrefix(lines[1], "[]byte(")
		if !ok {
			t.Fatalf("%s: not a []byte value", name)
		}
		s, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, []byte(s))
	}
	return out
}

func readTree(t testing.TB, dir string) [][]byte {
	var out [][]byte
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		out = append(out, b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func FuzzFastPath(f *testing.F) {
	for _, s := range slices.Concat(fuzzSeeds, differentialCases, fastTypical) {
		f.Add([]byte(s))
	}
	g := &yamlGen{r: rand.New(rand.NewPCG(3, 4))}
	for range 200 {
		f.Add(g.text())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		compareFast(t, data)
	})
}

// compareFast decodes data with the fast path and, when it handles it, with
// the yaml.v3 path, and fails t on any difference. It tells whether the fast
// path handled data.
func compareFast(t testing.TB, data []byte) bool {
	t.Helper()
	data = utf16ToUTF8(data)
	fast, ok := decodeFast(data)
	if !ok {
		return false
	}
	slow, err := decodeYAML(data, &lines{data: data})
	if err != nil {
		t.Fatalf("%q: the fast path decoded text the yaml.v3 path rejects: %v", data, err)
	}
	if msg := diffDocs(fast, slow); msg != "" {
		t.Fatalf("%q: fast path and yaml.v3 path differ: %s", data, msg)
	}
	return true
}

func diffDocs(fast, slow []Doc) string {
	if len(fast) != len(slow) {
		return fmt.Sprintf("%d documents, want %d", len(fast), len(slow))
	}
	for i := range fast {
		f, s := fast[i], slow[i]
		if f.Index != s.Index {
			return fmt.Sprintf("doc %d: Index %d, want %d", i, f.Index, s.Index)
		}
		if msg := diffValues(f.Value, s.Value, nil); msg != "" {
			return fmt.Sprintf("doc %d: %s", i, msg)
		}
		if !reflect.DeepEqual(f.Duplicates, s.Duplicates) {
			return fmt.Sprintf("doc %d: duplicates\n %+v\nwant %+v", i, f.Duplicates, s.Duplicates)
		}
		if f.Pos.Root() != s.Pos.Root() {
			return fmt.Sprintf("doc %d: root at %v, want %v", i, f.Pos.Root(), s.Pos.Root())
		}
		if msg := diffPositions(f.Pos, s.Pos, s.Value, nil); msg != "" {
			return fmt.Sprintf("doc %d: %s", i, msg)
		}
		if !slices.Equal(f.Pos.entries, s.Pos.entries) {
			return fmt.Sprintf("doc %d: position entries differ", i)
		}
	}
	return ""
}

// diffValues compares decoded values exactly, types included (NaN equals
// NaN).
func diffValues(a, b any, path []any) string {
	switch b := b.(type) {
	case map[string]any:
		a, ok := a.(map[string]any)
		if !ok || len(a) != len(b) || (a == nil) != (b == nil) {
			return fmt.Sprintf("%s: %#v, want %#v", FormatPath(path), a, b)
		}
		for k, bv := range b {
			av, ok := a[k]
			if !ok {
				return fmt.Sprintf("%s: no key %q", FormatPath(path), k)
			}
			if msg := diffValues(av, bv, append(path[:len(path):len(path)], k)); msg != "" {
				return msg
			}
		}
		return ""
	case []any:
		a, ok := a.([]any)
		if !ok || len(a) != len(b) || (a == nil) != (b == nil) {
			return fmt.Sprintf("%s: %#v, want %#v", FormatPath(path), a, b)
		}
		for i := range b {
			if msg := diffValues(a[i], b[i], append(path[:len(path):len(path)], i)); msg != "" {
				return msg
			}
		}
		return ""
	case float64:
		if a, ok := a.(float64); ok && (a == b && math.Signbit(a) == math.Signbit(b) || math.IsNaN(a) && math.IsNaN(b)) {
			return ""
		}
	case string, int64, bool, nil:
		if a == any(b) {
			return ""
		}
	default:
		return fmt.Sprintf("%s: unexpected type %T", FormatPath(path), b)
	}
	return fmt.Sprintf("%s: %#v (%T), want %#v (%T)", FormatPath(path), a, a, b, b)
}

// diffPositions compares Lookup of every path of v, and of paths just
// beyond them.
func diffPositions(fast, slow *Positions, v any, path []any) string {
	check := func(p []any) string {
		fp, fe := fast.Lookup(p)
		sp, se := slow.Lookup(p)
		if fp != sp || fe != se {
			return fmt.Sprintf("Lookup(%s) = %v %v, want %v %v", FormatPath(p), fp, fe, sp, se)
		}
		return ""
	}
	if msg := check(path); msg != "" {
		return msg
	}
	var absent []any
	switch v := v.(type) {
	case map[string]any:
		for k, cv := range v {
			if msg := diffPositions(fast, slow, cv, append(path[:len(path):len(path)], k)); msg != "" {
				return msg
			}
		}
		absent = []any{"\x00absent", 0}
	case []any:
		for i, cv := range v {
			if msg := diffPositions(fast, slow, cv, append(path[:len(path):len(path)], i)); msg != "" {
				return msg
			}
		}
		absent = []any{len(v), -1, "0"}
	default:
		absent = []any{0, "x"}
	}
	for _, el := range absent {
		if msg := check(append(path[:len(path):len(path)], el, "deeper")); msg != "" {
			return msg
		}
	}
	return ""
}
