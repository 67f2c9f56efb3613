# Meant for every service account in namespace payments, but StringEquals
# compares "*" literally, so no service account matches.

variable "account_id" {
  type    = string
  default = "743263909644"
}

locals {
  issuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
}

resource "aws_iam_role" "this" {
  name = "payments-shared"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "PaymentsServiceAccounts"
        Effect = "Allow"
        Principal = { Federated = "arn:aws:iam::${var.account_id}:oidc-provider/${local.issuer}" }
        Action = "sts:AssumeRoleWithWebIdentity"
        Condition = {
          StringEquals = {
            "${local.issuer}:aud" = "sts.amazonaws.com"
            "${local.issuer}:sub" = "system:serviceaccount:payments:*"  # want: trust-stringequals-wildcard
          }
        }
      },
    ]
  })
}
