package cloudformation

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/internal/synth"
)

// noValue is AWS::NoValue: the property it is the value of is left out.
type noValue struct{}

// Placeholders written for what only a deployed stack knows. They hold no
// colon, because ARNs are split at colons.
const (
	unknownAccount   = "${AccountId}"
	unknownPartition = "${Partition}"
)

// pseudo are the pseudo parameters' placeholders when not known.
var pseudo = map[string]string{
	"AWS::AccountId": unknownAccount, "AWS::Partition": unknownPartition, "AWS::Region": "${Region}",
	"AWS::StackName": "${StackName}", "AWS::StackId": "${StackId}", "AWS::URLSuffix": "${URLSuffix}",
	"AWS::NotificationARNs": "${NotificationARNs}",
}

// Bounds on what evaluation may build: a template is untrusted.
const (
	maxString    = 1 << 20
	maxElements  = 10000
	maxEvalDepth = 64
)

type evaluator struct {
	file       string
	data       []byte
	params     map[string]*node
	given      map[string]string
	mappings   *node
	conditions *node
	resources  *node
	account    string
	partition  string
	condCache  map[string]*bool
	condBusy   map[string]bool
	notices    []analyzer.Diagnostic
	errors     []analyzer.Diagnostic
	noticed    map[string]bool
	org        *synth.Origin
	// roleRef gives a role's name (attr "") or ARN ("Arn") for a Ref or
	// GetAtt of a role of the template, when known.
	roleRef func(id, attr string) (string, bool)
}

// place records where path is; a nil path is a value evaluated for its use
// only (a Join's delimiter), which has no place in the document.
func (e *evaluator) place(path []any, l analyzer.Location) {
	if path != nil {
		e.org.Set(path, l)
	}
}

func (e *evaluator) at(n *node) analyzer.Location {
	return analyzer.Location{File: e.file, Line: n.line, Column: n.col}
}

// notice says once per line and subject what could not be resolved.
func (e *evaluator) notice(n *node, key, msg string) {
	k := fmt.Sprintf("%d:%s", n.line, key)
	if e.noticed[k] {
		return
	}
	e.noticed[k] = true
	e.notices = append(e.notices, analyzer.Diagnostic{Level: analyzer.LevelNotice, Location: e.at(n), Message: msg})
}

func (e *evaluator) fail(n *node, format string, args ...any) string {
	e.errors = append(e.errors, analyzer.Diagnostic{Level: analyzer.LevelError, Location: e.at(n), Message: fmt.Sprintf(format, args...)})
	return "${invalid}"
}

// intrinsic tells the function a mapping of one key calls, if it does.
func intrinsic(n *node) (string, *node, bool) {
	if n.kind != yaml.MappingNode || len(n.keys) != 1 {
		return "", nil, false
	}
	k := n.keys[0]
	if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
		return k, n.vals[0], true
	}
	return "", nil, false
}

// value evaluates n, placing it (and what it holds) at path in the origin.
func (e *evaluator) value(n *node, path []any, depth int) any {
	if n == nil {
		return nil
	}
	if depth > maxEvalDepth {
		return e.fail(n, "intrinsic functions nest more than %d deep", maxEvalDepth)
	}
	e.place(path, e.at(n))
	if fn, arg, ok := intrinsic(n); ok && fn != "Condition" {
		return e.call(fn, arg, n, path, depth)
	}
	switch n.kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			p := join(path, k)
			e.place(p, analyzer.Location{File: e.file, Line: n.keyAt[i].line, Column: n.keyAt[i].col})
			v := e.value(n.vals[i], p, depth+1)
			if _, drop := v.(noValue); drop {
				continue
			}
			m[k] = v
			// A key's place is its key's line, where a person edits it.
			e.place(p, analyzer.Location{File: e.file, Line: n.keyAt[i].line, Column: n.keyAt[i].col})
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.items))
		for _, it := range n.items {
			v := e.value(it, join(path, len(l)), depth+1)
			if _, drop := v.(noValue); drop {
				continue
			}
			l = append(l, v)
		}
		return l
	}
	if n.scalar == nil {
		return nil
	}
	return n.scalar
}

// call evaluates one intrinsic function.
func (e *evaluator) call(fn string, arg, at *node, path []any, depth int) any {
	switch fn {
	case "Ref":
		name, ok := arg.str()
		if !ok {
			return e.fail(at, "Ref takes a name, not %s", describe(arg))
		}
		return e.ref(name, at)
	case "Fn::GetAtt":
		var parts []string
		if s, ok := arg.str(); ok {
			r, a, _ := strings.Cut(s, ".")
			parts = []string{r, a}
		} else if arg.kind == yaml.SequenceNode && len(arg.items) == 2 {
			for _, it := range arg.items {
				s, _ := e.value(it, nil, depth+1).(string)
				parts = append(parts, s)
			}
		}
		if len(parts) != 2 || parts[0] == "" {
			return e.fail(at, "Fn::GetAtt takes [resource, attribute]")
		}
		if e.roleRef != nil {
			if v, ok := e.roleRef(parts[0], parts[1]); ok {
				return v
			}
		}
		if parts[1] == "Arn" {
			if v, ok := e.providerARN(parts[0]); ok {
				return v
			}
		}
		text := "${" + parts[0] + "." + parts[1] + "}"
		e.notice(at, "getatt:"+text, fmt.Sprintf("%s is known only when the stack is deployed, so it stays unknown and is not judged", parts[0]+"."+parts[1]))
		return text
	case "Fn::Sub":
		return e.sub(arg, at, depth)
	case "Fn::Join":
		if arg.kind != yaml.SequenceNode || len(arg.items) != 2 {
			return e.fail(at, "Fn::Join takes [delimiter, [values]]")
		}
		sep, ok := e.value(arg.items[0], nil, depth+1).(string)
		if !ok {
			return e.fail(arg.items[0], "the delimiter of Fn::Join is not a string")
		}
		list, ok := e.value(arg.items[1], nil, depth+1).([]any)
		if !ok {
			return e.unknown(at, "Fn::Join", "its list is not known")
		}
		parts := make([]string, 0, len(list))
		size := 0
		for _, v := range list {
			s, ok := scalarText(v)
			if !ok {
				return e.fail(at, "Fn::Join joins %s", describeValue(v))
			}
			size += len(s) + len(sep)
			if size > maxString {
				return e.fail(at, "Fn::Join would build more than 1 MiB")
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, sep)
	case "Fn::Split":
		if arg.kind != yaml.SequenceNode || len(arg.items) != 2 {
			return e.fail(at, "Fn::Split takes [delimiter, string]")
		}
		sep, ok1 := e.value(arg.items[0], nil, depth+1).(string)
		s, ok2 := e.value(arg.items[1], nil, depth+1).(string)
		if !ok1 || !ok2 || sep == "" {
			return e.fail(at, "Fn::Split takes a delimiter and a string")
		}
		if strings.Contains(s, "${") {
			return e.unknown(at, "Fn::Split", "its string is not known")
		}
		parts := strings.SplitN(s, sep, maxElements+1)
		if len(parts) > maxElements {
			return e.fail(at, "Fn::Split would give more than %d values", maxElements)
		}
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out
	case "Fn::Select":
		if arg.kind != yaml.SequenceNode || len(arg.items) != 2 {
			return e.fail(at, "Fn::Select takes [index, list]")
		}
		idx, ok := index(e.value(arg.items[0], nil, depth+1))
		if !ok {
			return e.unknown(at, "Fn::Select", "its index is not known")
		}
		list, ok := e.value(arg.items[1], join(path), depth+1).([]any)
		if !ok {
			return e.unknown(at, "Fn::Select", "its list is not known")
		}
		if idx < 0 || idx >= len(list) {
			return e.fail(at, "Fn::Select: index %d is outside the list of %d", idx, len(list))
		}
		return list[idx]
	case "Fn::FindInMap":
		if arg.kind != yaml.SequenceNode || len(arg.items) < 3 {
			return e.fail(at, "Fn::FindInMap takes [map, top-level key, second-level key]")
		}
		keys := make([]string, 3)
		for i := range 3 {
			s, ok := e.value(arg.items[i], nil, depth+1).(string)
			if !ok || strings.Contains(s, "${") {
				return e.unknown(at, "Fn::FindInMap", "a key is not known")
			}
			keys[i] = s
		}
		v := e.mappings.get(keys[0]).get(keys[1]).get(keys[2])
		if v == nil && len(arg.items) == 4 {
			// AWS::LanguageExtensions: [map, key, key, {DefaultValue: v}]
			v = arg.items[3].get("DefaultValue")
		}
		if v == nil {
			return e.fail(at, "Fn::FindInMap: Mappings has no %s.%s.%s", keys[0], keys[1], keys[2])
		}
		return e.value(v, path, depth+1)
	case "Fn::If":
		if arg.kind != yaml.SequenceNode || len(arg.items) != 3 {
			return e.fail(at, "Fn::If takes [condition, value if true, value if false]")
		}
		name, ok := arg.items[0].str()
		if !ok {
			return e.fail(arg.items[0], "the condition of Fn::If is a name")
		}
		c := e.condition(name, at, depth)
		if c == nil {
			return e.unknown(at, "If."+name, fmt.Sprintf("condition %s is not known", name))
		}
		if *c {
			return e.value(arg.items[1], path, depth+1)
		}
		return e.value(arg.items[2], path, depth+1)
	case "Fn::ImportValue":
		return e.unknown(at, "ImportValue", "an imported value is known only when the stack is deployed")
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
		c := e.condFn(fn, arg, at, depth)
		if c == nil {
			return e.unknown(at, strings.TrimPrefix(fn, "Fn::"), "its operands are not known")
		}
		return *c
	}
	return e.unknown(at, strings.TrimPrefix(fn, "Fn::"), fn+" is not evaluated")
}

// unknown is the placeholder of a value that cannot be resolved, with a
// notice saying why.
func (e *evaluator) unknown(at *node, name, why string) string {
	// No colons in a placeholder: ARNs are split at colons.
	text := "${" + strings.ReplaceAll(strings.TrimPrefix(name, "Fn::"), "::", ".") + "}"
	e.notice(at, "unknown:"+name, fmt.Sprintf("could not resolve %s: %s, so the value stays unknown and is not judged", name, why))
	return text
}

// ref resolves a Ref or a ${Name} of Fn::Sub.
func (e *evaluator) ref(name string, at *node) any {
	if name == "AWS::NoValue" {
		return noValue{}
	}
	if name == "AWS::AccountId" && e.account != "" {
		return e.account
	}
	if name == "AWS::Partition" && e.partition != "" {
		return e.partition
	}
	if name == "AWS::URLSuffix" {
		switch e.partition {
		case "aws", "aws-us-gov":
			return "amazonaws.com"
		case "aws-cn":
			return "amazonaws.com.cn"
		}
	}
	if p, ok := pseudo[name]; ok {
		return p
	}
	if v, ok := e.given[name]; ok {
		if p := e.params[name]; p != nil && isListType(p) {
			return splitList(v)
		}
		return v
	}
	if p, ok := e.params[name]; ok {
		if d := p.get("Default"); d != nil {
			v := e.value(d, nil, maxEvalDepth)
			if s, ok := v.(string); ok && isListType(p) {
				return splitList(s)
			}
			if s, ok := scalarText(v); ok {
				return s
			}
			return v
		}
		text := "${" + name + "}"
		e.notice(at, "param:"+name, fmt.Sprintf("parameter %s has no default and no value (pass it with --cfn-parameter %s=VALUE), so it stays unknown and is not judged", name, name))
		return text
	}
	if e.resources.get(name) != nil {
		if e.roleRef != nil {
			if v, ok := e.roleRef(name, ""); ok {
				return v
			}
		}
		if v, ok := e.providerARN(name); ok {
			return v
		}
		text := "${" + name + "}"
		e.notice(at, "ref:"+name, fmt.Sprintf("Ref %s names a resource, known only when the stack is deployed, so it stays unknown and is not judged", name))
		return text
	}
	return e.fail(at, "Ref %s names no parameter or resource of the template", name)
}

func isListType(p *node) bool {
	t, _ := p.get("Type").str()
	return strings.HasPrefix(t, "List<") || t == "CommaDelimitedList"
}

func splitList(s string) []any {
	parts := strings.SplitN(s, ",", maxElements)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = strings.TrimSpace(p)
	}
	return out
}

// providerARN is the ARN of an AWS::IAM::OIDCProvider of the template
// with a literal Url (its Ref and its Arn): the provider of the stack's
// own account, in its partition.
func (e *evaluator) providerARN(id string) (string, bool) {
	rn := e.resources.get(id)
	if t, _ := rn.get("Type").str(); t != "AWS::IAM::OIDCProvider" {
		return "", false
	}
	url, ok := e.value(rn.get("Properties").get("Url"), nil, maxEvalDepth).(string)
	if !ok || url == "" || strings.Contains(url, "${") {
		return "", false
	}
	acct, part := e.account, e.partition
	if acct == "" {
		acct = unknownAccount
	}
	if part == "" {
		part = unknownPartition
	}
	return "arn:" + part + ":iam::" + acct + ":oidc-provider/" + strings.TrimPrefix(url, "https://"), true
}

// subVar matches ${Name}, ${Res.Attr} and the literal ${!Text}.
var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

// sub evaluates Fn::Sub: a string, or [string, {Name: value}].
func (e *evaluator) sub(arg, at *node, depth int) any {
	var text string
	vars := map[string]any{}
	switch {
	case arg.kind == yaml.ScalarNode:
		text, _ = arg.scalar.(string)
	case arg.kind == yaml.SequenceNode && len(arg.items) == 2:
		s, ok := arg.items[0].str()
		if !ok {
			return e.fail(at, "Fn::Sub takes a string first")
		}
		text = s
		m := arg.items[1]
		if m.kind != yaml.MappingNode {
			return e.fail(arg.items[1], "the variables of Fn::Sub are a mapping")
		}
		for i, k := range m.keys {
			vars[k] = e.value(m.vals[i], nil, depth+1)
		}
	default:
		return e.fail(at, "Fn::Sub takes a string, or [string, {variables}]")
	}
	var b strings.Builder
	last := 0
	for _, loc := range subVar.FindAllStringSubmatchIndex(text, -1) {
		b.WriteString(text[last:loc[0]])
		last = loc[1]
		name := text[loc[2]:loc[3]]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		name = strings.TrimSpace(name)
		var v any
		if x, ok := vars[name]; ok {
			v = x
		} else if res, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			v = "${" + res + "." + attr + "}"
			if e.roleRef != nil {
				if r, ok := e.roleRef(res, attr); ok {
					v = r
					goto have
				}
			}
			if attr == "Arn" {
				if r, ok := e.providerARN(res); ok {
					v = r
					goto have
				}
			}
			e.notice(at, "getatt:"+name, fmt.Sprintf("%s is known only when the stack is deployed, so it stays unknown and is not judged", name))
		} else {
			v = e.ref(name, at)
		}
	have:
		s, ok := scalarText(v)
		if !ok {
			return e.fail(at, "Fn::Sub: ${%s} is %s, not a string", name, describeValue(v))
		}
		b.WriteString(s)
		if b.Len() > maxString {
			return e.fail(at, "Fn::Sub would build more than 1 MiB")
		}
	}
	b.WriteString(text[last:])
	return b.String()
}

// condition evaluates a named condition; nil when it cannot be decided.
func (e *evaluator) condition(name string, at *node, depth int) *bool {
	if v, ok := e.condCache[name]; ok {
		return v
	}
	if e.condBusy[name] {
		e.fail(at, "condition %s refers to itself", name)
		return nil
	}
	def := e.conditions.get(name)
	if def == nil {
		e.fail(at, "no condition %s in Conditions", name)
		return nil
	}
	e.condBusy[name] = true
	fn, arg, ok := intrinsic(def)
	var v *bool
	if ok {
		v = e.condFn(fn, arg, def, depth+1)
	}
	delete(e.condBusy, name)
	e.condCache[name] = v
	return v
}

func (e *evaluator) condFn(fn string, arg, at *node, depth int) *bool {
	if depth > maxEvalDepth {
		e.fail(at, "conditions nest more than %d deep", maxEvalDepth)
		return nil
	}
	if fn == "Condition" {
		name, _ := arg.str()
		return e.condition(name, at, depth+1)
	}
	if arg.kind != yaml.SequenceNode {
		return nil
	}
	operand := func(n *node) *bool {
		if f, a, ok := intrinsic(n); ok && f != "Ref" && f != "Fn::FindInMap" && f != "Fn::Sub" && f != "Fn::Select" && f != "Fn::Join" {
			return e.condFn(f, a, n, depth+1)
		}
		v, ok := e.value(n, nil, depth+1).(bool)
		if !ok {
			return nil
		}
		return &v
	}
	switch fn {
	case "Fn::Equals":
		if len(arg.items) != 2 {
			return nil
		}
		a, ok1 := scalarText(e.value(arg.items[0], nil, depth+1))
		b, ok2 := scalarText(e.value(arg.items[1], nil, depth+1))
		if !ok1 || !ok2 || strings.Contains(a, "${") || strings.Contains(b, "${") {
			return nil
		}
		r := a == b
		return &r
	case "Fn::Not":
		if len(arg.items) != 1 {
			return nil
		}
		if v := operand(arg.items[0]); v != nil {
			r := !*v
			return &r
		}
	case "Fn::And", "Fn::Or":
		all, decided := fn == "Fn::And", true
		for _, it := range arg.items {
			v := operand(it)
			switch {
			case v == nil:
				decided = false
			case fn == "Fn::And" && !*v:
				r := false
				return &r
			case fn == "Fn::Or" && *v:
				r := true
				return &r
			}
		}
		if decided {
			return &all
		}
	}
	return nil
}

func index(v any) (int, bool) {
	switch x := v.(type) {
	case int64:
		return int(x), true
	case float64:
		return int(x), x == float64(int(x))
	case string:
		n, err := strconv.Atoi(x)
		return n, err == nil
	}
	return 0, false
}

// scalarText is a scalar as CloudFormation turns it into a string.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func describe(n *node) string {
	switch n.kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%v", n.scalar)
}

func describeValue(v any) string {
	switch v.(type) {
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", v)
}

func join(base []any, more ...any) []any { return synth.Join(base, more...) }
