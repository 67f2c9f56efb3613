package terraform

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// emit renders the documents of every block the readers know, in file
// order.
func (e *evaluator) emit() {
	// Every symbol first, each in a context of what it reads; then the
	// documents, in one context of them all.
	e.resolveAll()
	for _, b := range e.m.blocks {
		switch {
		case b.kind == "resource" && b.typ == "aws_iam_role":
			e.each(b, func(in instance) { e.emitRole(e.roleOf(b, in)) })
		case b.kind == "module":
			src := moduleSource(b)
			if model, ok := irsaModule(src); ok {
				e.each(b, func(in instance) {
					if r := e.moduleRole(b, in, model); r != nil {
						e.emitRole(r)
					}
				})
				continue
			}
			if strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../") {
				e.notice(b.b.DefRange, "module", fmt.Sprintf("module %s (%s) is not read as part of this module; lint its folder to lint its roles and service accounts, which then are not joined to this module's values", b.name, src))
			} else {
				e.notice(b.b.DefRange, "module", fmt.Sprintf("module %s (%s) is not fetched, so its roles and service accounts are not linted; its outputs stay unknown", b.name, src))
			}
		case b.kind == "resource" && (b.typ == "kubernetes_service_account" || b.typ == "kubernetes_service_account_v1"):
			e.each(b, func(in instance) { e.emitServiceAccount(b, in) })
		case b.kind == "resource" && b.typ == "aws_eks_pod_identity_association":
			e.each(b, func(in instance) { e.emitAssociation(b, in) })
		case b.kind == "resource" && b.typ == "aws_iam_openid_connect_provider":
			e.each(b, func(in instance) { e.emitProvider(b, in) })
		case b.kind == "resource" && b.typ == "aws_eks_cluster":
			e.each(b, func(in instance) { e.emitCluster(b, in) })
		}
	}
}

func (e *evaluator) each(b *block, f func(instance)) {
	e.needBody(b.b.Body)
	list, ok := e.expand(b)
	if !ok {
		return
	}
	for _, in := range list {
		f(in)
	}
}

func (e *evaluator) emitRole(r *role) {
	if r.doc == nil {
		return
	}
	m := map[string]any{"Path": r.path, "Arn": r.arn(), "AssumeRolePolicyDocument": r.doc}
	org := rangeOrigin(r.at)
	org.set([]any{"Role"}, r.at)
	if r.name != "" {
		m["RoleName"] = r.name
		if r.nameAt != nil {
			org.set([]any{"Role", "RoleName"}, *r.nameAt)
		}
	}
	org.include([]any{"Role", "AssumeRolePolicyDocument"}, r.org)
	if r.account == "" {
		e.notice(r.at, "account", fmt.Sprintf("role %s: its account is not known (no --account-id, no provider ARN with a literal account in its trust, no role ARN in the scan naming it), so its ARN is written with the placeholder %s: ServiceAccounts are joined to it only through a reference to it", r.addr, unknownAccount))
	}
	e.r.add(r.file, map[string]any{"Role": m}, org)
}

// attrValue evaluates a block's attribute into doc at path.
func (e *evaluator) attrValue(attrs hcl.Attributes, name string, ctx *hcl.EvalContext, into map[string]any, key string, path []any, org *origin) {
	a, ok := attrs[name]
	if !ok {
		return
	}
	if v := e.value(a.Expr, ctx, join(path, key), org); v != nil {
		into[key] = v
	}
}

var metadataSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "metadata"}}}

// emitServiceAccount renders a kubernetes_service_account(_v1) as the
// ServiceAccount object it creates.
func (e *evaluator) emitServiceAccount(b *block, in instance) {
	ctx := in.ctx(e.ctx())
	org := rangeOrigin(b.b.DefRange)
	content, _, diags := b.b.Body.PartialContent(metadataSchema)
	e.m.addDiags(diags)
	if len(content.Blocks) == 0 {
		return
	}
	mb := content.Blocks[0]
	org.set([]any{"metadata"}, mb.DefRange)
	meta := map[string]any{"namespace": "default"}
	attrs := attributes(mb.Body)
	path := []any{"metadata"}
	for _, k := range []string{"name", "namespace", "annotations", "labels"} {
		e.attrValue(attrs, k, ctx, meta, k, path, org)
	}
	if _, ok := meta["name"]; !ok {
		e.notice(mb.DefRange, "saname", fmt.Sprintf("%s has no literal metadata name (generate_name gives a random one); it is not read", b.key()+in.suffix()))
		return
	}
	doc := map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}
	e.attrValue(attributes(b.b.Body), "automount_service_account_token", ctx, doc, "automountServiceAccountToken", nil, org)
	e.r.add(b.file.display, doc, org)
}

// emitAssociation renders an aws_eks_pod_identity_association as
// describe-pod-identity-association prints it.
func (e *evaluator) emitAssociation(b *block, in instance) {
	ctx := in.ctx(e.ctx())
	org := rangeOrigin(b.b.DefRange)
	org.set([]any{"association"}, b.b.DefRange)
	a := map[string]any{}
	attrs := attributes(b.b.Body)
	path := []any{"association"}
	for _, f := range [][2]string{{"cluster_name", "clusterName"}, {"namespace", "namespace"}, {"service_account", "serviceAccount"},
		{"role_arn", "roleArn"}, {"target_role_arn", "targetRoleArn"}, {"disable_session_tags", "disableSessionTags"}} {
		e.attrValue(attrs, f[0], ctx, a, f[1], path, org)
	}
	e.r.add(b.file.display, map[string]any{"association": a}, org)
}

// emitProvider renders an aws_iam_openid_connect_provider as
// get-open-id-connect-provider prints it, when its URL is known.
func (e *evaluator) emitProvider(b *block, in instance) {
	ctx := in.ctx(e.ctx())
	org := rangeOrigin(b.b.DefRange)
	p := map[string]any{"ClientIDList": []any{}, "ThumbprintList": []any{}}
	attrs := attributes(b.b.Body)
	e.attrValue(attrs, "url", ctx, p, "Url", nil, org)
	e.attrValue(attrs, "client_id_list", ctx, p, "ClientIDList", nil, org)
	e.attrValue(attrs, "thumbprint_list", ctx, p, "ThumbprintList", nil, org)
	url, _ := p["Url"].(string)
	if url == "" || strings.Contains(url, "${") {
		return // the notice said why
	}
	if acct := e.r.opts.AccountID; acct != "" {
		p["Arn"] = fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", acct, issuerHost(url))
	}
	if _, ok := p["ClientIDList"].([]any); !ok {
		return
	}
	e.r.add(b.file.display, p, org)
}

// emitCluster renders an aws_eks_cluster as describe-cluster prints its
// name and version; its ARN and issuer are known only after apply.
func (e *evaluator) emitCluster(b *block, in instance) {
	ctx := in.ctx(e.ctx())
	org := rangeOrigin(b.b.DefRange)
	org.set([]any{"cluster"}, b.b.DefRange)
	c := map[string]any{}
	attrs := attributes(b.b.Body)
	path := []any{"cluster"}
	e.attrValue(attrs, "name", ctx, c, "name", path, org)
	e.attrValue(attrs, "version", ctx, c, "version", path, org)
	name, _ := c["name"].(string)
	if name == "" || strings.Contains(name, "${") {
		return
	}
	c["arn"] = "${" + b.key() + in.suffix() + ".arn}"
	e.r.add(b.file.display, map[string]any{"cluster": c}, org)
}
