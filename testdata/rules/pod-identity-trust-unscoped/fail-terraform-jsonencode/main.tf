# The minimal EKS Pod Identity trust: it names no cluster, namespace or
# service account, so any association in the account can use the role.

variable "account_id" {
  type    = string
  default = "743263909644"
}

locals {
  issuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
}

resource "aws_iam_role" "this" {
  name = "pod-identity-any"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "AllowEksAuthToAssumeRoleForPodIdentity"
        Effect = "Allow"
        Principal = { Service = "pods.eks.amazonaws.com" }  # want: pod-identity-trust-unscoped
        Action = ["sts:AssumeRole", "sts:TagSession"]
      },
    ]
  })
}
