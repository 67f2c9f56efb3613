package irsalint.rules.workload["manual-container-credentials-env_test"]

import data.irsalint.rules.workload["manual-container-credentials-env"] as rule

c0 := ["spec", "template", "spec", "containers", 0]

env(name, value, i) := {"name": name, "value": value, "at": array.concat(c0, ["env", i])}

sa(annotations) := {
	"ref": "sa", "kind": "ServiceAccount", "namespace": "shop", "name": "api", "key": "shop/api",
	"declared": true, "annotations": annotations, "labels": {}, "at": [],
}

inv(env_list, annotations, assocs) := irsalint.resolve({
	"cluster": {},
	"workloads": [{
		"ref": "w", "kind": "Deployment", "namespace": "shop", "name": "api",
		"template": {"labels": {}, "annotations": {}, "at": ["spec", "template", "metadata"]},
		"serviceAccount": {"name": "api", "key": "shop/api", "source": "serviceAccountName", "at": ["spec", "template", "spec", "serviceAccountName"]},
		"podSpec": {"at": ["spec", "template", "spec"]},
		"containers": [{"name": "app", "type": "container", "at": c0, "env": env_list, "envFrom": [], "volumeMounts": []}],
		"volumes": [],
	}],
	"serviceAccounts": {"shop/api": sa(annotations)},
	"podIdentityAssociations": assocs,
})

one(name, value) := f if {
	findings := rule.deny with input as inv([env(name, value, 0)], {}, {})
	count(findings) == 1
	some f in findings
}

test_full_uri_to_an_arbitrary_https_endpoint_is_reported if {
	f := one("AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://creds.example.com/v1/credentials")
	f.ref == "w"
	f.at == array.concat(c0, ["env", 0, "value"])
	contains(f.message, `container "app" of Deployment shop/api sets AWS_CONTAINER_CREDENTIALS_FULL_URI by hand to https://creds.example.com/v1/credentials`)
	contains(f.message, "from that arbitrary endpoint instead of EKS Pod Identity")
}

test_full_uri_to_plain_http_elsewhere_is_refused_by_sdks if {
	f := one("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.0.0.5:8080/creds")
	contains(f.message, "SDKs refuse plain-HTTP endpoints")
}

test_full_uri_to_the_ecs_agent_is_reported if {
	f := one("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.2/v2/credentials/x")
	contains(f.message, "the ECS agent address, which does not exist on EKS")
}

test_full_uri_to_the_agent_says_it_replaces_injection if {
	f := one("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials")
	contains(f.message, "replaces the Pod Identity values EKS injects")
	f6 := one("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://[FD00:EC2::23]/v1/credentials")
	contains(f6.message, "replaces the Pod Identity values EKS injects")
}

test_full_uri_on_loopback_names_the_local_process if {
	every uri in ["http://127.0.0.1:9911/creds", "http://localhost/creds", "http://[::1]:80/x"] {
		f := one("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri)
		contains(f.message, "whatever listens on loopback")
	}
}

test_relative_uri_is_the_ecs_form if {
	f := one("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc")
	contains(f.message, "sets AWS_CONTAINER_CREDENTIALS_RELATIVE_URI by hand: this is the Amazon ECS form")
	contains(f.message, "169.254.170.2")
}

test_token_file_is_reported if {
	f := one("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/var/run/secrets/x/token")
	f.at == array.concat(c0, ["env", 0, "value"])
	contains(f.message, "as the Authorization header")
}

test_value_from_points_at_value_from if {
	e := {"name": "AWS_CONTAINER_CREDENTIALS_FULL_URI", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}, "at": array.concat(c0, ["env", 0])}
	some f in rule.deny with input as inv([e], {}, {})
	f.at == array.concat(c0, ["env", 0, "valueFrom"])
	contains(f.message, "by hand: it takes over the container credential provider")
}

test_association_note_when_webhook_would_inject if {
	findings := rule.deny with input as inv([env("AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://x.example/c", 0)], {}, {"shop/api": {}})
	some f in findings
	contains(f.message, "the webhook injects neither AWS_CONTAINER_CREDENTIALS_FULL_URI nor AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE for the Pod Identity association of ServiceAccount shop/api")
}

test_relative_uri_gets_no_suppression_note if {
	findings := rule.deny with input as inv([env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/x", 0)], {}, {"shop/api": {}})
	some f in findings
	not contains(f.message, "injects neither")
}

test_irsa_shadow_is_mentioned if {
	findings := rule.deny with input as inv(
		[env("AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://x.example/c", 0)],
		{"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/api"}, {},
	)
	some f in findings
	contains(f.message, "For now web identity (IRSA) comes first")
}

test_each_variable_is_its_own_finding if {
	findings := rule.deny with input as inv(
		[
			env("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials", 0),
			env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/t", 1),
		],
		{}, {},
	)
	count(findings) == 2
	{f.at | some f in findings} == {array.concat(c0, ["env", 0, "value"]), array.concat(c0, ["env", 1, "value"])}
}

test_other_variables_are_ignored if {
	count(rule.deny) == 0 with input as inv(
		[
			env("AWS_REGION", "eu-west-1", 0),
			env("AWS_CONTAINER_CREDENTIALS", "x", 1),
			env("ECS_CONTAINER_METADATA_URI_V4", "http://169.254.170.2/v4", 2),
		],
		{}, {},
	)
}
