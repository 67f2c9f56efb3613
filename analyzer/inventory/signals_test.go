package inventory

import (
	"reflect"
	"testing"

	"github.com/irsalint/irsalint/analyzer/k8s"
)

func TestAWSImageCatalogue(t *testing.T) {
	sc := newSignalCatalogue(DefaultSettings())
	for image, want := range map[string]bool{
		"amazon/aws-alb-ingress-controller:v1.1.9":                                true,
		"docker.io/amazon/aws-alb-ingress-controller:v1.1.3":                      true,
		"public.ecr.aws/eks/aws-load-balancer-controller:v2.7.1":                  true,
		"registry.k8s.io/external-dns/external-dns:v0.14.0":                       true,
		"bitnami/external-dns:0.14.0":                                             true,
		"registry.k8s.io/autoscaling/cluster-autoscaler:v1.29.0":                  true,
		"public.ecr.aws/karpenter/controller:0.37.0@sha256:0123abcd":              true,
		"public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.28.0":                true,
		"public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver:v1.7.6":          true,
		"public.ecr.aws/aws-observability/aws-otel-collector:v0.38.1":             true,
		"ghcr.io/external-secrets/external-secrets:v0.9.13":                       true,
		"velero/velero-plugin-for-aws:v1.9.0":                                     true,
		"public.ecr.aws/aws-application-networking-k8s/aws-gateway-controller:v1": true,
		"public.ecr.aws/aws-controllers-k8s/s3-controller:1.0.10":                 true,
		"public.ecr.aws/aws-controllers-k8s/dynamodb-controller":                  true,
		"public.ecr.aws/aws-cli/aws-cli@sha256:0123abcd":                          true,
		"amazon/aws-cli": true,
		// Segment boundaries: a name that merely contains an entry.
		"example.com/my-aws-cli:2":                           false,
		"example.com/aws-cli-extra:2":                        false,
		"example.com/my-aws-controllers-k8s/s3-controller:1": false,
		// A prefix entry names a folder, not a repository.
		"example.com/aws-controllers-k8s:1": false,
		// Tags are not repositories.
		"example.com/shop/app:aws-cli": false,
		"alpine:3.19":                  false,
		"":                             false,
	} {
		ref := k8s.ParseImage(image)
		if got := sc.awsImage(ref["registry"].(string), ref["repository"].(string)); got != want {
			t.Errorf("awsImage(%q) = %v, want %v", image, got, want)
		}
	}
}

func TestAWSImagePrefixFromSettings(t *testing.T) {
	// The prefix form works for entries of .irsalint.yaml too.
	sc := newSignalCatalogue(Settings{AWSImages: []string{"acme/aws-jobs/", "/"}})
	for image, want := range map[string]bool{
		"registry.acme.example/acme/aws-jobs/s3-sync:1": true,
		"acme/aws-jobs/nightly/export:1":                true,
		"acme/aws-jobs:1":                               false,
		"acme/aws-jobs-old/s3-sync:1":                   false,
		"other/thing:1":                                 false,
	} {
		ref := k8s.ParseImage(image)
		if got := sc.awsImage(ref["registry"].(string), ref["repository"].(string)); got != want {
			t.Errorf("awsImage(%q) = %v, want %v", image, got, want)
		}
	}
}

func TestCommandSignal(t *testing.T) {
	at := []any{"spec", "containers", 0}
	args := func(xs ...string) []any {
		out := make([]any, len(xs))
		for i, x := range xs {
			out[i] = x
		}
		return out
	}
	hit := func(excerpt string, path ...any) map[string]any {
		return map[string]any{"kind": "command", "at": appendPath(at, path...), "excerpt": excerpt}
	}
	for _, tc := range []struct {
		name          string
		command, args []any
		want          map[string]any
	}{
		{"exec form", args("aws", "s3", "ls"), nil, hit("aws s3 ls", "command", 0)},
		{"path to aws", args("/usr/local/bin/aws"), args("sts", "get-caller-identity"), hit("/usr/local/bin/aws sts get-caller-identity", "command", 0)},
		{"aws in args after an init", args("tini", "--"), args("aws", "sqs", "receive-message"), hit("aws sqs receive-message", "args", 0)},
		{"script", args("sh", "-c"), args("aws s3 sync /data s3://b/"), hit("aws s3 sync /data s3://b/", "args", 0)},
		{"script in command", args("/bin/bash", "-ec", "set -x; aws s3 cp \"$F\" s3://b/ && echo done"), nil, hit("aws s3 cp \"$F\" s3://b/", "command", 2)},
		{"after then", args("sh", "-c", "if test -f x; then aws s3 rm s3://b/x; fi"), nil, hit("aws s3 rm s3://b/x", "command", 2)},
		{"after a newline and do", args("sh", "-c", "for f in *\ndo aws s3 cp $f s3://b/\ndone"), nil, hit("aws s3 cp $f s3://b/", "command", 2)},
		{"in a pipe", args("sh", "-c", "cat x | aws s3 cp - s3://b/x"), nil, hit("aws s3 cp - s3://b/x", "command", 2)},
		{"in a subshell", args("sh", "-c", "TOKEN=$(aws ecr get-login-password)"), nil, hit("aws ecr get-login-password", "command", 2)},
		{"long script is cut", args("sh", "-c", "aws s3 sync /very/long/local/path/to/data s3://a-bucket-with-a-long-name/and/a/prefix/"), nil,
			hit("aws s3 sync /very/long/local/path/to/data s3://a-bucket-with…", "command", 2)},

		// Not the AWS CLI.
		{"a wrapper", args("awscli-wrapper", "s3"), nil, nil},
		{"another tool", args("aws-vault", "exec", "x"), nil, nil},
		{"echo in a script", args("sh", "-c", "echo aws is fun"), nil, nil},
		{"quoted separator", args("sh", "-c", "echo 'done; aws s3 ls'"), nil, nil},
		{"aws alone after -c still runs it", args("sh", "-c", "aws"), nil, hit("aws", "command", 2)},
		{"a long option is not -c", args("/app", "-cluster"), args("x; aws s3 ls"), nil},
		{"a script's text is not an element", args("sh", "-c", "echo /usr/bin/aws"), nil, nil},
		{"a word ending in aws", args("sh", "-c", "jaws s3 ls"), nil, nil},
		{"no command", nil, nil, nil},
		{"not strings", []any{1, map[string]any{}}, nil, nil},
	} {
		c := map[string]any{}
		if tc.command != nil {
			c["command"] = tc.command
		}
		if tc.args != nil {
			c["args"] = tc.args
		}
		got := commandSignal(c, at)
		if tc.want == nil {
			if got != nil {
				t.Errorf("%s: got %v, want no signal", tc.name, got)
			}
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSignalOrder(t *testing.T) {
	sc := newSignalCatalogue(DefaultSettings())
	at := []any{"spec", "containers", 0}
	c := map[string]any{
		"at":       at,
		"imageRef": k8s.ParseImage("amazon/aws-cli:2"),
		"command":  []any{"aws", "s3", "ls"},
		"env":      []any{map[string]any{"name": "AWS_REGION", "at": appendPath(at, "env", 0)}},
	}
	var kinds []any
	for _, s := range sc.signals(c) {
		kinds = append(kinds, s.(map[string]any)["kind"])
	}
	if !reflect.DeepEqual(kinds, []any{"image", "command", "env"}) {
		t.Errorf("kinds = %v", kinds)
	}
}
