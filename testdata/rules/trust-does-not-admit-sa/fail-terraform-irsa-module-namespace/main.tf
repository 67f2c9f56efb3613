# The EBS CSI driver's role made with the terraform-aws-modules IRSA module
# (v5); the ServiceAccount is rendered from the chart in chart/, released
# into kube-system.

module "ebs_csi_irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "~> 5.39"

  role_name             = "ebs-csi-driver"
  attach_ebs_csi_policy = true

  oidc_providers = {
    main = {
      provider_arn               = "arn:aws:iam::743263909644:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
      namespace_service_accounts = ["storage:ebs-csi-controller-sa"]
    }
  }
}
