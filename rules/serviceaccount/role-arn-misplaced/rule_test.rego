package irsalint.rules.serviceaccount["role-arn-misplaced_test"]

import data.irsalint.rules.serviceaccount["role-arn-misplaced"] as rule

role := "arn:aws:iam::111122223333:role/api"

tmpl := ["spec", "template", "metadata"]

sa(name, annotations) := {
	"ref": sprintf("sa-%s", [name]),
	"kind": "ServiceAccount",
	"namespace": "prod",
	"name": name,
	"key": sprintf("prod/%s", [name]),
	"declared": true,
	"annotations": annotations,
	"labels": {},
	"usedBy": [],
	"at": [],
}

deployment(own, template, sa_name) := {
	"ref": "w",
	"kind": "Deployment",
	"namespace": "prod",
	"name": "api",
	"annotations": own,
	"labels": {},
	"template": {"labels": {}, "annotations": template, "at": tmpl},
	"serviceAccount": {"name": sa_name, "key": sprintf("prod/%s", [sa_name]), "source": "serviceAccountName", "at": ["spec", "template", "spec", "serviceAccountName"]},
	"containers": [],
}

pod(annotations) := {
	"ref": "p",
	"kind": "Pod",
	"namespace": "prod",
	"name": "job",
	"annotations": annotations,
	"labels": {},
	"template": {"labels": {}, "annotations": annotations, "at": ["metadata"]},
	"serviceAccount": {"name": "default", "key": "prod/default", "source": "default", "at": ["spec"]},
	"containers": [],
}

implicit_default := {
	"ref": "implicit:prod/default", "kind": "ServiceAccount", "namespace": "prod", "name": "default",
	"key": "prod/default", "declared": false, "annotations": {}, "labels": {}, "usedBy": ["p"],
}

# with_sa runs the workload with one ServiceAccount "api" holding sa_annotations.
with_sa(w, sa_annotations) := {
	"serviceAccounts": {"prod/api": sa("api", sa_annotations), "prod/default": implicit_default},
	"workloads": [w],
}

sa_only(annotations) := {"serviceAccounts": {"prod/api": sa("api", annotations)}, "workloads": []}

test_role_arn_on_pod_template_fires_high if {
	# The annotation on the template, none on the SA.
	findings := rule.deny with input as irsalint.resolve(with_sa(deployment({}, {"eks.amazonaws.com/role-arn": role}, "api"), {}))
	count(findings) == 1
	some f in findings
	f.ref == "w"
	f.at == ["spec", "template", "metadata", "annotations", "eks.amazonaws.com/role-arn"]
	f.severity == "high"
	contains(f.message, `Deployment prod/api has "eks.amazonaws.com/role-arn" on its pod template`)
	contains(f.message, "reads this key only from the ServiceAccount")
	contains(f.message, "the pods get no IRSA role")
	contains(f.message, "node role through IMDS")
	contains(f.message, `Set "eks.amazonaws.com/role-arn" on ServiceAccount prod/api instead.`)
}

test_role_arn_on_workload_metadata_fires if {
	findings := rule.deny with input as irsalint.resolve(with_sa(deployment({"eks.amazonaws.com/role-arn": role}, {}, "api"), {}))
	count(findings) == 1
	some f in findings
	f.at == ["metadata", "annotations", "eks.amazonaws.com/role-arn"]
	contains(f.message, "on its own metadata, which is not copied to its pods")
}

test_role_arn_on_bare_pod_fires_once_and_suggests_a_dedicated_sa if {
	findings := rule.deny with input as irsalint.resolve({
		"serviceAccounts": {"prod/default": implicit_default},
		"workloads": [pod({"eks.amazonaws.com/role-arn": role})],
	})
	count(findings) == 1
	some f in findings
	f.ref == "p"
	f.at == ["metadata", "annotations", "eks.amazonaws.com/role-arn"]
	contains(f.message, `Pod prod/job has "eks.amazonaws.com/role-arn": the webhook`)
	contains(f.message, "the pod gets no IRSA role")
	contains(f.message, "on a dedicated ServiceAccount and name it in serviceAccountName")
}

test_role_arn_differing_from_sa_names_the_role_that_applies if {
	other := "arn:aws:iam::111122223333:role/other"
	some f in rule.deny with input as irsalint.resolve(with_sa(deployment({}, {"eks.amazonaws.com/role-arn": role}, "api"), {"eks.amazonaws.com/role-arn": other}))
	f.severity == "high"
	contains(f.message, sprintf("the pods get ServiceAccount prod/api's role %q instead", [other]))
	contains(f.message, "To use this role, run the pods as a ServiceAccount annotated with it.")
}

test_copy_of_sa_role_on_template_is_quiet if {
	count(rule.deny) == 0 with input as irsalint.resolve(with_sa(deployment({}, {"eks.amazonaws.com/role-arn": role}, "api"), {"eks.amazonaws.com/role-arn": role}))
}

test_audience_and_sts_on_template_are_graded if {
	findings := rule.deny with input as irsalint.resolve(with_sa(
		deployment({}, {"eks.amazonaws.com/audience": "x", "eks.amazonaws.com/sts-regional-endpoints": "true"}, "api"),
		{"eks.amazonaws.com/role-arn": role},
	))
	{[f.at[4], f.severity] | some f in findings} == {
		["eks.amazonaws.com/audience", "medium"],
		["eks.amazonaws.com/sts-regional-endpoints", "low"],
	}
}

test_pod_level_keys_on_template_are_quiet if {
	count(rule.deny) == 0 with input as irsalint.resolve(with_sa(
		deployment(
			{}, {
				"eks.amazonaws.com/token-expiration": "3600",
				"eks.amazonaws.com/skip-containers": "sidecar",
				"eks.amazonaws.com/compute-type": "ec2",
				"eks.amazonaws.com/nodegroup": "general",
				"eks.amazonaws.com/fargate-profile": "fp",
				"iam.amazonaws.com/role": "kiam-role",
			},
			"api",
		),
		{"eks.amazonaws.com/role-arn": role, "eks.amazonaws.com/token-expiration": "7200"},
	))
}

test_correct_sa_annotations_are_quiet if {
	count(rule.deny) == 0 with input as irsalint.resolve(sa_only({
		"eks.amazonaws.com/role-arn": role,
		"eks.amazonaws.com/audience": "sts.amazonaws.com",
		"eks.amazonaws.com/sts-regional-endpoints": "true",
		"eks.amazonaws.com/token-expiration": "3600",
		"kubernetes.io/description": "api",
		"iam.amazonaws.com/role": "legacy",
	}))
}

test_implicit_default_is_never_reported if {
	d := object.union(implicit_default, {"annotations": {"eks.amazonaws.com/roleArn": role}})
	count(rule.deny) == 0 with input as irsalint.resolve({"serviceAccounts": {"prod/default": d}, "workloads": []})
}

misspelled_on_sa(key) := f if {
	findings := rule.deny with input as irsalint.resolve(sa_only({key: role}))
	count(findings) == 1
	some f in findings
	f.ref == "sa-api"
	f.at == ["metadata", "annotations", key]
	f.severity == "high"
	contains(f.message, sprintf("ServiceAccount prod/api has %q: the webhook matches only the exact key \"eks.amazonaws.com/role-arn\"", [key]))
	contains(f.message, `Rename the key to "eks.amazonaws.com/role-arn".`)
}

test_near_miss_keys_on_sa_fire if {
	misspelled_on_sa("eks.amazonaws.com/role_arn")
	misspelled_on_sa("eks.amazonaws.com/roleArn")
	misspelled_on_sa("eks.amazonaws.com/rolearn")
	misspelled_on_sa("eks.amazonaws.com/Role-Arn")
	misspelled_on_sa("EKS.AMAZONAWS.COM/ROLE-ARN")
	misspelled_on_sa("eks.amazon.com/role-arn")
	misspelled_on_sa("amazonaws.com/role-arn")
	misspelled_on_sa("eks.amazonaws.com/role-arn ")
	misspelled_on_sa(" eks.amazonaws.com/role-arn")
	misspelled_on_sa("eks.amazonaws.com.role-arn")
	misspelled_on_sa("eks.amazonaws.com/role")
	misspelled_on_sa("eks.amazonaws.com/iam-role-arn")
}

test_unrelated_keys_are_not_near_misses if {
	count(rule.deny) == 0 with input as irsalint.resolve(sa_only({
		"iam.amazonaws.com/role": role,
		"iam.gke.io/gcp-service-account": "x@p.iam.gserviceaccount.com",
		"azure.workload.identity/client-id": "abc",
		"example.com/role-arn": role,
		"role-arn": role,
		"eks.amazonaws.com/roles": role,
		"eks.amazonaws.com/pod-identity": "enabled",
	}))
}

test_webhook_test_harness_keys_are_not_near_misses if {
	keys := {
		"testing.eks.amazonaws.com/serviceAccount/roleArn": role,
		"testing.eks.amazonaws.com/serviceAccount/audience": "sts.amazonaws.com",
		"testing.eks.amazonaws.com/serviceAccount/sts-regional-endpoints": "true",
		"testing.eks.amazonaws.com/serviceAccount/token-expiration": "3600",
		"testing.eks.amazonaws.com/containercredentials/audience": "pods.eks.amazonaws.com",
		"testing.eks.amazonaws.com/skip-containers": "sidecar",
		"testing.eks.amazonaws.com/role-arn": role,
	}
	count(rule.deny) == 0 with input as irsalint.resolve(sa_only(keys))
	count(rule.deny) == 0 with input as irsalint.resolve(with_sa(deployment({}, keys, "api"), {}))
}

test_eks_labels_are_not_near_misses if {
	count(rule.deny) == 0 with input as irsalint.resolve(sa_only({
		"eks.amazonaws.com/compute-type": "fargate",
		"eks.amazonaws.com/fargate-profile": "default",
		"eks.amazonaws.com/nodegroup": "ng-1",
		"eks.amazonaws.com/nodegroup-image": "ami-0123456789abcdef0",
		"eks.amazonaws.com/capacityType": "SPOT",
	}))
}

test_near_miss_names_the_key_it_resembles if {
	some f in rule.deny with input as irsalint.resolve(sa_only({"eks.amazon.com/audience": "x"}))
	contains(f.message, `the webhook matches only the exact key "eks.amazonaws.com/audience"`)
}

test_near_miss_of_other_keys_is_graded if {
	findings := rule.deny with input as irsalint.resolve(sa_only({
		"eks.amazonaws.com/role-arn": role,
		"eks.amazonaws.com/Audience": "x",
		"eks.amazonaws.com/sts_regional_endpoints": "true",
		"eks.amazonaws.com/tokenExpiration": "3600",
	}))
	{[f.at[2], f.severity] | some f in findings} == {
		["eks.amazonaws.com/Audience", "medium"],
		["eks.amazonaws.com/sts_regional_endpoints", "low"],
		["eks.amazonaws.com/tokenExpiration", "low"],
	}
}

test_misspelled_duplicate_of_exact_key_is_quiet if {
	count(rule.deny) == 0 with input as irsalint.resolve(sa_only({"eks.amazonaws.com/role-arn": role, "eks.amazonaws.com/roleArn": role}))
}

test_misspelled_key_differing_from_exact_key_fires if {
	count(rule.deny) == 1 with input as irsalint.resolve(sa_only({"eks.amazonaws.com/role-arn": role, "eks.amazonaws.com/roleArn": "arn:aws:iam::111122223333:role/b"}))
}

test_near_miss_on_template_is_misspelled_and_misplaced if {
	findings := rule.deny with input as irsalint.resolve(with_sa(deployment({}, {"eks.amazonaws.com/roleArn": role}, "api"), {}))
	count(findings) == 1
	some f in findings
	f.at == ["spec", "template", "metadata", "annotations", "eks.amazonaws.com/roleArn"]
	contains(f.message, `matches only the exact key "eks.amazonaws.com/role-arn", and reads it only from the ServiceAccount`)
	contains(f.message, `Set "eks.amazonaws.com/role-arn" on ServiceAccount prod/api instead.`)
}

test_skip_containers_on_sa_fires_medium if {
	findings := rule.deny with input as irsalint.resolve(sa_only({"eks.amazonaws.com/role-arn": role, "eks.amazonaws.com/skip-containers": "sidecar"}))
	count(findings) == 1
	some f in findings
	f.at == ["metadata", "annotations", "eks.amazonaws.com/skip-containers"]
	f.severity == "medium"
	contains(f.message, "reads this key only from the pod")
	contains(f.message, "containers meant to be skipped still get the role's credentials")
	contains(f.message, "Move it to the pod template annotations")
}

test_misspelled_skip_containers_on_sa_is_both if {
	some f in rule.deny with input as irsalint.resolve(sa_only({"eks.amazonaws.com/skip_containers": "sidecar"}))
	contains(f.message, `matches only the exact key "eks.amazonaws.com/skip-containers", and reads it only from the pod`)
}

test_misspelled_pod_key_on_template_says_rename if {
	findings := rule.deny with input as irsalint.resolve(with_sa(deployment({}, {"eks.amazonaws.com/skip_containers": "sidecar"}, "api"), {}))
	count(findings) == 1
	some f in findings
	f.severity == "medium"
	f.at == ["spec", "template", "metadata", "annotations", "eks.amazonaws.com/skip_containers"]
	contains(f.message, `Rename the key to "eks.amazonaws.com/skip-containers".`)
}

test_pod_level_key_on_workload_metadata_fires if {
	findings := rule.deny with input as irsalint.resolve(with_sa(deployment({"eks.amazonaws.com/token-expiration": "3600"}, {}, "api"), {"eks.amazonaws.com/role-arn": role}))
	count(findings) == 1
	some f in findings
	f.at == ["metadata", "annotations", "eks.amazonaws.com/token-expiration"]
	f.severity == "low"
	contains(f.message, "reads this key only from the pod")
	contains(f.message, `Move it to the pod template's annotations as "eks.amazonaws.com/token-expiration".`)
}

test_cronjob_template_path_is_used if {
	w := object.union(deployment({}, {"eks.amazonaws.com/role-arn": role}, "api"), {
		"kind": "CronJob",
		"template": {"labels": {}, "annotations": {"eks.amazonaws.com/role-arn": role}, "at": ["spec", "jobTemplate", "spec", "template", "metadata"]},
	})
	some f in rule.deny with input as irsalint.resolve(with_sa(w, {}))
	f.at == ["spec", "jobTemplate", "spec", "template", "metadata", "annotations", "eks.amazonaws.com/role-arn"]
}

test_unknown_sa_still_fires_without_naming_its_role if {
	w := deployment({}, {"eks.amazonaws.com/role-arn": role}, "elsewhere")
	some f in rule.deny with input as irsalint.resolve({"serviceAccounts": {}, "workloads": [w]})
	contains(f.message, "the pods get no IRSA role")
	contains(f.message, "on ServiceAccount prod/elsewhere instead")
}
