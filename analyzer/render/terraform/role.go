package terraform

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/irsalint/irsalint/analyzer/internal/synth"
	"github.com/irsalint/irsalint/analyzer/inventory"
	"github.com/irsalint/irsalint/analyzer/source"
)

// role is one IAM role a module declares: an aws_iam_role instance or the
// role an IRSA module call creates.
type role struct {
	addr      string // aws_iam_role.app, module.irsa
	name      string // "" when not known before apply
	nameText  string // the name as written in the ARN when not known
	path      string
	partition string
	account   string // "" when not known
	doc       map[string]any
	org       *origin // of the document, relative to it
	at        hcl.Range
	nameAt    *hcl.Range
	file      string
	known     bool // the document has no unknown part
	// provider is the role's provider configuration as written ("" for
	// the default aws provider); module roles are nil: a module's own
	// data sources are its role's.
	provider *string
}

// unknownAccount is written for the account of a role whose account is not
// known: a placeholder, so that the readers and rules treat the ARN as
// unrendered (never as another account).
const unknownAccount = "${data.aws_caller_identity.current.account_id}"

func (r *role) arn() string {
	acct := r.account
	if acct == "" {
		acct = unknownAccount
	}
	name := r.name
	if name == "" {
		name = r.nameText
	}
	return fmt.Sprintf("arn:%s:iam::%s:role%s%s", r.partition, acct, r.path, name)
}

// federatedARN matches the ARN of an IAM OIDC or SAML provider.
var federatedARN = regexp.MustCompile(`^arn:(aws[a-z-]*):iam::([0-9]{12}):(oidc|saml)-provider/`)

// inferAccount fills the role's account and partition: the account of a
// web identity provider the trust names (IAM accepts only a provider of
// the role's own account there), else the cluster context's account when
// given, else the account of role ARNs elsewhere in the scan that
// name a role of this path and name, when they agree. Otherwise the
// account stays unknown.
func (e *evaluator) inferAccount(r *role) {
	r.partition = "aws"
	e.selfProviders(r)
	for _, arn := range synth.Federated(r.doc) {
		if m := federatedARN.FindStringSubmatch(arn); m != nil {
			r.partition = m[1]
			if r.account == "" {
				r.account = m[2]
			}
		}
	}
	if acct := e.r.opts.AccountID; acct != "" && r.account == "" {
		r.account = acct
	}
	if r.account == "" && r.name != "" {
		if acct, part, ok := e.r.accountOf(r.path + r.name); ok {
			r.account, r.partition = acct, part
		}
	}
	if r.account != "" {
		// The caller's account is the role's, whatever it is known to be.
		replaceFederated(r.doc, ":iam::"+unknownAccount+":", ":iam::"+r.account+":")
	}
}

// selfProviderARN matches an OIDC provider ARN written with the module's
// own partition and account (data.aws_partition, data.aws_caller_identity):
// the provider of the account the role is created in.
var selfProviderARN = regexp.MustCompile(`^arn:(aws[a-z-]*|\$\{data\.aws_partition\.([A-Za-z0-9_-]+)\.partition\}):iam::([0-9]{12}|\$\{data\.aws_caller_identity\.([A-Za-z0-9_-]+)\.account_id\}):oidc-provider/(oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/.*)$`)

// selfProviders rewrites such provider ARNs when the issuer is an EKS one
// and the data sources read the role's own provider configuration: the
// partition is that of the issuer's region (an account's providers are in
// its partition), and the caller's account is written as the role's
// unknown account, so that the readers see the role's own account, not an
// unknown. Data sources of another provider (provider = aws.other) are
// another account's, and stay unknowns.
func (e *evaluator) selfProviders(r *role) {
	own := func(typ, name string) bool {
		if r.provider == nil {
			return true // written by a module, of its own role
		}
		for _, b := range e.m.blocks {
			if b.kind == "data" && b.typ == typ && b.name == name {
				return e.providerOf(b) == *r.provider
			}
		}
		return false
	}
	synth.MapFederated(r.doc, func(arn string) string {
		m := selfProviderARN.FindStringSubmatch(arn)
		if m == nil {
			return arn
		}
		part, acct := m[1], m[3]
		if m[2] != "" {
			if !own("aws_partition", m[2]) {
				return arn
			}
			part = inventory.PartitionForRegion(m[6])
		}
		if m[4] != "" {
			if !own("aws_caller_identity", m[4]) {
				return arn
			}
			acct = unknownAccount
		}
		return "arn:" + part + ":iam::" + acct + ":oidc-provider/" + m[5]
	})
}

// providerOf is a block's provider argument as written ("" when absent).
func (e *evaluator) providerOf(b *block) string {
	if a, ok := attributes(b.b.Body)["provider"]; ok {
		return e.m.text(a.Expr.Range())
	}
	return ""
}

// replaceFederated replaces old with new in every Federated principal.
func replaceFederated(doc map[string]any, old, new string) {
	synth.MapFederated(doc, func(s string) string { return strings.Replace(s, old, new, 1) })
}

// roleOf evaluates one aws_iam_role instance.
func (e *evaluator) roleOf(b *block, in instance) *role {
	addr := b.key() + in.suffix()
	for _, r := range e.roles[addr] {
		return r
	}
	e.needBody(b.b.Body)
	ctx := in.ctx(e.ctx())
	attrs := attributes(b.b.Body)
	r := &role{addr: addr, path: "/", at: b.b.DefRange, file: b.file.display}
	p := e.providerOf(b)
	r.provider = &p
	e.roles[addr] = []*role{r}
	if a, ok := attrs["path"]; ok {
		if s, ok := e.value(a.Expr, ctx, nil, newOrigin()).(string); ok && !strings.Contains(s, "${") {
			r.path = s
		}
	}
	if a, ok := attrs["name"]; ok {
		rng := a.NameRange
		r.nameAt = &rng
		if s, ok := e.value(a.Expr, ctx, nil, newOrigin()).(string); ok && !strings.Contains(s, "${") {
			r.name = s
		}
	}
	if r.name == "" {
		r.nameText = "${" + addr + ".name}"
		why := "it has no name, so Terraform generates one"
		if _, ok := attrs["name_prefix"]; ok {
			why = "it has a name_prefix, so Terraform appends a random suffix"
		} else if _, ok := attrs["name"]; ok {
			why = "its name is not known before a plan"
		}
		e.notice(b.b.DefRange, "noname", fmt.Sprintf("role %s: %s; it is linted, but a ServiceAccount can be joined to it only through a reference to %s.arn", addr, why, addr))
	}
	a, ok := attrs["assume_role_policy"]
	if !ok {
		e.notice(b.b.DefRange, "notrust", fmt.Sprintf("role %s has no assume_role_policy; it is not read", addr))
		r.doc = nil
		return r
	}
	before := e.placeholders
	r.doc, r.org = e.trust(a.Expr, ctx, b.file)
	r.known = e.placeholders == before
	e.inferAccount(r)
	return r
}

// trust evaluates an assume_role_policy: jsonencode({...}), a reference to
// a policy document data source, a local holding either, or a JSON text (a
// heredoc or a string).
func (e *evaluator) trust(expr hcl.Expression, ctx *hcl.EvalContext, f *srcFile) (map[string]any, *origin) {
	e.need(expr.Variables())
	switch x := expr.(type) {
	case *hclsyntax.FunctionCallExpr:
		if x.Name == "jsonencode" && len(x.Args) == 1 && !x.ExpandFinal {
			org := newOrigin()
			if m, ok := e.value(x.Args[0], ctx, nil, org).(map[string]any); ok {
				return m, org
			}
			return e.unknownTrust(expr)
		}
	case *hclsyntax.TemplateWrapExpr:
		return e.trust(x.Wrapped, ctx, f)
	case *hclsyntax.ParenthesesExpr:
		return e.trust(x.Expression, ctx, f)
	case *hclsyntax.ScopeTraversalExpr:
		if d := e.documentRef(x, ctx); d != nil {
			return d.value()
		}
		if x.Traversal.RootName() == "local" && len(x.Traversal) == 2 && e.depth < maxDepth {
			if a, ok := e.m.locals[attrNames(x.Traversal)[0]]; ok {
				e.depth++
				defer func() { e.depth-- }()
				return e.trust(a.Expr, e.ctx(), e.m.localFile[attrNames(x.Traversal)[0]])
			}
		}
	}
	before := e.placeholders
	s, ok := e.value(expr, ctx, nil, newOrigin()).(string)
	if !ok {
		return e.unknownTrust(expr)
	}
	docs, err := source.Decode([]byte(s))
	m, pos := firstMap(docs)
	if (err != nil || m == nil) && e.placeholders > before {
		return e.unknownTrust(expr) // the notice said what is unknown
	}
	if err != nil || m == nil {
		e.notice(expr.Range(), "badtrust", fmt.Sprintf("assume_role_policy is not a JSON policy document (%v); the role's trust is not judged", errText(err)))
		return e.unknownTrust(expr)
	}
	org := rangeOrigin(expr.Range())
	if _, native := expr.(*hclsyntax.TemplateExpr); native {
		// The JSON's lines are the file's, from the heredoc's first line
		// (or the string's own).
		first := expr.Range().Start.Line
		if strings.HasPrefix(e.m.text(expr.Range()), "<<") {
			first++
		}
		org.positions(nil, expr.Range().Filename, pos, first)
	}
	return m, org
}

// unknownTrust stands for a trust policy that cannot be evaluated: the
// role is still there for joins, and no rule judges its trust.
func (e *evaluator) unknownTrust(expr hcl.Expression) (map[string]any, *origin) {
	e.placeholders++
	return map[string]any{"Version": "2012-10-17", "Statement": []any{unknownStatement(e.placeholder(expr))}}, rangeOrigin(expr.Range())
}
