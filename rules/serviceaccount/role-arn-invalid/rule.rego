# METADATA
# title: ServiceAccount role ARN annotation is not a valid role ARN
# description: |
#   The eks.amazonaws.com/role-arn annotation of a ServiceAccount is not a
#   valid IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<path><name>).
#   The EKS Pod Identity Webhook checks the value only to log "arn is invalid":
#   it injects it into AWS_ROLE_ARN anyway, and STS then rejects every
#   AssumeRoleWithWebIdentity call, so pods running as the ServiceAccount get
#   no role. The finding names the exact problem: whitespace or a trailing
#   newline (a YAML `|` block scalar keeps it), quotes inside the value, an IAM
#   user, group or instance profile instead of a role, an STS assumed-role
#   session ARN, an account ID that is not 12 digits, an unknown partition,
#   characters IAM does not allow in role names, a role name over 64
#   characters, an empty value (the webhook then injects nothing), or a bare
#   role name (only a self-managed webhook started with --compose-role-arn
#   completes one into an ARN). A role path
#   (arn:aws:iam::111122223333:role/team/app/reader) is valid.
#
#   Severity is high. A value that is an unrendered template ({{ .Values.x }},
#   ${VAR}, $(VAR)) is unresolved, not invalid: the rendered manifest may
#   well be correct. It gets one notice where it is read, and no finding.
# related_resources:
#   - ref: https://github.com/aws/amazon-eks-pod-identity-webhook#amazon-eks-pod-identity-webhook
#     description: Amazon EKS Pod Identity Webhook — the annotation it reads
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: Assign IAM roles to Kubernetes service accounts
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
#     description: IAM identifiers — role ARNs, paths and name limits
# custom:
#   needs: [serviceAccounts]
#   severity: high
#   precision: high
#   remediation: |
#     Set the annotation to the role's full ARN exactly as IAM shows it
#     (aws iam get-role --role-name <name> --query Role.Arn), including any
#     path, on one line, without quotes or surrounding whitespace. Lint the
#     rendered manifests (helm template, kustomize build) rather than templates.
package irsalint.rules.serviceaccount["role-arn-invalid"]

import data.irsalint.lib.arn
import data.irsalint.lib.k8s
import data.irsalint.lib.result

# A template placeholder is not judged: the rendered value may be fine, and
# reading it gives a notice instead.
deny contains result.graded(sa, k8s.annotation_at(k8s.role_arn_key), message, "high") if {
	some sa in declared
	v := k8s.role_arn(sa)
	not arn.templated(v)
	not arn.parse_role(v)
	message := sprintf("%s: %s %q %s. %s", [
		k8s.describe(sa), k8s.role_arn_key, v, problem(v), consequence(v),
	])
}

# Implicit default service accounts have no annotations and no source.
declared := [sa | some sa in input.serviceAccounts; sa.declared]

consequence(v) := "The webhook then injects nothing, so pods running as this ServiceAccount get no IRSA role." if {
	v == ""
} else := "Otherwise the webhook injects it as written and STS rejects it, so pods running as this ServiceAccount get no role." if {
	bare_name(v)
} else := "The webhook injects it anyway (it only logs \"arn is invalid\") and STS rejects it, so pods running as this ServiceAccount get no role."

# problem names the first thing wrong with v, most telling first.
problem(v) := "is empty" if {
	v == ""
} else := "is only whitespace" if {
	trim_space(v) == ""
} else := sprintf("ends with a newline (a YAML `|` block scalar keeps it)%s", [trimmed_note(v)]) if {
	endswith(v, "\n")
} else := "contains a line break" if {
	contains(v, "\n")
} else := sprintf("has leading or trailing whitespace%s", [trimmed_note(v)]) if {
	trim_space(v) != v
} else := "contains quote characters, which became part of the value" if {
	regex.match(`["'\x60]`, v)
} else := "is a bare role name, not an ARN: only a self-managed webhook started with --compose-role-arn completes it" if {
	bare_name(v)
} else := "does not start with \"arn:\" (ARNs are case-sensitive)" if {
	startswith(lower(v), "arn:")
	not startswith(v, "arn:")
} else := "does not start with \"arn:\"" if {
	not startswith(v, "arn:")
} else := arn_problem(v)

# trimmed_note adds a hint when the value is valid once trimmed.
trimmed_note(v) := "; trimmed, it is a valid role ARN" if {
	arn.parse_role(trim_space(v))
} else := ""

# bare_name: a role name, optionally with a path, and no ARN fields.
bare_name(v) if regex.match(`^[A-Za-z0-9_+=,.@/-]+$`, v)

# arn_problem checks the colon-separated fields of "arn:..." in order.
arn_problem(v) := "is not a complete ARN (arn:<partition>:iam::<account>:role/<name> has six colon-separated fields)" if {
	count(split(v, ":")) < 6
} else := sprintf("has unknown partition %q (known: %s)", [p, concat(", ", sort(arn.partitions))]) if {
	p := split(v, ":")[1]
	not arn.partitions[p]
} else := sprintf("is an STS assumed-role session ARN, not a role ARN; the role is arn:%s:iam::%s:role/%s (plus its path, if it has one)", [f[1], f[4], session_role(resource(v))]) if {
	f := split(v, ":")
	f[2] == "sts"
	startswith(resource(v), "assumed-role/")
} else := sprintf("names service %q; a role ARN names iam", [s]) if {
	s := split(v, ":")[2]
	s != "iam"
} else := sprintf("has region %q; IAM ARNs leave the region field empty", [r]) if {
	r := split(v, ":")[3]
	r != ""
} else := account_problem(split(v, ":")[4]) if {
	not regex.match(`^[0-9]{12}$`, split(v, ":")[4])
} else := resource_problem(resource(v))

resource(v) := concat(":", array.slice(split(v, ":"), 5, count(split(v, ":"))))

# session_role is the role name in assumed-role/<role>/<session>.
session_role(res) := split(res, "/")[1]

account_problem(a) := "has no account ID" if {
	a == ""
} else := sprintf("has an account ID of %d digits (account IDs have 12)", [count(a)]) if {
	regex.match(`^[0-9]+$`, a)
} else := sprintf("has account ID %q, which is not 12 digits", [a])

resource_problem(res) := "names an IAM user, not a role" if {
	startswith(res, "user/")
} else := "names an IAM group, not a role" if {
	startswith(res, "group/")
} else := "names an instance profile, not a role (the role in it has its own ARN, arn:...:role/<name>)" if {
	startswith(res, "instance-profile/")
} else := "names an OIDC identity provider, not a role" if {
	startswith(res, "oidc-provider/")
} else := "names an IAM policy, not a role" if {
	startswith(res, "policy/")
} else := sprintf("has resource %q; a role ARN's resource is role/<name>", [res]) if {
	not startswith(res, "role/")
} else := name_problem(substring(res, 5, -1))

# name_problem judges "<path><name>" after "role/".
name_problem(rest) := "has no role name after \"role/\"" if {
	role_name(rest) == ""
} else := sprintf("has role name %q with characters IAM does not allow in role names: %s", [role_name(rest), concat(" ", illegal_chars(role_name(rest)))]) if {
	count(illegal_chars(role_name(rest))) > 0
} else := sprintf("has a %d-character role name; IAM allows at most 64", [count(role_name(rest))]) if {
	count(role_name(rest)) > 64
} else := "has a role path with characters IAM does not allow (paths are printable ASCII without spaces)" if {
	not regex.match(`^[!-~]*$`, rest)
} else := "does not match arn:<partition>:iam::<12-digit account>:role/<path><name>"

# role_name is the last path segment.
role_name(rest) := name if {
	parts := split(rest, "/")
	name := parts[count(parts) - 1]
}

# illegal_chars lists, sorted and quoted, the characters outside [\w+=,.@-].
illegal_chars(name) := [sprintf("%q", [ch]) |
	some ch in sort({c | some c in split(name, ""); not regex.match(`^[A-Za-z0-9_+=,.@-]$`, c)})
]
