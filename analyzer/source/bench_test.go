package source

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// k8sYAML generates a multi-document Kubernetes stream of about size bytes.
func k8sYAML(size int) []byte {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
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
  labels: &labels
    app.kubernetes.io/name: app-%[1]d
    app.kubernetes.io/part-of: platform
spec:
  replicas: 3
  selector:
    matchLabels: {app: app-%[1]d}
  template:
    metadata:
      labels: *labels
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
`, i, i%10)
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
