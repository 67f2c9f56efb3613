package cloudformation

import (
	"strings"
	"testing"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/render"
	"github.com/irsalint/irsalint/analyzer/source"
)

func renderText(t *testing.T, text string, opts render.Options) render.Output {
	t.Helper()
	f := source.File{Path: "stack.yaml", Data: []byte(text)}
	if !(Renderer{}).Claims(f) {
		t.Fatalf("not claimed as a template:\n%s", text)
	}
	return Renderer{}.RenderFile(f, render.Env{Options: opts})
}

func roleDoc(t *testing.T, out render.Output, name string) (map[string]any, render.Doc) {
	t.Helper()
	for _, d := range out.Docs {
		if r, ok := d.Doc.Value.(map[string]any)["Role"].(map[string]any); ok && r["RoleName"] == name {
			return r, d
		}
	}
	t.Fatalf("no role %s in %v (diagnostics %v)", name, out.Docs, out.Diagnostics)
	return nil, render.Doc{}
}

func wantNotice(t *testing.T, out render.Output, line int, text string) {
	t.Helper()
	for _, d := range out.Diagnostics {
		if d.Location.Line == line && strings.Contains(d.Message, text) {
			return
		}
	}
	t.Errorf("no diagnostic at line %d saying %q; got %v", line, text, out.Diagnostics)
}

func statement(r map[string]any, i int) map[string]any {
	return r["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[i].(map[string]any)
}

// Short-form tags are their functions, and each function is evaluated
// where its inputs are known.
func TestIntrinsics(t *testing.T) {
	out := renderText(t, `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: prod}
  Teams: {Type: CommaDelimitedList, Default: "a,b"}
  Given: {Type: String}
Mappings:
  Accounts:
    prod: {Id: "111122223333"}
    dev: {Team: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [!Ref Given, x]]
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Join ["-", [!Ref Env, !Select [1, !Ref Teams], !Select [0, !Split [",", "x,y"]]]]
      Path: !If [NotProd, /dev/, !FindInMap [Accounts, prod, Path, {DefaultValue: /prod/}]]
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub
                - "arn:aws:iam::${Acct}:root"
                - Acct: !FindInMap [Accounts, !Ref Env, Id]
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                aws:PrincipalTag/team: !Sub "${Given}-${!Literal}"
                aws:RequestTag/env: !If [Both, yes, no]
                aws:x: !Ref AWS::NoValue
`, render.Options{CFNParameters: []string{"Given=x"}})
	r, _ := roleDoc(t, out, "prod-b-x")
	if r["Path"] != "/prod/" {
		t.Errorf("Path = %v", r["Path"])
	}
	st := statement(r, 0)
	if got := st["Principal"].(map[string]any)["AWS"]; got != "arn:aws:iam::111122223333:root" {
		t.Errorf("principal = %v", got)
	}
	cond := st["Condition"].(map[string]any)["StringEquals"].(map[string]any)
	if cond["aws:PrincipalTag/team"] != "x-${Literal}" || cond["aws:RequestTag/env"] != "yes" {
		t.Errorf("conditions = %v", cond)
	}
	if _, ok := cond["aws:x"]; ok {
		t.Error("AWS::NoValue left its key")
	}
	for _, d := range out.Diagnostics {
		if d.Level == analyzer.LevelError {
			t.Errorf("error: %v", d)
		}
	}
	unknown := renderText(t, "Parameters: {K: {Type: String}}\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: r\n      AssumeRolePolicyDocument: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Principal: {AWS: !Join [\":\", [arn, !FindInMap [M, !Ref K, x]]]}, Action: sts:AssumeRole}]}\n", render.Options{})
	r, _ = roleDoc(t, unknown, "r")
	if got := statement(r, 0)["Principal"].(map[string]any)["AWS"]; got != "arn:${FindInMap}" {
		t.Errorf("an unknown's placeholder holds a colon: %v", got)
	}
}

// What only a deployed stack knows stays a placeholder with a notice, and
// a statement whose structure is unknown is never read as malformed.
func TestUnknowns(t *testing.T) {
	out := renderText(t, `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Issuer: {Type: String}
Conditions:
  HasIssuer: !Not [!Equals [!Ref Issuer, ""]]
Resources:
  Cluster:
    Type: AWS::EKS::Cluster
    Properties: {Name: shop, Version: "1.31"}
  R:
    Type: AWS::IAM::Role
    Properties:
      RoleName: r
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Federated: !GetAtt Cluster.OpenIdConnectIssuerUrl
            Action: sts:AssumeRoleWithWebIdentity
            Condition: !If [HasIssuer, {StringEquals: {a: b}}, !Ref AWS::NoValue]
          - !ImportValue shared-statement
  Maybe:
    Type: AWS::IAM::Role
    Condition: HasIssuer
    Properties:
      RoleName: maybe
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
`, render.Options{})
	r, _ := roleDoc(t, out, "r")
	for i := range 2 {
		if p, _ := statement(r, i)["Principal"].(map[string]any)["AWS"].(string); !strings.Contains(p, "${") {
			t.Errorf("statement %d is not an unknown statement: %v", i, statement(r, i))
		}
	}
	wantNotice(t, out, 5, "parameter Issuer has no default")
	wantNotice(t, out, 22, "ImportValue")
	wantNotice(t, out, 25, "Maybe is created only when condition HasIssuer holds")
	for _, d := range out.Docs {
		if c, ok := d.Doc.Value.(map[string]any)["cluster"].(map[string]any); ok && (c["name"] != "shop" || c["version"] != "1.31") {
			t.Errorf("cluster = %v", c)
		}
	}
}

// A role's Ref is its name and its Arn its ARN, so an association or a
// trust elsewhere in the template names it; an OIDC provider's Ref is its
// ARN in the stack's own account and partition.
func TestReferences(t *testing.T) {
	out := renderText(t, `Resources:
  Provider:
    Type: AWS::IAM::OIDCProvider
    Properties:
      Url: https://oidc.eks.us-east-1.amazonaws.com/id/AB
      ClientIdList: [sts.amazonaws.com]
  PodRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: pods
      Path: /eks/
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Federated: !Ref Provider}
            Action: sts:AssumeRoleWithWebIdentity
  Assoc:
    Type: AWS::EKS::PodIdentityAssociation
    Properties:
      ClusterName: shop
      Namespace: app
      ServiceAccount: api
      RoleArn: !GetAtt PodRole.Arn
`, render.Options{AccountID: "111122223333"})
	r, _ := roleDoc(t, out, "pods")
	if r["Arn"] != "arn:aws:iam::111122223333:role/eks/pods" {
		t.Errorf("Arn = %v", r["Arn"])
	}
	if got := statement(r, 0)["Principal"].(map[string]any)["Federated"]; got != "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AB" {
		t.Errorf("Federated = %v", got)
	}
	var assoc map[string]any
	for _, d := range out.Docs {
		if a, ok := d.Doc.Value.(map[string]any)["association"].(map[string]any); ok {
			assoc = a
			if l, _ := d.Doc.Origin.Locate([]any{"association", "roleArn"}); l.Line != 24 {
				t.Errorf("roleArn at line %d, want 24", l.Line)
			}
		}
	}
	if assoc["roleArn"] != "arn:aws:iam::111122223333:role/eks/pods" || assoc["namespace"] != "app" {
		t.Errorf("association = %v", assoc)
	}
}

// A policy in a block scalar is placed at its own lines and columns; a
// policy in a one-line string at the string.
func TestPolicyTextPositions(t *testing.T) {
	out := renderText(t, `Resources:
  Block:
    Type: AWS::IAM::Role
    Properties:
      RoleName: block
      AssumeRolePolicyDocument: |
        {
          "Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]
        }
  Line:
    Type: AWS::IAM::Role
    Properties:
      RoleName: line
      AssumeRolePolicyDocument: '{"Version": "2012-10-17", "Statement": []}'
`, render.Options{})
	_, d := roleDoc(t, out, "block")
	if l, _ := d.Doc.Origin.Locate([]any{"Role", "AssumeRolePolicyDocument", "Statement", 0, "Principal"}); l.Line != 9 || l.Column != 45 {
		t.Errorf("principal at %d:%d, want 9:45", l.Line, l.Column)
	}
	_, d = roleDoc(t, out, "line")
	if l, _ := d.Doc.Origin.Locate([]any{"Role", "AssumeRolePolicyDocument", "Statement"}); l.Line != 15 {
		t.Errorf("statement at line %d, want 15", l.Line)
	}
}

// Bad input is an error at its line, the rest still read; untrusted input
// cannot make evaluation or decoding unbounded.
func TestErrorsAndBounds(t *testing.T) {
	out := renderText(t, `AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  Loop: !Not [!Condition Loop]
Resources:
  Bad:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Join [",", "not a list"]
      Path: !If [Loop, /a/, /b/]
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: !Ref Nowhere}
            Action: sts:AssumeRole
  Good:
    Type: AWS::IAM::Role
    Properties:
      RoleName: good
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
`, render.Options{})
	roleDoc(t, out, "good")
	wantNotice(t, out, 14, "Ref Nowhere names no parameter or resource")
	wantNotice(t, out, 3, "condition Loop refers to itself")

	syntax := Renderer{}.RenderFile(source.File{Path: "s.yaml", Data: []byte("AWSTemplateFormatVersion: x\nResources:\n  A: [\n")}, render.Env{})
	if len(syntax.Diagnostics) != 1 || syntax.Diagnostics[0].Level != analyzer.LevelError || syntax.Diagnostics[0].Location.Line == 0 {
		t.Errorf("syntax error: %v", syntax.Diagnostics)
	}

	var b strings.Builder
	b.WriteString("AWSTemplateFormatVersion: x\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	laughs := Renderer{}.RenderFile(source.File{Path: "l.yaml", Data: []byte(b.String())}, render.Env{})
	if len(laughs.Diagnostics) != 1 || !strings.Contains(laughs.Diagnostics[0].Message, "expands to more than") {
		t.Errorf("aliases of aliases: %v", laughs.Diagnostics)
	}
}

// Files that are not templates are left to the YAML reader, cheaply.
func TestClaims(t *testing.T) {
	for text, want := range map[string]bool{
		"apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n":              false,
		"kind: ConfigMap\ndata: {note: \"AWS::IAM::Role\"}\n":                      false,
		"Resources:\n  R:\n    Type: AWS::IAM::Role\n":                             true,
		"{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {}}":        true,
		"AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  R: [\n":           true,
		"Resources:\n  R:\n    Type: AWS::IAM::Role\n  K:\n    kind: Deployment\n": false,
	} {
		if got := (Renderer{}).Claims(source.File{Data: []byte(text)}); got != want {
			t.Errorf("Claims(%q) = %v, want %v", text, got, want)
		}
	}
}

// The pseudo parameters the cluster context gives: the account, the
// partition of its region, and the partition's URL suffix.
func TestPseudoParameters(t *testing.T) {
	text := `Resources:
  Node:
    Type: AWS::IAM::Role
    Properties:
      RoleName: node
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: !Sub "ec2.${AWS::URLSuffix}", AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
            Action: sts:AssumeRole
`
	for _, c := range []struct{ account, partition, service, aws string }{
		{"", "", "ec2.${URLSuffix}", "arn:${Partition}:iam::${AccountId}:root"},
		{"111122223333", "aws-cn", "ec2.amazonaws.com.cn", "arn:aws-cn:iam::111122223333:root"},
		{"111122223333", "aws", "ec2.amazonaws.com", "arn:aws:iam::111122223333:root"},
	} {
		r, _ := roleDoc(t, renderText(t, text, render.Options{AccountID: c.account, Partition: c.partition}), "node")
		p := statement(r, 0)["Principal"].(map[string]any)
		if p["Service"] != c.service || p["AWS"] != c.aws {
			t.Errorf("account %q partition %q: principal %v", c.account, c.partition, p)
		}
	}
}

// A GitHub provider of the stack (no region in its host) in a stack whose
// partition the cluster context gives: the provider ARN takes the role's
// partition, so the trust is judged; without it both stay the stack's own.
func TestOwnPartition(t *testing.T) {
	text := `Resources:
  GitHub:
    Type: AWS::IAM::OIDCProvider
    Properties: {Url: "https://token.actions.githubusercontent.com", ClientIdList: [sts.amazonaws.com]}
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      RoleName: deploy
      ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Federated: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"}, Action: sts:AssumeRoleWithWebIdentity}
`
	for partition, want := range map[string]string{
		"aws": "arn:aws:iam::${AccountId}:oidc-provider/token.actions.githubusercontent.com",
		"":    "arn:${Partition}:iam::${AccountId}:oidc-provider/token.actions.githubusercontent.com",
	} {
		r, _ := roleDoc(t, renderText(t, text, render.Options{Partition: partition}), "deploy")
		if got := statement(r, 0)["Principal"].(map[string]any)["Federated"]; got != want {
			t.Errorf("partition %q: Federated = %v, want %v", partition, got, want)
		}
		if att := r["AttachedManagedPolicies"].([]any); len(att) != 1 || att[0].(map[string]any)["PolicyName"] != "ReadOnlyAccess" {
			t.Errorf("attached = %v", att)
		}
	}
}
