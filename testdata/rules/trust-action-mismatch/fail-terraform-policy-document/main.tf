# An IRSA trust written with the cross-account action: a web identity
# token can only call sts:AssumeRoleWithWebIdentity, so no pod gets in.

variable "account_id" {
  type    = string
  default = "743263909644"
}

locals {
  issuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "ReportsReader"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]  # want: trust-action-mismatch

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
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:reports:reports-reader"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "reports-reader"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
