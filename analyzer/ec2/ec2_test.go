package ec2_test

import (
	"testing"

	"github.com/irsalint/irsalint/analyzer/ec2"
	"github.com/irsalint/irsalint/analyzer/source"
)

const versions = `{
  "LaunchTemplateVersions": [
    {
      "LaunchTemplateId": "lt-0abc",
      "LaunchTemplateName": "workers",
      "VersionNumber": 3,
      "DefaultVersion": true,
      "LaunchTemplateData": {
        "MetadataOptions": {"HttpTokens": "optional", "HttpPutResponseHopLimit": 2, "HttpEndpoint": "enabled"}
      }
    },
    {
      "LaunchTemplateId": "lt-0abc",
      "VersionNumber": 4,
      "DefaultVersion": false,
      "LaunchTemplateData": {}
    }
  ]
}`

func TestReadsVersionsWithMetadataOptions(t *testing.T) {
	docs, err := source.Decode([]byte(versions))
	if err != nil {
		t.Fatal(err)
	}
	r := ec2.LaunchTemplateReader{}
	if !r.Detect(docs[0].Value) {
		t.Fatal("describe-launch-template-versions output not detected")
	}
	res := r.Read("lt.json", docs[0])
	if len(res.Items) != 2 || res.Documents != 1 || len(res.Facts) != 1 || res.Facts[0] != "launchTemplates" {
		t.Fatalf("result = %+v", res)
	}
	first, second := res.Items[0], res.Items[1]
	if first.Key != "lt-0abc:3" || first.Entry["version"] != "3" || first.Entry["defaultVersion"] != true || first.Entry["name"] != "workers" {
		t.Errorf("first = %v", first.Entry)
	}
	md := first.Entry["metadataOptions"].(map[string]any)
	if md["httpTokens"] != "optional" || md["httpPutResponseHopLimit"] != int64(2) || md["httpEndpoint"] != "enabled" {
		t.Errorf("metadata options = %v", md)
	}
	if first.Entry["ref"] != "lt.json#0.LaunchTemplateVersions[0]" || first.Pos == nil {
		t.Errorf("ref = %v", first.Entry["ref"])
	}
	// Without MetadataOptions the EC2 defaults apply, which the rules
	// cannot see: null, never a guess.
	if second.Key != "lt-0abc:4" || second.Entry["metadataOptions"] != nil || second.Entry["name"] != nil {
		t.Errorf("second = %v", second.Entry)
	}
}

func TestDetect(t *testing.T) {
	r := ec2.LaunchTemplateReader{}
	for _, tc := range []struct {
		v    any
		want bool
	}{
		{map[string]any{"LaunchTemplateVersions": []any{}}, true},
		{map[string]any{"LaunchTemplateVersions": "x"}, false},
		{map[string]any{"LaunchTemplates": []any{}}, false},
		{[]any{}, false},
	} {
		if got := r.Detect(tc.v); got != tc.want {
			t.Errorf("Detect(%v) = %t, want %t", tc.v, got, tc.want)
		}
	}
}
