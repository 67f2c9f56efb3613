package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// Options say what to read besides the account's IAM side.
type Options struct {
	// Region holds the clusters; "" is the configuration's region.
	Region string
	// Clusters are read by name; a name that does not exist is an error.
	Clusters []string
	// AllClusters reads every cluster of the region as well.
	AllClusters bool
	// Concurrency bounds the clusters read at once; 0 is 4. IAM pages are
	// read one after the other: each names the next.
	Concurrency int
	// Progress, when set, is told of each call made (from several
	// goroutines, one at a time).
	Progress func(Progress)
}

// Progress counts what was done so far.
type Progress struct {
	Calls, Roles, ClustersDone, Clusters int
}

// Result is what was read from one account.
type Result struct {
	Account, Partition, Caller string
	Region                     string
	// Clusters are the clusters read, sorted.
	Clusters []string
	// RegionComplete: every cluster of Region was listed and read.
	RegionComplete bool
	// Files are what was read, as the AWS CLI prints it, with paths
	// relative to the snapshot's root, sorted by path.
	Files []File
	// Failures are the calls that failed; what they would have read is
	// left out whole, never half-read.
	Failures []Failure
	Calls    int
	Roles    int
}

// File is one output file of a collection.
type File struct {
	Path string
	Data []byte
}

// Failure is a call that did not succeed after the SDK's retries.
type Failure struct {
	Account  string `json:"account"`
	Region   string `json:"region,omitempty"`
	Action   string `json:"action"`             // the IAM action, "ec2:DescribeLaunchTemplateVersions"
	Resource string `json:"resource,omitempty"` // what it was called for: a cluster, a provider ARN
	Code     string `json:"code,omitempty"`     // the API's error code, "AccessDenied"
	Message  string `json:"message"`
}

func (f Failure) String() string {
	s := f.Action
	if f.Resource != "" {
		s += " (" + f.Resource + ")"
	}
	s += " failed"
	if f.Code != "" {
		s += ": " + f.Code
	}
	if f.Message != "" {
		s += ": " + f.Message
	}
	return s
}

// Denied tells an authorization failure: the policy lacks the action.
func (f Failure) Denied() bool {
	switch f.Code {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException":
		return true
	}
	return false
}

// Collect reads one account with the configuration's credentials.
func Collect(ctx context.Context, cfg sdkaws.Config, opts Options) (*Result, error) {
	if opts.Region != "" {
		cfg = cfg.Copy()
		cfg.Region = opts.Region
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	c := &collector{
		opts: opts,
		sts:  sts.NewFromConfig(cfg),
		iam:  iam.NewFromConfig(cfg),
		eks:  eks.NewFromConfig(cfg),
		ec2:  ec2.NewFromConfig(cfg),
		res:  &Result{Region: cfg.Region},
	}
	if err := c.caller(ctx); err != nil {
		return nil, err
	}
	c.roles(ctx)
	c.oidcProviders(ctx)
	if err := c.clusters(ctx); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := c.res
	res.Calls = int(c.calls.Load())
	sort.Slice(res.Files, func(i, j int) bool { return res.Files[i].Path < res.Files[j].Path })
	sort.SliceStable(res.Failures, func(i, j int) bool {
		a, b := res.Failures[i], res.Failures[j]
		if a.Action != b.Action {
			return a.Action < b.Action
		}
		return a.Resource < b.Resource
	})
	return res, nil
}

type collector struct {
	opts  Options
	sts   *sts.Client
	iam   *iam.Client
	eks   *eks.Client
	ec2   *ec2.Client
	calls atomic.Int64

	mu           sync.Mutex // guards res and the progress counters
	res          *Result
	clustersDone int
	clustersAll  int
}

// call makes one API call; a failure is recorded unless the context ended.
func (c *collector) call(ctx context.Context, action, resource string, f func() error) bool {
	c.calls.Add(1)
	c.progress(nil)
	err := f()
	if err == nil {
		return true
	}
	if ctx.Err() != nil {
		return false
	}
	c.fail(action, resource, err)
	return false
}

func (c *collector) fail(action, resource string, err error) {
	f := Failure{Account: c.res.Account, Region: "", Action: action, Resource: resource, Message: err.Error()}
	if strings.HasPrefix(action, "eks:") || strings.HasPrefix(action, "ec2:") {
		f.Region = c.res.Region
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		f.Code, f.Message = api.ErrorCode(), api.ErrorMessage()
	}
	c.mu.Lock()
	c.res.Failures = append(c.res.Failures, f)
	c.mu.Unlock()
}

// progress reports, applying update to the counters first.
func (c *collector) progress(update func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if update != nil {
		update()
	}
	if c.opts.Progress != nil {
		c.opts.Progress(Progress{Calls: int(c.calls.Load()), Roles: c.res.Roles, ClustersDone: c.clustersDone, Clusters: c.clustersAll})
	}
}

func (c *collector) write(path string, v any) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("aws: encoding %s: %v", path, err)) // only maps, slices and strings: cannot fail
	}
	c.mu.Lock()
	c.res.Files = append(c.res.Files, File{Path: path, Data: append(data, '\n')})
	c.mu.Unlock()
}

// caller asks STS who the credentials are: the account and partition every
// other call is about.
func (c *collector) caller(ctx context.Context) error {
	var out *sts.GetCallerIdentityOutput
	c.calls.Add(1)
	out, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("%s: %w (check the credentials: --profile, AWS_PROFILE, AWS_ACCESS_KEY_ID)", actGetCallerIdentity, err)
	}
	c.res.Account, c.res.Caller = sdkaws.ToString(out.Account), sdkaws.ToString(out.Arn)
	c.res.Partition = "aws"
	if parts := strings.SplitN(c.res.Caller, ":", 3); len(parts) == 3 && parts[0] == "arn" {
		c.res.Partition = parts[1]
	}
	if c.res.Region == "" {
		return errors.New("no region: pass --region or set AWS_REGION (or a region in the profile)")
	}
	return nil
}

// prefix is where the files of this account go.
func (c *collector) prefix() string { return "aws/" + c.res.Account }

// regionPrefix is where this account's regional files go.
func (c *collector) regionPrefix() string { return c.prefix() + "/" + c.res.Region }
