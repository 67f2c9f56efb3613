data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_caller_identity" "other" {
  provider = aws.security
}

variable "account" {
  type = string
}

resource "aws_iam_role" "own" {
  name = "own"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Federated = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/AB" }, Action = "sts:AssumeRoleWithWebIdentity" }]
  })
}

resource "aws_iam_role" "china" {
  name = "china"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Federated = "arn:${data.aws_partition.current.partition}:iam::111122223333:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/AB" }, Action = "sts:AssumeRoleWithWebIdentity" }]
  })
}

resource "aws_iam_role" "other" {
  name = "other"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Federated = "arn:aws:iam::${data.aws_caller_identity.other.account_id}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/AB" }, Action = "sts:AssumeRoleWithWebIdentity" }]
  })
}

resource "aws_iam_role" "github" {
  name = "github"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Federated = "arn:${data.aws_partition.current.partition}:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }, Action = "sts:AssumeRoleWithWebIdentity" }]
  })
}

resource "aws_iam_role" "var" {
  name = "var"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Federated = "arn:aws:iam::${var.account}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/AB" }, Action = "sts:AssumeRoleWithWebIdentity" }]
  })
}

resource "aws_iam_role" "aliased" {
  provider = aws.security
  name = "aliased"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Federated = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/AB" }, Action = "sts:AssumeRoleWithWebIdentity" }]
  })
}

# Terraform needs for_each's keys only: instances whose values are unknown
# are still made.
resource "aws_iam_role" "each" {
  for_each = { unknown = var.account }
  name     = "each-${each.key}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::${each.value}:root" }, Action = "sts:AssumeRole" }]
  })
}
