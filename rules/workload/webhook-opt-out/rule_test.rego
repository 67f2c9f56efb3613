package irsalint.rules.workload["webhook-opt-out_test"]

import data.irsalint.rules.workload["webhook-opt-out"] as rule

role := "arn:aws:iam::111122223333:role/api"

meta := ["spec", "template", "metadata"]

skip_at := ["spec", "template", "metadata", "annotations", "eks.amazonaws.com/skip-containers"]

label_at := ["spec", "template", "metadata", "labels", "eks.amazonaws.com/skip-pod-identity-webhook"]

sa(annotations) := {
	"ref": "sa", "kind": "ServiceAccount", "namespace": "shop", "name": "api", "key": "shop/api",
	"declared": true, "annotations": annotations, "labels": {}, "at": [],
}

annotated := sa({"eks.amazonaws.com/role-arn": role})

container(name, type, i) := {
	"name": name, "type": type, "at": ["spec", "template", "spec", "containers", i],
	"env": [], "envFrom": [], "volumeMounts": [],
}

app := container("app", "container", 0)

sidecar := container("sidecar", "container", 1)

init := container("migrate", "initContainer", 0)

inv(containers, labels, annotations, s, assocs) := irsalint.resolve({
	"cluster": {},
	"workloads": [{
		"ref": "w", "kind": "Deployment", "namespace": "shop", "name": "api",
		"template": {"labels": labels, "annotations": annotations, "at": meta},
		"serviceAccount": {"name": "api", "key": "shop/api", "source": "serviceAccountName", "at": ["spec", "template", "spec", "serviceAccountName"]},
		"podSpec": {"at": ["spec", "template", "spec"]},
		"containers": containers,
		"volumes": [],
	}],
	"serviceAccounts": {s.key: s},
	"podIdentityAssociations": assocs,
})

skip(value) := {"eks.amazonaws.com/skip-containers": value}

opt_out(value) := {"eks.amazonaws.com/skip-pod-identity-webhook": value}

test_label_with_value_false_still_opts_out if {
	findings := rule.deny with input as inv([app], opt_out("false"), {}, annotated, {})
	count(findings) == 1
	some f in findings
	f.severity == "medium"
	f.ref == "w"
	f.at == label_at
	contains(f.message, `Deployment shop/api carries the pod label eks.amazonaws.com/skip-pod-identity-webhook="false"`)
	contains(f.message, "whatever its value")
	contains(f.message, sprintf("the IRSA role %s of ServiceAccount shop/api", [role]))
	contains(f.message, "the node role through IMDS")
	f.related == [{"ref": "sa", "at": ["metadata", "annotations", "eks.amazonaws.com/role-arn"], "message": "the role the webhook would otherwise inject"}]
}

test_label_with_pod_identity_association_is_medium if {
	findings := rule.deny with input as inv([app], opt_out(""), {}, sa({}), {"shop/api": {}})
	count(findings) == 1
	some f in findings
	f.severity == "medium"
	contains(f.message, "the EKS Pod Identity association of ServiceAccount shop/api")
	not f.related
}

test_label_on_fargate_says_no_credentials if {
	findings := rule.deny with input as irsalint.resolve(object.union(
		inv([app], opt_out("true"), {}, annotated, {}),
		{"cluster": {"fargateProfiles": [{"name": "fp", "selectors": [{"namespace": "shop"}]}]}},
	))
	some f in findings
	contains(f.message, "Fargate has no instance metadata")
}

test_label_without_role_is_quiet if {
	count(rule.deny) == 0 with input as inv([app], opt_out("true"), skip("app"), sa({}), {})
	count(rule.deny) == 0 with input as inv([app], opt_out("true"), {}, sa({"eks.amazonaws.com/role-arn": " "}), {})
}

test_label_with_unknown_service_account_is_quiet if {
	count(rule.deny) == 0 with input as inv([app], opt_out("true"), {}, object.union(annotated, {"key": "other/x"}), {})
}

test_label_with_every_container_self_configured_is_quiet if {
	manual := object.union(app, {"env": [
		{"name": "AWS_ROLE_ARN", "value": role, "at": ["x", 0]},
		{"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/t/token", "at": ["x", 1]},
	]})
	count(rule.deny) == 0 with input as inv([manual], opt_out("true"), {}, annotated, {})
}

test_opted_out_pod_reports_only_the_label if {
	findings := rule.deny with input as inv([app], opt_out("true"), skip(`"a,"b`), annotated, {})
	count(findings) == 1
	some f in findings
	f.at == label_at
}

test_skip_containers_naming_every_container_is_medium if {
	findings := rule.deny with input as inv([init, app, sidecar], {}, skip("app,sidecar,migrate"), annotated, {})
	count(findings) == 1
	some f in findings
	f.severity == "medium"
	f.at == skip_at
	contains(f.message, `eks.amazonaws.com/skip-containers "app,sidecar,migrate" names every container of the pod (init containers included), so none gets the IRSA role`)
	count(f.related) == 1
}

test_skip_containers_missing_the_init_container_is_quiet if {
	count(rule.deny) == 0 with input as inv([init, app], {}, skip("app"), annotated, {})
}

test_ephemeral_containers_are_not_needed_to_skip_all if {
	debug := container("debug", "ephemeralContainer", 0)
	findings := rule.deny with input as inv([app, debug], {}, skip("app"), annotated, {})
	count(findings) == 1
	some f in findings
	f.severity == "medium"
}

test_skip_containers_without_role_is_quiet if {
	count(rule.deny) == 0 with input as inv([app], {}, skip("app,ghost"), sa({}), {})
}

test_leading_space_name_is_low_with_hint if {
	findings := rule.deny with input as inv([app, sidecar], {}, skip("sidecar, app"), annotated, {})
	count(findings) == 1
	some f in findings
	f.severity == "low"
	f.at == skip_at
	contains(f.message, `names " app", but the pod has no container by that name, so it skips nothing`)
	contains(f.message, `keeps the space after a comma, so container "app" is not skipped: write "sidecar,app"`)
}

test_unknown_names_are_low_sorted_without_hint if {
	findings := rule.deny with input as inv([app, sidecar], {}, skip("zeta,sidecar,alpha,"), annotated, {})
	count(findings) == 1
	some f in findings
	f.severity == "low"
	contains(f.message, `names "alpha", "zeta", but the pod has no containers by those names`)
	not contains(f.message, "keeps the space")
}

test_unparseable_value_is_low_and_skips_nothing if {
	findings := rule.deny with input as inv([app, sidecar], {}, skip(`"a,"b`), annotated, {})
	count(findings) == 1
	some f in findings
	f.severity == "low"
	f.at == skip_at
	contains(f.message, `"\"a,\"b" is not valid CSV`)
	contains(f.message, "skips no container at all")
}

test_several_spaced_names_are_listed_together if {
	findings := rule.deny with input as inv([init, app, sidecar], {}, skip("x, app, migrate"), annotated, {})
	some f in findings
	contains(f.message, `names " app", " migrate", "x", but the pod has no containers by those names, so they skip nothing;`)
	contains(f.message, `containers "app", "migrate" are not skipped: write "x,app,migrate"`)
}

test_quoted_names_parse if {
	count(rule.deny) == 0 with input as inv([app, sidecar], {}, skip(`"sidecar"`), annotated, {})
}

test_bare_pod_paths_point_at_its_metadata if {
	pod := irsalint.resolve(object.union(inv([app], opt_out("yes"), {}, annotated, {}), {}))
	w := object.union(pod.workloads[0], {"kind": "Pod", "template": {"labels": opt_out("yes"), "annotations": {}, "at": ["metadata"]}})
	some f in rule.deny with input as irsalint.resolve(object.union(pod, {"workloads": [w]}))
	f.at == ["metadata", "labels", "eks.amazonaws.com/skip-pod-identity-webhook"]
}
