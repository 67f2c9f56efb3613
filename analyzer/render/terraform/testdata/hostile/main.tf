locals {
  b0 = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
  b1 = "${local.b0}${local.b0}"
  b2 = "${local.b1}${local.b1}"
  b3 = "${local.b2}${local.b2}"
  b4 = "${local.b3}${local.b3}"
  b5 = "${local.b4}${local.b4}"
  b6 = "${local.b5}${local.b5}"
  b7 = "${local.b6}${local.b6}"
  b8 = "${local.b7}${local.b7}"
  b9 = "${local.b8}${local.b8}"
  b10 = "${local.b9}${local.b9}"
  b11 = "${local.b10}${local.b10}"
  b12 = "${local.b11}${local.b11}"
  b13 = "${local.b12}${local.b12}"
  b14 = "${local.b13}${local.b13}"
  b15 = "${local.b14}${local.b14}"
  b16 = "${local.b15}${local.b15}"
  b17 = "${local.b16}${local.b16}"
  b18 = "${local.b17}${local.b17}"
  b19 = "${local.b18}${local.b18}"
  b20 = "${local.b19}${local.b19}"
  b21 = "${local.b20}${local.b20}"
  b22 = "${local.b21}${local.b21}"
  b23 = "${local.b22}${local.b22}"
  b24 = "${local.b23}${local.b23}"
  b25 = "${local.b24}${local.b24}"
  b26 = "${local.b25}${local.b25}"
  b27 = "${local.b26}${local.b26}"
  b28 = "${local.b27}${local.b27}"
  b29 = "${local.b28}${local.b28}"
  b30 = "${local.b29}${local.b29}"
  big = [for i in range(1024) : [for j in range(1024) : [for k in range(1024) : k]]]
}
resource "aws_iam_role" "r" {
  name = substr(local.b30, 0, 10)
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] , X = local.big})
}
locals {
  r        = range(1024)
  product  = setproduct(local.r, local.r, local.r)
  wide     = format("%0999999999d", 1)
  indented = indent(999999999, "x\ny")
  joined   = join(local.b15, local.r)
  fanned   = [for i in local.r : [for j in local.r : "${local.b10}"]]
  fine     = [for k, v in { a = ["x:y"] } : [for sa in v : "${k}/${sa}"]]
}
resource "aws_iam_role" "s" {
  name               = "s"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [], X = [local.product, local.wide, local.indented, local.joined, local.fanned, local.fine] })
}
