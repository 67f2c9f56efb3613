# Any AWS principal of any account may assume the role.

variable "account_id" {
  type    = string
  default = "743263909644"
}

locals {
  issuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
}

resource "aws_iam_role" "this" {
  name = "open-door"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "Anyone"
        Effect = "Allow"
        Principal = { AWS = "*" }  # want: trust-principal-wildcard
        Action = "sts:AssumeRole"
      },
    ]
  })
}
