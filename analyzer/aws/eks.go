package aws

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
)

// ErrClusterNotFound is a cluster named with --cluster that the region does
// not have.
var ErrClusterNotFound = errors.New("cluster not found")

// clusters reads the named clusters and, with AllClusters, every cluster
// of the region, a few at once, then the launch template versions their
// node groups run.
func (c *collector) clusters(ctx context.Context) error {
	names := map[string]bool{}
	for _, n := range c.opts.Clusters {
		names[n] = true
	}
	listed := map[string]bool{}
	if c.opts.AllClusters {
		complete := true
		var next *string
		for {
			var out *eks.ListClustersOutput
			if !c.call(ctx, actListClusters, "", func() (err error) {
				out, err = c.eks.ListClusters(ctx, &eks.ListClustersInput{NextToken: next})
				return err
			}) {
				complete = false
				break
			}
			for _, n := range out.Clusters {
				listed[n] = true
			}
			if next = out.NextToken; sdkaws.ToString(next) == "" {
				break
			}
		}
		c.res.RegionComplete = complete
	}
	for n := range listed {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	c.progress(func() { c.clustersAll = len(sorted) })

	var (
		wg       sync.WaitGroup
		sem      = make(chan struct{}, c.opts.Concurrency)
		mu       sync.Mutex
		notFound []string
		read     []string
		refs     []templateRef
	)
	for _, name := range sorted {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			found, lts, ok := c.cluster(ctx, name)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case !found && !listed[name]:
				notFound = append(notFound, name)
			case found:
				read = append(read, name)
				refs = append(refs, lts...)
			}
			if !ok {
				c.mu.Lock()
				c.res.RegionComplete = false
				c.mu.Unlock()
			}
			c.progress(func() { c.clustersDone++ })
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(notFound) > 0 {
		sort.Strings(notFound)
		return fmt.Errorf("%w: %s in region %s of account %s", ErrClusterNotFound, quoteList(notFound), c.res.Region, c.res.Account)
	}
	sort.Strings(read)
	c.res.Clusters = read
	c.launchTemplates(ctx, refs)
	return nil
}

// cluster reads one cluster and what hangs off it. found is false when the
// cluster does not exist; ok is false when it could not be read whole.
func (c *collector) cluster(ctx context.Context, name string) (found bool, lts []templateRef, ok bool) {
	var out *eks.DescribeClusterOutput
	var notFound bool
	ok = c.call(ctx, actDescribeCluster, name, func() (err error) {
		out, err = c.eks.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: sdkaws.String(name)})
		var nf *ekstypes.ResourceNotFoundException
		if errors.As(err, &nf) {
			notFound = true
			return nil
		}
		return err
	})
	if notFound || !ok {
		return false, nil, ok
	}
	dir := fmt.Sprintf("%s/eks/%s", c.regionPrefix(), FileName(name))
	c.write(dir+"/cluster.json", map[string]any{"cluster": clusterJSON(out.Cluster)})
	ok = c.associations(ctx, name, dir)
	ok = c.fargateProfiles(ctx, name, dir) && ok
	lts, ngOK := c.nodegroups(ctx, name, dir)
	return true, lts, ok && ngOK
}

func clusterJSON(k *ekstypes.Cluster) map[string]any {
	m := map[string]any{
		"name":            sdkaws.ToString(k.Name),
		"arn":             sdkaws.ToString(k.Arn),
		"version":         sdkaws.ToString(k.Version),
		"platformVersion": sdkaws.ToString(k.PlatformVersion),
		"status":          string(k.Status),
		"roleArn":         sdkaws.ToString(k.RoleArn),
	}
	if k.CreatedAt != nil {
		m["createdAt"] = k.CreatedAt.UTC().Format(time.RFC3339)
	}
	if k.Identity != nil && k.Identity.Oidc != nil {
		m["identity"] = map[string]any{"oidc": map[string]any{"issuer": sdkaws.ToString(k.Identity.Oidc.Issuer)}}
	}
	if k.AccessConfig != nil {
		m["accessConfig"] = map[string]any{"authenticationMode": string(k.AccessConfig.AuthenticationMode)}
	}
	return m
}

// associations reads the cluster's Pod Identity associations in full, as
// {"associations": [describe-pod-identity-association objects]}. Written
// only when every one was read: the file says which exist, and an
// association left out would make its ServiceAccount look unbound.
func (c *collector) associations(ctx context.Context, cluster, dir string) bool {
	var ids []string
	var next *string
	for {
		var out *eks.ListPodIdentityAssociationsOutput
		if !c.call(ctx, actListPodIdentityAssociations, cluster, func() (err error) {
			out, err = c.eks.ListPodIdentityAssociations(ctx, &eks.ListPodIdentityAssociationsInput{
				ClusterName: sdkaws.String(cluster), MaxResults: sdkaws.Int32(100), NextToken: next,
			})
			return err
		}) {
			return false
		}
		for _, a := range out.Associations {
			ids = append(ids, sdkaws.ToString(a.AssociationId))
		}
		if next = out.NextToken; sdkaws.ToString(next) == "" {
			break
		}
	}
	list := []any{}
	for _, id := range ids {
		var out *eks.DescribePodIdentityAssociationOutput
		if !c.call(ctx, actDescribePodIdentityAssociation, cluster+"/"+id, func() (err error) {
			out, err = c.eks.DescribePodIdentityAssociation(ctx, &eks.DescribePodIdentityAssociationInput{
				ClusterName: sdkaws.String(cluster), AssociationId: sdkaws.String(id),
			})
			return err
		}) {
			return false
		}
		list = append(list, associationJSON(out.Association))
	}
	c.write(dir+"/pod-identity-associations.json", map[string]any{"associations": list})
	return true
}

func associationJSON(a *ekstypes.PodIdentityAssociation) map[string]any {
	m := map[string]any{
		"clusterName":        sdkaws.ToString(a.ClusterName),
		"namespace":          sdkaws.ToString(a.Namespace),
		"serviceAccount":     sdkaws.ToString(a.ServiceAccount),
		"roleArn":            sdkaws.ToString(a.RoleArn),
		"associationArn":     sdkaws.ToString(a.AssociationArn),
		"associationId":      sdkaws.ToString(a.AssociationId),
		"disableSessionTags": sdkaws.ToBool(a.DisableSessionTags),
	}
	if a.TargetRoleArn != nil {
		m["targetRoleArn"] = sdkaws.ToString(a.TargetRoleArn)
	}
	if a.OwnerArn != nil {
		m["ownerArn"] = sdkaws.ToString(a.OwnerArn)
	}
	if a.CreatedAt != nil {
		m["createdAt"] = a.CreatedAt.UTC().Format(time.RFC3339)
	}
	if a.ModifiedAt != nil {
		m["modifiedAt"] = a.ModifiedAt.UTC().Format(time.RFC3339)
	}
	return m
}

// fargateProfiles reads every Fargate profile, one file each; none is
// written unless all were read, since a missing profile would put its pods
// on nodes.
func (c *collector) fargateProfiles(ctx context.Context, cluster, dir string) bool {
	var names []string
	var next *string
	for {
		var out *eks.ListFargateProfilesOutput
		if !c.call(ctx, actListFargateProfiles, cluster, func() (err error) {
			out, err = c.eks.ListFargateProfiles(ctx, &eks.ListFargateProfilesInput{ClusterName: sdkaws.String(cluster), NextToken: next})
			return err
		}) {
			return false
		}
		names = append(names, out.FargateProfileNames...)
		if next = out.NextToken; sdkaws.ToString(next) == "" {
			break
		}
	}
	type profile struct {
		name string
		v    map[string]any
	}
	var got []profile
	for _, n := range names {
		var out *eks.DescribeFargateProfileOutput
		if !c.call(ctx, actDescribeFargateProfile, cluster+"/"+n, func() (err error) {
			out, err = c.eks.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: sdkaws.String(cluster), FargateProfileName: sdkaws.String(n)})
			return err
		}) {
			return false
		}
		p := out.FargateProfile
		sels := []any{}
		for _, s := range p.Selectors {
			labels := map[string]any{}
			for k, v := range s.Labels {
				labels[k] = v
			}
			sels = append(sels, map[string]any{"namespace": sdkaws.ToString(s.Namespace), "labels": labels})
		}
		got = append(got, profile{n, map[string]any{
			"fargateProfileName":  sdkaws.ToString(p.FargateProfileName),
			"fargateProfileArn":   sdkaws.ToString(p.FargateProfileArn),
			"clusterName":         sdkaws.ToString(p.ClusterName),
			"podExecutionRoleArn": sdkaws.ToString(p.PodExecutionRoleArn),
			"status":              string(p.Status),
			"selectors":           sels,
		}})
	}
	for _, p := range got {
		c.write(fmt.Sprintf("%s/fargate-profiles/%s.json", dir, FileName(p.name)), map[string]any{"fargateProfile": p.v})
	}
	return true
}

// templateRef is a launch template version a node group runs.
type templateRef struct{ id, version string }

// nodegroups reads every managed node group: its node role and launch
// template.
func (c *collector) nodegroups(ctx context.Context, cluster, dir string) ([]templateRef, bool) {
	var names []string
	var next *string
	for {
		var out *eks.ListNodegroupsOutput
		if !c.call(ctx, actListNodegroups, cluster, func() (err error) {
			out, err = c.eks.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: sdkaws.String(cluster), NextToken: next})
			return err
		}) {
			return nil, false
		}
		names = append(names, out.Nodegroups...)
		if next = out.NextToken; sdkaws.ToString(next) == "" {
			break
		}
	}
	ok := true
	var refs []templateRef
	for _, n := range names {
		var out *eks.DescribeNodegroupOutput
		if !c.call(ctx, actDescribeNodegroup, cluster+"/"+n, func() (err error) {
			out, err = c.eks.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: sdkaws.String(cluster), NodegroupName: sdkaws.String(n)})
			return err
		}) {
			ok = false
			continue
		}
		g := out.Nodegroup
		m := map[string]any{
			"nodegroupName": sdkaws.ToString(g.NodegroupName),
			"nodegroupArn":  sdkaws.ToString(g.NodegroupArn),
			"clusterName":   sdkaws.ToString(g.ClusterName),
			"nodeRole":      sdkaws.ToString(g.NodeRole),
			"amiType":       string(g.AmiType),
			"capacityType":  string(g.CapacityType),
			"status":        string(g.Status),
		}
		if lt := g.LaunchTemplate; lt != nil {
			m["launchTemplate"] = map[string]any{"id": sdkaws.ToString(lt.Id), "name": sdkaws.ToString(lt.Name), "version": sdkaws.ToString(lt.Version)}
			if lt.Id != nil {
				v := sdkaws.ToString(lt.Version)
				if v == "" {
					v = "$Default"
				}
				refs = append(refs, templateRef{id: *lt.Id, version: v})
			}
		}
		c.write(fmt.Sprintf("%s/nodegroups/%s.json", dir, FileName(n)), map[string]any{"nodegroup": m})
	}
	return refs, ok
}

func quoteList(s []string) string {
	out := ""
	for i, n := range s {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%q", n)
	}
	return out
}
