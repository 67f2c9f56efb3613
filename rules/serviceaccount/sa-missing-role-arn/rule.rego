# METADATA
# title: Workload that calls AWS has no IAM role
# description: |
#   A workload shows that it calls AWS, but nothing gives it an IAM role: its
#   ServiceAccount has no eks.amazonaws.com/role-arn annotation and no EKS Pod
#   Identity association covers it. The signals are a container environment
#   variable that only AWS SDK users set (the configurable settings.awsEnv
#   list, for example AWS_REGION or AWS_DEFAULT_REGION) and an image from the
#   configurable catalogue of known AWS clients (settings.awsImages: the AWS
#   CLI, the AWS Load Balancer Controller, external-dns, cluster-autoscaler,
#   the EBS and EFS CSI drivers, Karpenter, aws-for-fluent-bit,
#   external-secrets, …; matched on whole path segments at the end of the
#   image repository). With no role, the SDK's credential chain ends at the
#   instance metadata service, so the workload runs with the node's IAM role,
#   shared by every pod on the node; on Fargate there is no metadata service
#   and its AWS calls fail. Containers that get credentials another way
#   (static keys, their own web identity variables, a container credentials
#   endpoint) are not reported, nor are workloads whose ServiceAccount the scan
#   does not contain. When the scan was given no Pod Identity associations,
#   the message says so: an association in the cluster would also give the
#   workload a role.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#     description: Assign IAM roles to Kubernetes service accounts
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html
#     description: Assign an IAM role to a Kubernetes service account with EKS Pod Identity
#   - ref: https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
#     description: AWS SDKs and Tools — the standardized credential provider chain
# custom:
#   severity: medium
#   remediation: |
#     Give the workload its own ServiceAccount with an IAM role: annotate it
#     with eks.amazonaws.com/role-arn (IRSA) or create an EKS Pod Identity
#     association for its namespace and name, set serviceAccountName in the pod
#     template, and restart the pods. If the workload makes no AWS calls,
#     remove the signal or suppress the finding.
package irsalint.rules.serviceaccount["sa-missing-role-arn"]

import data.irsalint.lib.identity
import data.irsalint.lib.k8s
import data.irsalint.lib.result

deny contains with_sa(finding, sa) if {
	some w in input.workloads
	sa := k8s.service_account(w)
	not k8s.role_arn(sa)
	not identity.association(w)
	signals := [s |
		some i, c in w.containers
		fallback := identity.by_workload[w.ref][i].mechanism
		fallbacks[fallback]
		some s in container_signals(c, fallback)
	]
	count(signals) > 0
	first := signals[0]
	message := sprintf("%s: %s %q %s, so it likely calls AWS, but %s has no %s and no Pod Identity association covers it%s. %s", [
		k8s.describe(w), k8s.container_kind(first.container), first.container.name, first.what,
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

# container_signals lists a container's signals in the order they are
# usually written: the image, then env entries in order.
container_signals(c, fallback) := array.concat(
	[{"container": c, "fallback": fallback, "at": array.concat(c.at, ["image"]), "what": sprintf("runs the known AWS client image %q", [c.image])} | aws_image(c)],
	[{"container": c, "fallback": fallback, "at": array.concat(e.at, ["name"]), "what": sprintf("sets %s", [e.name])} |
		some e in object.get(c, "env", [])
		aws_env[e.name]
	],
)

# aws_image: the repository (with or without its registry) ends with a
# catalogue entry on a path-segment boundary. Each suffix is looked up in a
# set, so the cost does not grow with the catalogue.
aws_image(c) if {
	some name in image_names(c)
	parts := split(name, "/")
	some i in numbers.range(0, count(parts) - 1)
	aws_images[concat("/", array.slice(parts, i, count(parts)))]
}

aws_images := {entry | some entry in input.settings.awsImages}

aws_env := {name | some name in input.settings.awsEnv}

image_names(c) := [c.imageRef.repository, concat("/", [c.imageRef.registry, c.imageRef.repository])]

describe_sa(sa) := sprintf("its ServiceAccount %s", [sa.key]) if {
	sa.declared
} else := sprintf("it runs as the default ServiceAccount of namespace %s, which", [sa.namespace])

associations_note := "" if {
	input.facts.podIdentityAssociations
} else := " (no Pod Identity associations were given to this scan; one that exists in the cluster would also satisfy this)"

# with_sa points a second location at a declared ServiceAccount.
with_sa(f, sa) := result.with_related(f, [result.related(sa, ["metadata", "name"], sprintf("%s has no %s", [k8s.describe(sa), k8s.role_arn_key]))]) if {
	sa.declared
} else := f
