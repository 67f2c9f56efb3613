package terraform

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/irsalint/irsalint/analyzer"
)

// The IRSA module of terraform-aws-modules/terraform-aws-iam is read from
// its inputs, never fetched. Its trust policy is modeled on the module's
// own main.tf:
//
//   - v5.x, modules/iam-role-for-service-accounts-eks: role_name (or
//     role_name_prefix), role_path ("/"), assume_role_condition_test
//     ("StringEquals"), oidc_providers, allow_self_assume_role (false),
//     create_role (true); outputs iam_role_arn, iam_role_name, iam_role_path.
//   - v6.x, its new name modules/iam-role-for-service-accounts: name,
//     use_name_prefix (true), path ("/"), trust_condition_test
//     ("StringEquals"), oidc_providers, create (true); outputs arn, name,
//     path.
//
// For each entry of oidc_providers (in key order, as Terraform iterates a
// map), one statement: Allow sts:AssumeRoleWithWebIdentity to Federated
// provider_arn, with the condition test on "<issuer>:sub" (the provider
// ARN after "oidc-provider/") for "system:serviceaccount:<ns:sa>" of each
// namespace_service_accounts entry, and on "<issuer>:aud" for
// "sts.amazonaws.com".
type irsaModel struct {
	v6                                  bool
	oidc                                bool // iam-assumable-role-with-oidc
	createDefault                       bool
	create, name, prefix, path, test    string // input names
	outArn, outName, outPath, outUnique string
}

var (
	irsaV5 = irsaModel{createDefault: true, create: "create_role", name: "role_name", prefix: "role_name_prefix", path: "role_path", test: "assume_role_condition_test",
		outArn: "iam_role_arn", outName: "iam_role_name", outPath: "iam_role_path", outUnique: "iam_role_unique_id"}
	irsaV6 = irsaModel{v6: true, createDefault: true, create: "create", name: "name", path: "path", test: "trust_condition_test",
		outArn: "arn", outName: "name", outPath: "path", outUnique: "unique_id"}
	oidcV5 = irsaModel{oidc: true, create: "create_role", name: "role_name", prefix: "role_name_prefix", path: "role_path",
		outArn: "iam_role_arn", outName: "iam_role_name", outPath: "iam_role_path", outUnique: "iam_role_unique_id"}
)

// irsaModule tells which IRSA module a source names, if any.
func irsaModule(src string) (irsaModel, bool) {
	s := strings.ToLower(src)
	if !strings.Contains(s, "terraform-aws-modules/iam/aws") && !strings.Contains(s, "terraform-aws-modules/terraform-aws-iam") {
		return irsaModel{}, false
	}
	_, sub, _ := strings.Cut(s, "//")
	sub, _, _ = strings.Cut(sub, "?")
	switch strings.Trim(sub, "/") {
	case "modules/iam-role-for-service-accounts-eks":
		return irsaV5, true
	case "modules/iam-role-for-service-accounts":
		return irsaV6, true
	case "modules/iam-assumable-role-with-oidc":
		return oidcV5, true
	}
	return irsaModel{}, false
}

// moduleSource is a module call's source, "" when not a literal.
func moduleSource(b *block) string {
	a, ok := attributes(b.b.Body)["source"]
	if !ok {
		return ""
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.Type() != cty.String || v.IsNull() {
		return ""
	}
	return v.AsString()
}

// moduleOutputs are the outputs of a module call references may read.
func (e *evaluator) moduleOutputs(b *block, in instance) map[string]cty.Value {
	model, ok := irsaModule(moduleSource(b))
	if !ok {
		return map[string]cty.Value{}
	}
	r := e.moduleRole(b, in, model)
	if r == nil {
		return map[string]cty.Value{model.outArn: cty.NullVal(cty.String), model.outName: cty.NullVal(cty.String)}
	}
	out := map[string]cty.Value{model.outArn: cty.StringVal(r.arn()), model.outPath: cty.StringVal(r.path)}
	if r.name != "" {
		out[model.outName] = cty.StringVal(r.name)
	}
	return out
}

// input is a module input's expression and its value, the default when
// not given.
func (e *evaluator) input(attrs hcl.Attributes, name string, ctx *hcl.EvalContext, org *origin, path []any, def any) (any, *hcl.Attribute) {
	a, ok := attrs[name]
	if !ok {
		return def, nil
	}
	return e.value(a.Expr, ctx, path, org), a
}

// moduleRole is the role an IRSA module call creates; nil when it creates
// none.
func (e *evaluator) moduleRole(b *block, in instance, model irsaModel) *role {
	addr := b.key() + in.suffix()
	if rs, done := e.roles[addr]; done {
		if len(rs) == 0 {
			return nil
		}
		return rs[0]
	}
	e.roles[addr] = nil
	e.needBody(b.b.Body)
	ctx := in.ctx(e.ctx())
	attrs := attributes(b.b.Body)
	inputs := newOrigin()
	if c, _ := e.input(attrs, model.create, ctx, inputs, []any{model.create}, model.createDefault); c != true {
		if c != false {
			e.notice(b.b.DefRange, "create", fmt.Sprintf("%s: whether it creates its role (%s) is not known; it is not linted", addr, model.create))
		}
		return nil
	}
	r := &role{addr: addr, path: "/", at: b.b.DefRange, file: b.file.display, org: rangeOrigin(b.b.DefRange)}
	if p, _ := e.input(attrs, model.path, ctx, inputs, []any{model.path}, "/"); p != nil {
		if s, ok := p.(string); ok && !strings.Contains(s, "${") {
			r.path = s
		}
	}
	name, nameAttr := e.input(attrs, model.name, ctx, inputs, []any{model.name}, nil)
	prefix := false
	if model.v6 {
		up, _ := e.input(attrs, "use_name_prefix", ctx, inputs, []any{"use_name_prefix"}, true)
		prefix = up != false
	} else if name == nil {
		if p, _ := e.input(attrs, model.prefix, ctx, inputs, []any{model.prefix}, nil); p != nil {
			prefix = true
		}
	}
	if s, ok := name.(string); ok && s != "" && !prefix && !strings.Contains(s, "${") {
		r.name = s
		if nameAttr != nil {
			rng := nameAttr.NameRange
			r.nameAt = &rng
		}
	} else {
		r.nameText = "${" + addr + "." + model.outName + "}"
		why := "its role name is not known before apply"
		if prefix {
			why = "its role name is a prefix Terraform completes with a random suffix"
		}
		e.notice(b.b.DefRange, "noname", fmt.Sprintf("%s: %s; the role is linted, but a ServiceAccount can be joined to it only through a reference to %s.%s", addr, why, addr, model.outArn))
	}
	if model.oidc {
		e.oidcTrust(r, b, attrs, ctx, inputs)
		e.roles[addr] = []*role{r}
		return r
	}
	test, testAttr := e.input(attrs, model.test, ctx, inputs, []any{model.test}, "StringEquals")
	before := e.placeholders
	providers, provAttr := e.input(attrs, "oidc_providers", ctx, inputs, []any{"oidc_providers"}, map[string]any{})
	stmts := []any{}
	doc := map[string]any{"Version": "2012-10-17"}
	pm, ok := providers.(map[string]any)
	if !ok {
		doc["Statement"] = []any{unknownStatement(fmt.Sprint(providers))}
		r.org.set([]any{"Statement", 0}, provAttr.Expr.Range())
	} else {
		keys := make([]string, 0, len(pm))
		for k := range pm {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			i := len(stmts)
			sp := []any{"Statement", i}
			r.org.setLoc(sp, loc(inputs, "oidc_providers", k))
			p, _ := pm[k].(map[string]any)
			arn, _ := p["provider_arn"].(string)
			if arn == "" {
				arn = "${" + addr + ".oidc_providers." + k + ".provider_arn}"
				e.placeholders++
			}
			issuer := arn
			if j := strings.Index(arn, "provider/"); j >= 0 {
				issuer = arn[j+len("provider/"):]
			}
			subs := []any{}
			nsas, _ := p["namespace_service_accounts"].([]any)
			if s, ok := p["namespace_service_accounts"].(string); ok {
				nsas = []any{s} // unknown: a placeholder
			}
			for j, x := range nsas {
				s := fmt.Sprint(x)
				subs = append(subs, "system:serviceaccount:"+s)
				r.org.setLoc(join(sp, "Condition", fmt.Sprint(test), issuer+":sub", j), loc(inputs, "oidc_providers", k, "namespace_service_accounts", j))
			}
			ts := fmt.Sprint(test)
			stmts = append(stmts, map[string]any{
				"Effect":    "Allow",
				"Action":    "sts:AssumeRoleWithWebIdentity",
				"Principal": map[string]any{"Federated": arn},
				"Condition": map[string]any{ts: map[string]any{issuer + ":sub": single(subs), issuer + ":aud": "sts.amazonaws.com"}},
			})
			r.org.setLoc(join(sp, "Principal"), loc(inputs, "oidc_providers", k, "provider_arn"))
			r.org.setLoc(join(sp, "Action"), loc(inputs, "oidc_providers", k))
			r.org.setLoc(join(sp, "Condition"), loc(inputs, "oidc_providers", k, "namespace_service_accounts"))
			r.org.setLoc(join(sp, "Condition", ts, issuer+":sub"), loc(inputs, "oidc_providers", k, "namespace_service_accounts"))
			r.org.setLoc(join(sp, "Condition", ts, issuer+":aud"), loc(inputs, "oidc_providers", k))
			if testAttr != nil {
				r.org.set(join(sp, "Condition", ts), testAttr.Expr.Range())
			}
		}
		doc["Statement"] = stmts
	}
	r.doc = doc
	r.known = e.placeholders == before
	e.inferAccount(r)
	if !model.v6 {
		if self, _ := e.input(attrs, "allow_self_assume_role", ctx, inputs, []any{"allow_self_assume_role"}, false); self == true {
			// The module's ExplicitSelfRoleAssumption statement.
			stmts = append(stmts, map[string]any{
				"Sid": "ExplicitSelfRoleAssumption", "Effect": "Allow", "Action": "sts:AssumeRole",
				"Principal": map[string]any{"AWS": "*"},
				"Condition": map[string]any{"ArnLike": map[string]any{"aws:PrincipalArn": r.arn()}},
			})
			r.org.setLoc([]any{"Statement", len(stmts) - 1}, loc(inputs, "allow_self_assume_role"))
			doc["Statement"] = stmts
		}
	}
	e.roles[addr] = []*role{r}
	return r
}

func loc(o *origin, path ...any) analyzer.Location {
	l, _ := o.Locate(path)
	return l
}
