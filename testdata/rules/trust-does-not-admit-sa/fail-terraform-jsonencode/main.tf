# The external-dns role admits the service account the chart used to
# create (external-dns-sa); the account defined here, and annotated with
# the role, is named external-dns.

variable "oidc_provider_arn" {
  type    = string
  default = "arn:aws:iam::210987654321:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/7C3E91A0B6D24F58A9E1D0C4B7F2A365"
}

locals {
  issuer = element(split("oidc-provider/", var.oidc_provider_arn), 1)
}

resource "aws_iam_role" "external_dns" {
  name = "external-dns"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = var.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.issuer}:aud" = "sts.amazonaws.com"
          "${local.issuer}:sub" = "system:serviceaccount:kube-system:external-dns-sa" # want: orphan-trust
        }
      }
    }]
  })
}

resource "kubernetes_service_account" "external_dns" {
  metadata {
    name      = "external-dns"
    namespace = "kube-system"
    annotations = {
      "eks.amazonaws.com/role-arn" = aws_iam_role.external_dns.arn # want: trust-does-not-admit-sa
    }
  }
}
