# The audience check was left out: tokens minted for another audience are
# accepted.

variable "account_id" {
  type    = string
  default = "743263909644"
}

locals {
  issuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
}

data "aws_iam_policy_document" "trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::${var.account_id}:oidc-provider/${local.issuer}"]
    }

    condition {  # want: trust-missing-aud
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:ledger:ledger-writer"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "ledger-writer"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
