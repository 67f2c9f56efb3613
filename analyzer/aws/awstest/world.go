// Package awstest is an in-process AWS test server for the audit
// collector's tests. It speaks the real wire protocols (STS and IAM Query,
// EC2 Query, EKS REST-JSON, Organizations JSON 1.1) so that the real
// aws-sdk-go-v2 clients, configured only through the environment, talk to it:
// a collector tested against it is tested against the SDK's own serializers,
// deserializers, paginators and retryer, not against a mock of them.
//
// A World describes what the accounts hold. NewServer serves it; Env or
// Setenv point config.LoadDefaultConfig at the server and nowhere else.
// Faults (Throttle, Fail, Deny, PageSize, Plain) reproduce the behaviours a
// collector must survive, and Calls records what it asked for.
//
// Credentials: each account has a static access key, AccessKey(accountID),
// "AKIDTEST" followed by the account ID. STS AssumeRole hands out temporary
// keys ("ASIA" + account ID + a serial) that map to the role's account, so
// calls made with them land in that account. Signatures are not verified;
// unsigned requests are refused with 403.
//
// Regions: clusters and launch templates belong to a region (DefaultRegion
// when empty), and a request's region is the one in its SigV4 credential
// scope, as for real AWS.
package awstest

// DefaultRegion is the region Env exports and the region of clusters and
// launch template versions that name none.
const DefaultRegion = "us-west-2"

// World is everything the server knows. One server can host several
// accounts, so that AssumeRole into another account can be tested.
// The server reads the World; it must not be changed after NewServer.
type World struct {
	Accounts []Account
}

// Account is one AWS account.
type Account struct {
	ID        string // 12 digits
	Partition string // "" = "aws"
	Alias     string
	Roles     []Role
	// OIDCProviders are the account's IAM OpenID Connect providers.
	OIDCProviders []OIDCProvider
	Clusters      []Cluster
	// LaunchTemplateVersions are EC2 launch template versions; versions of
	// one template share ID (and Name) and differ by Version.
	LaunchTemplateVersions []LaunchTemplateVersion
	// Organization lists the accounts of the organization this account
	// manages; ListAccounts answers these. Empty for member and standalone
	// accounts.
	Organization []OrgAccount
}

// Role is an IAM role as GetAccountAuthorizationDetails reports it.
type Role struct {
	Name string
	Path string // "" = "/"
	// TrustPolicy is the JSON text as the user wrote it; the server
	// URL-encodes it like IAM does (unless Plain).
	TrustPolicy string
	// InlinePolicies maps a policy name to its JSON text.
	InlinePolicies map[string]string
	// AttachedPolicies are managed policy ARNs; the policy name reported is
	// the last ARN segment.
	AttachedPolicies []string
	Tags             map[string]string
}

// OIDCProvider is an IAM OpenID Connect provider.
type OIDCProvider struct {
	// URL is the issuer, "https://oidc.eks..." or without the scheme as IAM
	// stores it; both name the same provider.
	URL         string
	ClientIDs   []string
	Thumbprints []string
}

// Cluster is an EKS cluster.
type Cluster struct {
	Name            string
	Region          string // "" = DefaultRegion
	Version         string
	PlatformVersion string
	// Issuer is the full https URL of the cluster's OIDC issuer; "" omits
	// identity from DescribeCluster.
	Issuer string
	// AuthenticationMode is accessConfig.authenticationMode; "" omits
	// accessConfig.
	AuthenticationMode string
	RoleArn            string
	Nodegroups         []Nodegroup
	FargateProfiles    []FargateProfile
	Associations       []Association
}

// Nodegroup is an EKS managed node group.
type Nodegroup struct {
	Name           string
	NodeRole       string
	AmiType        string
	CapacityType   string
	LaunchTemplate *LaunchTemplateRef
}

// LaunchTemplateRef is the launch template a node group was created from.
type LaunchTemplateRef struct {
	ID, Name, Version string
}

// FargateProfile is an EKS Fargate profile.
type FargateProfile struct {
	Name                string
	PodExecutionRoleArn string
	Selectors           []FargateSelector
}

// FargateSelector selects the pods a Fargate profile runs.
type FargateSelector struct {
	Namespace string
	Labels    map[string]string
}

// Association is an EKS Pod Identity association.
type Association struct {
	ID                 string // "a-..."; "" = derived from the other fields
	Namespace          string
	ServiceAccount     string
	RoleArn            string
	TargetRoleArn      string
	DisableSessionTags bool
}

// LaunchTemplateVersion is one version of an EC2 launch template; only the
// instance metadata options are modelled because they are what the audit
// reads.
type LaunchTemplateVersion struct {
	Region  string // "" = DefaultRegion
	ID      string // "lt-..."
	Name    string
	Version int64
	// Default marks the template's default version; when no version of a
	// template is marked, the lowest is the default.
	Default      bool
	HttpTokens   string
	HttpEndpoint string
	HopLimit     int32 // 0 = absent
}

// OrgAccount is a member of an AWS Organization.
type OrgAccount struct {
	ID, Name, Email, Status string
}
