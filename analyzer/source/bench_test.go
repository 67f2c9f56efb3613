package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// k8sYAML generates a multi-document Kubernetes stream of about size bytes.
func k8sYAML(size int) []byte { return k8sStream(size, true) }

// k8sYAMLPlain is k8sYAML with the labels written out instead of through an
// anchor and an alias, which the fast path leaves to yaml.v3.
func k8sYAMLPlain(size int) []byte { return k8sStream(size, false) }

func k8sStream(size int, anchors bool) []byte {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		labels, ref := "labels: &labels", "labels: *labels"
		if !anchors {
			labels = "labels:"
			ref = fmt.Sprintf("labels:\n        app.kubernetes.io/name: app-%d\n        app.kubernetes.io/part-of: platform", i)
		}
		fmt.Fprintf(&b, `---
# Source: app/templates/sa.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app-%[1]d
  namespace: team-%[2]d
  labels:
    app.kubernetes.io/name: app-%[1]d
    app.kubernetes.io/part-of: platform
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/app-%[1]d
    eks.amazonaws.com/sts-regional-endpoints: "true"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%[1]d
  namespace: team-%[2]d
  %[3]s
    app.kubernetes.io/name: app-%[1]d
    app.kubernetes.io/part-of: platform
spec:
  replicas: 3
  selector:
    matchLabels: {app: app-%[1]d}
  template:
    metadata:
      %[4]s
    spec:
      serviceAccountName: app-%[1]d
      automountServiceAccountToken: true
      containers:
      - name: app
        image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1.2.%[1]d
        ports:
        - containerPort: 8080
          protocol: TCP
        env:
        - name: AWS_REGION
          value: us-east-1
        - name: LOG_LEVEL
          value: info
        resources:
          limits: {cpu: 500m, memory: 512Mi}
`, i, i%10, labels, ref)
	}
	return []byte(b.String())
}

// iamJSON generates an indented JSON document of about size bytes.
func iamJSON(size int) []byte {
	var roles []any
	for i := 0; ; i++ {
		roles = append(roles, map[string]any{
			"RoleName":           fmt.Sprintf("app-%d", i),
			"Arn":                fmt.Sprintf("arn:aws:iam::111122223333:role/app-%d", i),
			"MaxSessionDuration": 3600,
			"AssumeRolePolicyDocument": map[string]any{
				"Version": "2012-10-17",
				"Statement": []any{map[string]any{
					"Effect":    "Allow",
					"Principal": map[string]any{"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"},
					"Action":    "sts:AssumeRoleWithWebIdentity",
					"Condition": map[string]any{"StringEquals": map[string]any{
						"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub": fmt.Sprintf("system:serviceaccount:team-%d:app-%d", i%10, i),
						"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud": "sts.amazonaws.com",
					}},
				}},
			},
		})
		if i%50 == 0 {
			b, _ := json.MarshalIndent(map[string]any{"Roles": roles}, "", "    ")
			if len(b) >= size {
				return b
			}
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, in := range []struct {
		name string
		data []byte
	}{
		{"yaml-1MB", k8sYAML(1 << 20)},
		{"json-1MB", iamJSON(1 << 20)},
	} {
		b.Run(in.name, func(b *testing.B) {
			docs, err := Decode(in.data)
			if err != nil || len(docs) == 0 {
				b.Fatalf("%d docs, %v", len(docs), err)
			}
			b.SetBytes(int64(len(in.data)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := Decode(in.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// genCorpus builds ../shared/bench/gencorpus (beside the repository) and
// writes a corpus into a temporary folder; it returns "" when the generator
// is not there (a user's clone).
func genCorpus(tb testing.TB, workloads, roles int) string {
	tb.Helper()
	gen, err := filepath.Abs("../../../shared/bench/gencorpus")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(gen, "main.go")); err != nil {
		return ""
	}
	dir := tb.TempDir()
	bin := filepath.Join(dir, "gencorpus")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = gen
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("building gencorpus: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "corpus")
	gc := exec.Command(bin, "-workloads", strconv.Itoa(workloads), "-roles", strconv.Itoa(roles), "-seed", "1", "-out", out, "-q")
	if b, err := gc.CombinedOutput(); err != nil {
		tb.Fatalf("gencorpus: %v\n%s", err, b)
	}
	return out
}

// BenchmarkDecodePaths compares the fast path with the yaml.v3 path (parse
// and conversion) and with yaml.v3's parse alone, on the generated corpus'
// YAML manifests (10,000 workloads; skipped without the generator) and on
// k8sYAMLPlain. Decode is the whole of Decode on the same files. Run with
// -cpu 1 and several -count runs; quote medians.
func BenchmarkDecodePaths(b *testing.B) {
	inputs := []struct {
		name  string
		files [][]byte
	}{{"k8s-1MB", [][]byte{k8sYAMLPlain(1 << 20)}}}
	if dir := genCorpus(b, 10000, 2000); dir != "" {
		var yamlFiles [][]byte
		for _, f := range readTree(b, filepath.Join(dir, "manifests")) {
			if _, isJSON := looksJSON(f); !isJSON {
				yamlFiles = append(yamlFiles, f)
			}
		}
		inputs = append(inputs, struct {
			name  string
			files [][]byte
		}{"corpus", yamlFiles})
	}
	paths := []struct {
		name   string
		decode func([]byte) bool
	}{
		{"fast", func(data []byte) bool { _, ok := decodeFast(data); return ok }},
		{"yaml.v3", func(data []byte) bool { _, err := decodeYAML(data, &lines{data: data}); return err == nil }},
		{"yaml.v3-nodes", func(data []byte) bool {
			dec := yaml.NewDecoder(bytes.NewReader(data))
			for {
				var n yaml.Node
				if err := dec.Decode(&n); err != nil {
					return errors.Is(err, io.EOF)
				}
			}
		}},
		{"Decode", func(data []byte) bool { _, err := Decode(data); return err == nil }},
	}
	for _, in := range inputs {
		var size int64
		for _, f := range in.files {
			size += int64(len(f))
		}
		for _, path := range paths {
			b.Run(in.name+"/"+path.name, func(b *testing.B) {
				for _, f := range in.files {
					if !path.decode(f) {
						b.Fatalf("%s does not decode %.80q...", path.name, f)
					}
				}
				b.SetBytes(size)
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					for _, f := range in.files {
						path.decode(f)
					}
				}
			})
		}
	}
}

// BenchmarkPositionMemory reports the bytes of position data retained per
// node after decoding the generated corpus' manifests (skipped without the
// generator) and k8sYAMLPlain: go test -run '^$' -bench PositionMemory.
func BenchmarkPositionMemory(b *testing.B) {
	inputs := []struct {
		name  string
		files [][]byte
	}{{"k8s-1MB", [][]byte{k8sYAMLPlain(1 << 20)}}}
	if dir := genCorpus(b, 10000, 2000); dir != "" {
		inputs = append(inputs, struct {
			name  string
			files [][]byte
		}{"corpus", readTree(b, filepath.Join(dir, "manifests"))})
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			var perNode float64
			for b.Loop() {
				perNode = positionBytes(b, in.files)
			}
			b.ReportMetric(perNode, "B/node")
		})
	}
}

// positionBytes decodes files and returns the heap that their Positions
// keep, per node.
func positionBytes(tb testing.TB, files [][]byte) float64 {
	var kept []*Positions
	nodes := 0
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, f := range files {
		docs, err := Decode(f)
		if err != nil {
			tb.Fatal(err)
		}
		for _, d := range docs {
			kept = append(kept, d.Pos)
			nodes += 1 + len(d.Pos.entries)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	return float64(after.HeapAlloc-before.HeapAlloc-uint64(cap(kept))*8) / float64(nodes)
}
