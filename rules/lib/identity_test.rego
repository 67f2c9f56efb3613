package irsalint.lib.identity_test

import data.irsalint.lib.identity

role := "arn:aws:iam::111122223333:role/api"

manual_role := "arn:aws:iam::111122223333:role/manual"

token_file := "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"

service_account(annotations) := {"prod/api": {
	"ref": "sa.yaml#0", "kind": "ServiceAccount", "namespace": "prod", "name": "api",
	"key": "prod/api", "declared": true, "annotations": annotations, "at": [],
}}

irsa := service_account({"eks.amazonaws.com/role-arn": role})

no_role := service_account({})

container(name, env) := {
	"name": name, "type": "container", "at": ["spec", "template", "spec", "containers", 0],
	"env": [{"name": k, "value": v, "at": ["x"]} | some [k, v] in env],
}

app(env) := container("app", env)

# workload(containers, labels, annotations) is a Deployment prod/api running
# as ServiceAccount prod/api, with the given pod-template metadata.
workload(containers, labels, annotations) := {
	"ref": "deploy.yaml#1", "kind": "Deployment", "namespace": "prod", "name": "api",
	"template": {"labels": labels, "annotations": annotations, "at": ["spec", "template", "metadata"]},
	"serviceAccount": {"name": "api", "key": "prod/api", "source": "serviceAccountName", "at": ["spec", "template", "spec", "serviceAccountName"]},
	"podSpec": {"at": ["spec", "template", "spec"]},
	"containers": containers,
}

inv(w, sas) := inv_with(w, sas, {}, [])

inv_with(w, sas, associations, fargate) := irsalint.resolve({
	"cluster": {"kubernetesVersion": null, "fargateProfiles": [{"name": "fp", "selectors": fargate}]},
	"facts": {"podIdentityAssociations": count(associations) > 0},
	"podIdentityAssociations": associations,
	"serviceAccounts": sas,
	"workloads": [w],
})

association := {"prod/api": {"namespace": "prod", "serviceAccount": "api", "roleArn": "arn:aws:iam::111122223333:role/pod-identity"}}

# w0 is the only workload of an input, with the facts irsalint resolves.
w0(i) := i.workloads[0]

# mechanisms lists [container, mechanism] pairs of the only workload.
mechanisms := [[i.container, i.mechanism] | some i in identity.by_workload["deploy.yaml#1"]]

static_keys := [["AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"], ["AWS_SECRET_ACCESS_KEY", "secret"]]

manual_both := [["AWS_ROLE_ARN", manual_role], ["AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/tokens/token"]]

# --- chain order -------------------------------------------------------------

test_static_keys_come_first if {
	w := workload([app(static_keys)], {}, {})
	mechanisms == [["app", "static-keys"]] with input as inv(w, irsa)
	mechanisms == [["app", "static-keys"]] with input as inv_with(w, irsa, association, [])
	mechanisms == [["app", "static-keys"]] with input as inv(w, {})
}

# The SDK env provider needs both the key ID and the secret.
test_key_id_alone_is_not_static_keys if {
	w := workload([app([["AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"]])], {}, {})
	mechanisms == [["app", "web-identity"]] with input as inv(w, irsa)
}

test_injected_web_identity_carries_the_service_account_role if {
	w := workload([app([])], {}, {})
	identity.by_workload == {"deploy.yaml#1": [{"container": "app", "mechanism": "web-identity", "roleArn": role}]} with input as inv(w, irsa)
	identity.irsa_role(w0(inv(w, irsa))) == role
	identity.injected(w0(inv(w, irsa)).containers[0]) == "web-identity"
}

test_manual_web_identity_needs_both_variables if {
	both := workload([app(manual_both)], {}, {})
	identity.by_workload["deploy.yaml#1"] == [{"container": "app", "mechanism": "web-identity", "roleArn": manual_role}] with input as inv(both, no_role)

	role_only := workload([app([["AWS_ROLE_ARN", manual_role]])], {}, {})
	mechanisms == [["app", "node-role"]] with input as inv(role_only, no_role)
}

# Either variable set by hand suppresses injection of both.
test_either_variable_suppresses_injection if {
	role_only := app([["AWS_ROLE_ARN", manual_role]])
	role_only_inv := inv(workload([role_only], {}, {}), irsa)
	not identity.injected(w0(role_only_inv).containers[0])
	mechanisms == [["app", "node-role"]] with input as inv(workload([role_only], {}, {}), irsa)

	# A token file without a role: the Go SDK fails rather than moving on.
	file_only := app([["AWS_WEB_IDENTITY_TOKEN_FILE", token_file]])
	file_only_inv := inv(workload([file_only], {}, {}), irsa)
	not identity.injected(w0(file_only_inv).containers[0])
	mechanisms == [["app", "web-identity-incomplete"]] with input as inv(workload([file_only], {}, {}), irsa)
}

# Both variables by hand with an annotated ServiceAccount: the container's own
# role is the one used, not the annotation's.
test_manual_variables_win_over_the_annotation if {
	w := workload([app(manual_both)], {}, {})
	identity.by_workload["deploy.yaml#1"] == [{"container": "app", "mechanism": "web-identity", "roleArn": manual_role}] with input as inv(w, irsa)
}

# A Pod Identity association wins over the IRSA annotation.
test_pod_identity_beats_irsa if {
	w := workload([app([])], {}, {})
	identity.by_workload["deploy.yaml#1"] == [{"container": "app", "mechanism": "pod-identity"}] with input as inv_with(w, irsa, association, [])
	not identity.irsa_role(w0(inv_with(w, irsa, association, [])))
	mechanisms == [["app", "pod-identity"]] with input as inv_with(w, no_role, association, [])
}

# Web identity comes before the container provider in the SDK chain.
test_manual_web_identity_beats_pod_identity if {
	w := workload([app(manual_both)], {}, {})
	mechanisms == [["app", "web-identity"]] with input as inv_with(w, irsa, association, [])
}

test_container_credentials_set_by_hand if {
	full := workload([app([["AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials"]])], {}, {})
	mechanisms == [["app", "container-credentials"]] with input as inv(full, no_role)
	relative := workload([app([["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x"]])], {}, {})
	mechanisms == [["app", "container-credentials"]] with input as inv(relative, no_role)

	# A token file without a URI gives the provider nothing to call.
	token_only := workload([app([["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/t"]])], {}, {})
	mechanisms == [["app", "node-role"]] with input as inv(token_only, no_role)

	# Injected web identity comes earlier in the chain.
	mechanisms == [["app", "web-identity"]] with input as inv(full, irsa)
}

test_service_account_outside_the_scan_is_unknown if {
	w := workload([app([]), container("keys", static_keys), container("manual", manual_both)], {}, {})
	mechanisms == [["app", "unknown"], ["keys", "static-keys"], ["manual", "web-identity"]] with input as inv(w, {})
}

# Fargate has no IMDS, so there is no node role to fall back to.
test_fargate_has_no_node_role if {
	w := workload([app([])], {"app": "api", "tier": "web"}, {})
	selects := [{"namespace": "prod", "labels": {"app": "api"}}]
	mechanisms == [["app", "none"]] with input as inv_with(w, no_role, {}, selects)
	identity.on_fargate(w0(inv_with(w, no_role, {}, selects)))

	# A profile without labels selects the whole namespace.
	mechanisms == [["app", "none"]] with input as inv_with(w, no_role, {}, [{"namespace": "prod"}])

	# IRSA still works on Fargate.
	mechanisms == [["app", "web-identity"]] with input as inv_with(w, irsa, {}, selects)
}

test_fargate_profile_must_select_the_pod if {
	w := workload([app([])], {"app": "api"}, {})
	other_labels := [{"namespace": "prod", "labels": {"app": "api", "tier": "batch"}}]
	mechanisms == [["app", "node-role"]] with input as inv_with(w, no_role, {}, other_labels)
	other_namespace := [{"namespace": "staging", "labels": {"app": "api"}}]
	mechanisms == [["app", "node-role"]] with input as inv_with(w, no_role, {}, other_namespace)
	not identity.on_fargate(w0(inv_with(w, no_role, {}, other_namespace)))
}

test_node_role_is_the_fallback if {
	w := workload([app([["AWS_REGION", "eu-west-1"]])], {}, {})
	identity.by_workload == {"deploy.yaml#1": [{"container": "app", "mechanism": "node-role"}]} with input as inv(w, no_role)
	identity.uses_node_role(w0(inv(w, no_role)))
	not identity.uses_node_role(w0(inv(w, irsa)))
}

# --- webhook opt-outs --------------------------------------------------------

# The label's presence skips the webhook, whatever its value.
test_skip_label_with_any_value_opts_out if {
	every value in ["true", "false", ""] {
		w := workload([app([])], {"eks.amazonaws.com/skip-pod-identity-webhook": value}, {})
		identity.webhook_opted_out(w0(inv(w, irsa)))
		mechanisms == [["app", "node-role"]] with input as inv(w, irsa)
		mechanisms == [["app", "node-role"]] with input as inv_with(w, irsa, association, [])
	}
}

test_skip_label_elsewhere_does_not_opt_out if {
	w := object.union(workload([app([])], {}, {"eks.amazonaws.com/skip-pod-identity-webhook": "true"}), {"labels": {"eks.amazonaws.com/skip-pod-identity-webhook": "true"}})
	not identity.webhook_opted_out(w0(inv(w, irsa)))
	mechanisms == [["app", "web-identity"]] with input as inv(w, irsa)
}

skip(value) := {"eks.amazonaws.com/skip-containers": value}

# The CSV reader keeps the space after the comma, so
# " app" does not name "app".
test_skip_containers_keeps_leading_spaces if {
	w := workload([container("sidecar", []), app([])], {}, skip("sidecar, app"))
	identity.skipped_names(w0(inv(w, irsa))) == {"sidecar", " app"}
	mechanisms == [["sidecar", "node-role"], ["app", "web-identity"]] with input as inv(w, irsa)
}

test_skip_containers_applies_to_pod_identity_and_init_containers if {
	init := object.union(container("init", []), {"type": "initContainer"})
	w := workload([init, app([])], {}, skip("init"))
	mechanisms == [["init", "node-role"], ["app", "pod-identity"]] with input as inv_with(w, irsa, association, [])
}

test_skip_containers_reads_quoted_fields if {
	w := workload([container("sidecar", []), app([])], {}, skip(`"sidecar",app`))
	identity.skipped_names(w0(inv(w, irsa))) == {"sidecar", "app"}
	mechanisms == [["sidecar", "node-role"], ["app", "node-role"]] with input as inv(w, irsa)
}

# An unbalanced quote is a CSV parse error: nothing is skipped.
test_skip_containers_with_a_stray_quote_skips_nothing if {
	every value in [`"a,"b`, `app"`, `"app`, `sidecar,a"pp`] {
		w := workload([container("a", []), app([])], {}, skip(value))
		count(identity.skipped_names(w0(inv(w, irsa)))) == 0
		mechanisms == [["a", "web-identity"], ["app", "web-identity"]] with input as inv(w, irsa)
	}
}

# encoding/csv reads `"x,app",sidecar` as the two fields "x,app" and
# "sidecar", so the webhook does not skip "app".
test_skip_containers_keeps_commas_inside_quotes if {
	w := workload([container("sidecar", []), app([])], {}, skip(`"x,app",sidecar`))
	identity.skipped_names(w0(inv(w, irsa))) == {"x,app", "sidecar"}
}

# --- by_workload -------------------------------------------------------------

# by_workload keys by ref and lists containers in w.containers order
# (containers, init containers, ephemeral containers as the inventory gives).
test_by_workload_keeps_container_order_per_workload if {
	init := object.union(container("migrate", []), {"type": "initContainer"})
	w1 := workload([container("z-app", []), init, container("a-sidecar", static_keys)], {}, {})
	w2 := object.union(workload([container("worker", [])], {}, {}), {"ref": "deploy.yaml#2", "name": "worker"})
	i := irsalint.resolve(object.union(inv(w1, irsa), {"workloads": [w1, w2]}))
	result := identity.by_workload with input as i
	result == {
		"deploy.yaml#1": [
			{"container": "z-app", "mechanism": "web-identity", "roleArn": role},
			{"container": "migrate", "mechanism": "web-identity", "roleArn": role},
			{"container": "a-sidecar", "mechanism": "static-keys"},
		],
		"deploy.yaml#2": [{"container": "worker", "mechanism": "web-identity", "roleArn": role}],
	}
}

# The webhook mutates pods on CREATE only; ephemeral containers are added
# later through the ephemeralcontainers subresource, so they never get the
# injected variables or mount. injected() treats them like any container and
# reports "web-identity". Skipped until the library excludes them.
test_ephemeral_containers_are_not_injected if {
	debug := object.union(container("debug", []), {"type": "ephemeralContainer"})
	w := workload([app([]), debug], {}, {})
	mechanisms == [["app", "web-identity"], ["debug", "node-role"]] with input as inv(w, irsa)
}
