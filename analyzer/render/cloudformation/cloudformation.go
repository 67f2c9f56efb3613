package cloudformation

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/internal/synth"
	"github.com/irsalint/irsalint/analyzer/inventory"
	"github.com/irsalint/irsalint/analyzer/render"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Renderer reads CloudFormation templates.
type Renderer struct{}

// Claims tells a template by its bytes, then by its shape: most YAML files
// never name AWS:: types, and those are not parsed twice.
func (Renderer) Claims(f source.File) bool {
	if !bytes.Contains(f.Data, []byte("AWS::")) && !bytes.Contains(f.Data, []byte("AWSTemplateFormatVersion")) {
		return false
	}
	if templateVersionLine.Match(f.Data) {
		return true // a syntax error is then reported as the template's
	}
	root, err := parseTemplate(f.Data)
	return err == nil && isTemplate(root)
}

var templateVersionLine = regexp.MustCompile(`(?m)^\s*"?AWSTemplateFormatVersion"?\s*:`)

// RenderFile evaluates a template into the documents the readers know. A
// bug of the renderer is an error at the file, never a crash of the run.
func (Renderer) RenderFile(f source.File, env render.Env) (out render.Output) {
	defer func() {
		if p := recover(); p != nil {
			out = render.Output{Diagnostics: []analyzer.Diagnostic{{Level: analyzer.LevelError, Location: analyzer.Location{File: f.Path},
				Message: fmt.Sprintf("CloudFormation template: irsalint failed to read it (%v); please report this", p)}}}
		}
	}()
	root, err := parseTemplate(f.Data)
	if err != nil {
		out.Diagnostics = append(out.Diagnostics, syntaxDiagnostic(f.Path, err))
		return out
	}
	e := &evaluator{
		file: f.Path, data: f.Data, params: map[string]*node{}, given: map[string]string{},
		mappings: root.get("Mappings"), conditions: root.get("Conditions"), resources: root.get("Resources"),
		account: env.Options.AccountID, partition: env.Options.Partition, condCache: map[string]*bool{}, condBusy: map[string]bool{},
		noticed: map[string]bool{}, org: synth.NewOrigin(analyzer.Location{}),
	}
	if ps := root.get("Parameters"); ps != nil {
		for i, k := range ps.keys {
			e.params[k] = ps.vals[i]
		}
	}
	for _, kv := range env.Options.CFNParameters {
		k, v, _ := strings.Cut(kv, "=")
		e.given[strings.TrimSpace(k)] = v
	}
	t := &template{e: e, roles: map[string]*role{}}
	t.read()
	out.Docs = t.docs
	out.Diagnostics = append(append(out.Diagnostics, e.errors...), e.notices...)
	return out
}

// textNode is the node holding a policy's text: the string itself, or the
// template of the Fn::Sub that builds it.
func textNode(n *node) *node {
	if fn, arg, ok := intrinsic(n); ok && fn == "Fn::Sub" {
		if arg.kind == yaml.SequenceNode && len(arg.items) > 0 {
			return arg.items[0]
		}
		return arg
	}
	return n
}

// indentOf is the indentation of line n (1-based) of data.
func indentOf(data []byte, n int) int {
	for i := 1; len(data) > 0; i++ {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		if i == n {
			return len(line) - len(bytes.TrimLeft(line, " "))
		}
		data = rest
	}
	return 0
}

// syntaxDiagnostic places a decoding error at its line: ours carry it,
// yaml.v3's say it in their text.
func syntaxDiagnostic(file string, err error) analyzer.Diagnostic {
	d := analyzer.Diagnostic{Level: analyzer.LevelError, Location: analyzer.Location{File: file}, Message: "CloudFormation template: " + err.Error()}
	var se *syntaxError
	if errors.As(err, &se) {
		d.Location.Line, d.Location.Column = se.line, se.col
	} else if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		d.Location.Line, _ = strconv.Atoi(m[1])
		d.Message = "CloudFormation template: " + strings.TrimSpace(yamlLine.ReplaceAllString(err.Error(), ""))
	}
	return d
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// template reads the resources of one template.
type template struct {
	e     *evaluator
	roles map[string]*role // by logical ID
	docs  []render.Doc
}

// role is an AWS::IAM::Role as far as it is known before deployment.
type role struct {
	name, path, account, partition string
	doc                            map[string]any
	attached                       []any // ManagedPolicyArns as AttachedManagedPolicies
	org                            *synth.Origin
}

func (r *role) arn() string {
	acct := r.account
	if acct == "" {
		acct = unknownAccount
	}
	return fmt.Sprintf("arn:%s:iam::%s:role%s%s", r.partition, acct, r.path, r.name)
}

func (t *template) read() {
	res := t.e.resources
	if res == nil {
		return
	}
	// Roles first, so that a Ref or GetAtt of one elsewhere gives its name
	// and ARN.
	for i, id := range res.keys {
		if typ, _ := res.vals[i].get("Type").str(); typ == "AWS::IAM::Role" && t.created(id, res.vals[i]) {
			t.roles[id] = t.role(id, res.vals[i], res.keyAt[i])
		}
	}
	t.e.roleRef = func(name, attr string) (string, bool) {
		r, ok := t.roles[name]
		if !ok {
			return "", false
		}
		switch attr {
		case "":
			return r.name, true
		case "Arn":
			return r.arn(), true
		}
		return "", false
	}
	for i, id := range res.keys {
		rn := res.vals[i]
		typ, _ := rn.get("Type").str()
		key := res.keyAt[i]
		switch typ {
		case "AWS::IAM::Role":
			if r := t.roles[id]; r != nil {
				t.emitRole(r)
			}
		case "AWS::EKS::PodIdentityAssociation":
			if t.created(id, rn) {
				t.emit(rn, key, "association", map[string]string{"ClusterName": "clusterName", "Namespace": "namespace",
					"ServiceAccount": "serviceAccount", "RoleArn": "roleArn", "TargetRoleArn": "targetRoleArn", "DisableSessionTags": "disableSessionTags"}, nil)
			}
		case "AWS::EKS::Cluster":
			if t.created(id, rn) {
				t.emit(rn, key, "cluster", map[string]string{"Name": "name", "Version": "version"}, func(m map[string]any) bool {
					name, _ := m["name"].(string)
					if name == "" || strings.Contains(name, "${") {
						t.e.notice(rn, "clustername", fmt.Sprintf("cluster %s has no literal Name (CloudFormation generates one), so it is not read as the cluster context", id))
						return false
					}
					m["arn"] = "${" + id + ".Arn}"
					return true
				})
			}
		case "AWS::IAM::OIDCProvider":
			if t.created(id, rn) {
				t.emitProvider(id, rn, key)
			}
		}
	}
}

// created tells whether a resource is part of the stack: its Condition,
// when it has one, holds. One that cannot be decided is not linted.
func (t *template) created(id string, rn *node) bool {
	c := rn.get("Condition")
	if c == nil {
		return true
	}
	name, _ := c.str()
	v := t.e.condition(name, c, 0)
	if v == nil {
		t.e.notice(c, "cond:"+id, fmt.Sprintf("%s is created only when condition %s holds, which is not known before deployment; it is not linted", id, name))
		return false
	}
	return *v
}

// prop evaluates one property into path: the path is placed at the
// property's key, what it holds at its own nodes.
func (t *template) prop(rn *node, name string, path []any) (any, bool) {
	p := rn.get("Properties").get(name)
	if p == nil {
		return nil, false
	}
	v := t.e.value(p, path, 0)
	if _, drop := v.(noValue); drop {
		return nil, false
	}
	t.e.place(path, analyzer.Location{File: t.e.file, Line: rn.get("Properties").keyPos(name).line, Column: rn.get("Properties").keyPos(name).col})
	return v, true
}

func (t *template) role(id string, rn *node, key pos) *role {
	e := t.e
	saved := e.org
	e.org = synth.NewOrigin(analyzer.Location{})
	defer func() { e.org = saved }()
	base := []any{"Role"}
	e.place([]any{}, analyzer.Location{File: e.file, Line: key.line, Column: key.col})
	e.place(base, analyzer.Location{File: e.file, Line: key.line, Column: key.col})
	r := &role{path: "/"}
	if v, ok := t.prop(rn, "Path", join(base, "Path")); ok {
		if s, ok := v.(string); ok && !strings.Contains(s, "${") {
			r.path = s
		}
	}
	if v, ok := t.prop(rn, "RoleName", join(base, "RoleName")); ok {
		if s, ok := v.(string); ok && !strings.Contains(s, "${") {
			r.name = s
		}
	}
	if r.name == "" {
		r.name = "${" + id + "}"
		e.notice(rn, "noname:"+id, fmt.Sprintf("role %s has no literal RoleName: CloudFormation generates one, so it is linted, but a ServiceAccount can be joined to it only through !GetAtt %s.Arn in the same template", id, id))
	}
	docPath := join(base, "AssumeRolePolicyDocument")
	v, ok := t.prop(rn, "AssumeRolePolicyDocument", docPath)
	if !ok {
		e.notice(rn, "notrust:"+id, fmt.Sprintf("role %s has no AssumeRolePolicyDocument; it is not read", id))
		return nil
	}
	if s, isText := v.(string); isText {
		// A JSON text: placed by its own positions, from the line the
		// text starts on.
		docs, err := source.Decode([]byte(s))
		pn := rn.get("Properties").get("AssumeRolePolicyDocument")
		if err != nil || len(docs) != 1 || strings.HasPrefix(strings.TrimSpace(s), "${") {
			if strings.Contains(s, "${") {
				v = map[string]any{"Version": "2012-10-17", "Statement": []any{unknownStatement(s)}}
			} else {
				e.fail(pn, "role %s: AssumeRolePolicyDocument is a string that is not a JSON policy", id)
				return nil
			}
		} else {
			v = docs[0].Value
			tn := textNode(pn)
			if tn.block {
				// A block scalar's text starts below its indicator, each
				// line without the block's indentation; a one-line string
				// is placed at its line.
				first := tn.line + 1
				indent := indentOf(e.data, first)
				pos, file := docs[0].Pos, e.file
				e.org.Mount(docPath, func(rest []any) (analyzer.Location, bool) {
					p, _ := pos.Lookup(rest)
					return analyzer.Location{File: file, Line: first + p.Line - 1, Column: p.Column + indent}, p.Line > 0
				})
			}
		}
	}
	doc, ok := v.(map[string]any)
	if !ok {
		e.fail(rn, "role %s: AssumeRolePolicyDocument is %s, not a policy", id, describeValue(v))
		return nil
	}
	r.doc = sanitize(doc)
	selfProviders(r.doc)
	for _, arn := range synth.Federated(r.doc) {
		if m := federatedARN.FindStringSubmatch(arn); m != nil {
			r.partition = m[1]
			if r.account == "" {
				r.account = m[2]
			}
		} else if m := selfProviderARN.FindStringSubmatch(arn); m != nil && r.partition == "" && m[1] != unknownPartition {
			r.partition = m[1]
		}
	}
	if r.account == "" {
		r.account = e.account
	}
	if r.partition == "" {
		r.partition = e.partition
	}
	if r.partition == "" {
		// The stack's own, whatever it is: the trust's providers written
		// with AWS::Partition name the same.
		r.partition = unknownPartition
	} else {
		synth.MapFederated(r.doc, func(s string) string {
			return strings.Replace(s, "arn:"+unknownPartition+":", "arn:"+r.partition+":", 1)
		})
	}
	if r.account == "" {
		e.notice(rn, "account:"+id, fmt.Sprintf("role %s: its account is not known (no --account-id, no provider ARN with a literal account in its trust), so its ARN is written with the placeholder %s: ServiceAccounts are joined to it only through !GetAtt %s.Arn", id, unknownAccount, id))
	} else {
		replaceFederated(r.doc, ":iam::"+unknownAccount+":", ":iam::"+r.account+":")
	}
	if v, ok := t.prop(rn, "ManagedPolicyArns", join(base, "AttachedManagedPolicies")); ok {
		if l, ok := v.([]any); ok {
			for _, a := range l {
				if s, ok := a.(string); ok {
					r.attached = append(r.attached, map[string]any{"PolicyArn": s, "PolicyName": s[strings.LastIndex(s, "/")+1:]})
				}
			}
		}
	}
	r.org = e.org
	return r
}

func (t *template) emitRole(r *role) {
	m := map[string]any{"Arn": r.arn(), "RoleName": r.name, "Path": r.path}
	if r.attached != nil {
		m["AttachedManagedPolicies"] = r.attached
	}
	m["AssumeRolePolicyDocument"] = r.doc
	t.add(map[string]any{"Role": m}, r.org)
}

func (t *template) add(v map[string]any, org *synth.Origin) {
	t.docs = append(t.docs, render.Doc{File: t.e.file, Doc: source.Doc{Index: len(t.docs), Value: v, Origin: org}})
}

// emit renders a resource's properties under key with the names given;
// keep may refuse the result or complete it.
func (t *template) emit(rn *node, key pos, top string, names map[string]string, keep func(map[string]any) bool) {
	e := t.e
	saved := e.org
	e.org = synth.NewOrigin(analyzer.Location{})
	defer func() { e.org = saved }()
	at := analyzer.Location{File: e.file, Line: key.line, Column: key.col}
	e.place([]any{}, at)
	e.place([]any{top}, at)
	m := map[string]any{}
	for _, prop := range sortedNames(names) {
		if v, ok := t.prop(rn, prop, []any{top, names[prop]}); ok {
			m[names[prop]] = v
		}
	}
	if keep != nil && !keep(m) {
		return
	}
	t.add(map[string]any{top: m}, e.org)
}

func (t *template) emitProvider(id string, rn *node, key pos) {
	e := t.e
	saved := e.org
	e.org = synth.NewOrigin(analyzer.Location{})
	defer func() { e.org = saved }()
	at := analyzer.Location{File: e.file, Line: key.line, Column: key.col}
	e.place([]any{}, at)
	p := map[string]any{"ClientIDList": []any{}, "ThumbprintList": []any{}}
	for prop, name := range map[string]string{"Url": "Url", "ClientIdList": "ClientIDList", "ThumbprintList": "ThumbprintList"} {
		if v, ok := t.prop(rn, prop, []any{name}); ok {
			p[name] = v
		}
	}
	url, _ := p["Url"].(string)
	if url == "" || strings.Contains(url, "${") {
		return // the notice said why
	}
	if _, ok := p["ClientIDList"].([]any); !ok {
		return
	}
	if e.account != "" {
		p["Arn"] = fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", e.account, strings.TrimPrefix(url, "https://"))
	}
	t.add(p, e.org)
}

func sortedNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// unknownStatement stands for a statement that cannot be evaluated: its
// principal is the unresolved text, so no rule judges it.
func unknownStatement(text string) map[string]any {
	return map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": text}, "Action": "sts:AssumeRole"}
}

// sanitize replaces the statements whose structure is unknown (a
// statement, principal or condition that is a placeholder where IAM wants
// an object) with unknown statements, so that an unknown is never read as
// a malformed policy.
func sanitize(doc map[string]any) map[string]any {
	switch st := doc["Statement"].(type) {
	case string:
		if strings.Contains(st, "${") {
			doc["Statement"] = []any{unknownStatement(st)}
		}
	case []any:
		for i, s := range st {
			if text, ok := unknownStructure(s); ok {
				st[i] = unknownStatement(text)
			}
		}
	}
	return doc
}

func unknownStructure(s any) (string, bool) {
	switch x := s.(type) {
	case string:
		return x, strings.Contains(x, "${")
	case map[string]any:
		if p, ok := x["Principal"].(string); ok && p != "*" && strings.Contains(p, "${") {
			return p, true
		}
		if c, ok := x["Condition"].(string); ok && strings.Contains(c, "${") {
			return c, true
		}
		if c, ok := x["Condition"].(map[string]any); ok {
			for _, v := range c {
				if s, ok := v.(string); ok && strings.Contains(s, "${") {
					return s, true
				}
			}
		}
	}
	return "", false
}

// federatedARN matches the ARN of an IAM OIDC or SAML provider with a
// literal account.
var federatedARN = regexp.MustCompile(`^arn:(aws[a-z-]*):iam::([0-9]{12}):(oidc|saml)-provider/`)

// selfProviderARN matches a provider ARN written with the stack's own
// partition and account (AWS::Partition, AWS::AccountId).
var selfProviderARN = regexp.MustCompile(`^arn:(aws[a-z-]*|\$\{Partition\}):iam::([0-9]{12}|\$\{AccountId\}):oidc-provider/(oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/.*)$`)

// selfProviders writes such ARNs of an EKS issuer with the issuer region's
// partition: the provider is the stack account's own, in its partition.
func selfProviders(doc map[string]any) {
	synth.MapFederated(doc, func(arn string) string {
		m := selfProviderARN.FindStringSubmatch(arn)
		if m == nil || m[1] != unknownPartition {
			return arn
		}
		return "arn:" + inventory.PartitionForRegion(m[4]) + ":iam::" + m[2] + ":oidc-provider/" + m[3]
	})
}

func replaceFederated(doc map[string]any, old, new string) {
	synth.MapFederated(doc, func(s string) string { return strings.Replace(s, old, new, 1) })
}
