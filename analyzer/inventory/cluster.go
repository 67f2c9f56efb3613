package inventory

import (
	"fmt"

	"github.com/irsalint/irsalint/analyzer/config"
	"regexp"
	"strconv"
	"strings"
)

// Cluster is what irsalint knows about the cluster the manifests are for.
// Every field is optional; rules that need an unknown fact say so.
type Cluster struct {
	Name string
	// OIDCIssuer is host and path, without https:// and trailing slash
	// (the form IAM uses in condition keys).
	OIDCIssuer        string
	AccountID         string
	Region            string
	KubernetesVersion *Version
	FargateProfiles   []config.FargateProfile
	// Associations are Pod Identity associations given in the
	// configuration: nil when not given, empty when it says there are none.
	Associations []config.Association
	// Complete says what the inputs hold entirely.
	Complete config.Complete
}

// withRead fills what the flags and configuration left unsaid from the
// cluster an audit read: the one named, or the only one read.
func (c Cluster) withRead(clusters map[string]any) Cluster {
	var read map[string]any
	if c.Name != "" {
		read, _ = clusters[c.Name].(map[string]any)
	} else if len(clusters) == 1 {
		for _, v := range clusters {
			read, _ = v.(map[string]any)
		}
	}
	if read == nil {
		return c
	}
	get := func(k string) string { s, _ := read[k].(string); return s }
	if c.Name == "" {
		c.Name = get("name")
	}
	if c.OIDCIssuer == "" {
		c.OIDCIssuer = get("issuer")
	}
	if c.KubernetesVersion == nil {
		c.KubernetesVersion, _ = ParseKubernetesVersion(get("version"))
	}
	// arn:aws:eks:us-west-2:111122223333:cluster/demo
	if parts := strings.SplitN(get("arn"), ":", 6); len(parts) == 6 && parts[0] == "arn" {
		if c.Region == "" && ValidateRegion(parts[3]) == nil {
			c.Region = parts[3]
		}
		if c.AccountID == "" && ValidateAccountID(parts[4]) == nil {
			c.AccountID = parts[4]
		}
	}
	return c
}

// Version is a Kubernetes minor version.
type Version struct {
	Major, Minor int
	Raw          string
}

var versionRE = regexp.MustCompile(`^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+][0-9A-Za-z.-]+)?$`)

// ParseKubernetesVersion accepts "1.29", "v1.29.3" and "1.29.3-eks-1234abc".
func ParseKubernetesVersion(s string) (*Version, error) {
	m := versionRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return nil, fmt.Errorf("invalid Kubernetes version %q (want MAJOR.MINOR, e.g. 1.29)", s)
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	return &Version{Major: major, Minor: minor, Raw: s}, nil
}

var accountRE = regexp.MustCompile(`^\d{12}$`)

// ValidateAccountID checks for the 12 digits of an AWS account ID.
func ValidateAccountID(s string) error {
	if !accountRE.MatchString(s) {
		return fmt.Errorf("invalid AWS account ID %q (want 12 digits)", s)
	}
	return nil
}

var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)

// ValidateRegion checks the shape of an AWS region name such as us-west-2.
func ValidateRegion(s string) error {
	if !regionRE.MatchString(s) {
		return fmt.Errorf("invalid AWS region %q (e.g. us-west-2)", s)
	}
	return nil
}

// NormalizeIssuer accepts an issuer URL with or without https:// and with a
// trailing slash, and returns host/path as IAM condition keys spell it.
func NormalizeIssuer(s string) (string, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(t, "https://")
	t = strings.TrimRight(t, "/")
	if t == "" || strings.ContainsAny(t, " \t\n") || strings.Contains(t, "://") {
		return "", fmt.Errorf("invalid OIDC issuer %q (e.g. https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE)", s)
	}
	return t, nil
}

// PartitionForRegion derives the ARN partition from a region name, with the
// prefixes the IRSA webhook uses (amazon-eks-pod-identity-webhook main.go).
func PartitionForRegion(region string) string {
	switch {
	case region == "":
		return ""
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	default:
		return "aws"
	}
}

func (c Cluster) toInput() map[string]any {
	profiles := []any{}
	for _, p := range c.FargateProfiles {
		sels := []any{}
		for _, s := range p.Selectors {
			labels := map[string]any{}
			for k, v := range s.Labels {
				labels[k] = v
			}
			sels = append(sels, map[string]any{"namespace": s.Namespace, "labels": labels})
		}
		profiles = append(profiles, map[string]any{"name": p.Name, "selectors": sels})
	}
	m := map[string]any{
		"name":              nilIfEmpty(c.Name),
		"fargateProfiles":   profiles,
		"oidcIssuer":        nilIfEmpty(c.OIDCIssuer),
		"accountId":         nilIfEmpty(c.AccountID),
		"region":            nilIfEmpty(c.Region),
		"partition":         nilIfEmpty(PartitionForRegion(c.Region)),
		"kubernetesVersion": nil,
	}
	if v := c.KubernetesVersion; v != nil {
		m["kubernetesVersion"] = map[string]any{"major": v.Major, "minor": v.Minor, "raw": v.Raw}
	}
	return m
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
