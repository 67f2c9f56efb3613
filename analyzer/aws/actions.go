package aws

// The IAM actions the collector's calls need, "service:Operation". Every
// call goes through one of these constants, so the read-only policy in
// docs/audit-iam-policy.json can be checked against this list both ways.
const (
	actGetCallerIdentity              = "sts:GetCallerIdentity"
	actAssumeRole                     = "sts:AssumeRole"
	actGetAccountAuthorizationDetails = "iam:GetAccountAuthorizationDetails"
	actListOpenIDConnectProviders     = "iam:ListOpenIDConnectProviders"
	actGetOpenIDConnectProvider       = "iam:GetOpenIDConnectProvider"
	actListClusters                   = "eks:ListClusters"
	actDescribeCluster                = "eks:DescribeCluster"
	actListPodIdentityAssociations    = "eks:ListPodIdentityAssociations"
	actDescribePodIdentityAssociation = "eks:DescribePodIdentityAssociation"
	actListFargateProfiles            = "eks:ListFargateProfiles"
	actDescribeFargateProfile         = "eks:DescribeFargateProfile"
	actListNodegroups                 = "eks:ListNodegroups"
	actDescribeNodegroup              = "eks:DescribeNodegroup"
	actDescribeLaunchTemplateVersions = "ec2:DescribeLaunchTemplateVersions"
	actListAccounts                   = "organizations:ListAccounts"
)

// Actions are the IAM actions an audit may call. sts:GetCallerIdentity
// needs no permission (IAM cannot deny it), so a policy need not grant it;
// sts:AssumeRole and organizations:ListAccounts are called only by audits
// of several accounts.
var Actions = []string{
	actGetCallerIdentity,
	actAssumeRole,
	actGetAccountAuthorizationDetails,
	actListOpenIDConnectProviders,
	actGetOpenIDConnectProvider,
	actListClusters,
	actDescribeCluster,
	actListPodIdentityAssociations,
	actDescribePodIdentityAssociation,
	actListFargateProfiles,
	actDescribeFargateProfile,
	actListNodegroups,
	actDescribeNodegroup,
	actDescribeLaunchTemplateVersions,
	actListAccounts,
}

// NeedsNoPermission lists the actions IAM always allows.
var NeedsNoPermission = []string{actGetCallerIdentity}
