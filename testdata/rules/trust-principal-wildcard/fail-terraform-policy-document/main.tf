# Any AWS principal of any account may assume the role.

variable "account_id" {
  type    = string
  default = "743263909644"
}

locals {
  issuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "Anyone"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = ["*"]  # want: trust-principal-wildcard
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "open-door"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
