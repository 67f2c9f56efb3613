# A role for the reports exporter that checks only the audience: every
# service account of every namespace in the cluster can assume it.

variable "account_id" {
  type    = string
  default = "743263909644"
}

locals {
  issuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
}

data "aws_iam_policy_document" "trust" {
  statement {  # want: trust-missing-sub
    sid     = "ReportsExporter"
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
  }
}

resource "aws_iam_role" "this" {
  name               = "reports-exporter"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
