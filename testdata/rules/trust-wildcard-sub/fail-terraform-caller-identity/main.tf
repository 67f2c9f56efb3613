# The usual way a module names its cluster's provider: the account and
# partition of the AWS provider it runs with. They are the role's own, so
# the trust is judged: its subject admits every service account of the
# carts namespace, not only the one the application uses.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

variable "eks_cluster_id" {
  type    = string
  default = "eks-workshop"
}

locals {
  oidc_issuer = "oidc.eks.us-west-2.amazonaws.com/id/5E1A0B3C9D7F42E6A8B1C0D2E4F60718"
}

resource "aws_iam_role" "carts" {
  name = "${var.eks_cluster_id}-carts-dynamo"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Principal = {
        Federated = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/${local.oidc_issuer}"
      }
      Action = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "${local.oidc_issuer}:aud" = "sts.amazonaws.com" }
        StringLike   = { "${local.oidc_issuer}:sub" = "system:serviceaccount:carts:*" } # want: trust-wildcard-sub
      }
    }]
  })
}
