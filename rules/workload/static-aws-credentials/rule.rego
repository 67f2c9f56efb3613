# METADATA
# title: Static AWS access keys in a container's environment
# description: |
#   A container sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or
#   AWS_SESSION_TOKEN in its env. Every AWS SDK looks at these variables before
#   web identity (IRSA) and before the container credential provider (EKS Pod
#   Identity), so static keys silently override the role the workload is meant
#   to use. They are also long-lived: a literal value (or one in a ConfigMap) is
#   readable by anyone who can read the manifest; a value from a Secret is
#   still a long-lived key outside IAM's rotation.
#
#   Severity is critical for a literal value or a ConfigMap reference, high for
#   a Secret reference. An access key ID without a secret key is still
#   reported: it leaks, even though the Go SDK needs both to use them.
# related_resources:
#   - ref: https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
#     description: AWS SDKs and Tools — the standardized credential provider chain
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html
#     description: EKS Pod Identity — earlier credential sources keep winning
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html
#     description: IAM roles for service accounts
# custom:
#   scope: workload
#   severity: critical
#   precision: high
#   remediation: |
#     Delete the variables and give the workload an IAM role through its
#     ServiceAccount (eks.amazonaws.com/role-arn) or an EKS Pod Identity
#     association. Deactivate and rotate any key that was committed.
package irsalint.rules.workload["static-aws-credentials"]

import data.irsalint.lib.identity
import data.irsalint.lib.k8s
import data.irsalint.lib.result

deny contains result.graded(w, k8s.value_at(e), message, severity) if {
	some name in identity.static_key_vars
	some i in input.index.env[name]
	w := input.workloads[i]
	some c in w.containers
	some e in c.env
	e.name == name
	[how, severity] := origin(e)
	message := sprintf("%s %q of %s sets %s %s: static keys come first in the SDK credential chain and override IRSA and Pod Identity%s", [
		k8s.container_kind(c), c.name, k8s.describe(w), e.name, how, alone_note(c, e),
	])
}

origin(e) := ["as a literal value", "critical"] if {
	is_string(e.value)
	e.value != ""
} else := [sprintf("from ConfigMap %q", [e.valueFrom.configMapKeyRef.name]), "critical"] if {
	e.valueFrom.configMapKeyRef
} else := [sprintf("from Secret %q", [e.valueFrom.secretKeyRef.name]), "high"] if {
	e.valueFrom.secretKeyRef
}

# An access key ID alone does not activate the SDK's env provider, but
# it still leaks.
alone_note(c, e) := " (the key ID alone is not used by the Go SDK, but it leaks)" if {
	e.name == "AWS_ACCESS_KEY_ID"
	not identity.has_static_keys(c)
} else := ""
