# METADATA
# title: Workloads must carry a team label
# description: Every workload names the team that owns it in the team label.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
# custom:
#   severity: low
#   remediation: Add metadata.labels.team.
package irsalint.rules.custom["team-label"]

import data.irsalint.lib.k8s
import data.irsalint.lib.result

deny contains result.finding(w, ["metadata", "name"], sprintf("%s has no team label", [k8s.describe(w)])) if {
	some w in input.workloads
	not w.labels.team
}
