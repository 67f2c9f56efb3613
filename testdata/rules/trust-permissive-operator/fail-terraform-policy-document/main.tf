# A deny-list instead of an allow-list: every service account but one
# may assume the role.

variable "account_id" {
  type    = string
  default = "743263909644"
}

locals {
  issuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "AllButDebugShell"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::${var.account_id}:oidc-provider/${local.issuer}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "${local.issuer}:sub"  # want: trust-permissive-operator
      values   = ["system:serviceaccount:test:debug-shell"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "all-but-debug"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
