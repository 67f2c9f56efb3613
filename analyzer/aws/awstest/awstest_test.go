package awstest_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/irsalint/irsalint/analyzer/aws/awstest"
)

const (
	mgmt   = "111122223333"
	member = "444455556666"
)

// trust has what IAM's encoding must survive: "+", "%", spaces, ":" and a
// non-ASCII condition value.
const trust = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringLike": {"oidc.eks.us-west-2.amazonaws.com/id/ABC:sub": "system:serviceaccount:café:a+b 100%"}}}]}`

const inline = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/a b+c%41/é"}]}`

func world() awstest.World {
	roles := []awstest.Role{
		{Name: "alpha", TrustPolicy: trust, InlinePolicies: map[string]string{"read": inline, "empty": `{}`},
			AttachedPolicies: []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}, Tags: map[string]string{"team": "x", "env": "prod"}},
		{Name: "bravo", Path: "/eks/", TrustPolicy: `{"Statement":[]}`},
		{Name: "charlie", TrustPolicy: `{"a": "+"}`},
		{Name: "delta", TrustPolicy: `{"b": "%"}`},
		{Name: "echo", TrustPolicy: `{"c": "é ü"}`},
	}
	return awstest.World{Accounts: []awstest.Account{
		{
			ID: mgmt, Alias: "mgmt", Roles: roles,
			OIDCProviders: []awstest.OIDCProvider{
				{URL: "https://oidc.eks.us-west-2.amazonaws.com/id/ABC", ClientIDs: []string{"sts.amazonaws.com"}, Thumbprints: []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}},
				{URL: "oidc.eks.eu-west-1.amazonaws.com/id/DEF"},
			},
			Clusters: []awstest.Cluster{
				{
					Name: "prod", Version: "1.31", PlatformVersion: "eks.12", Issuer: "https://oidc.eks.us-west-2.amazonaws.com/id/ABC",
					AuthenticationMode: "API_AND_CONFIG_MAP", RoleArn: "arn:aws:iam::111122223333:role/eks",
					Nodegroups: []awstest.Nodegroup{
						{Name: "ng1", NodeRole: "arn:aws:iam::111122223333:role/node", AmiType: "AL2023_x86_64_STANDARD", CapacityType: "ON_DEMAND",
							LaunchTemplate: &awstest.LaunchTemplateRef{ID: "lt-0abc", Name: "nodes", Version: "3"}},
						{Name: "ng2", NodeRole: "arn:aws:iam::111122223333:role/node"},
					},
					FargateProfiles: []awstest.FargateProfile{{Name: "fp", PodExecutionRoleArn: "arn:aws:iam::111122223333:role/fargate",
						Selectors: []awstest.FargateSelector{{Namespace: "kube-system", Labels: map[string]string{"k8s-app": "kube-dns"}}}}},
					Associations: []awstest.Association{
						{ID: "a-aaaaaaaaaaaaaaaa1", Namespace: "ns1", ServiceAccount: "sa1", RoleArn: "arn:aws:iam::111122223333:role/alpha"},
						{Namespace: "ns1", ServiceAccount: "sa2", RoleArn: "arn:aws:iam::111122223333:role/bravo", TargetRoleArn: "arn:aws:iam::444455556666:role/target", DisableSessionTags: true},
						{Namespace: "ns2", ServiceAccount: "sa1", RoleArn: "arn:aws:iam::111122223333:role/charlie"},
						{Namespace: "ns2", ServiceAccount: "sa3", RoleArn: "arn:aws:iam::111122223333:role/delta"},
						{Namespace: "ns3", ServiceAccount: "sa1", RoleArn: "arn:aws:iam::111122223333:role/echo"},
					},
				},
				{Name: "dev", Version: "1.30"},
				{Name: "eu", Region: "eu-west-1", Version: "1.29"},
			},
			LaunchTemplateVersions: []awstest.LaunchTemplateVersion{
				{ID: "lt-0abc", Name: "nodes", Version: 1, HttpTokens: "optional", HttpEndpoint: "enabled", HopLimit: 2},
				{ID: "lt-0abc", Name: "nodes", Version: 2, Default: true, HttpTokens: "required", HopLimit: 1},
				{ID: "lt-0abc", Name: "nodes", Version: 3, HttpTokens: "required", HttpEndpoint: "disabled"},
				{ID: "lt-0def", Name: "other", Version: 1},
				{ID: "lt-0eu", Name: "eu", Version: 1, Region: "eu-west-1"},
			},
			Organization: []awstest.OrgAccount{
				{ID: mgmt, Name: "mgmt", Email: "m@example.com"},
				{ID: member, Name: "member", Email: "a@example.com"},
				{ID: "777788889999", Name: "c", Email: "c@example.com", Status: "SUSPENDED"},
			},
		},
		{
			ID:       member,
			Roles:    []awstest.Role{{Name: "audit", Path: "/ops/", TrustPolicy: `{}`}},
			Clusters: []awstest.Cluster{{Name: "member-cluster", Version: "1.31"}},
		},
	}}
}

// fastRetry keeps the retry tests quick: the SDK's standard retryer with
// almost no backoff.
func fastRetry() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxBackoff = time.Millisecond })
}

// cfg is a hermetic config for parallel tests (no environment read).
func cfg(s *awstest.Server, account string) aws.Config {
	c := s.Config(account)
	c.Retryer = fastRetry
	return c
}

func count(calls []awstest.Call, action string, status int) int {
	n := 0
	for _, c := range calls {
		if c.Action == action && c.Status == status {
			n++
		}
	}
	return n
}

// TestLoadDefaultConfig goes the way the collector does: the environment
// only, config.LoadDefaultConfig, the SDK's default retryer.
func TestLoadDefaultConfig(t *testing.T) {
	s := awstest.NewServer(t, world())
	s.Setenv(t)
	ctx := context.Background()
	c, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != mgmt || aws.ToString(id.Arn) != "arn:aws:iam::111122223333:user/awstest" {
		t.Errorf("caller = %s %s", aws.ToString(id.Account), aws.ToString(id.Arn))
	}

	s.Throttle("GetAccountAuthorizationDetails", 2)
	s.PageSize("GetAccountAuthorizationDetails", 2)
	p := iam.NewGetAccountAuthorizationDetailsPaginator(iam.NewFromConfig(c), &iam.GetAccountAuthorizationDetailsInput{
		Filter: []iamtypes.EntityType{iamtypes.EntityTypeRole},
	})
	var names []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.RoleDetailList {
			names = append(names, aws.ToString(r.RoleName))
		}
	}
	if want := []string{"alpha", "bravo", "charlie", "delta", "echo"}; !slices.Equal(names, want) || pages != 3 {
		t.Errorf("roles %v in %d pages, want %v in 3", names, pages, want)
	}
	calls := s.Calls()
	if th, ok := count(calls, "GetAccountAuthorizationDetails", 400), count(calls, "GetAccountAuthorizationDetails", 200); th != 2 || ok != 3 {
		t.Errorf("GetAccountAuthorizationDetails: %d throttled and %d answered, want 2 and 3: %+v", th, ok, calls)
	}
	for _, call := range calls {
		if call.Account != mgmt || call.Region != awstest.DefaultRegion {
			t.Errorf("call %+v: want account %s in %s", call, mgmt, awstest.DefaultRegion)
		}
	}
}

func TestEnv(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	env := map[string]string{}
	for _, kv := range s.Env(t) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	id, secret := awstest.AccessKey(mgmt)
	for k, want := range map[string]string{
		"AWS_ENDPOINT_URL": s.URL, "AWS_ACCESS_KEY_ID": id, "AWS_SECRET_ACCESS_KEY": secret,
		"AWS_REGION": "us-west-2", "AWS_EC2_METADATA_DISABLED": "true",
	} {
		if env[k] != want {
			t.Errorf("%s = %q, want %q", k, env[k], want)
		}
	}
	for _, k := range []string{"AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"} {
		if _, set := env[k]; set {
			t.Errorf("%s is set", k)
		}
	}
}

func TestAuthorizationDetailsDocuments(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	s.PageSize("GetAccountAuthorizationDetails", 2)
	ctx := context.Background()
	client := iam.NewFromConfig(cfg(s, mgmt))
	var roles []iamtypes.RoleDetail
	var markers []string
	in := &iam.GetAccountAuthorizationDetailsInput{Filter: []iamtypes.EntityType{iamtypes.EntityTypeRole}, MaxItems: aws.Int32(10)}
	for {
		out, err := client.GetAccountAuthorizationDetails(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.RoleDetailList) > 2 {
			t.Errorf("page of %d roles with PageSize 2", len(out.RoleDetailList))
		}
		if out.UserDetailList == nil || len(out.UserDetailList) != 0 || len(out.GroupDetailList) != 0 || len(out.Policies) != 0 {
			t.Errorf("users %v groups %v policies %v, want empty lists", out.UserDetailList, out.GroupDetailList, out.Policies)
		}
		roles = append(roles, out.RoleDetailList...)
		if !out.IsTruncated {
			break
		}
		markers = append(markers, aws.ToString(out.Marker))
		in.Marker = out.Marker
	}
	if len(roles) != 5 || len(markers) != 2 {
		t.Fatalf("%d roles, markers %v", len(roles), markers)
	}
	a := roles[0]
	raw := aws.ToString(a.AssumeRolePolicyDocument)
	if strings.ContainsAny(raw, " +{\":") || !strings.Contains(raw, "%20") || !strings.Contains(raw, "%2B") || !strings.Contains(raw, "%C3%A9") {
		t.Errorf("trust policy not encoded as IAM does: %s", raw)
	}
	if doc, err := url.PathUnescape(raw); err != nil || doc != trust {
		t.Errorf("trust policy round trip: %q, %v", doc, err)
	}
	if len(a.RolePolicyList) != 2 || aws.ToString(a.RolePolicyList[1].PolicyName) != "read" {
		t.Fatalf("inline policies %+v", a.RolePolicyList)
	}
	if doc, err := url.PathUnescape(aws.ToString(a.RolePolicyList[1].PolicyDocument)); err != nil || doc != inline {
		t.Errorf("inline policy round trip: %q, %v", doc, err)
	}
	if got := a.AttachedManagedPolicies; len(got) != 1 || aws.ToString(got[0].PolicyName) != "AmazonS3ReadOnlyAccess" || aws.ToString(got[0].PolicyArn) != "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" {
		t.Errorf("attached %+v", got)
	}
	if len(a.Tags) != 2 || aws.ToString(a.Tags[0].Key) != "env" || aws.ToString(a.Tags[0].Value) != "prod" {
		t.Errorf("tags %+v", a.Tags)
	}
	if aws.ToString(a.Arn) != "arn:aws:iam::111122223333:role/alpha" || aws.ToString(a.Path) != "/" || !strings.HasPrefix(aws.ToString(a.RoleId), "AROA") || a.CreateDate == nil || a.InstanceProfileList == nil {
		t.Errorf("role %+v", a)
	}
	if b := roles[1]; aws.ToString(b.Arn) != "arn:aws:iam::111122223333:role/eks/bravo" || aws.ToString(b.Path) != "/eks/" {
		t.Errorf("bravo %s %s", aws.ToString(b.Arn), aws.ToString(b.Path))
	}
	for i, want := range []string{`{"a": "+"}`, `{"b": "%"}`, `{"c": "é ü"}`} {
		if doc, _ := url.PathUnescape(aws.ToString(roles[i+2].AssumeRolePolicyDocument)); doc != want {
			t.Errorf("%s: %q, want %q", aws.ToString(roles[i+2].RoleName), doc, want)
		}
	}

	// Users only: no roles.
	out, err := client.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []iamtypes.EntityType{iamtypes.EntityTypeUser}})
	if err != nil || len(out.RoleDetailList) != 0 || out.IsTruncated {
		t.Errorf("Filter=User: %d roles, %v", len(out.RoleDetailList), err)
	}
	_, err = client.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1001)})
	if ae := apiError(t, err); ae.ErrorCode() != "ValidationError" {
		t.Errorf("MaxItems 1001: %v", err)
	}
}

func TestPlain(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	s.Plain(true)
	out, err := iam.NewFromConfig(cfg(s, mgmt)).GetAccountAuthorizationDetails(context.Background(), &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.RoleDetailList[0].AssumeRolePolicyDocument); got != trust {
		t.Errorf("plain trust policy %q", got)
	}
	if !out.IsTruncated || out.Marker == nil {
		t.Errorf("MaxItems 1 of 5: truncated %v marker %v", out.IsTruncated, out.Marker)
	}
}

func apiError(t *testing.T, err error) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not a smithy.APIError", err, err)
	}
	return ae
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestOIDCProviders(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	ctx := context.Background()
	client := iam.NewFromConfig(cfg(s, mgmt))
	list, err := client.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, p := range list.OpenIDConnectProviderList {
		arns = append(arns, aws.ToString(p.Arn))
	}
	want := []string{
		"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC",
		"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/DEF",
	}
	if !slices.Equal(arns, want) {
		t.Fatalf("providers %v", arns)
	}
	p, err := client.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(want[0])})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(p.Url) != "oidc.eks.us-west-2.amazonaws.com/id/ABC" || !slices.Equal(p.ClientIDList, []string{"sts.amazonaws.com"}) || len(p.ThumbprintList) != 1 || p.CreateDate == nil {
		t.Errorf("provider %+v", p)
	}
	_, err = client.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(want[0] + "X")})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) || httpStatus(err) != http.StatusNotFound {
		t.Errorf("unknown provider: %v", err)
	}
}

func TestDeny(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	s.Deny("DescribeLaunchTemplateVersions")
	s.Deny("GetAccountAuthorizationDetails")
	s.Deny("ListClusters")
	ctx := context.Background()
	c := cfg(s, mgmt)
	_, err := ec2.NewFromConfig(c).DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String("lt-0abc")})
	ae := apiError(t, err)
	if ae.ErrorCode() != "UnauthorizedOperation" || !strings.Contains(ae.ErrorMessage(), "is not authorized to perform: ec2:DescribeLaunchTemplateVersions") || httpStatus(err) != http.StatusForbidden {
		t.Errorf("EC2 deny: %v", err)
	}
	_, err = iam.NewFromConfig(c).GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})
	if ae := apiError(t, err); ae.ErrorCode() != "AccessDenied" || !strings.Contains(ae.ErrorMessage(), "User: arn:aws:iam::111122223333:user/awstest is not authorized to perform: iam:GetAccountAuthorizationDetails") {
		t.Errorf("IAM deny: %v", err)
	}
	_, err = eks.NewFromConfig(c).ListClusters(ctx, &eks.ListClustersInput{})
	var ad *ekstypes.AccessDeniedException
	if !errors.As(err, &ad) || !strings.Contains(aws.ToString(ad.Message), "eks:ListClusters") {
		t.Errorf("EKS deny: %v", err)
	}
	// Denied calls are not retried.
	if n := len(s.Calls()); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	ctx := context.Background()
	c := cfg(s, mgmt)
	s.Fail("DescribeCluster", 2, http.StatusServiceUnavailable)
	s.Throttle("ListClusters", 2)
	s.Throttle("DescribeLaunchTemplateVersions", 1)
	s.Fail("ListAccounts", 1, http.StatusInternalServerError)
	if _, err := eks.NewFromConfig(c).DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	if _, err := eks.NewFromConfig(c).ListClusters(ctx, &eks.ListClustersInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ec2.NewFromConfig(c).DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String("lt-0abc")}); err != nil {
		t.Fatal(err)
	}
	if _, err := organizations.NewFromConfig(c).ListAccounts(ctx, &organizations.ListAccountsInput{}); err != nil {
		t.Fatal(err)
	}
	calls := s.Calls()
	for _, w := range []struct {
		action  string
		status  int
		n       int
		service string
	}{
		{"DescribeCluster", 503, 2, "eks"}, {"DescribeCluster", 200, 1, "eks"},
		{"ListClusters", 429, 2, "eks"}, {"DescribeLaunchTemplateVersions", 503, 1, "ec2"},
		{"ListAccounts", 500, 1, "organizations"}, {"ListAccounts", 200, 1, "organizations"},
	} {
		if got := count(calls, w.action, w.status); got != w.n {
			t.Errorf("%s %d: %d calls, want %d", w.action, w.status, got, w.n)
		}
	}
	for _, call := range calls {
		if call.Action == "ListAccounts" && call.Service != "organizations" || call.Action == "DescribeCluster" && call.Service != "eks" {
			t.Errorf("call %+v", call)
		}
	}

	// Enough failures exhaust the retryer, and the error says so.
	s.Fail("ListNodegroups", 10, http.StatusInternalServerError)
	_, err := eks.NewFromConfig(c).ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String("prod")})
	var se *ekstypes.ServerException
	if !errors.As(err, &se) {
		t.Errorf("ListNodegroups after 10 failures: %v", err)
	}
}

func TestRejects(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	ctx := context.Background()

	// Unsigned.
	resp, err := http.Post(s.URL, "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned: %d", resp.StatusCode)
	}

	// Operations the collector must not call fail loudly, naming the action.
	_, err = iam.NewFromConfig(cfg(s, mgmt)).ListUsers(ctx, &iam.ListUsersInput{})
	if ae := apiError(t, err); httpStatus(err) != http.StatusBadRequest || !strings.Contains(ae.ErrorMessage(), "ListUsers") {
		t.Errorf("ListUsers: %v", err)
	}
	_, err = eks.NewFromConfig(cfg(s, mgmt)).ListAddons(ctx, &eks.ListAddonsInput{ClusterName: aws.String("prod")})
	if httpStatus(err) != http.StatusBadRequest || !strings.Contains(err.Error(), "addons") {
		t.Errorf("ListAddons: %v", err)
	}
	_, err = ec2.NewFromConfig(cfg(s, mgmt)).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if ae := apiError(t, err); httpStatus(err) != http.StatusBadRequest || !strings.Contains(ae.ErrorMessage(), "DescribeInstances") {
		t.Errorf("DescribeInstances: %v", err)
	}
	_, err = organizations.NewFromConfig(cfg(s, mgmt)).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if ae := apiError(t, err); httpStatus(err) != http.StatusBadRequest || !strings.Contains(ae.ErrorMessage(), "DescribeOrganization") {
		t.Errorf("DescribeOrganization: %v", err)
	}

	// Unknown keys.
	bad := cfg(s, "999999999999")
	_, err = sts.NewFromConfig(bad).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if ae := apiError(t, err); ae.ErrorCode() != "InvalidClientTokenId" || httpStatus(err) != http.StatusForbidden {
		t.Errorf("unknown key: %v", err)
	}

	// Oversized body.
	req, _ := http.NewRequest(http.MethodPost, s.URL, strings.NewReader("Action=X&"+strings.Repeat("a", 2<<20)))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST111122223333/20240101/us-west-2/iam/aws4_request, SignedHeaders=host, Signature=0")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d", resp.StatusCode)
	}
	want := []awstest.Call{
		{Status: 403}, // unsigned: no credential scope names the service
		{Account: mgmt, Region: "us-west-2", Service: "iam", Action: "ListUsers", Status: 400},
		{Account: mgmt, Region: "us-west-2", Service: "eks", Action: "GET /clusters/prod/addons", Status: 400},
		{Account: mgmt, Region: "us-west-2", Service: "ec2", Action: "DescribeInstances", Status: 400},
		{Account: mgmt, Region: "us-west-2", Service: "organizations", Action: "DescribeOrganization", Status: 400},
		{Region: "us-west-2", Service: "sts", Action: "GetCallerIdentity", Status: 403},
		{Region: "us-west-2", Service: "iam", Status: 413},
	}
	if got := s.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls\n%+v\nwant\n%+v", got, want)
	}
}

func TestEKS(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	ctx := context.Background()
	client := eks.NewFromConfig(cfg(s, mgmt))

	clusters, err := client.ListClusters(ctx, &eks.ListClustersInput{})
	if err != nil || !slices.Equal(clusters.Clusters, []string{"prod", "dev"}) {
		t.Fatalf("clusters %v, %v", clusters, err)
	}
	eu := cfg(s, mgmt)
	eu.Region = "eu-west-1"
	euClusters, err := eks.NewFromConfig(eu).ListClusters(ctx, &eks.ListClustersInput{})
	if err != nil || !slices.Equal(euClusters.Clusters, []string{"eu"}) {
		t.Errorf("eu-west-1 clusters %v, %v", euClusters, err)
	}

	d, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	c := d.Cluster
	if aws.ToString(c.Arn) != "arn:aws:eks:us-west-2:111122223333:cluster/prod" || aws.ToString(c.Version) != "1.31" ||
		aws.ToString(c.PlatformVersion) != "eks.12" || c.Status != ekstypes.ClusterStatusActive ||
		aws.ToString(c.Identity.Oidc.Issuer) != "https://oidc.eks.us-west-2.amazonaws.com/id/ABC" ||
		c.AccessConfig.AuthenticationMode != ekstypes.AuthenticationModeApiAndConfigMap ||
		aws.ToString(c.RoleArn) != "arn:aws:iam::111122223333:role/eks" || !c.CreatedAt.Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("cluster %+v", c)
	}
	if d, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("dev")}); err != nil || d.Cluster.Identity != nil || d.Cluster.AccessConfig != nil {
		t.Errorf("dev: %+v, %v", d, err)
	}

	_, err = client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("nope")})
	var nf *ekstypes.ResourceNotFoundException
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "No cluster found for name: nope." || httpStatus(err) != http.StatusNotFound {
		t.Errorf("missing cluster: %v", err)
	}
	// Clusters are per region: prod is not in eu-west-1.
	if _, err := eks.NewFromConfig(eu).DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")}); !errors.As(err, &nf) {
		t.Errorf("prod in eu-west-1: %v", err)
	}

	s.PageSize("ListPodIdentityAssociations", 2)
	p := eks.NewListPodIdentityAssociationsPaginator(client, &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String("prod"), MaxResults: aws.Int32(3)})
	var ids []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, a := range out.Associations {
			if aws.ToString(a.ClusterName) != "prod" || aws.ToString(a.AssociationArn) != "arn:aws:eks:us-west-2:111122223333:podidentityassociation/prod/"+aws.ToString(a.AssociationId) {
				t.Errorf("summary %+v", a)
			}
			ids = append(ids, aws.ToString(a.AssociationId))
		}
	}
	if len(ids) != 5 || pages != 3 || ids[0] != "a-aaaaaaaaaaaaaaaa1" || !strings.HasPrefix(ids[1], "a-") || len(ids[1]) != 19 {
		t.Errorf("associations %v in %d pages", ids, pages)
	}
	ns1, err := client.ListPodIdentityAssociations(ctx, &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String("prod"), Namespace: aws.String("ns1")})
	if err != nil || len(ns1.Associations) != 2 || ns1.NextToken != nil {
		t.Errorf("ns1: %+v, %v", ns1, err)
	}
	a, err := client.DescribePodIdentityAssociation(ctx, &eks.DescribePodIdentityAssociationInput{ClusterName: aws.String("prod"), AssociationId: aws.String(ids[1])})
	if err != nil {
		t.Fatal(err)
	}
	if as := a.Association; aws.ToString(as.ServiceAccount) != "sa2" || aws.ToString(as.Namespace) != "ns1" || aws.ToString(as.RoleArn) != "arn:aws:iam::111122223333:role/bravo" ||
		aws.ToString(as.TargetRoleArn) != "arn:aws:iam::444455556666:role/target" || !aws.ToBool(as.DisableSessionTags) || as.CreatedAt == nil || as.ModifiedAt == nil {
		t.Errorf("association %+v", as)
	}

	ngs, err := client.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String("prod"), MaxResults: aws.Int32(1)})
	if err != nil || !slices.Equal(ngs.Nodegroups, []string{"ng1"}) || ngs.NextToken == nil {
		t.Fatalf("nodegroups %+v, %v", ngs, err)
	}
	ng, err := client.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String("prod"), NodegroupName: aws.String("ng1")})
	if err != nil {
		t.Fatal(err)
	}
	if n := ng.Nodegroup; aws.ToString(n.NodeRole) != "arn:aws:iam::111122223333:role/node" || n.AmiType != ekstypes.AMITypesAl2023X8664Standard ||
		n.CapacityType != ekstypes.CapacityTypesOnDemand || aws.ToString(n.LaunchTemplate.Id) != "lt-0abc" || aws.ToString(n.LaunchTemplate.Version) != "3" ||
		!strings.HasPrefix(aws.ToString(n.NodegroupArn), "arn:aws:eks:us-west-2:111122223333:nodegroup/prod/ng1/") {
		t.Errorf("nodegroup %+v", n)
	}
	if _, err := client.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String("prod"), NodegroupName: aws.String("x")}); !errors.As(err, &nf) {
		t.Errorf("missing nodegroup: %v", err)
	}

	fps, err := client.ListFargateProfiles(ctx, &eks.ListFargateProfilesInput{ClusterName: aws.String("prod")})
	if err != nil || !slices.Equal(fps.FargateProfileNames, []string{"fp"}) {
		t.Fatalf("fargate %+v, %v", fps, err)
	}
	fp, err := client.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String("prod"), FargateProfileName: aws.String("fp")})
	if err != nil {
		t.Fatal(err)
	}
	if f := fp.FargateProfile; aws.ToString(f.PodExecutionRoleArn) != "arn:aws:iam::111122223333:role/fargate" || len(f.Selectors) != 1 ||
		aws.ToString(f.Selectors[0].Namespace) != "kube-system" || f.Selectors[0].Labels["k8s-app"] != "kube-dns" {
		t.Errorf("fargate profile %+v", f)
	}
	// A cluster without node groups lists none (not null).
	empty, err := client.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String("dev")})
	if err != nil || len(empty.Nodegroups) != 0 {
		t.Errorf("dev nodegroups %+v, %v", empty, err)
	}
}

func TestEC2LaunchTemplateVersions(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	ctx := context.Background()
	client := ec2.NewFromConfig(cfg(s, mgmt))
	out, err := client.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{
		LaunchTemplateId: aws.String("lt-0abc"),
		Versions:         []string{"$Latest", "$Default", "1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		version  int64
		def      bool
		tokens   string
		endpoint string
		hops     int32
	}
	var gots []got
	for _, v := range out.LaunchTemplateVersions {
		if aws.ToString(v.LaunchTemplateId) != "lt-0abc" || aws.ToString(v.LaunchTemplateName) != "nodes" {
			t.Errorf("version %+v", v)
		}
		m := v.LaunchTemplateData.MetadataOptions
		g := got{version: aws.ToInt64(v.VersionNumber), def: aws.ToBool(v.DefaultVersion), tokens: string(m.HttpTokens), endpoint: string(m.HttpEndpoint)}
		if m.HttpPutResponseHopLimit != nil {
			g.hops = *m.HttpPutResponseHopLimit
		}
		gots = append(gots, g)
	}
	want := []got{{3, false, "required", "disabled", 0}, {2, true, "required", "", 1}, {1, false, "optional", "enabled", 2}}
	if !slices.Equal(gots, want) {
		t.Errorf("versions %+v, want %+v", gots, want)
	}

	// No metadata options in the template: none decoded.
	other, err := client.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String("lt-0def"), Versions: []string{"$Default"}})
	if err != nil || len(other.LaunchTemplateVersions) != 1 || other.LaunchTemplateVersions[0].LaunchTemplateData.MetadataOptions != nil || !aws.ToBool(other.LaunchTemplateVersions[0].DefaultVersion) {
		t.Errorf("lt-0def: %+v, %v", other, err)
	}

	_, err = client.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String("lt-0eu")})
	if ae := apiError(t, err); ae.ErrorCode() != "InvalidLaunchTemplateId.NotFound" || httpStatus(err) != http.StatusBadRequest {
		t.Errorf("template of another region: %v", err)
	}
	_, err = client.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String("lt-0abc"), Versions: []string{"9"}})
	if ae := apiError(t, err); ae.ErrorCode() != "InvalidLaunchTemplateId.VersionNotFound" {
		t.Errorf("version 9: %v", err)
	}
	// All versions, paginated.
	s.PageSize("DescribeLaunchTemplateVersions", 2)
	p := ec2.NewDescribeLaunchTemplateVersionsPaginator(client, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String("lt-0abc")})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.LaunchTemplateVersions)
	}
	if n != 3 {
		t.Errorf("%d versions, want 3", n)
	}
}

func TestAssumeRole(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	ctx := context.Background()
	base := cfg(s, mgmt)
	stsClient := sts.NewFromConfig(base)
	roleArn := "arn:aws:iam::444455556666:role/ops/audit"
	assumed := base.Copy()
	assumed.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, roleArn, func(o *stscreds.AssumeRoleOptions) {
		o.ExternalID = aws.String("ext-1")
		o.RoleSessionName = "irsalint"
	}))
	id, err := sts.NewFromConfig(assumed).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != member || aws.ToString(id.Arn) != "arn:aws:sts::444455556666:assumed-role/audit/irsalint" || !strings.HasSuffix(aws.ToString(id.UserId), ":irsalint") {
		t.Errorf("assumed identity %s %s %s", aws.ToString(id.Account), aws.ToString(id.Arn), aws.ToString(id.UserId))
	}
	clusters, err := eks.NewFromConfig(assumed).ListClusters(ctx, &eks.ListClustersInput{})
	if err != nil || !slices.Equal(clusters.Clusters, []string{"member-cluster"}) {
		t.Errorf("member clusters %v, %v", clusters, err)
	}
	calls := s.Calls()
	if last := calls[len(calls)-1]; last.Account != member || last.Service != "eks" || last.Action != "ListClusters" {
		t.Errorf("last call %+v", last)
	}
	if first := calls[0]; first.Account != mgmt || first.Action != "AssumeRole" || first.Service != "sts" {
		t.Errorf("first call %+v", first)
	}

	// A member account is not the management account.
	_, err = organizations.NewFromConfig(assumed).ListAccounts(ctx, &organizations.ListAccountsInput{})
	if ae := apiError(t, err); ae.ErrorCode() != "AccessDeniedException" {
		t.Errorf("member ListAccounts: %v", err)
	}

	for _, bad := range []string{"arn:aws:iam::999999999999:role/x", "arn:aws:iam::444455556666:role/missing", "arn:aws:iam::444455556666:role/audit"} {
		_, err := stsClient.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(bad), RoleSessionName: aws.String("s")})
		if ae := apiError(t, err); ae.ErrorCode() != "AccessDenied" || httpStatus(err) != http.StatusForbidden || !strings.Contains(ae.ErrorMessage(), bad) {
			t.Errorf("AssumeRole %s: %v", bad, err)
		}
	}
}

// TestPartition checks that ARNs follow the account's partition.
func TestPartition(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, awstest.World{Accounts: []awstest.Account{{
		ID: "210987654321", Partition: "aws-cn",
		Roles:    []awstest.Role{{Name: "r", TrustPolicy: `{}`}},
		Clusters: []awstest.Cluster{{Name: "c", Region: "cn-north-1"}},
	}}})
	ctx := context.Background()
	c := cfg(s, "210987654321")
	out, err := iam.NewFromConfig(c).GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})
	if err != nil || aws.ToString(out.RoleDetailList[0].Arn) != "arn:aws-cn:iam::210987654321:role/r" {
		t.Fatalf("%+v, %v", out, err)
	}
	c.Region = "cn-north-1"
	d, err := eks.NewFromConfig(c).DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("c")})
	if err != nil || aws.ToString(d.Cluster.Arn) != "arn:aws-cn:eks:cn-north-1:210987654321:cluster/c" {
		t.Fatalf("%+v, %v", d, err)
	}
	creds, err := sts.NewFromConfig(c).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws-cn:iam::210987654321:role/r"), RoleSessionName: aws.String("s")})
	if err != nil || aws.ToString(creds.AssumedRoleUser.Arn) != "arn:aws-cn:sts::210987654321:assumed-role/r/s" || creds.Credentials.Expiration == nil {
		t.Fatalf("%+v, %v", creds, err)
	}
}

func TestOrganizations(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	s.PageSize("ListAccounts", 2)
	ctx := context.Background()
	p := organizations.NewListAccountsPaginator(organizations.NewFromConfig(cfg(s, mgmt)), &organizations.ListAccountsInput{})
	var ids, statuses []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, a := range out.Accounts {
			ids = append(ids, aws.ToString(a.Id))
			statuses = append(statuses, string(a.Status))
			if !strings.HasPrefix(aws.ToString(a.Arn), "arn:aws:organizations::111122223333:account/o-") || a.JoinedTimestamp == nil || aws.ToString(a.Email) == "" {
				t.Errorf("account %+v", a)
			}
		}
	}
	if !slices.Equal(ids, []string{mgmt, member, "777788889999"}) || pages != 2 || !slices.Equal(statuses, []string{"ACTIVE", "ACTIVE", "SUSPENDED"}) {
		t.Errorf("accounts %v %v in %d pages", ids, statuses, pages)
	}
}

// TestConcurrent runs clients against one server while faults are being
// set and calls read, for the race detector.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	c := cfg(s, mgmt)
	ctx := context.Background()
	done := make(chan error)
	for range 8 {
		go func() {
			_, err := eks.NewFromConfig(c).ListClusters(ctx, &eks.ListClustersInput{})
			done <- err
		}()
	}
	for i := range 8 {
		s.Throttle("ListClusters", 1)
		s.PageSize("ListClusters", i+1)
		_ = s.Calls()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if n := count(s.Calls(), "ListClusters", 200); n != 8 {
		t.Errorf("%d answered ListClusters, want 8", n)
	}
}
