package aws_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/irsalint/irsalint/analyzer/aws"
	"github.com/irsalint/irsalint/analyzer/aws/awstest"
)

const (
	account = "111122223333"
	issuer  = "https://oidc.eks.us-west-2.amazonaws.com/id/0F1E2D3C4B5A69788796A5B4C3D2E1F0"
)

// trust is an IRSA trust policy whose condition value holds what IAM's
// URL-encoding must carry through: "+", "%", a space and "é".
func trust(sub string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::%s:oidc-provider/%s"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"%s:sub":"%s","%s:aud":"sts.amazonaws.com"}}}]}`,
		account, strings.TrimPrefix(issuer, "https://"), strings.TrimPrefix(issuer, "https://"), sub, strings.TrimPrefix(issuer, "https://"))
}

func world() awstest.World {
	roles := []awstest.Role{
		{Name: "cart", TrustPolicy: trust("system:serviceaccount:shop:cart"), Tags: map[string]string{"team": "shop"}},
		{Name: "odd", Path: "/irsa/", TrustPolicy: trust("system:serviceaccount:shop:a+b 100% café")},
		{Name: "feed", TrustPolicy: trust("system:serviceaccount:shop:feed"), InlinePolicies: map[string]string{"read": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`}},
		{Name: "nodes", TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
			AttachedPolicies: []string{"arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "arn:aws:iam::aws:policy/AdministratorAccess"}},
		{Name: "pods", TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`},
	}
	return awstest.World{Accounts: []awstest.Account{{
		ID:    account,
		Roles: roles,
		OIDCProviders: []awstest.OIDCProvider{
			{URL: issuer, ClientIDs: []string{"sts.amazonaws.com"}, Thumbprints: []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}},
			{URL: "https://oidc.eks.us-west-2.amazonaws.com/id/AAAABBBBCCCCDDDDEEEEFFFF00001111", ClientIDs: []string{"sts.amazonaws.com"}},
		},
		Clusters: []awstest.Cluster{{
			Name: "demo", Version: "1.31", PlatformVersion: "eks.12", Issuer: issuer, AuthenticationMode: "API_AND_CONFIG_MAP",
			RoleArn: "arn:aws:iam::" + account + ":role/cluster",
			Nodegroups: []awstest.Nodegroup{
				{Name: "workers", NodeRole: "arn:aws:iam::" + account + ":role/nodes", LaunchTemplate: &awstest.LaunchTemplateRef{ID: "lt-0abc", Name: "workers", Version: "2"}},
				{Name: "spot", NodeRole: "arn:aws:iam::" + account + ":role/nodes", CapacityType: "SPOT"},
			},
			FargateProfiles: []awstest.FargateProfile{{Name: "jobs", PodExecutionRoleArn: "arn:aws:iam::" + account + ":role/fargate",
				Selectors: []awstest.FargateSelector{{Namespace: "jobs", Labels: map[string]string{"compute": "fargate"}}}}},
			Associations: []awstest.Association{
				{Namespace: "shop", ServiceAccount: "api", RoleArn: "arn:aws:iam::" + account + ":role/pods"},
				{Namespace: "shop", ServiceAccount: "worker", RoleArn: "arn:aws:iam::" + account + ":role/pods"},
				{Namespace: "ops", ServiceAccount: "backup", RoleArn: "arn:aws:iam::" + account + ":role/pods"},
			},
		}, {Name: "other", Version: "1.30", Issuer: "https://oidc.eks.us-west-2.amazonaws.com/id/99998888777766665555444433332222"}},
		LaunchTemplateVersions: []awstest.LaunchTemplateVersion{
			{ID: "lt-0abc", Name: "workers", Version: 1, Default: true, HttpTokens: "required", HttpEndpoint: "enabled", HopLimit: 1},
			{ID: "lt-0abc", Name: "workers", Version: 2, HttpTokens: "required", HttpEndpoint: "enabled", HopLimit: 2},
		},
	}}}
}

// fastRetries keeps the SDK's standard retryer, with short waits.
func fastRetries(cfg sdkaws.Config) sdkaws.Config {
	cfg.Retryer = func() sdkaws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxBackoff = 5 * time.Millisecond })
	}
	return cfg
}

func collect(t *testing.T, s *awstest.Server, opts aws.Options) *aws.Result {
	t.Helper()
	res, err := aws.Collect(context.Background(), fastRetries(s.Config(account)), opts)
	if err != nil {
		t.Fatal(err)
	}
	checkActions(t, s)
	return res
}

// checkActions fails when the collector called an API that Actions, and
// so the audit policy, does not name.
func checkActions(t *testing.T, s *awstest.Server) {
	t.Helper()
	for _, c := range s.Calls() {
		if a := c.Service + ":" + c.Action; !slices.Contains(aws.Actions, a) {
			t.Errorf("the collector called %s, which aws.Actions does not list", a)
		}
	}
}

func file(t *testing.T, res *aws.Result, path string) map[string]any {
	t.Helper()
	for _, f := range res.Files {
		if f.Path == path {
			var v map[string]any
			if err := json.Unmarshal(f.Data, &v); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			return v
		}
	}
	t.Fatalf("no file %s among %v", path, paths(res))
	return nil
}

func paths(res *aws.Result) []string {
	var out []string
	for _, f := range res.Files {
		out = append(out, f.Path)
	}
	return out
}

func TestCollectReadsTheAccountAndTheCluster(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	s.PageSize("GetAccountAuthorizationDetails", 2) // IAM returns fewer than MaxItems: 3 pages
	s.PageSize("ListPodIdentityAssociations", 2)
	res := collect(t, s, aws.Options{Clusters: []string{"demo"}})

	p := "aws/" + account
	want := []string{
		p + "/iam/account-authorization-details.json",
		p + "/iam/open-id-connect-providers.json",
		p + "/iam/open-id-connect-providers/oidc.eks.us-west-2.amazonaws.com_id_0F1E2D3C4B5A69788796A5B4C3D2E1F0.json",
		p + "/iam/open-id-connect-providers/oidc.eks.us-west-2.amazonaws.com_id_AAAABBBBCCCCDDDDEEEEFFFF00001111.json",
		p + "/us-west-2/ec2/launch-template-versions.json",
		p + "/us-west-2/eks/demo/cluster.json",
		p + "/us-west-2/eks/demo/fargate-profiles/jobs.json",
		p + "/us-west-2/eks/demo/nodegroups/spot.json",
		p + "/us-west-2/eks/demo/nodegroups/workers.json",
		p + "/us-west-2/eks/demo/pod-identity-associations.json",
	}
	sort.Strings(want)
	if got := paths(res); !slices.Equal(got, want) {
		t.Fatalf("files:\n got %q\nwant %q", got, want)
	}
	if res.Account != account || res.Partition != "aws" || res.Roles != 5 || len(res.Failures) != 0 || res.RegionComplete {
		t.Errorf("result = account %s partition %s roles %d failures %v regionComplete %t", res.Account, res.Partition, res.Roles, res.Failures, res.RegionComplete)
	}

	auth := file(t, res, p+"/iam/account-authorization-details.json")
	roles := auth["RoleDetailList"].([]any)
	if len(roles) != 5 {
		t.Fatalf("%d roles, want 5 (three pages)", len(roles))
	}
	odd := roles[1].(map[string]any)
	doc := odd["AssumeRolePolicyDocument"].(string)
	if strings.HasPrefix(doc, "{") {
		t.Errorf("the document was decoded (%q): the snapshot keeps it as IAM sent it", doc[:20])
	}
	dec, err := url.PathUnescape(doc)
	if err != nil || dec != trust("system:serviceaccount:shop:a+b 100% café") {
		t.Errorf("the document does not decode once to what was written: %q, %v", dec, err)
	}
	if odd["Path"] != "/irsa/" || odd["Arn"] != "arn:aws:iam::"+account+":role/irsa/odd" {
		t.Errorf("role = %v", odd)
	}
	nodes := roles[3].(map[string]any)
	if got := nodes["AttachedManagedPolicies"].([]any); len(got) != 2 || got[1].(map[string]any)["PolicyArn"] != "arn:aws:iam::aws:policy/AdministratorAccess" {
		t.Errorf("attached policies = %v", got)
	}

	cl := file(t, res, p+"/us-west-2/eks/demo/cluster.json")["cluster"].(map[string]any)
	if cl["identity"].(map[string]any)["oidc"].(map[string]any)["issuer"] != issuer || cl["version"] != "1.31" ||
		cl["arn"] != "arn:aws:eks:us-west-2:"+account+":cluster/demo" || cl["accessConfig"].(map[string]any)["authenticationMode"] != "API_AND_CONFIG_MAP" {
		t.Errorf("cluster = %v", cl)
	}
	assoc := file(t, res, p+"/us-west-2/eks/demo/pod-identity-associations.json")["associations"].([]any)
	if len(assoc) != 3 {
		t.Fatalf("%d associations, want 3 (over two pages)", len(assoc))
	}
	for _, a := range assoc {
		if m := a.(map[string]any); m["roleArn"] != "arn:aws:iam::"+account+":role/pods" || m["namespace"] == "" || m["associationArn"] == "" {
			t.Errorf("association = %v", m)
		}
	}
	ng := file(t, res, p+"/us-west-2/eks/demo/nodegroups/workers.json")["nodegroup"].(map[string]any)
	if ng["launchTemplate"].(map[string]any)["id"] != "lt-0abc" || ng["nodeRole"] != "arn:aws:iam::"+account+":role/nodes" {
		t.Errorf("node group = %v", ng)
	}
	fp := file(t, res, p+"/us-west-2/eks/demo/fargate-profiles/jobs.json")["fargateProfile"].(map[string]any)
	if sel := fp["selectors"].([]any)[0].(map[string]any); sel["namespace"] != "jobs" || sel["labels"].(map[string]any)["compute"] != "fargate" {
		t.Errorf("fargate profile = %v", fp)
	}
	lts := file(t, res, p+"/us-west-2/ec2/launch-template-versions.json")["LaunchTemplateVersions"].([]any)
	if len(lts) != 1 {
		t.Fatalf("launch template versions = %v, want version 2 only", lts)
	}
	md := lts[0].(map[string]any)["LaunchTemplateData"].(map[string]any)["MetadataOptions"].(map[string]any)
	if lts[0].(map[string]any)["VersionNumber"] != float64(2) || md["HttpTokens"] != "required" || md["HttpPutResponseHopLimit"] != float64(2) {
		t.Errorf("launch template version = %v", lts[0])
	}
	prov := file(t, res, p+"/iam/open-id-connect-providers/oidc.eks.us-west-2.amazonaws.com_id_0F1E2D3C4B5A69788796A5B4C3D2E1F0.json")
	if prov["Arn"] != "arn:aws:iam::"+account+":oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/0F1E2D3C4B5A69788796A5B4C3D2E1F0" ||
		fmt.Sprint(prov["ClientIDList"]) != "[sts.amazonaws.com]" {
		t.Errorf("provider = %v", prov)
	}
}

func TestCollectIsDeterministic(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	a := collect(t, s, aws.Options{AllClusters: true, Concurrency: 2})
	b := collect(t, s, aws.Options{AllClusters: true, Concurrency: 1})
	if len(a.Files) != len(b.Files) {
		t.Fatalf("%d files, then %d", len(a.Files), len(b.Files))
	}
	for i := range a.Files {
		if a.Files[i].Path != b.Files[i].Path || string(a.Files[i].Data) != string(b.Files[i].Data) {
			t.Errorf("%s differs between runs", a.Files[i].Path)
		}
	}
	if !a.RegionComplete || !slices.Equal(a.Clusters, []string{"demo", "other"}) {
		t.Errorf("all clusters: complete %t, clusters %v", a.RegionComplete, a.Clusters)
	}
}

// IAM is paged by 1000 roles: 5,000 roles cost five calls.
func TestCollectCallBudgetFor5000Roles(t *testing.T) {
	t.Parallel()
	w := awstest.World{Accounts: []awstest.Account{{ID: account}}}
	for i := range 5000 {
		w.Accounts[0].Roles = append(w.Accounts[0].Roles, awstest.Role{Name: fmt.Sprintf("role-%04d", i), TrustPolicy: trust(fmt.Sprintf("system:serviceaccount:ns:sa-%d", i))})
	}
	s := awstest.NewServer(t, w)
	res := collect(t, s, aws.Options{})
	if res.Roles != 5000 {
		t.Fatalf("%d roles, want 5000", res.Roles)
	}
	iamCalls := 0
	for _, c := range s.Calls() {
		if c.Service == "iam" {
			iamCalls++
		}
	}
	// ceil(5000/1000) pages, one provider listing, no provider to get.
	if iamCalls > 5+1 {
		t.Errorf("%d IAM calls for 5,000 roles, want at most 6", iamCalls)
	}
}

func TestCollectDeniedLaunchTemplatesIsPartial(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	s.Deny("DescribeLaunchTemplateVersions")
	res := collect(t, s, aws.Options{Clusters: []string{"demo"}})
	if len(res.Failures) != 1 {
		t.Fatalf("failures = %v, want one", res.Failures)
	}
	f := res.Failures[0]
	if f.Action != "ec2:DescribeLaunchTemplateVersions" || !f.Denied() || f.Region != "us-west-2" || !strings.Contains(f.String(), "UnauthorizedOperation") {
		t.Errorf("failure = %+v (%s)", f, f)
	}
	for _, p := range paths(res) {
		if strings.Contains(p, "launch-template") {
			t.Errorf("%s written though the call was denied", p)
		}
	}
	// The rest was read.
	file(t, res, "aws/"+account+"/us-west-2/eks/demo/nodegroups/workers.json")
}

func TestCollectDeniedAssociationsLeavesThemUnknown(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	s.Deny("DescribePodIdentityAssociation")
	res := collect(t, s, aws.Options{Clusters: []string{"demo"}})
	if len(res.Failures) != 1 || res.Failures[0].Action != "eks:DescribePodIdentityAssociation" {
		t.Fatalf("failures = %v", res.Failures)
	}
	for _, p := range paths(res) {
		if strings.HasSuffix(p, "pod-identity-associations.json") {
			t.Errorf("%s written from a listing read in part: the missing ones would look absent", p)
		}
	}
}

func TestCollectRetriesThrottlingAndServerErrors(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	s.Throttle("GetAccountAuthorizationDetails", 2)
	s.Fail("DescribeCluster", 1, 503)
	res := collect(t, s, aws.Options{Clusters: []string{"demo"}})
	if len(res.Failures) != 0 || res.Roles != 5 {
		t.Fatalf("failures %v, roles %d", res.Failures, res.Roles)
	}
	n := 0
	for _, c := range s.Calls() {
		if c.Action == "GetAccountAuthorizationDetails" {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d GetAccountAuthorizationDetails requests, want 3 (two throttled, then one page)", n)
	}
}

func TestCollectGivesUpAfterTheRetries(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	s.Throttle("ListOpenIDConnectProviders", 100)
	res := collect(t, s, aws.Options{})
	if len(res.Failures) != 1 || res.Failures[0].Action != "iam:ListOpenIDConnectProviders" || res.Failures[0].Denied() {
		t.Fatalf("failures = %v", res.Failures)
	}
	for _, p := range paths(res) {
		if strings.Contains(p, "open-id-connect") {
			t.Errorf("%s written though the listing failed", p)
		}
	}
}

func TestCollectMissingClusterIsAnError(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	_, err := aws.Collect(context.Background(), s.Config(account), aws.Options{Clusters: []string{"demo", "ghost"}})
	if !errors.Is(err, aws.ErrClusterNotFound) || !strings.Contains(err.Error(), `"ghost" in region us-west-2 of account `+account) {
		t.Fatalf("err = %v", err)
	}
}

func TestCollectEmptyAccount(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, awstest.World{Accounts: []awstest.Account{{ID: account}}})
	res := collect(t, s, aws.Options{AllClusters: true})
	if got := file(t, res, "aws/"+account+"/iam/account-authorization-details.json")["RoleDetailList"]; fmt.Sprint(got) != "[]" {
		t.Errorf("roles = %v", got)
	}
	if got := file(t, res, "aws/"+account+"/iam/open-id-connect-providers.json")["OpenIDConnectProviderList"]; fmt.Sprint(got) != "[]" {
		t.Errorf("providers = %v", got)
	}
	if !res.RegionComplete || len(res.Clusters) != 0 || len(res.Files) != 2 {
		t.Errorf("complete %t, clusters %v, files %v", res.RegionComplete, res.Clusters, paths(res))
	}
}

// Some emulators send policy documents as plain JSON: kept as they came,
// the reader decodes only what is encoded.
func TestCollectPlainDocuments(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	s.Plain(true)
	res := collect(t, s, aws.Options{})
	roles := file(t, res, "aws/"+account+"/iam/account-authorization-details.json")["RoleDetailList"].([]any)
	if got := roles[1].(map[string]any)["AssumeRolePolicyDocument"]; got != trust("system:serviceaccount:shop:a+b 100% café") {
		t.Errorf("document = %v", got)
	}
}

func TestCollectStopsWithTheContext(t *testing.T) {
	t.Parallel()
	s := awstest.NewServer(t, world())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := aws.Collect(ctx, s.Config(account), aws.Options{AllClusters: true}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// The SDK's own configuration chain, from the environment alone, reaches
// the server: the path a real audit takes.
func TestCollectThroughTheEnvironment(t *testing.T) {
	s := awstest.NewServer(t, world())
	s.Setenv(t)
	cfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	res, err := aws.Collect(context.Background(), cfg, aws.Options{Clusters: []string{"demo"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Account != account || res.Region != "us-west-2" || len(res.Failures) != 0 {
		t.Errorf("account %s region %s failures %v", res.Account, res.Region, res.Failures)
	}
}

// docs/audit-iam-policy.json grants exactly what the collector calls.
func TestAuditPolicyMatchesTheCalls(t *testing.T) {
	t.Parallel()
	_, here, _, _ := runtime.Caller(0)
	data, err := os.ReadFile(filepath.Join(filepath.Dir(here), "..", "..", "docs", "audit-iam-policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var policy struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   []string
			Resource any
		}
	}
	if err := json.Unmarshal(data, &policy); err != nil {
		t.Fatal(err)
	}
	granted := map[string]bool{}
	for _, st := range policy.Statement {
		if st.Effect != "Allow" {
			t.Errorf("statement with effect %q: the policy only allows", st.Effect)
		}
		for _, a := range st.Action {
			if strings.ContainsAny(a, "*?") {
				t.Errorf("%s: a wildcard grants more than the audit reads", a)
			}
			granted[a] = true
		}
	}
	for _, a := range aws.Actions {
		if slices.Contains(aws.NeedsNoPermission, a) {
			if granted[a] {
				t.Errorf("%s needs no permission: the policy need not grant it", a)
			}
			continue
		}
		if !granted[a] {
			t.Errorf("the audit calls %s, which the policy does not grant", a)
		}
		delete(granted, a)
	}
	for a := range granted {
		t.Errorf("the policy grants %s, which the audit never calls", a)
	}
}
