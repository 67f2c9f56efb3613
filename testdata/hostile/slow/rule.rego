# METADATA
# title: Never ends
# description: A rule whose comprehension builds two billion numbers.
# related_resources:
#   - ref: https://example.com/slow
# custom:
#   severity: low
#   remediation: None.
package irsalint.rules.custom["never-ends"]

deny contains {"ref": w.ref, "message": sprintf("%d", [n])} if {
	some w in input.workloads
	n := count(numbers.range(1, 2e9))
}
