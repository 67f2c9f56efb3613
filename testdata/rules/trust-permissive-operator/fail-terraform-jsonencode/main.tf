# A deny-list instead of an allow-list: every service account but one
# may assume the role.

variable "account_id" {
  type    = string
  default = "743263909644"
}

locals {
  issuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
}

resource "aws_iam_role" "this" {
  name = "all-but-debug"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "AllButDebugShell"
        Effect = "Allow"
        Principal = { Federated = "arn:aws:iam::${var.account_id}:oidc-provider/${local.issuer}" }
        Action = "sts:AssumeRoleWithWebIdentity"
        Condition = {
          StringEquals = {
            "${local.issuer}:aud" = "sts.amazonaws.com"
          }
          StringNotEquals = {
            "${local.issuer}:sub" = "system:serviceaccount:test:debug-shell"  # want: trust-permissive-operator
          }
        }
      },
    ]
  })
}
