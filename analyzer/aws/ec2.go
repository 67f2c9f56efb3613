package aws

import (
	"context"
	"fmt"
	"sort"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// launchTemplates reads the launch template versions the node groups run,
// one call per template for all the versions asked of it, into one file
// shaped as `aws ec2 describe-launch-template-versions` prints it.
func (c *collector) launchTemplates(ctx context.Context, refs []templateRef) {
	versions := map[string]map[string]bool{}
	for _, r := range refs {
		if versions[r.id] == nil {
			versions[r.id] = map[string]bool{}
		}
		versions[r.id][r.version] = true
	}
	ids := make([]string, 0, len(versions))
	for id := range versions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	type key struct {
		id string
		n  int64
	}
	seen := map[key]bool{}
	var list []any
	read := 0
	for _, id := range ids {
		asked := make([]string, 0, len(versions[id]))
		for v := range versions[id] {
			asked = append(asked, v)
		}
		sort.Strings(asked)
		var next *string
		for {
			var out *ec2.DescribeLaunchTemplateVersionsOutput
			if !c.call(ctx, actDescribeLaunchTemplateVersions, id, func() (err error) {
				out, err = c.ec2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{
					LaunchTemplateId: sdkaws.String(id), Versions: asked, NextToken: next,
				})
				return err
			}) {
				break
			}
			read++
			for _, v := range out.LaunchTemplateVersions {
				k := key{sdkaws.ToString(v.LaunchTemplateId), sdkaws.ToInt64(v.VersionNumber)}
				if seen[k] {
					continue
				}
				seen[k] = true
				m := map[string]any{
					"LaunchTemplateId":   k.id,
					"LaunchTemplateName": sdkaws.ToString(v.LaunchTemplateName),
					"VersionNumber":      k.n,
					"DefaultVersion":     sdkaws.ToBool(v.DefaultVersion),
				}
				if v.CreateTime != nil {
					m["CreateTime"] = v.CreateTime.UTC().Format(time.RFC3339)
				}
				data := map[string]any{}
				if d := v.LaunchTemplateData; d != nil && d.MetadataOptions != nil {
					md := map[string]any{
						"HttpTokens":   string(d.MetadataOptions.HttpTokens),
						"HttpEndpoint": string(d.MetadataOptions.HttpEndpoint),
					}
					if d.MetadataOptions.HttpPutResponseHopLimit != nil {
						md["HttpPutResponseHopLimit"] = *d.MetadataOptions.HttpPutResponseHopLimit
					}
					data["MetadataOptions"] = md
				}
				m["LaunchTemplateData"] = data
				list = append(list, m)
			}
			if next = out.NextToken; sdkaws.ToString(next) == "" {
				break
			}
		}
	}
	if read == 0 {
		return
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i].(map[string]any), list[j].(map[string]any)
		if a["LaunchTemplateId"] != b["LaunchTemplateId"] {
			return a["LaunchTemplateId"].(string) < b["LaunchTemplateId"].(string)
		}
		return a["VersionNumber"].(int64) < b["VersionNumber"].(int64)
	})
	c.write(fmt.Sprintf("%s/ec2/launch-template-versions.json", c.regionPrefix()), map[string]any{"LaunchTemplateVersions": nonNil(list)})
}
