module "two_clusters" {
  source                         = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"
  create_role                    = true
  role_name                      = "two"
  aws_account_id                 = "111122223333"
  provider_url                   = "https://oidc.eks.us-east-1.amazonaws.com/id/AAAA"
  provider_urls                  = ["oidc.eks.us-west-2.amazonaws.com/id/BBBB", "https://oidc.eks.us-east-1.amazonaws.com/id/AAAA", ""]
  oidc_fully_qualified_subjects  = ["system:serviceaccount:b:b", "system:serviceaccount:a:a"]
  oidc_fully_qualified_audiences = ["sts.amazonaws.com"]
}

module "not_created" {
  source       = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"
  role_name    = "never"
  provider_url = "oidc.eks.us-east-1.amazonaws.com/id/AAAA"
}

module "no_url" {
  source      = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"
  create_role = true
  role_name   = "nourl"
}
