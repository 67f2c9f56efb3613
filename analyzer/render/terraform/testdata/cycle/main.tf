locals {
  a = "${local.b}-x"
  b = "${local.a}-y"
}

resource "aws_iam_role" "cyclic" {
  name = local.a
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}
