package inventory_test

import (
	"testing"

	"github.com/irsalint/irsalint/analyzer/config"
	"github.com/irsalint/irsalint/analyzer/inventory"
)

const describeCluster = `{
  "cluster": {
    "name": "demo",
    "arn": "arn:aws:eks:us-west-2:111122223333:cluster/demo",
    "version": "1.31",
    "platformVersion": "eks.12",
    "roleArn": "arn:aws:iam::111122223333:role/demo-cluster",
    "status": "ACTIVE",
    "identity": {"oidc": {"issuer": "https://oidc.eks.us-west-2.amazonaws.com/id/5C3E8A1F0B7D4E2A9C6B1D0E8F7A6B5C"}},
    "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"}
  }
}`

const describeNodegroup = `{"nodegroup": {
  "nodegroupName": "general", "clusterName": "demo",
  "nodegroupArn": "arn:aws:eks:us-west-2:111122223333:nodegroup/demo/general/1",
  "nodeRole": "arn:aws:iam::111122223333:role/demo-node",
  "launchTemplate": {"id": "lt-0123456789abcdef0", "name": "general", "version": 4}
}}`

const describeFargate = `{"fargateProfile": {
  "fargateProfileName": "jobs", "clusterName": "demo",
  "podExecutionRoleArn": "arn:aws:iam::111122223333:role/demo-fargate",
  "selectors": [{"namespace": "batch", "labels": {"tier": "jobs"}}, {"labels": {}}]
}}`

const launchTemplateVersions = `{"LaunchTemplateVersions": [
  {"LaunchTemplateId": "lt-0123456789abcdef0", "LaunchTemplateName": "general", "VersionNumber": 4, "DefaultVersion": true,
   "LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2, "HttpEndpoint": "enabled"}}}
]}`

const providerList = `{"OpenIDConnectProviderList": [
  {"Arn": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/5C3E8A1F0B7D4E2A9C6B1D0E8F7A6B5C"},
  {"Arn": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}
]}`

const providerGet = `{
  "Arn": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/5C3E8A1F0B7D4E2A9C6B1D0E8F7A6B5C",
  "Url": "oidc.eks.us-west-2.amazonaws.com/id/5C3E8A1F0B7D4E2A9C6B1D0E8F7A6B5C",
  "ClientIDList": ["sts.amazonaws.com"],
  "ThumbprintList": ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
}`

const issuer = "oidc.eks.us-west-2.amazonaws.com/id/5C3E8A1F0B7D4E2A9C6B1D0E8F7A6B5C"

func liveFiles() []file {
	return []file{
		{"eks/demo/cluster.json", describeCluster},
		{"eks/demo/nodegroups/general.json", describeNodegroup},
		{"eks/demo/fargate-profiles/jobs.json", describeFargate},
		{"ec2/lt.json", launchTemplateVersions},
		{"iam/providers.json", providerList},
		{"iam/provider-0.json", providerGet},
	}
}

func TestLiveFacts(t *testing.T) {
	inv, diags := build(t, inventory.Cluster{}, inventory.Settings{}, liveFiles()...)
	equal(t, "diagnostics", diags, []string{"eks/demo/fargate-profiles/jobs.json:4:69: error: a Fargate selector without a namespace"})
	in := inv.Input
	facts := in["facts"].(map[string]any)
	for _, k := range []string{"clusters", "nodegroups", "fargateProfiles", "launchTemplates", "oidcProviders", "oidcProviderList"} {
		if facts[k] != true {
			t.Errorf("facts.%s = %v, want true", k, facts[k])
		}
	}
	c := in["clusters"].(map[string]any)["demo"].(map[string]any)
	equal(t, "cluster issuer", c["issuer"], issuer)
	equal(t, "cluster mode", c["authenticationMode"], "API_AND_CONFIG_MAP")
	ng := in["nodegroups"].(map[string]any)["demo/general"].(map[string]any)
	equal(t, "launch template", ng["launchTemplate"], map[string]any{"id": "lt-0123456789abcdef0", "name": "general", "version": "4"})
	lt := in["launchTemplates"].(map[string]any)["lt-0123456789abcdef0:4"].(map[string]any)
	equal(t, "metadata options", lt["metadataOptions"], map[string]any{
		"httpTokens": "required", "httpPutResponseHopLimit": int64(2), "httpEndpoint": "enabled",
	})
	// The list gives the ARN, the get output the audiences: one provider.
	ps := in["oidcProviders"].(map[string]any)
	if len(ps) != 2 {
		t.Fatalf("providers: %v", ps)
	}
	p := ps["arn:aws:iam::111122223333:oidc-provider/"+issuer].(map[string]any)
	equal(t, "client IDs", p["clientIds"], []any{"sts.amazonaws.com"})
	equal(t, "provider account", p["account"], "111122223333")
	gh := ps["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"].(map[string]any)
	equal(t, "listed only", gh["clientIds"], nil)
	// The cluster context comes from the cluster read; its Fargate profile
	// joins those of the configuration.
	cl := in["cluster"].(map[string]any)
	equal(t, "context", []any{cl["name"], cl["oidcIssuer"], cl["accountId"], cl["region"], cl["partition"]},
		[]any{"demo", issuer, "111122223333", "us-west-2", "aws"})
	equal(t, "version", cl["kubernetesVersion"], map[string]any{"major": 1, "minor": 31, "raw": "1.31"})
	equal(t, "fargate", cl["fargateProfiles"], []any{map[string]any{"name": "jobs", "selectors": []any{
		map[string]any{"namespace": "batch", "labels": map[string]any{"tier": "jobs"}},
	}}})
}

// TestLiveContextFlagsWin: what the flags or configuration say stays; the
// cluster read fills only the rest.
func TestLiveContextFlagsWin(t *testing.T) {
	inv, _ := build(t, inventory.Cluster{Name: "demo", OIDCIssuer: "oidc.eks.us-west-2.amazonaws.com/id/AAAA", Region: "us-east-1",
		Complete: config.Complete{ClusterObjects: true, ClusterRegions: []string{"us-west-2"}}},
		inventory.Settings{}, liveFiles()...)
	cl := inv.Input["cluster"].(map[string]any)
	equal(t, "context", []any{cl["name"], cl["oidcIssuer"], cl["accountId"], cl["region"]},
		[]any{"demo", "oidc.eks.us-west-2.amazonaws.com/id/AAAA", "111122223333", "us-east-1"})
	facts := inv.Input["facts"].(map[string]any)
	equal(t, "complete", []any{facts["clusterObjectsComplete"], facts["clusterRegionsComplete"]},
		[]any{true, []any{"us-west-2"}})

	// Another cluster named: nothing is taken from demo.
	inv, _ = build(t, inventory.Cluster{Name: "other"}, inventory.Settings{}, liveFiles()...)
	cl = inv.Input["cluster"].(map[string]any)
	equal(t, "other", []any{cl["oidcIssuer"], cl["fargateProfiles"]}, []any{nil, []any{}})
}
