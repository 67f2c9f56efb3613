# METADATA
# title: Object declared twice with different content
# description: |
#   The same object — a Kubernetes object of one kind, namespace and name, an
#   IAM role of one ARN, a Pod Identity association of one ServiceAccount — is
#   declared in more than one place, and the declarations differ in what
#   irsalint reads (annotations, labels, the pod template, the trust policy,
#   the associated role). The cluster keeps whichever is applied last, and an
#   account export taken at another time describes another state: a review
#   of one declaration says nothing about what runs. irsalint analyses every
#   declaration and, where one object is joined to another (a workload to its
#   ServiceAccount, a ServiceAccount to its role), uses the first in file
#   order, whatever order the paths were given in.
#
#   Two declarations in one folder are reported at both places (medium).
#   Two reads of a cluster (kubectl get output, which carries metadata.uid or
#   resourceVersion) are the cluster at two times, not two manifests to
#   apply; they, declarations in different folders, and three or more are
#   variants kept on purpose — one folder per environment or cluster, examples, test
#   fixtures, Kustomize bases and overlays read as plain files — so they get
#   one info finding, at the first declaration in file order, with the
#   others as related locations: worth knowing (each variant is linted on
#   its own terms), never a failed gate.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
#     description: Kubernetes — object names are unique per kind and namespace
#   - ref: https://kubernetes.io/docs/tasks/manage-kubernetes-objects/declarative-config/
#     description: Kubernetes — declarative management, where the last applied configuration wins
# custom:
#   needs: [duplicates]
#   severity: medium
#   precision: high
#   remediation: |
#     Keep one declaration of each object: delete the stale copy, or give the
#     objects different names. For IAM, lint one export of the account.
package irsalint.rules.input["conflicting-duplicate"]

import data.irsalint.lib.result

deny contains result.with_related(result.finding(decl, decl.at, message), related) if {
	some d in input.duplicates
	not variants(d)
	some i, decl in d.declarations
	message := sprintf("%s is declared %d times with different content: %s", [d.object, count(d.declarations), consequence(d.kind)])
	related := [result.related(other, other.at, "another declaration") | some j, other in d.declarations; j != i]
}

deny contains result.with_related(result.graded(first, first.at, message, "info"), related) if {
	some d in input.duplicates
	variants(d)
	ordered := sort([decl.ref | some decl in d.declarations])
	first := [decl | some decl in d.declarations; decl.ref == ordered[0]][0]
	message := sprintf("%s is declared %d times with different content%s", [d.object, count(d.declarations), variants_note(d)])
	related := [result.related(other, other.at, "another declaration") |
		some ref in array.slice(ordered, 1, 6)
		some other in d.declarations
		other.ref == ref
	]
}

# variants: declarations kept on purpose, three or more, or in several
# folders (one per environment or cluster).
variants(d) if count(d.declarations) > 2

variants(d) if every decl in d.declarations {
	decl.observed
}

variants(d) if {
	count(d.declarations) == 2
	folder(d.declarations[0].file) != folder(d.declarations[1].file)
}

variants_note(d) := ", all read back from a cluster (they carry metadata.uid or resourceVersion): the cluster at different times, or different clusters. Lint one read of each cluster." if {
	every decl in d.declarations {
		decl.observed
	}
} else := sprintf(" in %d folders (%s), which usually hold different environments or clusters. Each is linted as written, with this run's cluster context: lint each folder with its own (an .irsalint.yaml beside it, or --oidc-issuer) to judge it against its cluster.", [count(folders), concat(", ", sort(folders))]) if {
	folders := {folder(decl.file) | some decl in d.declarations}
	count(folders) > 1
} else := sprintf(", variants such as examples, test fixtures or Kustomize overlays read as plain files: %s. Each is linted as written; render overlays (kustomize build) to lint what is applied.", [consequence(d.kind)])

# folder is the folder part of a file as reports name it ("." for none).
folder(file) := concat("/", array.slice(parts, 0, count(parts) - 1)) if {
	parts := split(file, "/")
	count(parts) > 1
} else := "."

consequence("Role") := "these IAM exports disagree, so at most one of them is the role the account holds now"

consequence("PodIdentityAssociation") := "EKS holds one association per ServiceAccount, so at most one of these is real"

consequence(kind) := "the cluster keeps whichever is applied last, which may not be the one reviewed" if {
	not kind in {"Role", "PodIdentityAssociation"}
}
