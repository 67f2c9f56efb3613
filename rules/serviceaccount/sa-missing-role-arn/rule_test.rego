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

scan(w, sas, associations, have_associations) := irsalint.resolve({
	"cluster": {},
	"settings": settings,
	"facts": {"podIdentityAssociations": have_associations},
	"podIdentityAssociations": associations,
	"serviceAccounts": {s.key: s | some s in sas},
	"workloads": [w],
})

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
	inp := irsalint.resolve(object.union(plain([container(0, "c", "registry.k8s.io", "external-dns/external-dns", [])]), {"settings": {"awsImages": ["registry.k8s.io/external-dns/external-dns"]}}))
	count(rule.deny) == 1 with input as inp
}

test_image_catalogue_prefix_entry_matches_every_repository_below_it if {
	inp := irsalint.resolve(object.union(plain([container(0, "c", "public.ecr.aws", "aws-controllers-k8s/s3-controller", [])]), {"settings": {"awsImages": ["aws-controllers-k8s/"]}}))
	count(rule.deny) == 1 with input as inp
	lone := irsalint.resolve(object.union(plain([container(0, "c", "public.ecr.aws", "aws-controllers-k8s", [])]), {"settings": {"awsImages": ["aws-controllers-k8s/"]}}))
	count(rule.deny) == 0 with input as lone
}

with_fields(c, fields) := object.union(c, fields)

test_aws_cli_in_a_script_fires_at_the_script if {
	c := with_fields(container(0, "sync", "docker.io", "alpine", []), {"command": ["sh", "-c"], "args": ["set -e\naws s3 sync /data \"s3://b/$(date)\""]})
	findings := rule.deny with input as plain([c])
	count(findings) == 1
	some f in findings
	f.at == ["spec", "template", "spec", "containers", 0, "args", 0]
	contains(f.message, `container "sync" runs the AWS CLI ("aws s3 sync /data \"s3://b/$(date)\""), so it likely calls AWS`)
}

test_aws_cli_mentioned_by_echo_is_quiet if {
	c := with_fields(container(0, "say", "docker.io", "alpine", []), {"command": ["sh", "-c", "echo aws s3 is fun"]})
	count(rule.deny) == 0 with input as plain([c])
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

# A workload on the default ServiceAccount is default-sa-node-role-fallback's:
# one finding per workload, graded there by the same signals.
test_default_service_account_is_left_to_the_fallback_rule if {
	inp := scan(workload("default", "default", [app(0, ["AWS_REGION"])]), [implicit_default], {}, false)
	count(rule.deny) == 0 with input as inp
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
	# No IMDS on Fargate.
	inp := irsalint.resolve(object.union(plain([app(0, ["AWS_REGION"])]), {"cluster": {"fargateProfiles": [{"name": "fp", "selectors": [{"namespace": "shop", "labels": {}}]}]}}))
	some f in rule.deny with input as inp
	contains(f.message, "It runs on Fargate, where there is no instance metadata service, so its AWS calls fail.")
}

# --- The trust signal ----------------------------------------------------------------

issuer := "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"

api_role := "arn:aws:iam::743263909644:role/shop-api"

sub_key := sprintf("%s:sub", [issuer])

fed(i) := {
	"value": sprintf("arn:aws:iam::743263909644:oidc-provider/%s", [issuer]), "kind": "oidc", "issuer": issuer,
	"keyPrefix": lower(issuer), "partition": "aws", "account": "743263909644", "at": ["Statement", i, "Principal", "Federated"],
}

cond(i, op, key, values) := {
	"operator": op, "base": op, "family": "String", "negated": false, "like": false,
	"ignoreCase": false, "ifExists": false, "qualifier": null, "key": lower(key), "keyWritten": key,
	"values": values, "at": ["Statement", i, "Condition", op, key],
}

stmt(i, effect, conditions) := {
	"index": i, "sid": null, "effect": effect, "at": ["Statement", i],
	"principals": [{"type": "Federated", "value": fed(i).value, "at": fed(i).at}],
	"actions": ["sts:assumerolewithwebidentity"], "notAction": false,
	"conditions": conditions, "federated": [fed(i)],
}

admit(i, subjects) := stmt(i, "Allow", [
	cond(i, "StringEquals", sprintf("%s:aud", [issuer]), ["sts.amazonaws.com"]),
	cond(i, "StringEquals", sub_key, subjects),
])

iam_role(arn, statements) := {
	"ref": sprintf("iam#%s", [arn]), "key": arn, "arn": arn, "name": "shop-api",
	"account": "743263909644", "partition": "aws", "source": "authorization-details",
	"trustPolicy": {"at": ["AssumeRolePolicyDocument"], "version": "2012-10-17", "lossy": false, "problems": [], "statements": statements},
}

# trusted: ServiceAccount shop/api without a role, Deployment shop/api
# (setting AWS_REGION) running as it, and roles that may admit it.
trusted(roles, sas, associations, have) := irsalint.resolve(object.union(
	scan(workload("api", "serviceAccountName", [app(0, ["AWS_REGION"])]), sas, associations, have),
	{
		"cluster": {"oidcIssuer": issuer},
		"roles": {r.key: r | some r in roles},
	},
))

test_trust_signal_fires_once_at_the_service_account if {
	findings := rule.deny with input as trusted([iam_role(api_role, [admit(0, ["system:serviceaccount:shop:api"])])], [sa("api", {})], {}, false)

	# The env signal of the workload is not reported again.
	count(findings) == 1
	some f in findings
	f.ref == "sa-api"
	f.at == ["metadata", "name"]
	not "severity" in object.keys(f)
	contains(f.message, "ServiceAccount shop/api has no eks.amazonaws.com/role-arn and no Pod Identity association covers it (no Pod Identity associations were given to this scan; one that exists in the cluster would also satisfy this), yet role arn:aws:iam::743263909644:role/shop-api (statement 1) admits system:serviceaccount:shop:api: the role was made for this ServiceAccount, but without the annotation the webhook injects nothing.")
	contains(f.message, "Deployment shop/api runs as it and gets no role: AWS calls fall back to the node role through the instance metadata service (on Fargate, they fail).")
	not contains(f.message, "inferred")
	f.related == [{"ref": sprintf("iam#%s", [api_role]), "at": ["Statement", 0, "Condition", "StringEquals", sub_key], "message": "this trust policy admits system:serviceaccount:shop:api"}]
}

test_trust_signal_points_at_the_value_in_a_list if {
	some f in rule.deny with input as trusted([iam_role(api_role, [admit(0, ["system:serviceaccount:shop:web", "system:serviceaccount:shop:api"])])], [sa("api", {})], {}, true)
	f.related[0].at == ["Statement", 0, "Condition", "StringEquals", sub_key, 1]
	not contains(f.message, "no Pod Identity associations were given")
}

test_trust_signal_names_the_first_role_once if {
	# Two roles admit it: one finding, naming the first role by ARN.
	findings := rule.deny with input as trusted(
		[
			iam_role("arn:aws:iam::743263909644:role/shop-api-v2", [admit(0, ["system:serviceaccount:shop:api"])]),
			iam_role(api_role, [admit(0, ["system:serviceaccount:shop:api"]), admit(1, ["system:serviceaccount:shop:api"])]),
		],
		[sa("api", {})], {}, false,
	)
	count(findings) == 1
	some f in findings
	contains(f.message, "role arn:aws:iam::743263909644:role/shop-api (statement 1) admits")
}

test_trust_signal_without_workloads_still_fires if {
	unused := object.union(sa("api", {}), {"usedBy": []})
	inp := irsalint.resolve(object.union(trusted([iam_role(api_role, [admit(0, ["system:serviceaccount:shop:api"])])], [unused], {}, false), {"workloads": []}))
	some f in rule.deny with input as inp
	contains(f.message, "No workload in this scan runs as it yet.")
}

test_trust_signal_lists_several_workloads if {
	many := object.union(sa("api", {}), {"usedBy": ["w", "w2"]})
	w2 := object.union(workload("api", "serviceAccountName", [app(0, [])]), {"ref": "w2", "kind": "CronJob", "name": "api-sync"})
	inp := trusted([iam_role(api_role, [admit(0, ["system:serviceaccount:shop:api"])])], [many], {}, false)
	some f in rule.deny with input as irsalint.resolve(object.union(inp, {"workloads": [inp.workloads[0], w2]}))
	contains(f.message, "CronJob shop/api-sync, Deployment shop/api run as it and get no role: AWS calls fall back")
}

test_role_or_association_silences_the_trust_signal if {
	roles := [iam_role(api_role, [admit(0, ["system:serviceaccount:shop:api"])])]
	count(rule.deny) == 0 with input as trusted(roles, [sa("api", {"eks.amazonaws.com/role-arn": api_role})], {}, false)
	count(rule.deny) == 0 with input as trusted(roles, [sa("api", {})], {"shop/api": {"roleArn": api_role}}, true)
}

test_trust_for_another_service_account_keeps_the_env_signal if {
	findings := rule.deny with input as trusted([iam_role(api_role, [admit(0, ["system:serviceaccount:shop:web"])])], [sa("api", {})], {}, false)
	count(findings) == 1
	some f in findings
	f.ref == "w"
	contains(f.message, "sets AWS_REGION")
}

test_closed_or_foreign_trust_is_no_signal if {
	# An explicit Deny, another cluster's issuer: the env signal remains.
	deny_api := stmt(1, "Deny", [cond(1, "StringEquals", sub_key, ["system:serviceaccount:shop:api"])])
	denied := rule.deny with input as trusted([iam_role(api_role, [admit(0, ["system:serviceaccount:shop:api"]), deny_api])], [sa("api", {})], {}, false)
	{f.ref | some f in denied} == {"w"}
	foreign := irsalint.resolve(object.union(trusted([iam_role(api_role, [admit(0, ["system:serviceaccount:shop:api"])])], [sa("api", {})], {}, false), {"cluster": {"oidcIssuer": "oidc.eks.eu-west-1.amazonaws.com/id/OTHER"}}))
	{f.ref | some f in rule.deny with input as foreign} == {"w"}
}

test_default_service_account_is_left_to_default_sa_has_role if {
	inp := trusted([iam_role(api_role, [admit(0, ["system:serviceaccount:shop:default"])])], [sa("default", {})], {}, false)
	findings := rule.deny with input as irsalint.resolve(object.union(inp, {"workloads": [workload("default", "serviceAccountName", [app(0, [])])]}))
	count(findings) == 0
}

test_trust_signal_says_when_the_issuer_was_inferred if {
	# The issuer comes from the role another ServiceAccount uses.
	web := object.union(sa("web", {"eks.amazonaws.com/role-arn": api_role}), {"usedBy": []})
	inp := irsalint.resolve(object.union(
		trusted([iam_role(api_role, [admit(0, ["system:serviceaccount:shop:web", "system:serviceaccount:shop:api"])])], [sa("api", {}), web], {}, false),
		{"cluster": {"oidcIssuer": null}},
	))
	findings := rule.deny with input as inp
	count(findings) == 1
	some f in findings
	endswith(f.message, sprintf("This cluster's OIDC issuer %s was inferred from the trust policies of the roles the scanned ServiceAccounts use; pass --oidc-issuer to be sure.", [issuer]))
}
