package irsalint.rules.workload["default-sa-node-role-fallback_test"]

import data.irsalint.rules.workload["default-sa-node-role-fallback"] as rule

pod_spec_at := ["spec", "template", "spec"]

# A Deployment in payments with one container "app" and a pod template label.
deployment(sa) := object.union(
	{
		"ref": "deploy.yaml#1",
		"kind": "Deployment",
		"namespace": "payments",
		"name": "checkout",
		"template": {"labels": {"app": "checkout"}, "annotations": {}, "at": ["spec", "template", "metadata"]},
		"podSpec": {"at": pod_spec_at},
		"containers": [container("app", 0, [])],
	},
	{"serviceAccount": sa},
)

container(name, i, env) := {
	"name": name, "type": "container", "index": i,
	"at": array.concat(pod_spec_at, ["containers", i]), "env": env,
}

# aws_deployment shows it calls AWS: its container sets AWS_REGION.
aws_deployment(sa) := object.union(deployment(sa), {"containers": [container("app", 0, [region])]})

region := {"name": "AWS_REGION", "value": "eu-west-1", "at": array.concat(pod_spec_at, ["containers", 0, "env", 0])}

omitted := {"name": "default", "key": "payments/default", "source": "default", "at": pod_spec_at}

named_default := {"name": "default", "key": "payments/default", "source": "serviceAccountName", "at": array.concat(pod_spec_at, ["serviceAccountName"])}

implicit_default := {"payments/default": {
	"ref": "implicit:payments/default", "kind": "ServiceAccount", "namespace": "payments",
	"name": "default", "key": "payments/default", "declared": false, "annotations": {}, "labels": {},
}}

declared_default(annotations) := {"payments/default": {
	"ref": "sa.yaml#0", "kind": "ServiceAccount", "namespace": "payments",
	"name": "default", "key": "payments/default", "declared": true, "annotations": annotations, "labels": {}, "at": [],
}}

inv(workloads, sas) := irsalint.resolve({
	"settings": {"awsEnv": ["AWS_REGION"], "awsImages": ["aws-cli/aws-cli"], "hostNetworkAllowlist": []},
	"cluster": {"kubernetesVersion": null},
	"facts": {"podIdentityAssociations": false},
	"podIdentityAssociations": {},
	"serviceAccounts": sas,
	"workloads": workloads,
})

test_no_service_account_named_is_medium_at_pod_spec if {
	findings := rule.deny with input as inv([aws_deployment(omitted)], implicit_default)
	count(findings) == 1
	some f in findings
	f.ref == "deploy.yaml#1"
	f.at == ["spec", "template", "spec"]
	f.severity == "medium"
	contains(f.message, `Container "app" sets AWS_REGION, which shows it calls AWS.`)
	contains(f.message, "Deployment payments/checkout names no ServiceAccount and runs as the implicit ServiceAccount payments/default")
	contains(f.message, `container "app" run as the node group's IAM role through IMDS`)
	contains(f.message, "depends on the nodes' metadata options")
	contains(f.message, "no EKS Pod Identity associations were given")
}

test_explicit_default_is_reported_at_service_account_name if {
	findings := rule.deny with input as inv([deployment(named_default)], declared_default({"team": "payments"}))
	count(findings) == 1
	some f in findings
	f.at == ["spec", "template", "spec", "serviceAccountName"]
	contains(f.message, "runs as ServiceAccount payments/default, which has no eks.amazonaws.com/role-arn")
}

test_deprecated_service_account_field_default_is_reported if {
	sa := {"name": "default", "key": "payments/default", "source": "serviceAccount", "at": array.concat(pod_spec_at, ["serviceAccount"])}
	some f in rule.deny with input as inv([deployment(sa)], implicit_default)
	f.at == ["spec", "template", "spec", "serviceAccount"]
	contains(f.message, "deprecated serviceAccount field")
}

# The deprecated field names "api" (or serviceAccountName wins
# with "api"): the effective SA is not default, so this rule is silent.
test_named_non_default_service_account_is_quiet if {
	sa := {"name": "api", "key": "payments/api", "source": "serviceAccount", "at": array.concat(pod_spec_at, ["serviceAccount"])}
	api := {"payments/api": {"ref": "sa.yaml#0", "name": "api", "key": "payments/api", "declared": true, "annotations": {}}}
	count(rule.deny) == 0 with input as inv([deployment(sa)], object.union(implicit_default, api))
}

test_host_network_is_high if {
	w := object.union(aws_deployment(omitted), {"podSpec": {"at": pod_spec_at, "hostNetwork": true}})
	findings := rule.deny with input as inv([w], implicit_default)
	count(findings) == 1
	some f in findings
	f.severity == "high"
	contains(f.message, "hostNetwork, so the IMDS hop limit cannot keep it from the node role")
}

# An annotated default ServiceAccount gives the pod IRSA;
# default-sa-has-role reports that, not this rule.
test_annotated_default_is_quiet if {
	sas := declared_default({"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/payments"})
	count(rule.deny) == 0 with input as inv([deployment(omitted)], sas)
}

# An annotated default with the webhook opted out still ends at the node
# role, but the annotation is there: webhook-opt-out owns that case.
test_annotated_default_with_opt_out_is_quiet if {
	sas := declared_default({"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/payments"})
	w := object.union(deployment(omitted), {"template": {"labels": {"eks.amazonaws.com/skip-pod-identity-webhook": "true"}}})
	count(rule.deny) == 0 with input as inv([w], sas)
}

test_pod_identity_association_is_quiet if {
	i := irsalint.resolve(object.union(inv([deployment(omitted)], implicit_default), {
		"facts": {"podIdentityAssociations": true},
		"podIdentityAssociations": {"payments/default": {"roleArn": "arn:aws:iam::111122223333:role/pi"}},
	}))
	count(rule.deny) == 0 with input as i
}

test_known_associations_change_the_message if {
	i := irsalint.resolve(object.union(inv([deployment(omitted)], implicit_default), {
		"facts": {"podIdentityAssociations": true},
		"podIdentityAssociations": {"other/api": {"roleArn": "arn:aws:iam::111122223333:role/pi"}},
	}))
	some f in rule.deny with input as i
	contains(f.message, "annotation and no EKS Pod Identity association, so")
	not contains(f.message, "were given")
}

# Fargate has no IMDS, so there is no node role to fall back to.
test_fargate_profile_is_quiet if {
	i := irsalint.resolve(object.union(inv([deployment(omitted)], implicit_default), {"cluster": {
		"kubernetesVersion": null,
		"fargateProfiles": [{"name": "checkout", "selectors": [{"namespace": "pay*", "labels": {"app": "checkout"}}]}],
	}}))
	count(rule.deny) == 0 with input as i
}

test_fargate_profile_selecting_other_pods_still_fires if {
	i := irsalint.resolve(object.union(inv([deployment(omitted)], implicit_default), {"cluster": {
		"kubernetesVersion": null,
		"fargateProfiles": [{"name": "batch", "selectors": [
			{"namespace": "payments", "labels": {"app": "batch"}},
			{"namespace": "other"},
		]}],
	}}))
	count(rule.deny) == 1 with input as i
}

test_static_keys_container_is_not_counted if {
	keys := [
		{"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE", "at": ["x", 0]},
		{"name": "AWS_SECRET_ACCESS_KEY", "value": "secret", "at": ["x", 1]},
	]
	only_keys := object.union(deployment(omitted), {"containers": [container("app", 0, keys)]})
	count(rule.deny) == 0 with input as inv([only_keys], implicit_default)

	mixed := object.union(deployment(omitted), {"containers": [
		container("app", 0, keys),
		container("worker", 1, []),
		container("proxy", 2, []),
	]})
	some f in rule.deny with input as inv([mixed], implicit_default)
	contains(f.message, `containers "worker", "proxy" run as the node group`)
	not contains(f.message, `"app"`)
}

test_one_finding_per_workload if {
	other := object.union(deployment(omitted), {"ref": "deploy.yaml#2", "name": "refunds"})
	findings := rule.deny with input as inv([deployment(omitted), other], implicit_default)
	{f.ref | some f in findings} == {"deploy.yaml#1", "deploy.yaml#2"}
}

test_nodes_that_let_pods_reach_imds_make_it_high if {
	nodes := {
		"cluster": {"name": "demo", "kubernetesVersion": null},
		"nodegroups": {"demo/workers": {"name": "workers", "clusterName": "demo", "launchTemplate": {"id": "lt-1", "version": "2"}}},
		"launchTemplates": {"lt-1:2": {"id": "lt-1", "version": "2", "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 2, "httpEndpoint": "enabled"}}},
	}
	doc := object.union(inv([aws_deployment(omitted)], implicit_default), nodes)
	some f in rule.deny with input as doc
	f.severity == "high"
	contains(f.message, "The launch templates of node group workers let pods reach IMDS")
}

# A workload that shows no AWS use (a redis, an nginx) is worth knowing,
# never a failed gate; hostNetwork does not change that (the IMDS exposure
# of host-network pods is hostnetwork-imds-exposure's).
test_no_sign_of_aws_use_is_info if {
	plain := rule.deny with input as inv([deployment(omitted)], implicit_default)
	count(plain) == 1
	some f in plain
	f.severity == "info"
	contains(f.message, "No container shows that it calls AWS (no AWS client image, no AWS_* variable, no aws command), so this matters only if it does")

	host := object.union(deployment(omitted), {"podSpec": {"at": pod_spec_at, "hostNetwork": true}})
	some h in rule.deny with input as inv([host], implicit_default)
	h.severity == "info"
}

test_known_aws_image_is_evidence if {
	image := object.union(container("app", 0, []), {
		"image": "public.ecr.aws/aws-cli/aws-cli:2.15.0",
		"imageRef": {"registry": "public.ecr.aws", "repository": "aws-cli/aws-cli", "tag": "2.15.0", "digest": ""},
	})
	w := object.union(deployment(omitted), {"containers": [image]})
	some f in rule.deny with input as inv([w], implicit_default)
	f.severity == "medium"
	contains(f.message, `Container "app" runs the known AWS client image "public.ecr.aws/aws-cli/aws-cli:2.15.0", which shows it calls AWS.`)
}

test_aws_command_is_evidence if {
	run := object.union(container("app", 0, []), {
		"image": "alpine:3.20",
		"imageRef": {"registry": "docker.io", "repository": "library/alpine", "tag": "3.20", "digest": ""},
		"command": ["sh", "-c", "aws s3 sync /data s3://backups"],
	})
	w := object.union(deployment(omitted), {"containers": [run]})
	some f in rule.deny with input as inv([w], implicit_default)
	f.severity == "medium"
	contains(f.message, `Container "app" runs the AWS CLI (`)
}

# The Pod Identity Webhook's test pods: the harness plays the ServiceAccount
# with the role its annotation names, so there is no fallback to report.
test_webhook_harness_pod_is_quiet if {
	harness := object.union(aws_deployment(omitted), {"template": {
		"labels": {}, "at": ["spec", "template", "metadata"],
		"annotations": {"testing.eks.amazonaws.com/serviceAccount/roleArn": "arn:aws:iam::111122223333:role/s3-reader"},
	}})
	count(rule.deny) == 0 with input as inv([harness], implicit_default)
}
