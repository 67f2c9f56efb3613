# METADATA
# title: Webhook annotation in the wrong place or under a misspelled key
# description: |
#   The EKS Pod Identity Webhook reads eks.amazonaws.com/role-arn, audience
#   and sts-regional-endpoints only from the pod's ServiceAccount, and
#   token-expiration and skip-containers from the pod (token-expiration also
#   from the ServiceAccount). It matches the keys exactly. Anything else is
#   silently ignored: a role ARN on a Pod, on a Deployment's own metadata or on
#   its pod template gives the pods no role, and their SDKs fall back to the
#   next credential source, usually the node role through IMDS. This rule
#   reports those keys where the webhook never looks, near misses of the real
#   keys anywhere (eks.amazonaws.com/role_arn, roleArn, Role-Arn,
#   eks.amazon.com/role-arn, amazonaws.com/role-arn, a key with stray
#   whitespace: compared after removing case and separators), skip-containers
#   on a ServiceAccount, and pod-level keys on a workload's own metadata,
#   which is not copied to its pods. The message names the webhook key a
#   near miss resembles. Real keys of other components are not near misses:
#   the labels EKS sets (eks.amazonaws.com/compute-type, nodegroup,
#   nodegroup-image, capacityType, fargate-profile) and every key under
#   testing.eks.amazonaws.com/, the prefix of the webhook's own test harness
#   (testing.eks.amazonaws.com/serviceAccount/roleArn and the like).
#
#   Graded by the key: role-arn high (the pods lose their role), audience and
#   skip-containers medium (wrong token audience; credentials injected into
#   containers meant to be skipped), sts-regional-endpoints and
#   token-expiration low. A copy on the pod of the value its ServiceAccount
#   already carries under the exact key is harmless and not reported.
# related_resources:
#   - ref: https://github.com/aws/amazon-eks-pod-identity-webhook#amazon-eks-pod-identity-webhook
#     description: Amazon EKS Pod Identity Webhook — which annotations it reads, and where
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: Assign IAM roles to Kubernetes service accounts — annotate the ServiceAccount
# custom:
#   scope: workload
#   severity: high
#   precision: medium
#   remediation: |
#     Put eks.amazonaws.com/role-arn, eks.amazonaws.com/audience and
#     eks.amazonaws.com/sts-regional-endpoints on the ServiceAccount the pods
#     run as (serviceAccountName), and eks.amazonaws.com/skip-containers and
#     eks.amazonaws.com/token-expiration on the pod template, spelled exactly
#     so. Then restart the pods: the webhook only acts when a pod is created.
package irsalint.rules.serviceaccount["role-arn-misplaced"]

import data.irsalint.lib.k8s
import data.irsalint.lib.result

# Keys the webhook reads from the ServiceAccount only.
sa_keys := {k8s.role_arn_key, k8s.audience_key, k8s.sts_regional_endpoints_key}

# Keys the webhook reads from the pod (token-expiration also from the SA).
pod_keys := {k8s.token_expiration_key, k8s.skip_containers_key}

webhook_keys := sa_keys | pod_keys

severity := {
	k8s.role_arn_key: "high",
	k8s.audience_key: "medium",
	k8s.skip_containers_key: "medium",
	k8s.sts_regional_endpoints_key: "low",
	k8s.token_expiration_key: "low",
}

# On a declared ServiceAccount: a misspelled key, or skip-containers.
deny contains result.graded(sa, k8s.annotation_at(key), message, grade) if {
	some sa in input.serviceAccounts
	sa.declared
	some key, value in sa.annotations
	real := intended_keys[key]
	wrong_place := {true | real == k8s.skip_containers_key}
	misspelled := {true | key != real}
	count(wrong_place | misspelled) > 0
	not copy_of_real_key(sa, key, real, value)
	message := sprintf("%s has %q: %s, so %s. %s.", [
		k8s.describe(sa), key,
		reason(key, real, count(wrong_place) > 0, "pod"),
		sa_consequence(real),
		sa_fix(real),
	])
	grade := severity[real]
}

# On a workload: its pod template (the Pod itself) or its own metadata.
deny contains result.graded(w, array.concat(place.at, [key]), message, grade) if {
	some i in workloads_with_intended_keys
	w := input.workloads[i]
	some place in places(w)
	some key, value in place.annotations
	real := intended_keys[key]
	wrong_place := {true | misplaced_on_workload(real, place.name)}
	misspelled := {true | key != real}
	count(wrong_place | misspelled) > 0
	not duplicate_of_sa(w, real, value)
	message := sprintf("%s has %q%s: %s, so %s. %s.", [
		k8s.describe(w), key, place.where,
		reason(key, real, count(wrong_place) > 0, reader(real)),
		workload_consequence(w, real),
		workload_fix(w, real, place.name),
	])
	grade := severity[real]
}

# places are the metadata blocks of a workload that can hold annotations.
# For a bare Pod its own metadata is the pod template.
places(w) := [template_place(w)] if {
	w.template.at == ["metadata"]
} else := [template_place(w), {
	"name": "metadata",
	"where": " on its own metadata, which is not copied to its pods",
	"annotations": object.get(w, "annotations", {}),
	"at": ["metadata", "annotations"],
}]

template_place(w) := {
	"name": "template",
	"where": template_where(w),
	"annotations": object.get(w.template, "annotations", {}),
	"at": array.concat(w.template.at, ["annotations"]),
}

template_where(w) := "" if w.template.at == ["metadata"]

else := " on its pod template"

misplaced_on_workload(real, _) if sa_keys[real]

misplaced_on_workload(real, "metadata") if pod_keys[real]

reader(real) := "ServiceAccount" if sa_keys[real]

else := "pod"

# A misspelled copy of what the exact key already says changes nothing.
copy_of_real_key(sa, key, real, value) if {
	key != real
	sa.annotations[real] == value
}

# A copy on the pod of what the ServiceAccount already says changes nothing
# (skip-containers on a ServiceAccount is itself ignored).
duplicate_of_sa(w, real, value) if {
	real != k8s.skip_containers_key
	k8s.service_account(w).annotations[real] == value
}

reason(key, real, true, where) := sprintf("the webhook matches only the exact key %q, and reads it only from the %s", [real, where]) if {
	key != real
} else := sprintf("the webhook reads this key only from the %s", [where])

reason(key, real, false, _) := sprintf("the webhook matches only the exact key %q", [real]) if key != real

sa_consequence(real) := "pods running as this ServiceAccount get no IRSA role from it" if {
	real == k8s.role_arn_key
} else := "containers meant to be skipped still get the role's credentials" if {
	real == k8s.skip_containers_key
} else := consequence(real)

workload_consequence(w, real) := sprintf("%s ServiceAccount %s's role %q instead", [pods_get(w), w.serviceAccount.key, arn]) if {
	real == k8s.role_arn_key
	arn := k8s.role_arn(k8s.service_account(w))
} else := sprintf("%s no IRSA role, and the SDK falls back to the next credential source, usually the node role through IMDS", [pods_get(w)]) if {
	real == k8s.role_arn_key
} else := "containers meant to be skipped still get the role's credentials" if {
	real == k8s.skip_containers_key
} else := consequence(real)

pods_get(w) := sprintf("%s %s", [pods(w), get]) if {
	get := {true: "gets", false: "get"}[w.kind == "Pod"]
}

pods(w) := "the pod" if w.kind == "Pod"

else := "the pods"

consequence(real) := "tokens keep the ServiceAccount's audience (by default sts.amazonaws.com)" if {
	real == k8s.audience_key
} else := "AWS_STS_REGIONAL_ENDPOINTS is not injected because of it" if {
	real == k8s.sts_regional_endpoints_key
} else := "token lifetimes stay at the ServiceAccount's value or the default 86400 seconds" if {
	real == k8s.token_expiration_key
}

sa_fix(real) := sprintf("Move it to the pod template annotations of the workloads running as this ServiceAccount, as %q", [real]) if {
	real == k8s.skip_containers_key
} else := sprintf("Rename the key to %q", [real])

workload_fix(w, real, place) := sprintf("Set %q on a dedicated ServiceAccount and name it in serviceAccountName", [real]) if {
	sa_keys[real]
	w.serviceAccount.source == "default"
} else := sprintf("To use this role, run %s as a ServiceAccount annotated with it", [pods(w)]) if {
	real == k8s.role_arn_key
	k8s.role_arn(k8s.service_account(w))
} else := sprintf("Set %q on ServiceAccount %s instead", [real, w.serviceAccount.key]) if {
	sa_keys[real]
} else := sprintf("Move it to the pod template's annotations as %q", [real]) if {
	place == "metadata"
} else := sprintf("Rename the key to %q", [real])

# intended_keys maps every distinct annotation key of the scan that is, or
# nearly is, a webhook key to that webhook key. Annotation keys repeat across
# thousands of objects; normalizing each distinct key once keeps the rule
# linear in the number of objects.
intended_keys := {key: real |
	some key in annotation_keys
	real := intended(key)
}

annotation_keys := (object.keys(input.index.annotations) | object.keys(input.index.templateAnnotations)) | {key |
	some sa in input.serviceAccounts
	some key, _ in sa.annotations
}

# workloads_with_intended_keys are the positions of the workloads that carry
# one of the keys above, on the pod template or their own metadata.
workloads_with_intended_keys := {i |
	some key, _ in intended_keys
	some index in [input.index.annotations, input.index.templateAnnotations]
	some i in index[key]
}

# intended is the webhook key that key is, or is a near miss of (the first
# in sort order, should a key ever resemble two).
intended(key) := key if {
	webhook_keys[key]
} else := sort(matches)[0] if {
	not valid_elsewhere(key)
	matches := {real | some real in webhook_keys; near_miss(key, real)}
	count(matches) > 0
}

# valid_elsewhere: keys that look like the webhook's but are another
# component's real keys, so resembling a webhook key is no mistake. The
# webhook's own test harness annotates its fixture pods with keys under
# testing.eks.amazonaws.com/ (serviceAccount/roleArn, serviceAccount/audience,
# containercredentials/audience, …) that it copies onto a fake
# ServiceAccount; a webhook started with --annotation-prefix
# testing.eks.amazonaws.com reads that prefix too.
valid_elsewhere(key) if startswith(lower(key), "testing.eks.amazonaws.com/")

valid_elsewhere(key) if eks_keys[key]

# The labels EKS itself sets on nodes and Fargate pods, which share the
# webhook's prefix.
eks_keys := {
	"eks.amazonaws.com/compute-type",
	"eks.amazonaws.com/fargate-profile",
	"eks.amazonaws.com/nodegroup",
	"eks.amazonaws.com/nodegroup-image",
	"eks.amazonaws.com/capacityType",
}

# norm keeps only letters and digits, lower-cased, so case, separators and
# stray whitespace do not matter.
norm(s) := lower(regex.replace(s, `[^A-Za-z0-9]`, ""))

# The whole key, normalized, equals a real one: role_arn, roleArn, Role-Arn,
# "eks.amazonaws.com/role-arn " (trailing space), eks.amazonaws.com.role-arn.
near_miss(key, real) if norm(key) == norm(real)

# The right name under an Amazon-looking prefix: eks.amazon.com/role-arn,
# amazonaws.com/role-arn, eks.aws/role-arn.
near_miss(key, real) if {
	[prefix, name] := split_key(key)
	norm(name) == norm(split_key(real)[1])
	amazon_prefix(norm(prefix))
}

# Role-ish names under the webhook's own prefix: eks.amazonaws.com/role,
# eks.amazonaws.com/iam-role-arn. (iam.amazonaws.com/role is kiam's key and is
# not a near miss.)
near_miss(key, real) if {
	real == k8s.role_arn_key
	[prefix, name] := split_key(key)
	norm(prefix) == "eksamazonawscom"
	role_aliases[norm(name)]
}

role_aliases := {"role", "arn", "iamrole", "iamrolearn", "awsrolearn", "rolename"}

amazon_prefix(p) if contains(p, "amazon")

amazon_prefix(p) if startswith(p, "eks")

# split_key splits "prefix/name" at the last slash.
split_key(key) := [concat("/", array.slice(parts, 0, count(parts) - 1)), parts[count(parts) - 1]] if {
	parts := split(key, "/")
	count(parts) > 1
}
