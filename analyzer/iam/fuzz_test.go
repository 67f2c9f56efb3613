package iam_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/iam"
	"github.com/irsalint/irsalint/analyzer/internal/textpos"
	"github.com/irsalint/irsalint/analyzer/source"
)

const fuzzFile = "iam/role.json"

// irsaTrust is a trust policy as eksctl and the EKS console write it for a
// service account.
const irsaTrust = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {
                "Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C2E0D8A71F4B6E39A0D1C7E8F2B4A61"
            },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    "oidc.eks.eu-west-1.amazonaws.com/id/5C2E0D8A71F4B6E39A0D1C7E8F2B4A61:sub": "system:serviceaccount:orders:api",
                    "oidc.eks.eu-west-1.amazonaws.com/id/5C2E0D8A71F4B6E39A0D1C7E8F2B4A61:aud": "sts.amazonaws.com"
                }
            }
        }
    ]
}`

// podIdentityTrust admits the EKS Pod Identity agent.
const podIdentityTrust = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowEksAuthToAssumeRoleForPodIdentity","Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`

// iamSeeds model what the AWS CLI prints and what repositories keep.
var iamSeeds = []string{
	"",
	irsaTrust,
	podIdentityTrust,
	// aws iam get-role (the CLI decodes the document).
	`{
    "Role": {
        "Path": "/eks/",
        "RoleName": "orders-api",
        "RoleId": "AROAZ7EXAMPLEQ4N2WLJK",
        "Arn": "arn:aws:iam::111122223333:role/eks/orders-api",
        "CreateDate": "2024-05-02T08:41:17+00:00",
        "AssumeRolePolicyDocument": ` + strings.ReplaceAll(irsaTrust, "\n", "\n        ") + `,
        "Description": "IRSA role for orders/api",
        "MaxSessionDuration": 3600,
        "Tags": [{"Key": "team", "Value": "orders"}],
        "RoleLastUsed": {"LastUsedDate": "2024-06-01T10:00:00+00:00", "Region": "eu-west-1"}
    }
}
`,
	// aws iam list-roles, with a truncation marker.
	`{
    "Roles": [
        {
            "Path": "/",
            "RoleName": "pod-identity-reports",
            "RoleId": "AROAZ7EXAMPLE3HD9XK2P",
            "Arn": "arn:aws:iam::111122223333:role/pod-identity-reports",
            "CreateDate": "2024-01-15T12:00:00+00:00",
            "AssumeRolePolicyDocument": ` + podIdentityTrust + `,
            "MaxSessionDuration": 3600
        },
        {
            "Path": "/aws-service-role/eks.amazonaws.com/",
            "RoleName": "AWSServiceRoleForAmazonEKS",
            "Arn": "arn:aws:iam::111122223333:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        },
        {"RoleName": "no-arn"},
        "not a role"
    ],
    "IsTruncated": true,
    "Marker": "AAEAAaXsa3Fk"
}
`,
	// get-account-authorization-details as the IAM API returns it, the
	// documents URL-encoded, next to the other detail lists.
	`{
  "UserDetailList": [],
  "GroupDetailList": [],
  "RoleDetailList": [
    {
      "Path": "/",
      "RoleName": "orders-api",
      "RoleId": "AROAZ7EXAMPLEQ4N2WLJK",
      "Arn": "arn:aws:iam::111122223333:role/orders-api",
      "CreateDate": "2024-05-02T08:41:17Z",
      "AssumeRolePolicyDocument": "` + url.PathEscape(compact(irsaTrust)) + `",
      "InstanceProfileList": [],
      "RolePolicyList": [{"PolicyName": "read-orders", "PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D"}],
      "AttachedManagedPolicies": [{"PolicyName": "AmazonS3ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}],
      "Tags": [{"Key": "owner", "Value": "orders"}, {"Key": ""}],
      "RoleLastUsed": {}
    },
    {
      "RoleName": "reports",
      "Arn": "arn:aws:iam::111122223333:role/reports",
      "AssumeRolePolicyDocument": "` + url.PathEscape(podIdentityTrust) + `"
    },
    {"RoleName": "mismatch", "Arn": "arn:aws:iam::111122223333:role/other", "AssumeRolePolicyDocument": "%7B%7D"},
    {"RoleName": "bad-escape", "Arn": "arn:aws:iam::111122223333:role/bad-escape", "AssumeRolePolicyDocument": "%7B%zz"},
    {"RoleName": "two-docs", "Arn": "arn:aws:iam::111122223333:role/two-docs", "AssumeRolePolicyDocument": "a%3A%201%0A---%0Ab%3A%202"},
    {"RoleName": "number", "Arn": "arn:aws:iam::111122223333:role/number", "AssumeRolePolicyDocument": 7}
  ],
  "Policies": []
}`,
	// A document percent-encoded twice: decoded once, it is still text.
	`{"Role": {"RoleName": "twice", "Arn": "arn:aws:iam::111122223333:role/twice", "AssumeRolePolicyDocument": "` + url.PathEscape(url.PathEscape(podIdentityTrust)) + `"}}`,
	// A JSON string with a "%" inside a value: read as it is.
	`{"Role": {"Arn": "arn:aws:iam::111122223333:role/pct", "AssumeRolePolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringLike\":{\"aws:PrincipalTag/x\":\"a%41+b\"}}}}"}}`,
	// An encoded document with duplicate keys inside.
	`{"Role": {"Arn": "arn:aws:iam::111122223333:role/dup", "AssumeRolePolicyDocument": "` + url.PathEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`) + `"}}`,
	// Duplicate keys and case variants in a bare policy.
	`{
  "Version": "2012-10-17",
  "version": "2008-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC", "federated": "x"},
    "ACTION": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com"},
      "StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:a:b"},
      "stringlike": {"OIDC.eks.us-east-1.amazonaws.com/id/ABC:SUB": "system:serviceaccount:a:*", "oidc.eks.us-east-1.amazonaws.com/id/abc:sub": ["x", 1, true]},
      "ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": []},
      "NullIfExists": {"k": "true"},
      "StringEqualz": {"k": "v"}
    },
    "__doc_comment": "a",
    "__doc_comment": "b"
  }]
}`,
	// Bare trust policy in YAML, as kept next to Terraform or CloudFormation.
	"Version: '2012-10-17'\nStatement:\n  - Sid: Irsa\n    Effect: Allow\n    Principal:\n      Federated: arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC\n    Action: [sts:AssumeRoleWithWebIdentity]\n    Condition:\n      StringLike:\n        oidc.eks.us-west-2.amazonaws.com/id/ABC:sub: system:serviceaccount:*:*\n  - Effect: Deny\n    NotPrincipal: {AWS: arn:aws:iam::111122223333:root}\n    NotAction: sts:AssumeRole\n    Action: sts:TagSession\n",
	"Statement: &s\n  Effect: Allow\n  Principal: '*'\n  Action: sts:AssumeRole\nId: x\nExtra: [*s, *s]\n",
	"---\nStatement: {Principal: {Service: [a, {b: c}]}, Effect: maybe}\n---\nRole: {Arn: 'arn:aws:iam::1:role/x', AssumeRolePolicyDocument: ''}\n",
	`{"Statement":[null,1,"x",{"Principal":"arn:aws:iam::1:root","Condition":[]},{"NotPrincipal":"*","Condition":{"Bool":"x","StringEquals":{"a":null}}}]}`,
	`{"Statement":{"Principal":{"AWS":["*",1.5,1e300,-0]}},"statement":[]}`,
	`{"RoleDetailList":[{"Arn":"arn:aws:iam::1:role/a/b/","AssumeRolePolicyDocument":{}},{"Arn":"arn:aws-us-gov:iam::1:role/c","RoleName":"c","AssumeRolePolicyDocument":"  %7B%7D  "}]}`,
	"\xef\xbb\xbf{\r\n\"Statement\": {\"Principal\": \"*\",\r\n\"Effect\": \"Allow\"}}\r\n",
}

func compact(s string) string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		panic(err)
	}
	return b.String()
}

// FuzzExtract reads arbitrary bytes as irsalint reads an IAM file. It must
// never panic or take long; every role, every path a role entry hands to
// rules and every diagnostic resolves to a place inside the file, and for a
// document read from the file itself every path exists in it; reading is
// deterministic; and a document held in a string is decoded exactly once.
func FuzzExtract(f *testing.F) {
	for _, s := range iamSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		checkExtract(t, data)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("took %v for %d bytes", d, len(data))
		}
	})
}

func checkExtract(t *testing.T, data []byte) {
	docs, _ := source.Decode(data)
	text := textpos.New(data)
	at := func(what string, line, column int) {
		t.Helper()
		if err := text.Check(line, column); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	for _, doc := range docs {
		if !iam.Detect(doc.Value) {
			continue
		}
		if !iam.Detect(doc.Value) {
			t.Fatal("Detect changed its mind")
		}
		ex := iam.Extract(fuzzFile, doc)
		if again := iam.Extract(fuzzFile, doc); !sameExtraction(ex, again) {
			t.Fatalf("two readings of one document differ")
		}
		for _, d := range ex.Diagnostics {
			if d.Location.File != fuzzFile || d.Message == "" || d.Level != analyzer.LevelError && d.Level != analyzer.LevelNotice {
				t.Fatalf("diagnostic %+v", d)
			}
			at("diagnostic "+d.Message, d.Location.Line, d.Location.Column)
		}
		for _, r := range ex.Roles {
			if r.File != fuzzFile || r.Pos != doc.Pos || r.Ref == "" || r.Key == "" || r.Entry["ref"] != r.Ref || r.Entry["key"] != r.Key {
				t.Fatalf("role %+v", *r)
			}
			tp, ok := r.Entry["trustPolicy"].(map[string]any)
			if !ok {
				t.Fatalf("%s: no trust policy", r.Ref)
			}
			encoded := tp["encoded"] == true
			eachPath(r.Entry, "", func(name string, p []any) {
				full := append(append([]any{}, r.Base...), p...)
				pos, exact := doc.Pos.Lookup(full)
				at(fmt.Sprintf("%s: %s %v", r.Ref, name, p), pos.Line, pos.Column)
				if !exact && !encoded {
					t.Fatalf("%s: %s %v does not exist in the document", r.Ref, name, p)
				}
			})
			if encoded {
				checkDecodedOnce(t, doc.Value, r)
			}
		}
	}
}

// eachPath calls fn for every path an entry gives: values of keys named
// "at" or ending in "At" that are lists.
func eachPath(v any, name string, fn func(string, []any)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if p, ok := x.([]any); ok && (k == "at" || strings.HasSuffix(k, "At")) {
				fn(name+"."+k, p)
				continue
			}
			eachPath(x, name+"."+k, fn)
		}
	case []any:
		for i, x := range v {
			eachPath(x, fmt.Sprintf("%s[%d]", name, i), fn)
		}
	}
}

// checkDecodedOnce encodes the document of a role read from a string once
// more: read, the result must be what the string itself says as text, not
// the policy the string encodes.
func checkDecodedOnce(t *testing.T, root any, r *iam.Role) {
	t.Helper()
	role, _ := walk(root, r.Base).(map[string]any)
	s, ok := role["AssumeRolePolicyDocument"].(string)
	if !ok {
		t.Fatalf("%s: encoded, but the document is %T", r.Ref, role["AssumeRolePolicyDocument"])
	}
	text, err := json.Marshal(map[string]any{"Role": map[string]any{"Arn": r.Key, "AssumeRolePolicyDocument": url.PathEscape(s)}})
	if err != nil {
		return // not valid UTF-8: JSON cannot carry it unchanged
	}
	docs, err := source.Decode(text)
	if err != nil || len(docs) != 1 {
		t.Fatalf("re-encoded role does not decode: %v", err)
	}
	ex := iam.Extract("again.json", docs[0])
	want, err := source.Decode([]byte(s))
	if err != nil || len(want) != 1 {
		if len(ex.Roles) != 0 || len(ex.Diagnostics) != 1 {
			t.Fatalf("%q encoded twice: %d roles, diagnostics %v; want one diagnostic", s, len(ex.Roles), ex.Diagnostics)
		}
		return
	}
	if len(ex.Roles) != 1 {
		t.Fatalf("%q encoded twice: %d roles, diagnostics %v", s, len(ex.Roles), ex.Diagnostics)
	}
	got := ex.Roles[0].Entry["trustPolicy"].(map[string]any)
	exp := iam.ReadTrustPolicy(want[0])
	if g, w := summary(got), summary(exp); g != w {
		t.Fatalf("%q encoded twice reads\n%s\nwant what the string says as text\n%s", s, g, w)
	}
}

// walk follows a path of keys and indices through a decoded value.
func walk(v any, path []any) any {
	for _, el := range path {
		switch x := v.(type) {
		case map[string]any:
			k, _ := el.(string)
			v = x[k]
		case []any:
			i, _ := el.(int)
			if i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// summary is a trust policy's statements and problem kinds without paths
// and messages, which depend on where the document sits.
func summary(tp map[string]any) string {
	var kinds []any
	for _, p := range tp["problems"].([]any) {
		kinds = append(kinds, p.(map[string]any)["kind"], p.(map[string]any)["lossy"])
	}
	return fmt.Sprintf("%#v\n%v %v", withoutPaths(tp["statements"]), kinds, tp["lossy"])
}

func withoutPaths(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if k != "at" && !strings.HasSuffix(k, "At") {
				out[k] = withoutPaths(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = withoutPaths(x)
		}
		return out
	}
	return v
}

// sameExtraction compares two readings. fmt's %#v prints maps sorted and
// NaN as NaN, which reflect.DeepEqual would call different from itself.
func sameExtraction(a, b iam.Extraction) bool {
	if a.Kind != b.Kind || len(a.Roles) != len(b.Roles) || fmt.Sprintf("%#v", a.Diagnostics) != fmt.Sprintf("%#v", b.Diagnostics) {
		return false
	}
	for i, r := range a.Roles {
		o := b.Roles[i]
		if r.Ref != o.Ref || r.Key != o.Key || r.File != o.File || r.Name != o.Name || r.Pos != o.Pos ||
			fmt.Sprintf("%#v", r.Base) != fmt.Sprintf("%#v", o.Base) || fmt.Sprintf("%#v", r.Entry) != fmt.Sprintf("%#v", o.Entry) {
			return false
		}
	}
	return true
}
