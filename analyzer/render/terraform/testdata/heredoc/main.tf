variable "issuer" {
  type = string
}

resource "aws_iam_role" "heredoc" {
  name               = "heredoc"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {"Federated": "arn:aws:iam::743263909644:oidc-provider/${var.issuer}"},
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {"StringEquals": {"${var.issuer}:sub": "system:serviceaccount:web:frontend"}}
        }
      ]
    }
  EOT
}
