// Package iam knows the shapes IAM roles and policy documents come in (a bare
// trust policy, `aws iam get-role`, `list-roles` and
// `get-account-authorization-details` output, URL-encoded documents as the
// IAM API returns them) and normalizes each role's trust policy into the form
// the rules' IAM library evaluates. It reads honestly: whatever IAM and
// irsalint could read differently (duplicate keys, case variants, unknown
// condition operators) is recorded as a problem rather than smoothed over.
package iam
