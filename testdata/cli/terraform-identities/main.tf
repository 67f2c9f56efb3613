# The checkout service account is annotated with the role of the same
# module, but the role's trust admits only the payments namespace: pods
# running as checkout/api get AccessDenied from STS.

variable "cluster_oidc_issuer" {
  description = "The cluster's OIDC issuer, without https://"
  type        = string
  default     = "oidc.eks.eu-west-1.amazonaws.com/id/7C3E91A0B6D24F58A9E1D0C4B7F2A365"
}

variable "account_id" {
  type    = string
  default = "210987654321"
}

locals {
  namespace = "checkout"
  app       = "api"
}

data "aws_iam_policy_document" "api_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::${var.account_id}:oidc-provider/${var.cluster_oidc_issuer}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.cluster_oidc_issuer}:sub"
      values   = ["system:serviceaccount:payments:${local.app}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.cluster_oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "api" {
  name               = "${local.namespace}-${local.app}"
  assume_role_policy = data.aws_iam_policy_document.api_trust.json
}

resource "kubernetes_service_account_v1" "api" {
  metadata {
    name      = local.app
    namespace = local.namespace
    annotations = {
      "eks.amazonaws.com/role-arn" = aws_iam_role.api.arn
    }
  }
}
