variable "namespaces" {
  type    = set(string)
  default = ["a"]
}

variable "account" {
  type = string
}

resource "aws_iam_role" "ns" {
  for_each = var.namespaces
  name     = "reader-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::${var.account}:oidc-provider/oidc.example.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringEquals = { "oidc.example.com:sub" = "system:serviceaccount:${each.key}:reader" } }
    }]
  })
}
