// Package cloudformation reads CloudFormation templates (YAML with the
// short-form tags !Ref, !Sub, !GetAtt, ..., or JSON) as the IAM roles, Pod
// Identity associations, clusters and OIDC providers they declare.
// Intrinsic functions are evaluated where their inputs are known
// (parameters with defaults or given values, mappings, conditions, pseudo
// parameters the person running irsalint states); anything a stack only
// knows when it is deployed (a resource's attribute, an import, the
// account) is written as a ${...} placeholder, which the readers never
// judge as a literal value, and a notice says what was not resolved.
package cloudformation
