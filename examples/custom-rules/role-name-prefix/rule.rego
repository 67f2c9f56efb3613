# METADATA
# title: IRSA role names start with the ServiceAccount's namespace
# description: |
#   This platform team names every IRSA role "<namespace>-<purpose>" so that
#   the IAM side shows at a glance which team's pods assume it, and so that
#   an IAM permission boundary can be scoped by name prefix. A ServiceAccount
#   whose role ARN names a role outside its namespace's prefix borrows
#   another team's role, or uses one created by hand.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: EKS user guide — assign IAM roles to Kubernetes service accounts
# custom:
#   severity: medium
#   remediation: |
#     Create the role as "<namespace>-<purpose>" and annotate the
#     ServiceAccount with its ARN, or move the ServiceAccount to the
#     namespace whose team owns the role.
package irsalint.rules.custom["role-name-prefix"]

import data.irsalint.lib.arn
import data.irsalint.lib.k8s
import data.irsalint.lib.result

deny contains result.finding(sa, k8s.annotation_at(k8s.role_arn_key), message) if {
	some sa in input.serviceAccounts
	role := arn.parse_role(k8s.role_arn(sa))
	not startswith(role.name, concat("", [sa.namespace, "-"]))
	message := sprintf("%s assumes role %s, whose name does not start with %q: roles are named <namespace>-<purpose>.", [
		k8s.describe(sa), role.name, concat("", [sa.namespace, "-"]),
	])
}
