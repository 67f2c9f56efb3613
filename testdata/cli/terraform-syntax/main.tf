resource "aws_iam_role" "broken" {
  name = "x"
