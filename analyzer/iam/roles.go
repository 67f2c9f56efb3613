package iam

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Role is one role (or bare trust policy) read from a file.
type Role struct {
	Ref   string
	Key   string // the role's ARN, or "file:<path>[#doc]" for a bare document
	Entry map[string]any
	File  string
	Base  []any // path from the document root to the role object
	Pos   *source.Positions
	Name  string // for people: "role arn:aws:iam::…" or "trust policy iam/x.json"
}

// Extraction is what one document holds for irsalint's IAM side.
type Extraction struct {
	Roles []*Role
	// Kind names the input form, for summaries: "trust policy",
	// "get-role output", "list-roles output", "account authorization details".
	Kind        string
	Diagnostics []analyzer.Diagnostic
}

// Detect reports whether a decoded document is an IAM input irsalint reads.
// A bare policy counts only when it is a trust policy (a statement names a
// Principal): permission policies (Resource, no Principal) are not ours.
func Detect(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	switch {
	case m["RoleDetailList"] != nil:
		_, ok := m["RoleDetailList"].([]any)
		return ok
	case m["Role"] != nil:
		r, ok := m["Role"].(map[string]any)
		return ok && r["AssumeRolePolicyDocument"] != nil
	case m["Roles"] != nil:
		list, ok := m["Roles"].([]any)
		if !ok {
			return false
		}
		for _, it := range list {
			if r, ok := it.(map[string]any); ok && r["Arn"] != nil {
				return true
			}
		}
		return false
	}
	return isTrustPolicy(m)
}

// isTrustPolicy looks at every spelling of "Statement": when two differ only
// in case, the policy is ours if either names a principal (the reading then
// reports the ambiguity).
func isTrustPolicy(m map[string]any) bool {
	for k, st := range m {
		if strings.EqualFold(k, "Statement") && namesPrincipal(st) {
			return true
		}
	}
	return false
}

func namesPrincipal(st any) bool {
	var list []any
	switch s := st.(type) {
	case map[string]any:
		list = []any{s}
	case []any:
		list = s
	}
	for _, s := range list {
		if sm, ok := s.(map[string]any); ok {
			for k := range sm {
				if strings.EqualFold(k, "Principal") || strings.EqualFold(k, "NotPrincipal") {
					return true
				}
			}
		}
	}
	return false
}

// Extract reads the roles of one IAM document.
func Extract(file string, doc source.Doc) Extraction {
	m := doc.Value.(map[string]any)
	x := &extractor{file: file, doc: doc}
	switch {
	case m["RoleDetailList"] != nil:
		x.ex.Kind = "account authorization details"
		for j, it := range m["RoleDetailList"].([]any) {
			x.apiRole(it, []any{"RoleDetailList", j}, "authorization-details")
		}
	case m["Role"] != nil:
		x.ex.Kind = "get-role output"
		x.apiRole(m["Role"], []any{"Role"}, "get-role")
	case m["Roles"] != nil:
		x.ex.Kind = "list-roles output"
		for j, it := range m["Roles"].([]any) {
			x.apiRole(it, []any{"Roles", j}, "list-roles")
		}
	default:
		x.ex.Kind = "trust policy"
		x.bare(m)
	}
	return x.ex
}

type extractor struct {
	file string
	doc  source.Doc
	ex   Extraction
}

func (x *extractor) ref(base []any) string {
	r := fmt.Sprintf("%s#%d", x.file, x.doc.Index)
	if len(base) > 0 {
		r += "." + source.FormatPath(base)
	}
	return r
}

// bare reads a policy document that is not attached to a named role.
func (x *extractor) bare(m map[string]any) {
	key := "file:" + x.file
	if x.doc.Index > 0 {
		key += fmt.Sprintf("#%d", x.doc.Index)
	}
	name := strings.TrimSuffix(path.Base(x.file), path.Ext(x.file))
	entry := map[string]any{
		"ref": x.ref(nil), "key": key, "arn": nil, "name": name, "path": nil,
		"account": nil, "partition": nil, "source": "policy-document",
		"attachedPolicies": []any{}, "inlinePolicies": []any{}, "tags": map[string]any{},
		"at":          []any{},
		"trustPolicy": readTrustPolicy(m, []any{}, x.doc.Duplicates, false, roleARN{}),
	}
	x.placeholderNotice(entry, nil, "trust policy "+x.file)
	x.add(entry, nil, "trust policy "+x.file)
}

// apiRole reads a role object as the IAM API (and the AWS CLI) prints it.
func (x *extractor) apiRole(v any, base []any, src string) {
	m, ok := v.(map[string]any)
	if !ok {
		x.diag(base, "expected a role object, got %s", describe(v))
		return
	}
	arn, _ := m["Arn"].(string)
	parsed, ok := parseRoleARN(arn)
	if !ok {
		x.diag(join(base, "Arn"), "role has no valid Arn (got %s)", describe(m["Arn"]))
		return
	}
	entry := map[string]any{
		"ref": x.ref(base), "key": arn, "arn": arn, "name": parsed.name, "path": parsed.path,
		"account": parsed.account, "partition": parsed.partition, "source": src,
		"attachedPolicies": attached(m["AttachedManagedPolicies"]),
		"inlinePolicies":   inline(m["RolePolicyList"]),
		"tags":             tags(m["Tags"]),
		"at":               []any{},
	}
	if name, _ := m["RoleName"].(string); name != "" && name != parsed.name {
		x.diag(join(base, "RoleName"), "RoleName %q does not match the name in the Arn (%q)", name, parsed.name)
	}
	docPath := []any{"AssumeRolePolicyDocument"}
	switch d := m["AssumeRolePolicyDocument"].(type) {
	case map[string]any:
		// Already parsed (the AWS CLI decodes it): never unescape again.
		entry["trustPolicy"] = readTrustPolicy(d, docPath, dupsUnder(x.doc.Duplicates, join(base, docPath...)), false, parsed)
	case string:
		tp, err := decodeDocument(d)
		if err != nil {
			x.diag(join(base, docPath...), "AssumeRolePolicyDocument: %v", err)
			return
		}
		entry["trustPolicy"] = readTrustPolicy(tp.Value, docPath, tp.Duplicates, true, parsed)
		entry["trustPolicy"].(map[string]any)["encoded"] = true
	case nil:
		x.diag(base, "role %s has no AssumeRolePolicyDocument", arn)
		return
	default:
		x.diag(join(base, docPath...), "AssumeRolePolicyDocument is %s", describe(d))
		return
	}
	x.placeholderNotice(entry, base, "role "+arn)
	x.add(entry, base, "role "+arn)
}

// placeholderNotice says, once per policy, that it holds unrendered
// placeholders, at the first one: rules do not judge what they decide.
func (x *extractor) placeholderNotice(entry map[string]any, base []any, name string) {
	tp, _ := entry["trustPolicy"].(map[string]any)
	phs, _ := tp["placeholders"].([]any)
	if len(phs) == 0 {
		return
	}
	first := phs[0].(map[string]any)
	at := first["at"].([]any)
	if tp["encoded"] == true {
		at = tp["at"].([]any) // the document is a string: its lines are not the file's
	}
	more := ""
	if len(phs) > 1 {
		more = fmt.Sprintf(" (and %d more)", len(phs)-1)
	}
	x.ex.Diagnostics = append(x.ex.Diagnostics, analyzer.Diagnostic{
		Level:    analyzer.LevelNotice,
		Location: x.doc.Locate(x.file, join(base, at...)),
		Message: fmt.Sprintf("%s: %q holds the unrendered placeholder %s%s: irsalint does not decide who this trust policy admits; render it first (envsubst, helm template, kustomize build, terraform) or pass the value",
			name, first["text"], first["placeholder"], more),
	})
}

func (x *extractor) add(entry map[string]any, base []any, name string) {
	x.ex.Roles = append(x.ex.Roles, &Role{
		Ref: entry["ref"].(string), Key: entry["key"].(string), Entry: entry,
		File: x.file, Base: base, Pos: x.doc.Pos, Name: name,
	})
}

func (x *extractor) diag(at []any, format string, args ...any) {
	x.ex.Diagnostics = append(x.ex.Diagnostics, analyzer.Diagnostic{
		Level:    analyzer.LevelError,
		Location: x.doc.Locate(x.file, at),
		Message:  fmt.Sprintf(format, args...),
	})
}

// decodeDocument reads a policy document held in a string. The IAM API
// returns documents URL-encoded (RFC 3986); they are decoded with
// PathUnescape, which keeps a literal "+" (QueryUnescape would turn it into a
// space). A string that already holds JSON is read as it is, so a "%" inside
// a value is never decoded twice.
func decodeDocument(s string) (source.Doc, error) {
	text := strings.TrimSpace(s)
	if !strings.HasPrefix(text, "{") {
		dec, err := url.PathUnescape(text)
		if err != nil {
			return source.Doc{}, fmt.Errorf("not JSON, and not URL-encoded JSON: %v", err)
		}
		text = dec
	}
	docs, err := source.Decode([]byte(text))
	if err != nil {
		return source.Doc{}, fmt.Errorf("the decoded policy does not parse: %v", err)
	}
	if len(docs) != 1 {
		return source.Doc{}, fmt.Errorf("the decoded text holds %d documents, want one policy", len(docs))
	}
	return docs[0], nil
}

// dupsUnder keeps the duplicates inside the mapping at prefix, with paths
// made relative to it.
func dupsUnder(dups []source.Duplicate, prefix []any) []source.Duplicate {
	var out []source.Duplicate
	for _, d := range dups {
		if len(d.Path) < len(prefix) {
			continue
		}
		match := true
		for i := range prefix {
			if fmt.Sprint(d.Path[i]) != fmt.Sprint(prefix[i]) {
				match = false
				break
			}
		}
		if match {
			d.Path = d.Path[len(prefix):]
			out = append(out, d)
		}
	}
	return out
}

type roleARN struct{ partition, account, path, name string }

// parseRoleARN splits arn:<partition>:iam::<account>:role<path><name>.
func parseRoleARN(arn string) (roleARN, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
		return roleARN{}, false
	}
	res := strings.TrimPrefix(parts[5], "role")
	i := strings.LastIndex(res, "/")
	return roleARN{partition: parts[1], account: parts[4], path: res[:i+1], name: res[i+1:]}, res[i+1:] != ""
}

func attached(v any) []any {
	out := []any{}
	list, _ := v.([]any)
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			if arn, ok := m["PolicyArn"].(string); ok {
				out = append(out, arn)
			}
		}
	}
	return out
}

func inline(v any) []any {
	out := []any{}
	list, _ := v.([]any)
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			if name, ok := m["PolicyName"].(string); ok {
				out = append(out, name)
			}
		}
	}
	return out
}

func tags(v any) map[string]any {
	out := map[string]any{}
	list, _ := v.([]any)
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			k, _ := m["Key"].(string)
			val, _ := m["Value"].(string)
			if k != "" {
				out[k] = val
			}
		}
	}
	return out
}

// ReadTrustPolicy normalizes one decoded policy document on its own, as the
// rules see it in input.roles[_].trustPolicy. Tests and tools use it to
// evaluate policies without a whole inventory.
func ReadTrustPolicy(doc source.Doc) map[string]any {
	return readTrustPolicy(doc.Value, []any{}, doc.Duplicates, false, roleARN{})
}
