package iam

import "regexp"

// placeholderRE matches text a template engine or a person has not filled
// in yet: Helm and Go templates ({{ }}), shell, envsubst, Terraform and
// CloudFormation Fn::Sub (${NAME}, $NAME), Kustomize vars ($(NAME)), and the
// placeholders of documentation (<ACCOUNT_ID>).
var placeholderRE = regexp.MustCompile(`\{\{|\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|<[A-Za-z][A-Za-z0-9_ -]*>`)

// policyVariableRE matches IAM's own policy variables, which are written
// like a placeholder but are part of the policy language: ${aws:username},
// ${www.amazon.com:user_id}, ${aws:PrincipalTag/team, 'none'}, and the
// escapes ${*}, ${?} and ${$}.
var policyVariableRE = regexp.MustCompile(`^\$\{([A-Za-z0-9.-]+:[A-Za-z0-9_./:-]+(\s*,\s*'[^']*')?|[*?$])\}$`)

// accountPlaceholderRE matches an ARN whose account is spelled out as a
// placeholder: twelve x, or ACCOUNT_ID in capitals.
var accountPlaceholderRE = regexp.MustCompile(`^arn:[a-z-]*:iam::([xX]{12}|[A-Z][A-Z_]*[A-Z]):`)

// placeholder returns the first unrendered placeholder in s.
func placeholder(s string) (string, bool) {
	for _, m := range placeholderRE.FindAllString(s, -1) {
		if !policyVariableRE.MatchString(m) {
			return m, true
		}
	}
	if m := accountPlaceholderRE.FindStringSubmatch(s); m != nil {
		return m[1], true
	}
	return "", false
}
