package report

import "github.com/irsalint/irsalint/analyzer"

// fixture is one Report that exercises every reporter: four rules, one of
// each default severity (the low one does not fire), findings of all four
// severities (one graded below its rule's default),
// a finding with two related locations, a path with a space, an absolute path
// outside the working directory, a finding without a column, two findings
// with the same fingerprint, an error and a notice diagnostic.
func fixture() *Report {
	return &Report{
		Tool: Tool{Name: "irsalint", Version: "v0.4.0", InformationURI: "https://github.com/irsalint/irsalint"},
		Rules: []analyzer.Rule{
			{
				ID:          "node-role-fallback",
				Group:       "workload",
				Title:       "Pod falls back to the node role",
				Description: "The pod's service account has no IAM role, so AWS SDKs in the pod use the node group's instance role and every pod on the node shares its permissions.",
				Severity:    analyzer.SeverityMedium,
				Remediation: "Give the workload its own service account annotated with eks.amazonaws.com/role-arn, and block IMDS access from pods (hop limit 1).",
				References: []analyzer.Reference{
					{URL: "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html", Description: "IAM roles for service accounts"},
				},
				HelpURI: "https://irsalint.dev/rules/node-role-fallback",
			},
			{
				ID:          "pod-identity-association-orphaned",
				Group:       "pod-identity",
				Title:       "Pod Identity association names a missing service account",
				Description: "An EKS Pod Identity association names a service account that no manifest defines.",
				Severity:    analyzer.SeverityLow,
				Remediation: "Delete the association or create the service account.",
			},
			{
				ID:          "role-arn-invalid",
				Group:       "serviceaccount",
				Title:       "Role ARN annotation does not match the trust policy",
				Description: "The service account's eks.amazonaws.com/role-arn names a role whose trust policy does not admit this service account, so every AWS call from its pods fails with AccessDenied.",
				Severity:    analyzer.SeverityHigh,
				Remediation: "Add the service account's subject (system:serviceaccount:<namespace>:<name>) to the role's trust policy condition, or annotate the role the trust policy was written for.",
				References: []analyzer.Reference{
					{URL: "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html", Description: "Assign IAM roles to Kubernetes service accounts"},
					{URL: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"},
				},
				HelpURI: "https://irsalint.dev/rules/role-arn-invalid",
			},
			{
				ID:          "trust-policy-wildcard-subject",
				Group:       "trust-policy",
				Title:       "Trust policy admits every service account",
				Description: "The role's trust policy matches the OIDC subject with a wildcard, so any service account in the cluster (in any namespace) can assume the role.",
				Severity:    analyzer.SeverityCritical,
				Remediation: "Use StringEquals on <issuer>:sub with the exact system:serviceaccount:<namespace>:<name>, and check <issuer>:aud is sts.amazonaws.com.",
			},
		},
		Findings: []analyzer.Finding{
			{
				Rule:        "trust-policy-wildcard-subject",
				Severity:    analyzer.SeverityCritical,
				Message:     `Role arn:aws:iam::111122223333:role/shared trusts every service account: StringLike on "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:sub" is "system:serviceaccount:*:*".`,
				Object:      "IAMRole arn:aws:iam::111122223333:role/shared",
				Location:    analyzer.Location{File: "/opt/shared/iam/trust.json", Line: 14, Column: 11},
				Path:        []any{"AssumeRolePolicyDocument", "Statement", 0, "Condition"},
				Fingerprint: "9c2f6e1a4b7d3c08",
			},
			{
				Rule:        "node-role-fallback",
				Severity:    analyzer.SeverityMedium,
				Message:     "Deployment prod/web runs as service account prod/default, which has no IAM role: its pods use the node role.",
				Object:      "Deployment prod/web",
				Location:    analyzer.Location{File: "deploy/app.yaml", Line: 10, Column: 7},
				Fingerprint: "51d0a7c3e9b2f486",
			},
			{
				Rule:        "node-role-fallback",
				Severity:    analyzer.SeverityMedium,
				Message:     "Deployment prod/web runs as service account prod/default, which has no IAM role: its pods use the node role.",
				Object:      "Deployment prod/web",
				Location:    analyzer.Location{File: "deploy/app.yaml", Line: 42, Column: 7},
				Fingerprint: "51d0a7c3e9b2f486",
			},
			{
				Rule:     "role-arn-invalid",
				Severity: analyzer.SeverityHigh,
				Message:  "ServiceAccount prod/api: role arn:aws:iam::111122223333:role/api does not trust system:serviceaccount:prod:api.",
				Object:   "ServiceAccount prod/api",
				Location: analyzer.Location{File: "deploy/my app/sa.yaml", Line: 7, Column: 5},
				Related: []analyzer.Related{
					{
						Location: analyzer.Location{File: "iam/trust.json", Line: 12, Column: 11},
						Object:   "IAMRole arn:aws:iam::111122223333:role/api",
						Message:  `the trust policy admits only "system:serviceaccount:prod:api-v1"`,
					},
					{
						Location: analyzer.Location{File: "deploy/app.yaml", Line: 31, Column: 7},
						Object:   "Deployment prod/api",
					},
				},
				Path:        []any{"metadata", "annotations", "eks.amazonaws.com/role-arn"},
				Fingerprint: "e07b35c19a4d2f6b",
			},
			{
				// Graded: the rule's default is medium, a CronJob in a dev
				// namespace is low.
				Rule:        "node-role-fallback",
				Severity:    analyzer.SeverityLow,
				Message:     "CronJob dev/cleanup runs as service account dev/default, which has no IAM role: its pods use the node role.",
				Object:      "CronJob dev/cleanup",
				Location:    analyzer.Location{File: "jobs/cleanup.yaml", Line: 12},
				Fingerprint: "0a8e4f2c6d1b9357",
			},
		},
		Diagnostics: []analyzer.Diagnostic{
			{Level: analyzer.LevelNotice, Location: analyzer.Location{File: "charts/api"}, Message: "Helm chart skipped: render it with helm template and lint the output"},
			{Level: analyzer.LevelError, Location: analyzer.Location{File: "deploy/broken.yaml", Line: 3, Column: 9}, Message: "cannot parse YAML: mapping values are not allowed in this context"},
		},
		Stats: Stats{
			Files:     7,
			Documents: 16,
			Objects:   map[string]int{"ServiceAccount": 4, "Deployment": 3, "CronJob": 1, "IAMRole": 2},
			Ignored:   5,
		},
		WorkingDir: "/home/runner/work/app/app",
		FailOn:     analyzer.SeverityHigh,
		Category:   "irsalint/manifests",
	}
}

// emptyFixture has rules but no findings and no diagnostics, and no working
// directory.
func emptyFixture() *Report {
	r := fixture()
	r.Findings = nil
	r.Diagnostics = nil
	r.Stats = Stats{Files: 1, Documents: 1, Objects: map[string]int{"ServiceAccount": 1}}
	r.WorkingDir = ""
	r.FailOn = 0
	r.Category = ""
	return r
}
