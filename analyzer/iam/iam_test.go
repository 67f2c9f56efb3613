package iam

import (
	"reflect"
	"strings"
	"testing"

	"github.com/irsalint/irsalint/analyzer/source"
)

func decode(t *testing.T, text string) source.Doc {
	t.Helper()
	docs, err := source.Decode([]byte(text))
	if err != nil || len(docs) != 1 {
		t.Fatalf("decode: %v (%d docs)", err, len(docs))
	}
	return docs[0]
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       bool
	}{
		{"trust policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, true},
		{"trust policy, single statement, YAML", "Version: '2012-10-17'\nStatement:\n  Effect: Allow\n  Principal: '*'\n  Action: sts:AssumeRole\n", true},
		{"permission policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, false},
		{"get-role", `{"Role":{"Arn":"arn:aws:iam::1:role/x","AssumeRolePolicyDocument":"%7B%7D"}}`, true},
		{"list-roles", `{"Roles":[{"Arn":"arn:aws:iam::1:role/x"}]}`, true},
		{"authorization details", `{"RoleDetailList":[],"UserDetailList":[]}`, true},
		{"package.json", `{"name":"x","version":"1.0.0"}`, false},
		{"kubernetes", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x}\n", false},
		{"Roles of something else", `{"Roles":["admin"]}`, false},
	} {
		if got := Detect(decode(t, tc.text).Value); got != tc.want {
			t.Errorf("%s: Detect = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestExtractAuthorizationDetails(t *testing.T) {
	doc := decode(t, `{
  "RoleDetailList": [
    {
      "Path": "/eks/irsa/",
      "RoleName": "reader",
      "Arn": "arn:aws:iam::111122223333:role/eks/irsa/reader",
      "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
      "AttachedManagedPolicies": [{"PolicyName": "ro", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
      "RolePolicyList": [{"PolicyName": "inline-one", "PolicyDocument": "%7B%7D"}],
      "Tags": [{"Key": "team", "Value": "data"}]
    },
    {
      "RoleName": "broken",
      "Arn": "arn:aws:iam::111122223333:user/broken"
    },
    {
      "RoleName": "encoded",
      "Arn": "arn:aws:iam::111122223333:role/encoded",
      "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"
    }
  ]
}`)
	ex := Extract("auth.json", doc)
	if ex.Kind != "account authorization details" {
		t.Errorf("kind %q", ex.Kind)
	}
	if len(ex.Roles) != 2 {
		t.Fatalf("%d roles, want 2 (the user ARN is not a role)", len(ex.Roles))
	}
	if len(ex.Diagnostics) != 1 || !strings.Contains(ex.Diagnostics[0].Message, "no valid Arn") || ex.Diagnostics[0].Location.Line != 14 {
		t.Errorf("diagnostics %v", ex.Diagnostics)
	}
	r := ex.Roles[0]
	if r.Key != "arn:aws:iam::111122223333:role/eks/irsa/reader" || r.Ref != "auth.json#0.RoleDetailList[0]" {
		t.Errorf("key %q ref %q", r.Key, r.Ref)
	}
	e := r.Entry
	for k, want := range map[string]any{"name": "reader", "path": "/eks/irsa/", "account": "111122223333", "partition": "aws", "source": "authorization-details"} {
		if e[k] != want {
			t.Errorf("%s = %v, want %v", k, e[k], want)
		}
	}
	if !reflect.DeepEqual(e["attachedPolicies"], []any{"arn:aws:iam::aws:policy/ReadOnlyAccess"}) ||
		!reflect.DeepEqual(e["inlinePolicies"], []any{"inline-one"}) ||
		!reflect.DeepEqual(e["tags"], map[string]any{"team": "data"}) {
		t.Errorf("policies/tags: %v %v %v", e["attachedPolicies"], e["inlinePolicies"], e["tags"])
	}
	st := e["trustPolicy"].(map[string]any)["statements"].([]any)[0].(map[string]any)
	if !reflect.DeepEqual(st["at"], []any{"AssumeRolePolicyDocument", "Statement", 0}) {
		t.Errorf("statement at %v", st["at"])
	}
	if loc := (r.Pos); loc == nil {
		t.Error("no positions")
	}
	enc := ex.Roles[1].Entry["trustPolicy"].(map[string]any)
	if enc["encoded"] != true || len(enc["statements"].([]any)) != 1 {
		t.Errorf("encoded document: %v", enc)
	}
}

func TestBarePolicyNamedByFile(t *testing.T) {
	ex := Extract("iam/trust/app-role.json", decode(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`))
	if len(ex.Roles) != 1 {
		t.Fatal(ex.Diagnostics)
	}
	e := ex.Roles[0].Entry
	if e["key"] != "file:iam/trust/app-role.json" || e["name"] != "app-role" || e["arn"] != nil || ex.Roles[0].Name != "trust policy iam/trust/app-role.json" {
		t.Errorf("%v %v %v %q", e["key"], e["name"], e["arn"], ex.Roles[0].Name)
	}
}

func TestNormalization(t *testing.T) {
	p := ReadTrustPolicy(decode(t, `{
  "Version": "2012-10-17",
  "Statement": {
    "Sid": "Irsa",
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::743263909644:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC", "AWS": ["arn:aws:iam::1:root", "*"]},
    "Action": ["STS:AssumeRoleWithWebIdentity"],
    "Condition": {
      "ForAllValues:StringLikeIfExists": {"OIDC.EKS.us-west-2.amazonaws.com/id/ABC:Sub": ["a", "b"]},
      "Bool": {"aws:SecureTransport": true},
      "NumericLessThan": {"aws:MultiFactorAuthAge": 3600}
    }
  }
}`))
	if p["lossy"] != false || len(p["problems"].([]any)) != 0 {
		t.Fatalf("problems: %v", p["problems"])
	}
	s := p["statements"].([]any)[0].(map[string]any)
	if s["sid"] != "Irsa" || s["effect"] != "Allow" || !reflect.DeepEqual(s["at"], []any{"Statement"}) {
		t.Errorf("statement %v %v %v", s["sid"], s["effect"], s["at"])
	}
	if !reflect.DeepEqual(s["actions"], []any{"sts:assumerolewithwebidentity"}) {
		t.Errorf("actions %v", s["actions"])
	}
	if n := len(s["principals"].([]any)); n != 3 {
		t.Errorf("%d principals, want 3", n)
	}
	f := s["federated"].([]any)[0].(map[string]any)
	if f["kind"] != "oidc" || f["issuer"] != "oidc.eks.us-west-2.amazonaws.com/id/ABC" || f["keyPrefix"] != "oidc.eks.us-west-2.amazonaws.com/id/abc" || f["account"] != "743263909644" {
		t.Errorf("federated %v", f)
	}
	conds := map[string]map[string]any{}
	for _, c := range s["conditions"].([]any) {
		conds[c.(map[string]any)["base"].(string)] = c.(map[string]any)
	}
	like := conds["StringLike"]
	if like["operator"] != "ForAllValues:StringLikeIfExists" || like["qualifier"] != "ForAllValues" || like["ifExists"] != true || like["like"] != true ||
		like["key"] != "oidc.eks.us-west-2.amazonaws.com/id/abc:sub" || like["keyWritten"] != "OIDC.EKS.us-west-2.amazonaws.com/id/ABC:Sub" {
		t.Errorf("StringLike condition %v", like)
	}
	if !reflect.DeepEqual(conds["Bool"]["values"], []any{"true"}) || !reflect.DeepEqual(conds["NumericLessThan"]["values"], []any{"3600"}) {
		t.Errorf("non-string values: %v %v", conds["Bool"]["values"], conds["NumericLessThan"]["values"])
	}
}

func TestProblems(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		kinds      []string
		lossy      bool
	}{
		{"missing version", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, []string{"missing-version"}, false},
		{"old version", `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, []string{"old-version"}, false},
		{"not principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"Action":"sts:AssumeRole"}]}`, []string{"not-principal"}, false},
		{"unknown operator", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"x"},"Action":"sts:AssumeRole","Condition":{"StringEqualz":{"a:b":"c"}}}]}`, []string{"unknown-operator"}, true},
		{"operator case", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"x"},"Action":"sts:AssumeRole","Condition":{"stringEquals":{"a:b":"c"}}}]}`, []string{"operator-case"}, false},
		{"null if exists", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"x"},"Action":"sts:AssumeRole","Condition":{"NullIfExists":{"a:b":"true"}}}]}`, []string{"null-if-exists"}, false},
		{"condition keys differing in case", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"x"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"a:b":"c","A:B":"d"}}}]}`, []string{"case-variant-key"}, true},
		{"elements differing in case", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","effect":"Deny","Principal":{"Service":"x"},"Action":"sts:AssumeRole"}]}`, []string{"case-variant-key"}, true},
		{"element case", `{"version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"x"},"Action":"sts:AssumeRole"}]}`, []string{"element-case"}, false},
		{"unknown element", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"x"},"Action":"sts:AssumeRole","Comment":"x"}]}`, []string{"unknown-element"}, false},
		{"duplicate semantic key", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"x"},"Action":"sts:AssumeRole","Action":"sts:TagSession"}]}`, []string{"duplicate-key"}, true},
		{"bad value", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"x"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"a:b":{"x":1}}}}]}`, []string{"bad-value"}, true},
		{"no principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, []string{"missing-principal"}, true},
		{"bad effect", `{"Version":"2012-10-17","Statement":[{"Effect":"allow","Principal":"*","Action":"sts:AssumeRole"}]}`, []string{"bad-effect"}, true},
		{"action and not action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"a:b","NotAction":"c:d"}]}`, []string{"action-and-not-action"}, true},
		{"principal string", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"arn:aws:iam::1:root","Action":"sts:AssumeRole"}]}`, []string{"bad-principal"}, true},
	} {
		p := ReadTrustPolicy(decode(t, tc.text))
		var kinds []string
		for _, pr := range p["problems"].([]any) {
			kinds = append(kinds, pr.(map[string]any)["kind"].(string))
		}
		if !reflect.DeepEqual(kinds, tc.kinds) || p["lossy"] != tc.lossy {
			t.Errorf("%s: problems %v lossy %v, want %v lossy %v", tc.name, kinds, p["lossy"], tc.kinds, tc.lossy)
		}
	}
}

func TestParseRoleARN(t *testing.T) {
	r, ok := parseRoleARN("arn:aws-cn:iam::111122223333:role/team/app/reader")
	if !ok || r.partition != "aws-cn" || r.account != "111122223333" || r.path != "/team/app/" || r.name != "reader" {
		t.Errorf("%+v %v", r, ok)
	}
	for _, bad := range []string{"", "arn:aws:iam::1:user/x", "arn:aws:sts::1:assumed-role/x/y", "arn:aws:iam::1:role/", "role/x"} {
		if _, ok := parseRoleARN(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestDetectStatementCaseVariants(t *testing.T) {
	// Which spelling counted used to depend on map order.
	doc := decode(t, `{"Statement":{"Principal":"*"},"statement":[]}`)
	for range 20 {
		if !Detect(doc.Value) {
			t.Fatal("a policy with a principal under one spelling of Statement is not detected")
		}
	}
}
