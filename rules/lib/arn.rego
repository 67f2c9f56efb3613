# METADATA
# title: ARN helpers
# description: Parsing and checking IAM role ARNs as IAM and STS accept them.
package irsalint.lib.arn

# Partitions AWS has published (the webhook's partition map, plus aws-iso-e/-f).
partitions := {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}

# A role ARN: arn:<partition>:iam::<12 digits>:role<path><name>. IAM paths are
# "/" or "/x/.../" of printable ASCII; names are 1-64 of [\w+=,.@-].
role_pattern := `^arn:([a-z0-9-]+):iam::([0-9]{12}):role(/|/[!-~]+/)([A-Za-z0-9_+=,.@-]{1,64})$`

# parse_role splits a valid role ARN; undefined when s is not one.
parse_role(s) := {"partition": m[1], "account": m[2], "path": m[3], "name": m[4], "arn": s} if {
	is_string(s)
	m := regex.find_all_string_submatch_n(role_pattern, s, 1)[0]
	partitions[m[1]]
	count(m[3]) <= 512
}

# templated is true for values a template engine or a person has not filled
# in yet: Helm/Go templates ({{ }}), shell/envsubst/Terraform (${VAR}),
# Kustomize vars ($(VAR)).
templated(s) if contains(s, "{{")

templated(s) if regex.match(`\$\{[^}]*\}`, s)

templated(s) if regex.match(`\$\([A-Za-z_][A-Za-z0-9_]*\)`, s)

# Documentation placeholders: <ACCOUNT_ID>, an account of twelve x, or the
# account spelled as an upper-case name (ACCOUNT_ID). The same patterns make
# the Kubernetes reader give its notice.
templated(s) if regex.match(`<[A-Za-z][A-Za-z0-9_ -]*>`, s)

templated(s) if regex.match(`^arn:[a-z-]*:iam::([xX]{12}|[A-Z][A-Z_]*[A-Z]):`, s)
