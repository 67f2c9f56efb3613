// Package terraform evaluates a Terraform module (a folder of .tf and
// .tf.json files) into the documents irsalint's readers read: IAM roles and
// their trust policies, Kubernetes service accounts, Pod Identity
// associations, IAM OIDC providers and EKS clusters. It evaluates what
// Terraform knows before planning (variables, locals, literals, templates,
// the common functions, aws_iam_policy_document data sources, the
// terraform-aws-modules IRSA module from its inputs) and leaves what only a
// plan or an apply knows (resource attributes, data sources) unknown: an
// unknown value is written as Terraform's own interpolation text, which the
// readers treat as an unrendered placeholder, and a notice says what could
// not be resolved. Nothing is fetched, planned or run.
package terraform
