package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"sync"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/irsalint/irsalint/analyzer/aws"
	"github.com/irsalint/irsalint/analyzer/kube"
	"github.com/irsalint/irsalint/analyzer/snapshot"
)

// loadAWS loads the SDK's configuration: its whole credential chain and
// the endpoint and retry variables.
func loadAWS(ctx context.Context, profile, region string) (sdkaws.Config, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(profile))
	}
	if region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return sdkaws.Config{}, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	return cfg, nil
}

// assume returns cfg with the credentials of role, assumed from cfg's own
// (and refreshed before they expire).
func assume(cfg sdkaws.Config, role, externalID string) sdkaws.Config {
	out := cfg.Copy()
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), role, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "irsalint-audit"
		if externalID != "" {
			o.ExternalID = sdkaws.String(externalID)
		}
	})
	out.Credentials = sdkaws.NewCredentialsCache(provider)
	return out
}

// target is one account to audit: id "" and role "" is the caller's own.
type target struct{ id, role string }

// auditTargets are the accounts to read, sorted by ID.
func auditTargets(ctx context.Context, cfg sdkaws.Config, af auditFlags) ([]target, error) {
	ids := append([]string{}, af.accounts...)
	if af.org {
		client := organizations.NewFromConfig(cfg)
		p := organizations.NewListAccountsPaginator(client, &organizations.ListAccountsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("organizations:ListAccounts: %w", err)
			}
			for _, a := range page.Accounts {
				if a.State == orgtypes.AccountStateActive || (a.State == "" && a.Status == orgtypes.AccountStatusActive) {
					ids = append(ids, sdkaws.ToString(a.Id))
				}
			}
		}
	}
	if len(ids) == 0 {
		return []target{{}}, nil
	}
	partition := "aws"
	if strings.HasPrefix(cfg.Region, "cn-") {
		partition = "aws-cn"
	} else if strings.HasPrefix(cfg.Region, "us-gov-") {
		partition = "aws-us-gov"
	}
	sort.Strings(ids)
	var out []target
	for i, id := range ids {
		if i > 0 && id == ids[i-1] {
			continue
		}
		if len(id) != 12 || strings.Trim(id, "0123456789") != "" {
			return nil, usagef("--accounts: %q is not a 12-digit account ID", id)
		}
		out = append(out, target{id: id, role: fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, id, af.assumeRoleName)})
	}
	return out, nil
}

// parseShard reads --shard I/N; N is 0 without one.
func parseShard(s string) (int, int, error) {
	if s == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, usagef("--shard %q: want I/N with 0 <= I < N, e.g. 0/3", s)
	}
	return i, n, nil
}

// shardOf gives an account its share by a hash of its ID, so that adding
// an account moves no other between shards.
func shardOf(id string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(n))
}

// actionOf names the IAM action behind an error: the innermost operation
// that failed, so that a role that cannot be assumed while calling
// GetCallerIdentity names sts:AssumeRole.
func actionOf(err error) string {
	action := "read the account"
	for {
		var op *smithy.OperationError
		if !errors.As(err, &op) {
			return action
		}
		action = strings.ToLower(op.ServiceID) + ":" + op.OperationName
		err = op.Err
	}
}

// progress prints what the audit has done on standard error, on one line
// rewritten in place, when standard error is a terminal.
type progress struct {
	mu  sync.Mutex
	sys system
	on  bool
	any bool
}

func newProgress(sys system) *progress { return &progress{sys: sys, on: isTerminal(sys.Stderr)} }

func (p *progress) aws(i, n int) func(aws.Progress) {
	if !p.on {
		return nil
	}
	return func(pr aws.Progress) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.any = true
		acct := ""
		if n > 1 {
			acct = fmt.Sprintf("account %d/%d, ", i+1, n)
		}
		fmt.Fprintf(p.sys.Stderr, "\r\x1b[Kaudit: %s%d calls, %d roles, clusters %d/%d", acct, pr.Calls, pr.Roles, pr.ClustersDone, pr.Clusters)
	}
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.any {
		fmt.Fprint(p.sys.Stderr, "\r\x1b[K")
	}
}

// collectKube reads the cluster's objects into one kind: List file. A
// resource the server refused is a failure; the others are kept.
func collectKube(ctx context.Context, kubeconfig, kubeContext string) ([]aws.File, *snapshot.Kube, []snapshot.Failure, error) {
	snap, err := kube.Collect(ctx, kube.Options{Kubeconfig: kubeconfig, Context: kubeContext})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading the cluster's objects: %w (or pass --no-kube)", err)
	}
	man := &snapshot.Kube{Context: snap.Context, Server: snap.Server, Version: snap.Version, Objects: snap.Counts, Skipped: snap.Skipped}
	var failures []snapshot.Failure
	for _, f := range snap.Failures {
		failures = append(failures, snapshot.Failure{Source: "kubernetes", Action: f.Verb + " " + f.Resource, Message: f.Reason})
	}
	path := "kube/" + aws.FileName(snap.Context) + "/objects.json"
	return []aws.File{{Path: path, Data: snap.List}}, man, failures, nil
}
