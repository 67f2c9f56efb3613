# METADATA
# title: Token expiration annotation the webhook ignores or changes
# description: |
#   eks.amazonaws.com/token-expiration sets the lifetime, in seconds, of the
#   service account token the EKS Pod Identity Webhook projects into the pod.
#   It is honoured on the ServiceAccount and on the pod (the pod's value wins).
#   The webhook parses it with Go's strconv.ParseInt, so anything but an
#   optional sign and decimal digits ("3600s", "1h", " 3600") is silently
#   ignored and the ServiceAccount's value or the default of 86400 seconds
#   applies. A value below 600 is raised to 600. A value above 86400 is passed
#   through: the webhook does not enforce its own maximum, the API server may
#   cap it (--service-account-max-token-expiration), and otherwise a leaked
#   token stays valid for longer than a day. In every case the lifetime the
#   author wrote is not the one pods get, or it is longer than intended.
# related_resources:
#   - ref: https://github.com/aws/amazon-eks-pod-identity-webhook#amazon-eks-pod-identity-webhook
#     description: Amazon EKS Pod Identity Webhook — eks.amazonaws.com/token-expiration
#   - ref: https://kubernetes.io/docs/concepts/storage/projected-volumes/#serviceaccounttoken
#     description: Kubernetes — projected service account token lifetimes
# custom:
#   scope: workload
#   severity: low
#   precision: high
#   remediation: |
#     Write the lifetime as a plain number of seconds between 600 and 86400,
#     quoted so YAML keeps it a string (for example "3600"), or remove the
#     annotation to use the default of 86400.
package irsalint.rules.serviceaccount["token-expiration-invalid"]

import data.irsalint.lib.k8s
import data.irsalint.lib.result

minimum := 600

maximum := 86400

deny contains result.finding(sa, k8s.annotation_at(k8s.token_expiration_key), message) if {
	some sa in input.serviceAccounts
	sa.declared
	v := sa.annotations[k8s.token_expiration_key]
	problem := judge(v, "the default of 86400 seconds (or the webhook's --token-expiration flag) applies")
	message := sprintf("%s: %s %q %s.", [k8s.describe(sa), k8s.token_expiration_key, v, problem])
}

deny contains result.finding(w, k8s.template_annotation_at(w, k8s.token_expiration_key), message) if {
	some i in input.index.templateAnnotations[k8s.token_expiration_key]
	w := input.workloads[i]
	v := w.template.annotations[k8s.token_expiration_key]
	problem := judge(v, "the ServiceAccount's value or the default of 86400 seconds applies")
	message := sprintf("%s: %s %s %q %s.", [k8s.describe(w), where(w), k8s.token_expiration_key, v, problem])
}

where(w) := "annotation" if w.template.at == ["metadata"]

else := "pod template annotation"

# judge describes what the webhook does with v, when that is not v itself.
judge(v, fallback) := sprintf("is not an integer%s, so the webhook ignores it and %s", [hint(v), fallback]) if {
	not regex.match(`^[+-]?[0-9]+$`, v)
} else := sprintf("is out of the 64-bit integer range, so the webhook ignores it and %s", [fallback]) if {
	overflows(v)
} else := sprintf("is below the webhook's minimum of %d seconds, so tokens are issued for %d seconds instead", [minimum, minimum]) if {
	to_number(v) < minimum
} else := sprintf("is above %d seconds (24 hours), which the webhook does not enforce: the API server may cap it with --service-account-max-token-expiration, and otherwise a leaked token stays valid for %s", [maximum, hours(to_number(v))]) if {
	to_number(v) > maximum
}

# hint says what about v is not a Go integer.
hint(v) := " (it has surrounding whitespace)" if {
	regex.match(`^[+-]?[0-9]+$`, trim_space(v))
} else := " (the value is a number of seconds, without a unit)" if {
	regex.match(`^[0-9.]+\s*[A-Za-z]+$`, trim_space(v))
} else := ""

# overflows mirrors strconv.ParseInt(v, 10, 64)'s range error.
overflows(v) if count(digits(v)) > 19

overflows(v) if {
	count(digits(v)) == 19
	digits(v) > limit(v)
}

digits(v) := trim_left(trim_left(v, "+-"), "0")

limit(v) := "9223372036854775808" if startswith(v, "-")

else := "9223372036854775807"

hours(n) := sprintf("%d hours", [round(n / 3600)]) if {
	n < 864000
} else := sprintf("%d days", [round(n / 86400)])
