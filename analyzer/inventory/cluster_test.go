package inventory

import "testing"

func TestPartitionForRegion(t *testing.T) {
	for region, want := range map[string]string{
		"":                "",
		"us-west-2":       "aws",
		"eu-central-1":    "aws",
		"cn-north-1":      "aws-cn",
		"cn-northwest-1":  "aws-cn",
		"us-gov-west-1":   "aws-us-gov",
		"us-iso-east-1":   "aws-iso",
		"us-isob-east-1":  "aws-iso-b",
		"eu-isoe-west-1":  "aws-iso-e",
		"us-isof-south-1": "aws-iso-f",
		"eusc-de-east-1":  "aws-eusc",
	} {
		if got := PartitionForRegion(region); got != want {
			t.Errorf("PartitionForRegion(%q) = %q, want %q", region, got, want)
		}
	}
}

func TestParseKubernetesVersion(t *testing.T) {
	for in, want := range map[string][2]int{"1.29": {1, 29}, "v1.18.20": {1, 18}, "1.30.2-eks-1552ad0": {1, 30}, " 1.9 ": {1, 9}} {
		v, err := ParseKubernetesVersion(in)
		if err != nil || v.Major != want[0] || v.Minor != want[1] {
			t.Errorf("ParseKubernetesVersion(%q) = %+v, %v", in, v, err)
		}
	}
	for _, in := range []string{"", "latest", "1", "1.x", "v1.29.3.4"} {
		if _, err := ParseKubernetesVersion(in); err == nil {
			t.Errorf("ParseKubernetesVersion(%q) accepted", in)
		}
	}
}

func TestNormalizeIssuer(t *testing.T) {
	for in, want := range map[string]string{
		"https://oidc.eks.us-west-2.amazonaws.com/id/ABC":  "oidc.eks.us-west-2.amazonaws.com/id/ABC",
		"https://oidc.eks.us-west-2.amazonaws.com/id/ABC/": "oidc.eks.us-west-2.amazonaws.com/id/ABC",
		"oidc.eks.us-west-2.amazonaws.com/id/ABC":          "oidc.eks.us-west-2.amazonaws.com/id/ABC",
	} {
		if got, err := NormalizeIssuer(in); err != nil || got != want {
			t.Errorf("NormalizeIssuer(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "https://", "http://x/y", "a b"} {
		if _, err := NormalizeIssuer(in); err == nil {
			t.Errorf("NormalizeIssuer(%q) accepted", in)
		}
	}
}
