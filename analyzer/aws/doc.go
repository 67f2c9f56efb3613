// Package aws reads, read-only, what an audit needs from a live AWS account
// (the caller, the IAM roles and OIDC providers, the EKS clusters with their
// Pod Identity associations, Fargate profiles and node groups, and the
// launch template versions the node groups run) and returns it as the files
// lint already reads, in the shapes the AWS CLI prints. An audit is then a
// lint of those files: the same readers, inventory, rules and reports.
//
// A call that fails is recorded with the IAM action it needs and the
// collection goes on with the rest; only what makes the whole result
// meaningless (no caller identity, a named cluster that does not exist, a
// cancelled context) is an error.
package aws
