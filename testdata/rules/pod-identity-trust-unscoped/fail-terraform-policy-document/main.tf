# The minimal EKS Pod Identity trust: it names no cluster, namespace or
# service account, so any association in the account can use the role.

variable "account_id" {
  type    = string
  default = "743263909644"
}

locals {
  issuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "AllowEksAuthToAssumeRoleForPodIdentity"
    effect  = "Allow"
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]  # want: pod-identity-trust-unscoped
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "pod-identity-any"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
