# A role for the reports exporter that checks only the audience: every
# service account of every namespace in the cluster can assume it.

variable "account_id" {
  type    = string
  default = "743263909644"
}

locals {
  issuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
}

resource "aws_iam_role" "this" {
  name = "reports-exporter"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {  # want: trust-missing-sub
        Sid    = "ReportsExporter"
        Effect = "Allow"
        Principal = { Federated = "arn:aws:iam::${var.account_id}:oidc-provider/${local.issuer}" }
        Action = "sts:AssumeRoleWithWebIdentity"
        Condition = {
          StringEquals = {
            "${local.issuer}:aud" = "sts.amazonaws.com"
          }
        }
      },
    ]
  })
}
