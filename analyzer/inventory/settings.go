package inventory

// Settings are the configurable catalogues rules consult. They travel in the
// input (input.settings) so that rules read them like any other fact and
// `irsalint inventory` shows what was in force.
type Settings struct {
	// HostNetworkAllowlist names node agents that legitimately run with
	// hostNetwork, as "namespace/name" (namespace may be "*").
	HostNetworkAllowlist []string
	// AWSImages are image repositories known to call AWS APIs; a suffix
	// match on whole path segments ("aws-cli" matches "amazon/aws-cli"),
	// or, for an entry ending in "/", every repository below that path
	// ("aws-controllers-k8s/" matches "aws-controllers-k8s/s3-controller").
	AWSImages []string
	// AWSEnv are environment variable names that show a container uses an
	// AWS SDK.
	AWSEnv []string
}

// DefaultSettings are the catalogues irsalint ships.
func DefaultSettings() Settings {
	return Settings{
		HostNetworkAllowlist: []string{
			"kube-system/aws-node",
			"kube-system/kube-proxy",
			"kube-system/eks-pod-identity-agent",
			"kube-system/ebs-csi-node",
			"kube-system/ebs-csi-node-windows",
			"kube-system/efs-csi-node",
			"kube-system/fsx-csi-node",
			"kube-system/node-local-dns",
			"kube-system/aws-network-policy-agent",
			"kube-system/calico-node",
			"calico-system/calico-node",
			"kube-system/cilium",
			"kube-system/kube-flannel-ds",
			"kube-flannel/kube-flannel-ds",
			"amazon-cloudwatch/cloudwatch-agent",
			"amazon-cloudwatch/fluent-bit",
			"prometheus/node-exporter",
			"monitoring/node-exporter",
			"*/prometheus-node-exporter",
		},
		// Repositories, not tags: a new release stays matched. Only
		// images known to exist and to call AWS APIs from the pod.
		AWSImages: []string{
			// The AWS CLI (Docker Hub amazon/aws-cli, public.ecr.aws/aws-cli/aws-cli).
			"aws-cli",
			"amazon/aws-cli",
			// AWS Load Balancer Controller, and its predecessor the ALB
			// Ingress Controller (v1, still deployed).
			"aws-load-balancer-controller",
			"amazon/aws-alb-ingress-controller",
			"aws-alb-ingress-controller",
			// external-dns (registry.k8s.io/external-dns/external-dns,
			// bitnami/external-dns) and cluster-autoscaler
			// (registry.k8s.io/autoscaling/cluster-autoscaler).
			"external-dns",
			"cluster-autoscaler",
			// Storage drivers.
			"aws-ebs-csi-driver",
			"aws-efs-csi-driver",
			"aws-fsx-csi-driver",
			"aws-mountpoint-s3-csi-driver",
			// Karpenter (public.ecr.aws/karpenter/controller).
			"karpenter/controller",
			// Logs, metrics and traces shipped to AWS.
			"aws-for-fluent-bit",
			"aws-observability/aws-for-fluent-bit",
			"aws-otel-collector",
			"cloudwatch-agent",
			"aws-xray-daemon",
			// Secrets.
			"external-secrets",
			"secrets-store-csi-driver-provider-aws",
			"aws-privateca-issuer",
			// Backups, networking and node lifecycle.
			"velero-plugin-for-aws",
			"aws-application-networking-k8s/",
			"appmesh-controller",
			"aws-node-termination-handler",
			"aws-sigv4-proxy",
			"amazon-k8s-cni",
			// Every ACK controller (public.ecr.aws/aws-controllers-k8s/<service>-controller).
			"aws-controllers-k8s/",
			"ack-s3-controller",
		},
		AWSEnv: []string{
			"AWS_REGION",
			"AWS_DEFAULT_REGION",
			"AWS_SDK_LOAD_CONFIG",
			"AWS_STS_REGIONAL_ENDPOINTS",
			"AWS_PROFILE",
		},
	}
}

func (s Settings) toInput() map[string]any {
	return map[string]any{
		"hostNetworkAllowlist": anyStrings(s.HostNetworkAllowlist),
		"awsImages":            anyStrings(s.AWSImages),
		"awsEnv":               anyStrings(s.AWSEnv),
	}
}

func anyStrings(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
