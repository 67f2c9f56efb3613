# Three IRSA roles written the three ways Terraform users write them, each
# scoped to one service account and the STS audience: nothing to report.

locals {
  oidc_provider_arn = "arn:aws:iam::743263909644:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
  oidc_issuer       = replace(local.oidc_provider_arn, "/^(.*provider/)/", "")
  workloads = {
    orders   = "orders-api"
    invoices = "invoice-worker"
  }
}

data "aws_iam_policy_document" "workload" {
  for_each = local.workloads

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${each.key}:${each.value}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "workload" {
  for_each           = local.workloads
  name               = each.value
  path               = "/eks/"
  assume_role_policy = data.aws_iam_policy_document.workload[each.key].json
}

resource "aws_iam_role" "cert_manager" {
  name = "cert-manager"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = local.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.oidc_issuer}:sub" = "system:serviceaccount:cert-manager:cert-manager"
          "${local.oidc_issuer}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
}

resource "aws_iam_role" "external_dns" {
  name               = "external-dns"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Federated": "${local.oidc_provider_arn}"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "${local.oidc_issuer}:sub": "system:serviceaccount:external-dns:external-dns",
          "${local.oidc_issuer}:aud": "sts.amazonaws.com"
        }
      }
    }
  ]
}
EOF
}
