# The reports team's ServiceAccount, made with Terraform: it names the
# reports role of the platform's CloudFormation stack, whose trust admits
# reports/exporter.
resource "kubernetes_service_account_v1" "exporter" {
  metadata {
    name      = "exporter"
    namespace = "reports"
    annotations = {
      "eks.amazonaws.com/role-arn" = "arn:aws:iam::381492006517:role/reports"
    }
  }
}
