package aws

import (
	"context"
	"fmt"
	"strings"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// rolesPerPage is the most GetAccountAuthorizationDetails returns at once;
// IAM may return fewer, so the Marker is followed while IsTruncated.
const rolesPerPage = 1000

// roles reads every role with its trust, inline and attached policies,
// in one document shaped as `aws iam get-account-authorization-details
// --filter Role` prints it, except that the policy documents stay as IAM
// sent them (URL-encoded): the reader decodes them exactly once. A listing
// cut short is not written: a role missing from it would look deleted.
func (c *collector) roles(ctx context.Context) {
	var (
		list   []any
		marker *string
	)
	for {
		var out *iam.GetAccountAuthorizationDetailsOutput
		ok := c.call(ctx, actGetAccountAuthorizationDetails, "", func() (err error) {
			out, err = c.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{
				Filter:   []iamtypes.EntityType{iamtypes.EntityTypeRole},
				MaxItems: sdkaws.Int32(rolesPerPage),
				Marker:   marker,
			})
			return err
		})
		if !ok {
			return
		}
		for _, r := range out.RoleDetailList {
			list = append(list, roleDetail(r))
		}
		c.progress(func() { c.res.Roles = len(list) })
		if !out.IsTruncated || sdkaws.ToString(out.Marker) == "" {
			break
		}
		marker = out.Marker
	}
	c.write(c.prefix()+"/iam/account-authorization-details.json", map[string]any{
		"RoleDetailList":  nonNil(list),
		"UserDetailList":  []any{},
		"GroupDetailList": []any{},
		"Policies":        []any{},
	})
}

func roleDetail(r iamtypes.RoleDetail) map[string]any {
	m := map[string]any{
		"Path":                     sdkaws.ToString(r.Path),
		"RoleName":                 sdkaws.ToString(r.RoleName),
		"RoleId":                   sdkaws.ToString(r.RoleId),
		"Arn":                      sdkaws.ToString(r.Arn),
		"AssumeRolePolicyDocument": sdkaws.ToString(r.AssumeRolePolicyDocument),
		"InstanceProfileList":      []any{},
	}
	if r.CreateDate != nil {
		m["CreateDate"] = r.CreateDate.UTC().Format(time.RFC3339)
	}
	inline := []any{}
	for _, p := range r.RolePolicyList {
		inline = append(inline, map[string]any{"PolicyName": sdkaws.ToString(p.PolicyName), "PolicyDocument": sdkaws.ToString(p.PolicyDocument)})
	}
	m["RolePolicyList"] = inline
	attached := []any{}
	for _, p := range r.AttachedManagedPolicies {
		attached = append(attached, map[string]any{"PolicyName": sdkaws.ToString(p.PolicyName), "PolicyArn": sdkaws.ToString(p.PolicyArn)})
	}
	m["AttachedManagedPolicies"] = attached
	m["Tags"] = tags(r.Tags)
	if b := r.PermissionsBoundary; b != nil {
		m["PermissionsBoundary"] = map[string]any{"PermissionsBoundaryType": string(b.PermissionsBoundaryType), "PermissionsBoundaryArn": sdkaws.ToString(b.PermissionsBoundaryArn)}
	}
	if u := r.RoleLastUsed; u != nil && u.LastUsedDate != nil {
		m["RoleLastUsed"] = map[string]any{"LastUsedDate": u.LastUsedDate.UTC().Format(time.RFC3339), "Region": sdkaws.ToString(u.Region)}
	}
	return m
}

func tags(ts []iamtypes.Tag) []any {
	out := []any{}
	for _, t := range ts {
		out = append(out, map[string]any{"Key": sdkaws.ToString(t.Key), "Value": sdkaws.ToString(t.Value)})
	}
	return out
}

// oidcProviders lists the account's OIDC identity providers, then reads
// each one's audiences and thumbprints. The list is written only when it
// is whole: it is what lets a rule say a cluster's issuer has no provider.
func (c *collector) oidcProviders(ctx context.Context) {
	var out *iam.ListOpenIDConnectProvidersOutput
	if !c.call(ctx, actListOpenIDConnectProviders, "", func() (err error) {
		out, err = c.iam.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
		return err
	}) {
		return
	}
	list := []any{}
	for _, p := range out.OpenIDConnectProviderList {
		list = append(list, map[string]any{"Arn": sdkaws.ToString(p.Arn)})
	}
	c.write(c.prefix()+"/iam/open-id-connect-providers.json", map[string]any{"OpenIDConnectProviderList": list})
	for _, p := range out.OpenIDConnectProviderList {
		arn := sdkaws.ToString(p.Arn)
		var got *iam.GetOpenIDConnectProviderOutput
		if !c.call(ctx, actGetOpenIDConnectProvider, arn, func() (err error) {
			got, err = c.iam.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: p.Arn})
			return err
		}) {
			continue
		}
		m := map[string]any{
			"Arn":            arn,
			"Url":            sdkaws.ToString(got.Url),
			"ClientIDList":   nonNilStrings(got.ClientIDList),
			"ThumbprintList": nonNilStrings(got.ThumbprintList),
			"Tags":           tags(got.Tags),
		}
		if got.CreateDate != nil {
			m["CreateDate"] = got.CreateDate.UTC().Format(time.RFC3339)
		}
		c.write(fmt.Sprintf("%s/iam/open-id-connect-providers/%s.json", c.prefix(), FileName(providerName(arn))), m)
	}
}

// providerName is the issuer part of a provider ARN: host and path.
func providerName(arn string) string {
	if i := strings.Index(arn, ":oidc-provider/"); i >= 0 {
		return arn[i+len(":oidc-provider/"):]
	}
	return arn
}

func nonNil(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

func nonNilStrings(v []string) []any {
	out := []any{}
	for _, s := range v {
		out = append(out, s)
	}
	return out
}

// FileName makes a name safe as one path element: what AWS names may hold
// beyond letters, digits, "-", "_" and "." becomes "_".
func FileName(s string) string {
	b := []byte(s)
	for i, ch := range b {
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9', ch == '-', ch == '_', ch == '.':
		default:
			b[i] = '_'
		}
	}
	out := string(b)
	if out == "" || out == "." || out == ".." {
		out = "_" + out
	}
	return out
}
