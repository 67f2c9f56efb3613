# Every service account whose namespace starts with prod may assume the
# role, including ones created later.

variable "account_id" {
  type    = string
  default = "743263909644"
}

locals {
  issuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
}

resource "aws_iam_role" "this" {
  name = "prod-services"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "ProdServices"
        Effect = "Allow"
        Principal = { Federated = "arn:aws:iam::${var.account_id}:oidc-provider/${local.issuer}" }
        Action = "sts:AssumeRoleWithWebIdentity"
        Condition = {
          StringEquals = {
            "${local.issuer}:aud" = "sts.amazonaws.com"
          }
          StringLike = {
            "${local.issuer}:sub" = "system:serviceaccount:prod*"  # want: trust-wildcard-sub
          }
        }
      },
    ]
  })
}
