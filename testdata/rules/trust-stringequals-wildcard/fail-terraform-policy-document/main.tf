# Meant for every service account in namespace payments, but StringEquals
# compares "*" literally, so no service account matches.

variable "account_id" {
  type    = string
  default = "743263909644"
}

locals {
  issuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "PaymentsServiceAccounts"
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
      test     = "StringEquals"
      variable = "${local.issuer}:sub"  # want: trust-stringequals-wildcard
      values   = ["system:serviceaccount:payments:*"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "payments-shared"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
