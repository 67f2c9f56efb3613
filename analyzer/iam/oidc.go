package iam

import (
	"fmt"
	"strings"

	"github.com/irsalint/irsalint/analyzer/reader"
	"github.com/irsalint/irsalint/analyzer/source"
)

// OIDCProviderReader reads the account's IAM OIDC identity providers:
// `aws iam list-open-id-connect-providers` output ({"OpenIDConnectProviderList":
// [{"Arn"}]}) and `get-open-id-connect-provider` output with the ARN it was
// read for ({"Arn", "Url", "ClientIDList", "ThumbprintList"}). A provider
// read from both is one object: the list gives its ARN, the get output its
// audiences.
type OIDCProviderReader struct{}

// Detect tells either shape.
func (OIDCProviderReader) Detect(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	if _, ok := m["OpenIDConnectProviderList"].([]any); ok {
		return true
	}
	_, url := m["Url"].(string)
	_, ids := m["ClientIDList"].([]any)
	return url && ids
}

// Read reads the providers of the document.
func (OIDCProviderReader) Read(file string, doc source.Doc) reader.Result {
	m := doc.Value.(map[string]any)
	res := reader.Result{Documents: 1, Facts: []string{reader.OIDCProviders}}
	if list, ok := m["OpenIDConnectProviderList"].([]any); ok {
		res.Facts = append(res.Facts, reader.OIDCProviderList)
		for i, raw := range list {
			p, _ := raw.(map[string]any)
			arn, _ := p["Arn"].(string)
			if arn == "" {
				continue
			}
			res.Items = append(res.Items, provider(file, doc, []any{"OpenIDConnectProviderList", i}, arn, nil, nil))
		}
		return res
	}
	arn, _ := m["Arn"].(string)
	url, _ := m["Url"].(string)
	if arn == "" {
		// The CLI's get output has no ARN: without one the provider is
		// known by its URL only.
		arn = "url:" + url
	}
	res.Items = append(res.Items, provider(file, doc, []any{}, arn, strs(m["ClientIDList"]), strs(m["ThumbprintList"])))
	return res
}

// provider is the entry of one provider: its ARN, the issuer it trusts (as
// condition keys spell it: host and path), its audiences and thumbprints
// (null when only listed).
func provider(file string, doc source.Doc, base []any, arn string, clientIDs, thumbprints any) reader.Item {
	issuer := ""
	if i := strings.Index(arn, ":oidc-provider/"); i >= 0 {
		issuer = arn[i+len(":oidc-provider/"):]
	} else if u, ok := doc.Value.(map[string]any)["Url"].(string); ok {
		issuer = strings.TrimRight(strings.TrimPrefix(u, "https://"), "/")
	}
	account, partition := any(nil), any(nil)
	if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 && parts[0] == "arn" {
		partition, account = parts[1], parts[4]
	}
	ref := fmt.Sprintf("%s#%d", file, doc.Index)
	if len(base) > 0 {
		ref += "." + source.FormatPath(base)
	}
	return reader.Item{
		Collection: reader.OIDCProviders, Key: arn, Kind: "OIDCProvider",
		Entry: map[string]any{
			"ref": ref, "arn": arn, "issuer": issuer, "account": account, "partition": partition,
			"clientIds": clientIDs, "thumbprints": thumbprints, "at": []any{},
		},
		File: file, Base: base, Pos: doc.Pos, Name: "IAM OIDC provider " + issuer,
	}
}

func strs(v any) any {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	out := []any{}
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
