resource "aws_iam_role" "broken" {
  name = "x"
  assume_role_policy = jsonencode({
}
