# METADATA
# title: Nodes and their instance metadata
# description: |
#   What the audit read about a cluster's nodes: managed node groups, the
#   launch template version each names, and whether pods on those nodes can
#   reach the instance metadata service (IMDS), and with it the node role.
#   With HttpTokens optional, IMDSv1 answers tokenless requests from any
#   container whatever the hop limit; with IMDSv2 required, a token PUT from
#   the pod network needs a hop limit of at least 2 (one hop for the
#   container's network namespace). An endpoint that is disabled answers no
#   one.
package irsalint.lib.node

# launch_template is the launch template version a node group names, when
# the audit read it ("$Default" and "$Latest" resolve to what was read).
launch_template(ng) := input.launchTemplates[concat(":", [ng.launchTemplate.id, v])] if {
	v := ng.launchTemplate.version
	is_string(v)
	not v in {"$Default", "$Latest"}
}

launch_template(ng) := tmpl if {
	ng.launchTemplate.version in {"$Default", null}
	some tmpl in input.launchTemplates
	tmpl.id == ng.launchTemplate.id
	tmpl.defaultVersion
}

launch_template(ng) := tmpl if {
	ng.launchTemplate.version == "$Latest"
	versions := [to_number(t.version) | some t in input.launchTemplates; t.id == ng.launchTemplate.id]
	some tmpl in input.launchTemplates
	tmpl.id == ng.launchTemplate.id
	to_number(tmpl.version) == max(versions)
}

# reach says how pods on a node group reach IMDS: "imdsv1" (tokens
# optional), "imdsv2" (hop limit 2 or more), undefined when they cannot or
# the launch template was not read.
reach(ng) := why if {
	md := launch_template(ng).metadataOptions
	md.httpEndpoint != "disabled"
	why := reach_by(md)
}

reach_by(md) := "imdsv1" if {
	md.httpTokens == "optional"
} else := "imdsv2" if {
	md.httpTokens == "required"
	is_number(md.httpPutResponseHopLimit)
	md.httpPutResponseHopLimit >= 2
}

# reachable are the node groups (by key) whose pods can reach IMDS.
reachable := {key: why |
	some key, ng in input.nodegroups
	why := reach(ng)
}

# in_cluster: the node group belongs to the cluster of the context (every
# node group read, when the context names no cluster).
in_cluster(_) if not is_string(input.cluster.name)

in_cluster(ng) if ng.clusterName == input.cluster.name

# cluster_reachable lists, sorted, the node groups of this cluster whose
# pods can reach IMDS.
cluster_reachable := sort([ng.name |
	some key, _ in reachable
	ng := input.nodegroups[key]
	in_cluster(ng)
])
