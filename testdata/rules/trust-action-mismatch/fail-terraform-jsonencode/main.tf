# An IRSA trust written with the cross-account action: a web identity
# token can only call sts:AssumeRoleWithWebIdentity, so no pod gets in.

variable "account_id" {
  type    = string
  default = "743263909644"
}

locals {
  issuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
}

resource "aws_iam_role" "this" {
  name = "reports-reader"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "ReportsReader"
        Effect = "Allow"
        Principal = { Federated = "arn:aws:iam::${var.account_id}:oidc-provider/${local.issuer}" }
        Action = "sts:AssumeRole"  # want: trust-action-mismatch
        Condition = {
          StringEquals = {
            "${local.issuer}:aud" = "sts.amazonaws.com"
            "${local.issuer}:sub" = "system:serviceaccount:reports:reports-reader"
          }
        }
      },
    ]
  })
}
