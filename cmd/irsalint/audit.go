package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/spf13/cobra"
	"time"

	"github.com/spf13/pflag"

	"github.com/irsalint/irsalint/analyzer/aws"
	"github.com/irsalint/irsalint/analyzer/lint"
	"github.com/irsalint/irsalint/analyzer/snapshot"
)

const auditUsage = `Usage: irsalint audit [flags] [PATH|-]...

Read the live AWS account (IAM roles and OIDC providers, EKS clusters with
their Pod Identity associations, Fargate profiles, node groups and launch
template versions) and the cluster's own objects, read-only, add the files
given, and run the rules on all of it, as lint does on files.

Credentials and endpoints come from the AWS SDK's usual chain: environment,
shared config and --profile, SSO, web identity (IRSA inside a pod), and the
AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, AWS_MAX_ATTEMPTS and
AWS_RETRY_MODE variables. The minimal policy is docs/audit-iam-policy.json.

--snapshot DIR writes what was read as the files lint reads, with an
.irsalint.yaml holding the cluster context and a snapshot.json manifest:
"irsalint lint DIR" then reports the same findings. A call that fails (for
example AccessDenied) is named with the IAM action it needs; the audit goes
on with the rest and exits 2 unless --allow-partial.
`

// auditFlags are the flags only audit has.
type auditFlags struct {
	clusters       []string
	allClusters    bool
	profile        string
	roleARN        string
	externalID     string
	accounts       []string
	org            bool
	assumeRoleName string
	shard          string
	snapshot       string
	allowPartial   bool
	concurrency    int
	noKube         bool
	kubeconfig     string
	kubeContext    string
}

func (f *auditFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.clusters, "cluster", nil, "EKS cluster to read, in --region; repeatable")
	fs.BoolVar(&f.allClusters, "all-clusters", false, "read every EKS cluster of --region")
	fs.StringVar(&f.profile, "profile", "", "AWS shared config profile (default: AWS_PROFILE, else the default chain)")
	fs.StringVar(&f.roleARN, "role-arn", "", "assume this IAM role first")
	fs.StringVar(&f.externalID, "external-id", "", "external ID for the roles assumed")
	fs.StringSliceVar(&f.accounts, "accounts", nil, "audit these account IDs, assuming --assume-role-name in each (comma-separated)")
	fs.BoolVar(&f.org, "org", false, "audit every active account of the AWS Organization (organizations:ListAccounts), assuming --assume-role-name in each")
	fs.StringVar(&f.assumeRoleName, "assume-role-name", "", "the role name assumed in each account of --accounts or --org")
	fs.StringVar(&f.shard, "shard", "", "I/N: audit the I-th (from 0) of N stable shares of the accounts; combine the reports with irsalint merge")
	fs.StringVar(&f.snapshot, "snapshot", "", "write what was read to DIR (new or empty) as files lint reads")
	fs.BoolVar(&f.allowPartial, "allow-partial", false, "a call that failed is a notice, not exit code 2")
	fs.IntVar(&f.concurrency, "concurrency", 4, "clusters read at once")
	fs.BoolVar(&f.noKube, "no-kube", false, "do not read the cluster's objects through its API server")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file (default: KUBECONFIG, ~/.kube/config, or in-cluster)")
	fs.StringVar(&f.kubeContext, "context", "", "kubeconfig context (default: the current one)")
}

func auditCommand(sys system) *cobra.Command {
	return newCommand("audit", auditUsage, sys, func(c *cobra.Command) runFunc {
		fs := c.Flags()
		var (
			in inputFlags
			rf reportFlags
			af auditFlags
		)
		rf.registerOutput(fs)
		af.register(fs)
		in.registerContext(fs)
		in.limits.register(fs)
		rf.registerRules(fs)
		return func(ctx context.Context, args []string) (int, error) {
			if _, _, err := rf.check(); err != nil {
				return 0, err
			}
			shardI, shardN, err := parseShard(af.shard)
			if err != nil {
				return 0, err
			}
			if (len(af.accounts) > 0 || af.org) && af.assumeRoleName == "" {
				return 0, usagef("--accounts and --org need --assume-role-name, the role to assume in each account")
			}
			if len(af.accounts) > 0 && af.org {
				return 0, usagef("give --accounts or --org, not both")
			}
			kube := !af.noKube
			if kube && (af.allClusters || len(af.clusters) != 1 || len(af.accounts) > 0 || af.org) {
				return 0, usagef("reading the cluster's objects needs exactly one --cluster in one account (or --no-kube)")
			}
			if af.concurrency < 1 {
				return 0, usagef("--concurrency must be at least 1")
			}
			opts, err := in.options(nil, sys)
			if err != nil {
				return 0, err
			}
			// The snapshot's own configuration is the only one the lint reads:
			// an audit is not a repository, and lint DIR must see what audit saw.
			opts.NoConfig = false
			opts.ConfigFile = ""
			// --timeout bounds the whole audit: the lint at its end gets what the
			// collection left of it.
			timeout := lint.DefaultTimeout
			if opts.Limits.Timeout != nil {
				timeout = *opts.Limits.Timeout
			}
			var deadline time.Time
			if timeout > 0 {
				deadline = time.Now().Add(timeout)
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, deadline)
				defer cancel()
			}

			dir, display, cleanup, err := snapshotDir(af.snapshot, opts.WorkingDir)
			if err != nil {
				return 0, err
			}
			defer cleanup()

			man := snapshot.Manifest{Snapshot: snapshot.Version, Tool: "irsalint " + version(), Accounts: []snapshot.Account{}, Inputs: []string{}, Failures: []snapshot.Failure{}, AllowPartial: af.allowPartial}
			var files []aws.File

			cfg, err := loadAWS(ctx, af.profile, in.region)
			if err != nil {
				return 0, err
			}
			if af.roleARN != "" {
				cfg = assume(cfg, af.roleARN, af.externalID)
			}
			targets, err := auditTargets(ctx, cfg, af)
			if err != nil {
				return 0, err
			}
			prog := newProgress(sys)
			for i, t := range targets {
				if shardN > 0 && shardOf(t.id, shardN) != shardI {
					continue
				}
				tcfg := cfg
				if t.role != "" {
					tcfg = assume(cfg, t.role, af.externalID)
				}
				res, err := aws.Collect(ctx, tcfg, aws.Options{
					Region: in.region, Clusters: af.clusters, AllClusters: af.allClusters, Concurrency: af.concurrency,
					Progress: prog.aws(i, len(targets)),
				})
				if err != nil {
					if t.id != "" && !errors.Is(err, aws.ErrClusterNotFound) && ctx.Err() == nil {
						// One account of many that cannot be read does not stop
						// the others.
						man.Failures = append(man.Failures, snapshot.Failure{Source: "aws", Account: t.id, Action: actionOf(err), Message: err.Error()})
						continue
					}
					return 0, err
				}
				files = append(files, res.Files...)
				man.Accounts = append(man.Accounts, snapshot.Account{ID: res.Account, Partition: res.Partition, Caller: res.Caller, Region: res.Region,
					Clusters: nonNilStrings(res.Clusters), RegionComplete: res.RegionComplete, Roles: res.Roles, Calls: res.Calls})
				for _, f := range res.Failures {
					man.Failures = append(man.Failures, snapshot.Failure{Source: "aws", Account: f.Account, Region: f.Region, Action: f.Action, Resource: f.Resource, Code: f.Code, Message: f.Message})
				}
			}
			prog.done()

			clusterCfg := clusterSection{}
			if kube {
				kf, kman, kfail, err := collectKube(ctx, af.kubeconfig, af.kubeContext)
				if err != nil {
					return 0, err
				}
				files = append(files, kf...)
				man.Kube = kman
				man.Failures = append(man.Failures, kfail...)
				clusterCfg.objectsComplete = len(kfail) == 0
			}
			inputs, err := copyInputs(args, opts, sys)
			if err != nil {
				return 0, err
			}
			for _, f := range inputs {
				man.Inputs = append(man.Inputs, f.Path)
			}
			files = append(files, inputs...)

			if len(af.clusters) == 1 && len(man.Accounts) == 1 {
				clusterCfg.name = af.clusters[0]
			}
			// A region is complete when every account read lists all its
			// clusters there: the configuration says it for the whole scan.
			complete := map[string]bool{}
			for _, a := range man.Accounts {
				if v, seen := complete[a.Region]; !seen || v {
					complete[a.Region] = a.RegionComplete
				}
			}
			for _, a := range man.Accounts {
				if complete[a.Region] {
					clusterCfg.regions = appendUnique(clusterCfg.regions, a.Region)
				}
			}
			clusterCfg.issuer, clusterCfg.account, clusterCfg.region, clusterCfg.version = in.oidcIssuer, in.accountID, in.region, in.kubernetesVersion
			man.Time = time.Now().UTC().Format(time.RFC3339)
			if err := writeSnapshot(dir, files, man, clusterCfg); err != nil {
				return 0, err
			}
			if err := commitSnapshot(dir, af.snapshot, opts.WorkingDir); err != nil {
				return 0, err
			}
			// Lint the snapshot exactly as "irsalint lint DIR" would.
			lopts := opts
			lopts.KubernetesVersion, lopts.OIDCIssuer, lopts.AccountID, lopts.Region = "", "", "", ""
			if !deadline.IsZero() {
				left := time.Until(deadline)
				if left <= 0 {
					return 0, fmt.Errorf("the audit ran out of time (--timeout %s) before its rules ran", timeout)
				}
				lopts.Limits.Timeout = &left
			}
			if af.snapshot != "" {
				lopts.Paths = []string{display}
			} else {
				// The report names the files as a snapshot would; it is still
				// written where the user asked.
				lopts.Paths, lopts.WorkingDir = []string{"."}, dir
				if rf.output != "" && rf.output != "-" {
					rf.output = resolvePath(rf.output, opts.WorkingDir)
				}
			}
			// An empty shard reads nothing, and that is its right answer.
			return lintAndReport(ctx, lopts, &rf, nil, sys, false)
		}
	})
}
