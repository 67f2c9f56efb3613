# A role made with terraform-aws-modules' iam-assumable-role-with-oidc
# (v5) for the checkout team: the wildcard admits every service account
# in the checkout namespace.

variable "cluster_name" {
  type    = string
  default = "shop"
}

variable "oidc_issuer_url" {
  type    = string
  default = "https://oidc.eks.eu-west-1.amazonaws.com/id/7C3E91A0B6D24F58A9E1D0C4B7F2A365"
}

module "checkout_role" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"
  version = "5.60.0"

  create_role                    = true
  role_name                      = "${var.cluster_name}-checkout"
  provider_url                   = var.oidc_issuer_url
  oidc_subjects_with_wildcards   = ["system:serviceaccount:checkout:*"] # want: trust-wildcard-sub
  oidc_fully_qualified_audiences = ["sts.amazonaws.com"]
}
