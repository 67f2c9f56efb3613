# The carts role of a shop, made with terraform-aws-modules'
# iam-assumable-role-with-oidc (v5): without
# oidc_fully_qualified_audiences the module writes no audience condition.

variable "cluster_name" {
  type    = string
  default = "shop"
}

variable "oidc_issuer_url" {
  type    = string
  default = "https://oidc.eks.eu-west-1.amazonaws.com/id/7C3E91A0B6D24F58A9E1D0C4B7F2A365"
}

module "carts_role" {
  source                        = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"
  version                       = "5.60.0"
  create_role                   = true
  role_name                     = "${var.cluster_name}-carts-dynamo"
  provider_url                  = var.oidc_issuer_url # want: trust-missing-aud
  oidc_fully_qualified_subjects = ["system:serviceaccount:carts:carts"]
}

resource "kubernetes_service_account_v1" "carts" {
  metadata {
    name      = "carts"
    namespace = "carts"
    annotations = {
      "eks.amazonaws.com/role-arn" = module.carts_role.iam_role_arn
    }
  }
}
