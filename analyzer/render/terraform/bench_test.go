package terraform

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsalint/irsalint/analyzer/render"
)

// BenchmarkRender200Roles renders a module of 200 IRSA roles, half from
// aws_iam_policy_document data sources and half jsonencode, each with its
// ServiceAccount: the size of a large platform team's IAM module.
func BenchmarkRender200Roles(b *testing.B) {
	dir := b.TempDir()
	var src strings.Builder
	src.WriteString(`locals {
  provider = "arn:aws:iam::743263909644:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
  issuer   = replace(local.provider, "/^(.*provider/)/", "")
}
`)
	for i := range 200 {
		if i%2 == 0 {
			fmt.Fprintf(&src, `
data "aws_iam_policy_document" "r%[1]d" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.provider]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:team-%[1]d:app"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "r%[1]d" {
  name               = "team-%[1]d-app"
  assume_role_policy = data.aws_iam_policy_document.r%[1]d.json
}
`, i)
		} else {
			fmt.Fprintf(&src, `
resource "aws_iam_role" "r%[1]d" {
  name = "team-%[1]d-app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = local.provider }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringEquals = { "${local.issuer}:sub" = "system:serviceaccount:team-%[1]d:app", "${local.issuer}:aud" = "sts.amazonaws.com" } }
    }]
  })
}
`, i)
		}
		fmt.Fprintf(&src, `
resource "kubernetes_service_account_v1" "r%[1]d" {
  metadata {
    name        = "app"
    namespace   = "team-%[1]d"
    annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.r%[1]d.arn }
  }
}
`, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		out := renderDir(b, dir, render.Options{})
		if len(out.Docs) != 400 {
			b.Fatalf("%d documents, want 400", len(out.Docs))
		}
	}
}
