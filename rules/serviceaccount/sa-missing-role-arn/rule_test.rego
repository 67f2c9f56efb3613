package irsalint.rules.serviceaccount["sa-missing-role-arn_test"]

import data.irsalint.rules.serviceaccount["sa-missing-role-arn"] as rule

settings := {
	"awsEnv": ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_SDK_LOAD_CONFIG"],
	"awsImages": ["aws-cli", "amazon/aws-cli", "external-dns", "karpenter/controller"],
	"hostNetworkAllowlist": [],
}

c_at(i) := ["spec", "template", "spec", "containers", i]

container(i, name, registry, repository, env) := {
	"name": name,
	"type": "container",
	"index": i,
	"at": c_at(i),
	"image": sprintf("%s/%s:1.0", [registry, repository]),
	"imageRef": {"registry": registry, "repository": repository, "tag": "1.0", "digest": ""},
	"env": [{"name": n, "value": "x", "at": array.concat(c_at(i), ["env", j])} | some j, n in env],
}

app(i, env) := container(i, "app", "example.com", "shop/app", env)

workload(sa_name, source, containers) := {
	"ref": "w",
	"kind": "Deployment",
	"namespace": "shop",
	"name": "api",
	"annotations": {},
	"labels": {},
	"template": {"labels": {}, "annotations": {}, "at": ["spec", "template", "metadata"]},
	"serviceAccount": {"name": sa_name, "key": sprintf("shop/%s", [sa_name]), "source": source, "at": ["spec", "template", "spec"]},
	"podSpec": {"at": ["spec", "template", "spec"]},
	"containers": containers,
	"volumes": [],
}

sa(name, annotations) := {
	"ref": sprintf("sa-%s", [name]),
	"kind": "ServiceAccount",
	"namespace": "shop",
	"name": name,
	"key": sprintf("shop/%s", [name]),
	"declared": true,
	"annotations": annotations,
	"labels": {},
	"usedBy": ["w"],
	"at": [],
}

implicit_default := {
	"ref": "implicit:shop/default", "kind": "ServiceAccount", "namespace": "shop", "name": "default",
	"key": "shop/default", "declared": false, "annotations": {}, "labels": {}, "usedBy": ["w"],
}

scan(w, sas, associations, have_associations) := {
	"cluster": {},
	"settings": settings,
	"facts": {"podIdentityAssociations": have_associations},
	"podIdentityAssociations": associations,
	"serviceAccounts": {s.key: s | some s in sas},
	"workloads": [w],
}

plain(containers) := scan(workload("api", "serviceAccountName", containers), [sa("api", {})], {}, false)

test_aws_env_without_role_fires_at_the_env_name if {
	findings := rule.deny with input as plain([app(0, ["LOG_LEVEL", "AWS_REGION", "AWS_DEFAULT_REGION"])])
	count(findings) == 1
	some f in findings
	f.ref == "w"
	f.at == ["spec", "template", "spec", "containers", 0, "env", 1, "name"]
	not "severity" in object.keys(f)
	contains(f.message, `Deployment shop/api: container "app" sets AWS_REGION, so it likely calls AWS, but its ServiceAccount shop/api has no eks.amazonaws.com/role-arn and no Pod Identity association covers it`)
	contains(f.message, "no Pod Identity associations were given to this scan")
	contains(f.message, "falls back to the node role through the instance metadata service")
	f.related == [{"ref": "sa-api", "at": ["metadata", "name"], "message": "ServiceAccount shop/api has no eks.amazonaws.com/role-arn"}]
}

test_known_image_fires_at_the_image_line if {
	findings := rule.deny with input as plain([
		app(0, []),
		container(1, "sync", "public.ecr.aws", "aws-cli/aws-cli", ["AWS_REGION"]),
	])
	count(findings) == 1
	some f in findings
	f.at == ["spec", "template", "spec", "containers", 1, "image"]
	contains(f.message, `container "sync" runs the known AWS client image "public.ecr.aws/aws-cli/aws-cli:1.0"`)
}

test_image_catalogue_matches_whole_segments if {
	every repo in ["amazon/aws-cli", "aws-cli", "aws-cli/aws-cli", "bitnami/external-dns", "karpenter/controller"] {
		count(rule.deny) == 1 with input as plain([container(0, "c", "docker.io", repo, [])])
	}
	every repo in ["my-aws-cli", "amazon/aws-cli-tools", "acme/not-external-dns", "karpenter/controller-helper", "controller"] {
		count(rule.deny) == 0 with input as plain([container(0, "c", "docker.io", repo, [])])
	}
}

test_image_catalogue_entry_may_include_the_registry if {
	inp := object.union(plain([container(0, "c", "registry.k8s.io", "external-dns/external-dns", [])]), {"settings": {"awsImages": ["registry.k8s.io/external-dns/external-dns"]}})
	count(rule.deny) == 1 with input as inp
}

test_first_signal_wins_and_one_finding_per_workload if {
	findings := rule.deny with input as plain([
		app(0, ["AWS_SDK_LOAD_CONFIG"]),
		container(1, "cli", "docker.io", "amazon/aws-cli", ["AWS_REGION"]),
	])
	count(findings) == 1
	some f in findings
	f.at == ["spec", "template", "spec", "containers", 0, "env", 0, "name"]
	contains(f.message, "sets AWS_SDK_LOAD_CONFIG")
}

test_role_on_sa_is_quiet if {
	inp := scan(workload("api", "serviceAccountName", [app(0, ["AWS_REGION"])]), [sa("api", {"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/api"})], {}, false)
	count(rule.deny) == 0 with input as inp
}

test_pod_identity_association_is_quiet if {
	inp := scan(workload("api", "serviceAccountName", [app(0, ["AWS_REGION"])]), [sa("api", {})], {"shop/api": {"roleArn": "arn:aws:iam::111122223333:role/api"}}, true)
	count(rule.deny) == 0 with input as inp
}

test_known_associations_drop_the_note if {
	inp := scan(workload("api", "serviceAccountName", [app(0, ["AWS_REGION"])]), [sa("api", {})], {"shop/other": {}}, true)
	some f in rule.deny with input as inp
	not contains(f.message, "no Pod Identity associations were given")
	endswith(f.message, "no Pod Identity association covers it. Its AWS SDK falls back to the node role through the instance metadata service.")
}

test_no_signal_is_quiet if {
	count(rule.deny) == 0 with input as plain([app(0, ["REGION", "AWS_REGION_NAME"])])
}

test_unknown_service_account_is_quiet if {
	inp := scan(workload("elsewhere", "serviceAccountName", [app(0, ["AWS_REGION"])]), [], {}, false)
	count(rule.deny) == 0 with input as inp
}

test_implicit_default_fires_without_related if {
	inp := scan(workload("default", "default", [app(0, ["AWS_REGION"])]), [implicit_default], {}, false)
	findings := rule.deny with input as inp
	count(findings) == 1
	some f in findings
	not "related" in object.keys(f)
	contains(f.message, "but it runs as the default ServiceAccount of namespace shop, which has no eks.amazonaws.com/role-arn")
}

test_other_credential_sources_are_quiet if {
	# Static keys, or both web identity variables set by hand: the container
	# has credentials of its own.
	count(rule.deny) == 0 with input as plain([app(0, ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])])
	count(rule.deny) == 0 with input as plain([app(0, ["AWS_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"])])
	count(rule.deny) == 0 with input as plain([app(0, ["AWS_REGION", "AWS_CONTAINER_CREDENTIALS_FULL_URI"])])
}

test_only_uncovered_containers_count if {
	findings := rule.deny with input as plain([
		app(0, ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]),
		container(1, "worker", "example.com", "shop/worker", ["AWS_DEFAULT_REGION"]),
	])
	count(findings) == 1
	some f in findings
	f.at == ["spec", "template", "spec", "containers", 1, "env", 0, "name"]
}

test_fargate_says_calls_fail if {
	# Edge case 35: no IMDS on Fargate.
	inp := object.union(plain([app(0, ["AWS_REGION"])]), {"cluster": {"fargateProfiles": [{"name": "fp", "selectors": [{"namespace": "shop", "labels": {}}]}]}})
	some f in rule.deny with input as inp
	contains(f.message, "It runs on Fargate, where there is no instance metadata service, so its AWS calls fail.")
}
