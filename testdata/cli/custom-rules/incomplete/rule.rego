# METADATA
# title: Missing pieces
# custom:
#   severity: high
package irsalint.rules.custom["incomplete-rule"]

deny contains {"ref": w.ref, "message": "x"} if {
	some w in input.workloads
}
