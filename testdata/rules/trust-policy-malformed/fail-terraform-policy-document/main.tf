# NotPrincipal in a role trust policy: IAM rejects it there, and as an
# Allow it would trust everyone but the principals named.

variable "account_id" {
  type    = string
  default = "743263909644"
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "EveryoneButCI"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    not_principals {  # want: trust-policy-malformed
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.account_id}:role/ci-runner"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "batch-jobs"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
