# The audience check was left out: tokens minted for another audience are
# accepted.

variable "account_id" {
  type    = string
  default = "743263909644"
}

locals {
  issuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
}

resource "aws_iam_role" "this" {
  name = "ledger-writer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = { Federated = "arn:aws:iam::${var.account_id}:oidc-provider/${local.issuer}" }
        Action = "sts:AssumeRoleWithWebIdentity"
        Condition = {  # want: trust-missing-aud
          StringEquals = {
            "${local.issuer}:sub" = "system:serviceaccount:ledger:ledger-writer"
          }
        }
      },
    ]
  })
}
