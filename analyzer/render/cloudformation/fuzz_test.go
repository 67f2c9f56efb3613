package cloudformation

import (
	"fmt"
	"testing"
	"time"

	"github.com/irsalint/irsalint/analyzer/internal/textpos"
	"github.com/irsalint/irsalint/analyzer/render"
	"github.com/irsalint/irsalint/analyzer/source"
)

var seeds = []string{
	"",
	"AWSTemplateFormatVersion: x\n",
	"Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Sub '${AWS::StackName}-${!x}-${Nope}'\n      AssumeRolePolicyDocument: !Sub |\n        {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Federated\": \"${P.Arn}\"}, \"Action\": \"sts:AssumeRoleWithWebIdentity\"}]}\n",
	"Conditions:\n  A: !Or [!Condition B, !Equals [1, 1]]\n  B: !And [!Condition A]\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Condition: A\n    Properties: {AssumeRolePolicyDocument: {Statement: !If [A, [], x]}}\n",
	`{"Resources": {"R": {"Type": "AWS::EKS::PodIdentityAssociation", "Properties": {"RoleArn": {"Fn::Select": ["9", {"Fn::Split": [",", "a,b"]}]}, "Namespace": {"Fn::FindInMap": ["M", "a", "b"]}}}}}`,
	"Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: !GetAtt\n      Path: !Join [[], [!Ref AWS::NoValue]]\n      RoleName: !Unknown x\n",
}

// FuzzRender reads arbitrary bytes as a template. It must never panic or
// take long; every diagnostic and every place of a document is inside the
// file; rendering is deterministic.
func FuzzRender(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		file := source.File{Path: "stack.yaml", Data: data}
		if !(Renderer{}).Claims(file) {
			return
		}
		out := Renderer{}.RenderFile(file, render.Env{Options: render.Options{CFNParameters: []string{"P=x"}}})
		again := Renderer{}.RenderFile(file, render.Env{Options: render.Options{CFNParameters: []string{"P=x"}}})
		if values(out) != values(again) || fmt.Sprint(out.Diagnostics) != fmt.Sprint(again.Diagnostics) {
			t.Fatal("two renderings differ")
		}
		text := textpos.New(data)
		for _, d := range out.Diagnostics {
			if d.Location.File != "stack.yaml" || d.Message == "" || d.Location.Line > text.Lines() {
				t.Fatalf("diagnostic %+v outside the file", d)
			}
		}
		for _, d := range out.Docs {
			for _, p := range [][]any{nil, {"Role"}, {"Role", "AssumeRolePolicyDocument", "Statement", 0}, {"association", "roleArn"}} {
				if l, _ := d.Doc.Origin.Locate(p); l.Line > text.Lines() || l.File != "stack.yaml" {
					t.Fatalf("%v placed at %+v, outside the file", p, l)
				}
			}
		}
		if el := time.Since(start); el > time.Second {
			t.Fatalf("took %v for %d bytes", el, len(data))
		}
	})
}

func values(out render.Output) string {
	var b []any
	for _, d := range out.Docs {
		b = append(b, d.File, d.Doc.Index, d.Doc.Value)
	}
	return fmt.Sprint(b...)
}
