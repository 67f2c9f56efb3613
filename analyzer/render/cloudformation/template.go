package cloudformation

import (
	"bytes"
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// node is a template value with its place: a mapping (keys in order), a
// sequence or a scalar. A short-form tag (!Sub x) is read as the long form
// ({"Fn::Sub": x}), which is what CloudFormation does.
type node struct {
	kind      yaml.Kind // yaml.MappingNode, yaml.SequenceNode or yaml.ScalarNode
	keys      []string
	keyAt     []pos
	vals      []*node
	items     []*node
	scalar    any  // string, int64, float64, bool or nil
	block     bool // a block scalar (| or >), or a call on one: its text starts on the next line
	line, col int
}

type pos struct{ line, col int }

func (n *node) get(key string) *node {
	if n == nil || n.kind != yaml.MappingNode {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

func (n *node) keyPos(key string) pos {
	for i, k := range n.keys {
		if k == key {
			return n.keyAt[i]
		}
	}
	return pos{n.line, n.col}
}

func (n *node) str() (string, bool) {
	if n == nil || n.kind != yaml.ScalarNode {
		return "", false
	}
	s, ok := n.scalar.(string)
	return s, ok
}

// maxDepth bounds the nesting of a template's values.
const maxDepth = 100

// shortForms maps each short-form tag to its function.
var shortForms = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition",
	"!Sub": "Fn::Sub", "!GetAtt": "Fn::GetAtt", "!Join": "Fn::Join", "!Select": "Fn::Select",
	"!Split": "Fn::Split", "!If": "Fn::If", "!Equals": "Fn::Equals", "!Not": "Fn::Not",
	"!And": "Fn::And", "!Or": "Fn::Or", "!FindInMap": "Fn::FindInMap", "!ImportValue": "Fn::ImportValue",
	"!Base64": "Fn::Base64", "!GetAZs": "Fn::GetAZs", "!Cidr": "Fn::Cidr", "!Transform": "Fn::Transform",
	"!Length": "Fn::Length", "!ToJsonString": "Fn::ToJsonString",
}

// parseTemplate decodes a template's first YAML (or JSON) document.
func parseTemplate(data []byte) (*node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("empty template")
	}
	c := &converter{budget: maxNodes}
	return c.convert(doc.Content[0], 0)
}

// maxNodes bounds the values a template expands to: aliases of aliases
// multiply (a billion from a few lines).
const maxNodes = 1 << 20

type converter struct{ budget int }

type syntaxError struct {
	line, col int
	msg       string
}

func (e *syntaxError) Error() string { return e.msg }

func (c *converter) convert(y *yaml.Node, depth int) (*node, error) {
	if c.budget--; c.budget < 0 {
		return nil, &syntaxError{y.Line, y.Column, fmt.Sprintf("the template expands to more than %d values", maxNodes)}
	}
	if depth > maxDepth {
		return nil, &syntaxError{y.Line, y.Column, fmt.Sprintf("values nest more than %d deep", maxDepth)}
	}
	for y.Kind == yaml.AliasNode {
		// An alias of an alias of ... is bounded by the depth.
		if y.Alias == nil {
			return nil, &syntaxError{y.Line, y.Column, "an alias names no anchor"}
		}
		y, depth = y.Alias, depth+1
		if depth > maxDepth {
			return nil, &syntaxError{y.Line, y.Column, "aliases nest too deep"}
		}
	}
	n := &node{kind: y.Kind, line: y.Line, col: y.Column}
	switch y.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, &syntaxError{k.Line, k.Column, "a mapping key is not a scalar"}
			}
			cv, err := c.convert(v, depth+1)
			if err != nil {
				return nil, err
			}
			n.keys, n.keyAt, n.vals = append(n.keys, k.Value), append(n.keyAt, pos{k.Line, k.Column}), append(n.vals, cv)
		}
	case yaml.SequenceNode:
		for _, it := range y.Content {
			cv, err := c.convert(it, depth+1)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, cv)
		}
	case yaml.ScalarNode:
		n.scalar = scalarValue(y)
		n.block = y.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0
	}
	if fn, ok := shortForms[y.Tag]; ok {
		inner := n
		if fn == "Fn::GetAtt" && n.kind == yaml.ScalarNode {
			// !GetAtt Resource.Attribute
			s, _ := n.scalar.(string)
			res, attr, _ := strings.Cut(s, ".")
			inner = &node{kind: yaml.SequenceNode, line: n.line, col: n.col, items: []*node{
				{kind: yaml.ScalarNode, scalar: res, line: n.line, col: n.col},
				{kind: yaml.ScalarNode, scalar: attr, line: n.line, col: n.col},
			}}
		}
		// The call keeps its argument's block style: a !Sub | policy is
		// placed by the lines of its text.
		return &node{kind: yaml.MappingNode, line: y.Line, col: y.Column, block: inner.block, keys: []string{fn}, keyAt: []pos{{y.Line, y.Column}}, vals: []*node{inner}}, nil
	}
	if strings.HasPrefix(y.Tag, "!") && !strings.HasPrefix(y.Tag, "!!") {
		return nil, &syntaxError{y.Line, y.Column, fmt.Sprintf("unknown tag %s", y.Tag)}
	}
	return n, nil
}

func scalarValue(y *yaml.Node) any {
	if y.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return y.Value
	}
	switch y.ShortTag() {
	case "!!null":
		return nil
	case "!!bool", "!!int", "!!float":
		var v any
		if err := y.Decode(&v); err == nil {
			switch x := v.(type) {
			case int:
				return int64(x)
			case bool, float64, int64:
				return x
			}
		}
	}
	return y.Value
}

// isTemplate tells a CloudFormation template: a top-level mapping with
// AWSTemplateFormatVersion, or with Resources whose entries have a Type of
// AWS:: (or Custom:: or a module's) form.
func isTemplate(root *node) bool {
	if root == nil || root.kind != yaml.MappingNode {
		return false
	}
	if root.get("AWSTemplateFormatVersion") != nil {
		return true
	}
	res := root.get("Resources")
	if res == nil || res.kind != yaml.MappingNode || len(res.vals) == 0 {
		return false
	}
	for _, r := range res.vals {
		t, ok := r.get("Type").str()
		if !ok || !strings.Contains(t, "::") {
			return false
		}
	}
	return true
}
