# METADATA
# title: Finding constructors
# description: |
#   Every rule emits findings of the same shape: the ref of the object the
#   finding is about, the path of the offending field relative to that object
#   ("at"), a message, and optionally a severity (for graded rules) and related
#   locations. Go turns ref and at into file:line:col.
package irsalint.lib.result

# finding is a finding at path at of object obj.
finding(obj, at, message) := {"ref": obj.ref, "at": at, "message": message}

# graded is a finding whose severity differs from the rule's default.
graded(obj, at, message, severity) := {"ref": obj.ref, "at": at, "message": message, "severity": severity}

# related is a secondary location for a finding's "related" list.
related(obj, at, message) := {"ref": obj.ref, "at": at, "message": message}

# with_related adds related locations to a finding.
with_related(f, rel) := object.union(f, {"related": rel})

# listing joins names for a message, naming at most n and counting the rest.
listing(names, n) := concat(", ", names) if {
	count(names) <= n
} else := sprintf("%s and %d more", [concat(", ", array.slice(names, 0, n)), count(names) - n])

# plural is the "s" a noun takes for n things: "1 workload", "2 workloads".
plural(1) := ""

plural(n) := "s" if n != 1

# verb_s is the "s" a verb takes for n subjects: "1 workload runs", "2 run".
verb_s(1) := "s"

verb_s(n) := "" if n != 1
