package terraform

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// oidcTrust builds the trust policy terraform-aws-modules' v5
// modules/iam-assumable-role-with-oidc generates from its inputs:
// create_role (false), provider_url and provider_urls (https:// removed,
// blanks dropped, duplicates once, in order), aws_account_id (the AWS
// provider's account when ""), oidc_fully_qualified_subjects (StringEquals
// on "<url>:sub"), oidc_subjects_with_wildcards (StringLike on
// "<url>:sub"), oidc_fully_qualified_audiences (StringLike on "<url>:aud"),
// the three sets sorted as Terraform sorts a set of strings. One statement
// per URL allowing sts:AssumeRoleWithWebIdentity to the URL's provider in
// that account. The self-assumption statement (allow_self_assume_role,
// explicit_permission_to_assume_self) admits only the role itself and is
// left out with a notice.
func (e *evaluator) oidcTrust(r *role, b *block, attrs hcl.Attributes, ctx *hcl.EvalContext, inputs *origin) {
	before := e.placeholders
	one, oneAttr := e.input(attrs, "provider_url", ctx, inputs, []any{"provider_url"}, "")
	many, manyAttr := e.input(attrs, "provider_urls", ctx, inputs, []any{"provider_urls"}, []any{})
	type url struct {
		text string
		at   []any
	}
	var urls []url
	seen := map[string]bool{}
	addURL := func(v any, at []any) {
		s, ok := v.(string)
		if !ok || s == "" || seen[s] {
			return
		}
		seen[s] = true
		urls = append(urls, url{strings.ReplaceAll(s, "https://", ""), at})
	}
	switch l := many.(type) {
	case []any:
		for i, v := range l {
			addURL(v, []any{"provider_urls", i})
		}
	case string:
		addURL(l, []any{"provider_urls"}) // unknown: its placeholder
	}
	addURL(one, []any{"provider_url"})
	if len(urls) == 0 {
		at := b.b.DefRange
		switch {
		case manyAttr != nil:
			at = manyAttr.Expr.Range()
		case oneAttr != nil:
			at = oneAttr.Expr.Range()
		}
		e.notice(at, "nourl", fmt.Sprintf("%s: no provider_url or provider_urls, so the role it creates trusts no provider; it is not linted", r.addr))
		return
	}
	acct, _ := e.input(attrs, "aws_account_id", ctx, inputs, []any{"aws_account_id"}, "")
	account, ok := acct.(string)
	if !ok || account == "" {
		account = "${data.aws_caller_identity.current.account_id}" // the AWS provider's: the role's own
	}
	sets := func(name string) ([]any, []any) {
		v, _ := e.input(attrs, name, ctx, inputs, []any{name}, []any{})
		switch l := v.(type) {
		case []any:
			var out []string
			for _, x := range l {
				out = append(out, fmt.Sprint(x))
			}
			sort.Strings(out)
			vals := make([]any, len(out))
			for i, x := range out {
				vals[i] = x
			}
			return vals, []any{name}
		case string:
			return []any{l}, []any{name}
		}
		return nil, nil
	}
	subjects, subjectsAt := sets("oidc_fully_qualified_subjects")
	wildcards, wildcardsAt := sets("oidc_subjects_with_wildcards")
	audiences, audiencesAt := sets("oidc_fully_qualified_audiences")
	stmts := []any{}
	for i, u := range urls {
		sp := []any{"Statement", i}
		cond := map[string]any{}
		// The module repeats each condition block once per URL, all with
		// the statement's URL in the variable: one key, the same values.
		add := func(test, claim string, values, at []any) {
			if len(values) == 0 {
				return
			}
			m, _ := cond[test].(map[string]any)
			if m == nil {
				m = map[string]any{}
				cond[test] = m
			}
			key := u.text + ":" + claim
			m[key] = values
			r.org.setLoc(join(sp, "Condition", test), loc(inputs, at...))
			r.org.setLoc(join(sp, "Condition", test, key), loc(inputs, at...))
			for j := range values {
				r.org.setLoc(join(sp, "Condition", test, key, j), loc(inputs, at...))
			}
		}
		add("StringEquals", "sub", subjects, subjectsAt)
		add("StringLike", "sub", wildcards, wildcardsAt)
		add("StringLike", "aud", audiences, audiencesAt)
		st := map[string]any{
			"Effect":    "Allow",
			"Action":    "sts:AssumeRoleWithWebIdentity",
			"Principal": map[string]any{"Federated": "arn:${data.aws_partition.current.partition}:iam::" + account + ":oidc-provider/" + u.text},
		}
		if len(cond) > 0 {
			st["Condition"] = cond
		}
		stmts = append(stmts, st)
		r.org.setLoc(sp, loc(inputs, u.at...))
		r.org.setLoc(join(sp, "Principal"), loc(inputs, u.at...))
		r.org.setLoc(join(sp, "Principal", "Federated"), loc(inputs, u.at...))
		r.org.setLoc(join(sp, "Action"), loc(inputs, u.at...))
	}
	for _, self := range []string{"allow_self_assume_role", "explicit_permission_to_assume_self"} {
		if v, a := e.input(attrs, self, ctx, inputs, []any{self}, false); v == true {
			e.notice(a.NameRange, "self", fmt.Sprintf("%s: the statement %s adds lets only the role assume itself; it is not modeled", r.addr, self))
		}
	}
	r.doc = map[string]any{"Version": "2012-10-17", "Statement": stmts}
	r.known = e.placeholders == before
	e.inferAccount(r)
}
