# METADATA
# title: Workload that calls AWS has no IAM role
# description: |
#   Something shows that a ServiceAccount's pods call AWS, but nothing gives
#   them an IAM role: the ServiceAccount has no eks.amazonaws.com/role-arn
#   annotation and no EKS Pod Identity association covers it. With no role,
#   the SDK's credential chain ends at the instance metadata service, so the
#   pods run with the node's IAM role, shared by every pod on the node; on
#   Fargate there is no metadata service and their AWS calls fail. Four
#   signals, one finding per place to fix:
#
#   - a trust policy admits the ServiceAccount: a role of this cluster
#     names `system:serviceaccount:<namespace>:<name>` exactly (StringEquals
#     on `<issuer>:sub`, not closed by a Deny or another condition). Someone
#     created the role for this ServiceAccount and the annotation is
#     missing. Reported once per ServiceAccount, on its metadata.name, with
#     the admitting condition as a related location and the workloads that
#     run as it listed. This is the strongest signal, so workloads of such a
#     ServiceAccount are not reported again through the signals below. The
#     namespace's default ServiceAccount is left to default-sa-has-role: the
#     fix there is a dedicated ServiceAccount, not an annotation on default.
#   - an image from the catalogue of known AWS clients: the AWS CLI, the
#     AWS Load Balancer Controller and its predecessor the ALB Ingress
#     Controller, external-dns, cluster-autoscaler, Karpenter, the EBS, EFS,
#     FSx and Mountpoint for S3 CSI drivers, aws-for-fluent-bit, the
#     CloudWatch agent, the ADOT collector, the X-Ray daemon,
#     external-secrets, the Secrets Store CSI AWS provider, Velero's AWS
#     plugin, the Gateway API and App Mesh controllers,
#     aws-node-termination-handler, every ACK controller, …. Images are
#     matched by repository, never by tag or digest, with or without the
#     registry: an entry matches a repository that ends with it on whole
#     path segments (`aws-cli` matches `amazon/aws-cli` and
#     `public.ecr.aws/aws-cli/aws-cli`, not `my-aws-cli`), and an entry
#     ending in `/` matches every repository below it
#     (`aws-controllers-k8s/`). The built-in catalogue is in
#     analyzer/inventory/settings.go; settings.awsImages in .irsalint.yaml
#     adds to it (docs/configuration.md) and `irsalint inventory` prints
#     the one in force (settings.awsImages), or
#   - a command or args element that runs the AWS CLI: `aws` or a path
#     ending in `/aws`, or a shell script after `-c` that runs `aws <word>`
#     at a command position (not `echo aws …`), or
#   - a container environment variable that only AWS SDK users set (the
#     configurable settings.awsEnv list, for example AWS_REGION or
#     AWS_DEFAULT_REGION).
#
#   These are reported once per workload, on its first signal (image, then
#   command, then env, container by container).
#
#   Containers that get credentials another way (static keys, their own
#   web identity variables, a container credentials endpoint) are not
#   reported, nor are workloads whose ServiceAccount the scan does not
#   contain. Workloads on their namespace's default ServiceAccount are
#   default-sa-node-role-fallback's, which grades them by the same signals:
#   one finding per workload. When the scan was given no Pod Identity associations, the
#   message says so: an association in the cluster would also give the
#   pods a role.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: Assign IAM roles to Kubernetes service accounts
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html
#     description: Assign an IAM role to a Kubernetes service account with EKS Pod Identity
#   - ref: https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
#     description: AWS SDKs and Tools — the standardized credential provider chain
# custom:
#   needs: [serviceAccounts]
#   severity: medium
#   precision: medium
#   remediation: |
#     Give the workload its own ServiceAccount with an IAM role: annotate it
#     with eks.amazonaws.com/role-arn (IRSA; when a trust policy already
#     admits the ServiceAccount, use that role's ARN) or create an EKS Pod
#     Identity association for its namespace and name, set
#     serviceAccountName in the pod template, and restart the pods. If the
#     workload makes no AWS calls, remove the signal (or the stale trust
#     entry) or suppress the finding.
package irsalint.rules.serviceaccount["sa-missing-role-arn"]

import data.irsalint.lib.binding
import data.irsalint.lib.iam
import data.irsalint.lib.identity
import data.irsalint.lib.k8s
import data.irsalint.lib.result

# --- The trust signal: per ServiceAccount -------------------------------------------

deny contains result.with_related(finding, [related]) if {
	some sa in input.serviceAccounts
	e := trust_signal(sa)
	subject := binding.subject(sa)
	message := sprintf("%s has no %s and no Pod Identity association covers it%s, yet %s (%s) admits %s: the role was made for this ServiceAccount, but without the annotation the webhook injects nothing. %s%s", [
		k8s.describe(sa), k8s.role_arn_key, associations_note, iam.describe(e.role), iam.statement_name(e.statement),
		subject, sa_users(sa), binding.issuer_note(e.provider.issuer),
	])
	finding := result.finding(sa, ["metadata", "name"], message)
	related := result.related(e.role, iam.condition_value_at(e.condition, subject), sprintf("this trust policy admits %s", [subject]))
}

# trust_signal is the first trust entry that admits a declared
# ServiceAccount without a role (default excepted: default-sa-has-role).
trust_signal(sa) := e if {
	sa.declared
	sa.name != "default"
	not k8s.role_arn(sa)
	not input.podIdentityAssociations[sa.key]
	e := first_admission[sa.key]
}

# trust_reported: the ServiceAccounts the trust signal reports.
trust_reported := {sa.key |
	some sa in input.serviceAccounts
	trust_signal(sa)
}

# first_admission: per "namespace/name" of a declared ServiceAccount without
# a role, the first binding.admitted entry (by role key, then statement
# order) whose trust really admits it. One sort instead of a scan per
# ServiceAccount; trusts are evaluated only for such ServiceAccounts.
first_admission := {t[0]: binding.admitted[t[2]] |
	tuples := sort([[key, e.role.key, i] |
		some i, e in binding.admitted
		key := concat("/", [e.namespace, e.name])
		sa := input.serviceAccounts[key]
		not k8s.role_arn(sa)
		binding.entry_admits(e)
	])
	some j, t in tuples
	first_of_key(tuples, j)
}

first_of_key(_, 0)

first_of_key(tuples, j) if {
	j > 0
	tuples[j][0] != tuples[j - 1][0]
}

sa_users(sa) := "No workload in this scan runs as it yet." if {
	count(object.get(sa, "usedBy", [])) == 0
} else := sprintf("%s run%s as it and get%s no role: AWS calls fall back to the node role through the instance metadata service (on Fargate, they fail).", [result.listing(names, 3), result.verb_s(count(names)), result.verb_s(count(names))]) if {
	names := sort([k8s.describe(k8s.workload_by_ref[ref]) | some ref in sa.usedBy])
}

# --- The env and image signals: per workload -------------------------------------------

deny contains with_sa(finding, sa) if {
	# Only a workload with a container that gets no credentials of its own
	# can be reported (most have none: they use IRSA).
	some mechanism in fallbacks
	some i in input.index.mechanisms[mechanism]
	w := input.workloads[i]

	# default-sa-node-role-fallback owns the default ServiceAccount.
	w.serviceAccount.name != "default"
	sa := k8s.service_account(w)
	not k8s.role_arn(sa)
	not identity.association(w)

	# The ServiceAccount is already reported through the trust signal.
	not trust_reported[sa.key]

	# The first container that shows a signal and gets no credentials of
	# its own, and its first signal (its image, then env entries in order):
	# only that one is reported, so only it is put together.
	users := [c |
		some c in w.containers
		count(c.awsSignals) > 0
		fallbacks[c.identity.mechanism]
	]
	count(users) > 0
	first := object.union(users[0].awsSignals[0], {"container": users[0], "fallback": users[0].identity.mechanism})
	message := sprintf("%s: %s %q %s, so it likely calls AWS, but %s has no %s and no Pod Identity association covers it%s. %s", [
		k8s.describe(w), k8s.container_kind(first.container), first.container.name, signal_text(first),
		describe_sa(sa), k8s.role_arn_key, associations_note, outcome[first.fallback],
	])
	finding := result.finding(w, first.at, message)
}

# The mechanisms that mean "no credentials of its own" (identity library).
fallbacks := {"node-role", "none"}

outcome := {
	"node-role": "Its AWS SDK falls back to the node role through the instance metadata service.",
	"none": "It runs on Fargate, where there is no instance metadata service, so its AWS calls fail.",
}

signal_text(s) := sprintf("sets %s", [s.name]) if {
	s.kind == "env"
} else := sprintf("runs the AWS CLI (%q)", [s.excerpt]) if {
	# The excerpt is one line of at most 60 characters; %q escapes it.
	s.kind == "command"
} else := sprintf("runs the known AWS client image %q", [s.container.image])

describe_sa(sa) := sprintf("its ServiceAccount %s", [sa.key]) if {
	sa.declared
} else := sprintf("its ServiceAccount %s (not declared in this scan)", [sa.key])

default associations_note := " (no Pod Identity associations were given to this scan; one that exists in the cluster would also satisfy this)"

associations_note := "" if input.facts.podIdentityAssociations

# with_sa points a second location at a declared ServiceAccount.
with_sa(f, sa) := result.with_related(f, [result.related(sa, ["metadata", "name"], sprintf("%s has no %s", [k8s.describe(sa), k8s.role_arn_key]))]) if {
	sa.declared
} else := f
