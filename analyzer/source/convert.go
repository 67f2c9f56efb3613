package source

import (
	"fmt"

	yaml "go.yaml.in/yaml/v3"

	"github.com/irsalint/irsalint/analyzer"
)

const (
	// maxDepth caps nesting of the produced value. yaml.v3 caps block and
	// flow nesting at 10000 each, but aliases can stack subtrees deeper;
	// the cap keeps our recursion (and every later walk of Value) off the
	// edge of the Go stack.
	maxDepth = 10000
	// minBudget is the alias-expansion budget of a small document, so that
	// ordinary anchor use in a short file never trips it.
	minBudget = 10_000
	// budgetFactor times the nodes in the document is the budget of a large
	// one: a billion-laughs bomb fails in milliseconds instead of minutes.
	budgetFactor = 10
)

// anchor states in converter.anchors.
const (
	anchorDefined int8 = iota // in this document, not being converted
	anchorOpen                // being converted: an alias to it would loop
)

// converter turns one yaml.v3 document into plain values and Positions
// with yaml.v2 (sigs.k8s.io/yaml) semantics.
type converter struct {
	src      *lines
	pb       *posBuilder
	anchors  map[*yaml.Node]int8
	count    int // nodes in the parsed document
	budget   int
	produced int
	depth    int
	aliasAt  analyzer.Position // outermost alias being expanded
	path     []any             // path of the value being converted
	hash     uint64            // hash of path
	dups     []Duplicate
	// floatZero is, per mapping, the spelling ("0" or "-0") of its float
	// zero key, once it has one.
	floatZero map[*posMapping]string
	dupSeen   map[analyzer.Position]bool
	// starts counts the scalars whose properties start at each source
	// offset, when the source may hold a "!" tag (nonSpecificTag).
	starts map[int]int
}

func pos(n *yaml.Node) analyzer.Position {
	return analyzer.Position{Line: n.Line, Column: n.Column}
}

func errAt(p analyzer.Position, format string, args ...any) *Error {
	return &Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
}

func convertDoc(root *yaml.Node, src *lines, pb *posBuilder) (Doc, error) {
	pb.reset()
	c := &converter{src: src, pb: pb, hash: rootHash}
	c.scan(root)
	c.budget = max(budgetFactor*c.count, minBudget)
	v, p, err := c.convert(root)
	if err != nil {
		return Doc{}, err
	}
	return Doc{Value: v, Pos: pb.build(p), Duplicates: c.dups}, nil
}

// scan counts the document's nodes and records its anchors, without
// following aliases and without recursion (the tree may be 20000 deep).
func (c *converter) scan(root *yaml.Node) {
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		c.count++
		if n.Kind == yaml.ScalarNode && c.src.mayHaveBangTag() {
			if c.starts == nil {
				c.starts = map[int]int{}
			}
			if i, ok := c.src.offset(pos(n)); ok {
				c.starts[i]++
			}
		}
		if n.Anchor != "" {
			if c.anchors == nil {
				c.anchors = map[*yaml.Node]int8{}
			}
			c.anchors[n] = anchorDefined
		}
		stack = append(stack, n.Content...)
	}
}

// spend counts one produced node against the alias budget.
func (c *converter) spend(n *yaml.Node) error {
	c.produced++
	if c.produced > c.budget {
		at := c.aliasAt
		if at == (analyzer.Position{}) {
			at = pos(n)
		}
		return errAt(at, "document expands aliases too much (more than %d nodes from %d in the file)", c.budget, c.count)
	}
	return nil
}

// convert returns the value of n and its position (an alias's is its
// anchor's).
func (c *converter) convert(n *yaml.Node) (any, analyzer.Position, error) {
	if err := c.spend(n); err != nil {
		return nil, analyzer.Position{}, err
	}
	if c.depth >= maxDepth {
		return nil, analyzer.Position{}, errAt(pos(n), "document nests deeper than %d levels", maxDepth)
	}
	c.depth++
	v, p, err := c.convertKind(n)
	c.depth--
	return v, p, err
}

func (c *converter) convertKind(n *yaml.Node) (any, analyzer.Position, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		raw, err := c.scalar(n)
		if err != nil {
			return nil, analyzer.Position{}, err
		}
		return jsonNumber(raw), c.nodePos(n), nil
	case yaml.MappingNode:
		return c.mapping(n)
	case yaml.SequenceNode:
		return c.sequence(n)
	case yaml.AliasNode:
		target, err := c.enterAlias(n)
		if err != nil {
			return nil, analyzer.Position{}, err
		}
		v, p, err := c.convert(target)
		c.leaveAlias(n)
		return v, p, err
	}
	return nil, analyzer.Position{}, errAt(pos(n), "unexpected YAML node kind %d", n.Kind)
}

// nodePos is the position of a node. An empty scalar at the end of a text
// without a final line break ("? 0", "? <<") is placed by libyaml on a
// line that does not exist: put it at the end of the last one.
func (c *converter) nodePos(n *yaml.Node) analyzer.Position {
	if n.Value == "" && n.Line > 1 && n.Line > c.src.count() {
		return c.src.position(len(c.src.data))
	}
	return pos(n)
}

// enterAlias checks an alias and returns the node it refers to.
func (c *converter) enterAlias(n *yaml.Node) (*yaml.Node, error) {
	target := n.Alias
	state, ok := c.anchors[target]
	if target == nil || !ok {
		// yaml.v3 keeps anchors from one document to the next; YAML (and
		// kubectl, which decodes documents one by one) does not.
		return nil, errAt(pos(n), "unknown anchor '%s' referenced", n.Value)
	}
	if state == anchorOpen {
		return nil, errAt(pos(n), "anchor '%s' value contains itself", n.Value)
	}
	if c.aliasAt == (analyzer.Position{}) {
		c.aliasAt = pos(n)
	}
	return target, nil
}

func (c *converter) leaveAlias(n *yaml.Node) {
	if c.aliasAt == pos(n) {
		c.aliasAt = analyzer.Position{}
	}
}

// open marks an anchored collection as being converted, so that an alias
// inside it to itself fails instead of looping; closeAnchor undoes it.
func (c *converter) open(n *yaml.Node) {
	if n.Anchor != "" {
		c.anchors[n] = anchorOpen
	}
}

func (c *converter) closeAnchor(n *yaml.Node) {
	if n.Anchor != "" {
		c.anchors[n] = anchorDefined
	}
}

const quotedStyles = yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle

// scalar returns yaml.v2's value for a scalar (int64, uint64, float64, bool,
// string or nil), before JSON number normalisation.
func (c *converter) scalar(n *yaml.Node) (any, error) {
	var v any
	var err error
	switch {
	case n.Style&yaml.TaggedStyle != 0:
		v, err = resolveScalar(longTag(n.Tag), n.Value, false)
	case n.Style&quotedStyles != 0:
		return n.Value, nil
	default:
		v, err = resolveScalar("", n.Value, false)
		if _, isString := v.(string); err == nil && !isString && c.src.mayHaveBangTag() && c.nonSpecificTag(n) {
			// "! 12": yaml.v2 keeps the "!" tag, which makes it a
			// string; yaml.v3 drops it without a trace in the Node.
			return n.Value, nil
		}
	}
	if err != nil {
		return nil, errAt(pos(n), "%s", err.Error())
	}
	return v, nil
}

// nonSpecificTag tells whether the plain scalar n carries the "!" tag, by
// reading its properties in the source: yaml.v3 reports the node where its
// properties start and records any other tag in n.Tag.
func (c *converter) nonSpecificTag(n *yaml.Node) bool {
	data := c.src.data
	if len(data) >= 2 && (data[0] == 0xFE && data[1] == 0xFF || data[0] == 0xFF && data[1] == 0xFE) {
		return false // UTF-16: our byte offsets do not apply
	}
	i, ok := c.src.offset(pos(n))
	if !ok || i >= len(data) {
		return false
	}
	if data[i] == '!' && n.Value == "" && c.starts[i] > 1 {
		// An empty value has no text of its own: yaml.v3 places it where
		// the next node starts ("? k" then "! x:"), and that "!" is the
		// next node's.
		return false
	}
	if data[i] == '&' {
		i++
		for i < len(data) && isAnchorChar(data[i]) {
			i++
		}
		for i < len(data) {
			switch {
			case data[i] == ' ' || data[i] == '\t':
				i++
			case breakLen(data, i) > 0:
				i += breakLen(data, i)
			case data[i] == '#':
				for i < len(data) && breakLen(data, i) == 0 {
					i++
				}
			default:
				goto done
			}
		}
	done:
		// A "!" where another node starts is that node's tag: in
		// "0: &a\n! :" it tags the next key, not this empty value.
		if c.starts[i] > 0 {
			return false
		}
	}
	return i < len(data) && data[i] == '!'
}

func isAnchorChar(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b == '_' || b == '-'
}

func (c *converter) sequence(n *yaml.Node) (any, analyzer.Position, error) {
	c.open(n)
	defer c.closeAnchor(n)
	items := make([]any, len(n.Content))
	parent := c.hash
	for i, child := range n.Content {
		c.path = append(c.path, i)
		c.hash = indexHash(parent, i)
		e := c.pb.add(c.hash)
		v, p, err := c.convert(child)
		c.path = c.path[:len(c.path)-1]
		c.hash = parent
		if err != nil {
			return nil, analyzer.Position{}, err
		}
		c.pb.set(e, p)
		items[i] = v
	}
	return items, pos(n), nil
}

func (c *converter) mapping(n *yaml.Node) (any, analyzer.Position, error) {
	m := make(map[string]any, len(n.Content)/2)
	mp := &posMapping{start: len(c.pb.entries)}
	if err := c.fill(n, m, mp, true); err != nil {
		return nil, analyzer.Position{}, err
	}
	return m, pos(n), nil
}

// isMerge is yaml.v2's test for a merge key: a plain "<<" or one tagged
// !!merge (yaml.v3 gives a plain "<<" the !!merge tag too).
func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Tag == "!!merge"
}

// fill writes the pairs of mapping n into m and its positions in order, as
// yaml.v2 does: a later key overwrites an earlier one, and a merge key writes
// the merged mappings' pairs at its place. So explicit keys after "<<" win
// over merged ones, and, as in yaml.v2 and so in kubectl, merged keys win
// over explicit keys written before "<<". fresh is false when n is merged
// into a mapping that already has keys.
func (c *converter) fill(n *yaml.Node, m map[string]any, mp *posMapping, fresh bool) error {
	c.open(n)
	defer c.closeAnchor(n)
	// Keys set by this mapping's own pairs, to tell duplicates from keys
	// set by a merge; without merge keys, the keys in m tell the same.
	var own map[string]analyzer.Position
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !fresh || isMerge(n.Content[i]) {
			own = make(map[string]analyzer.Position, len(n.Content)/2)
			break
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMerge(k) {
			if err := c.spend(k); err != nil {
				return err
			}
			if err := c.merge(v, m, mp); err != nil {
				return err
			}
			continue
		}
		key, zero, err := c.key(k)
		if err != nil {
			return err
		}
		at := pos(k)
		if zero {
			c.replaceFloatZero(key, at, m, mp, own)
		}
		h := keyHash(c.hash, key)
		prev := -1
		if _, set := m[key]; set {
			prev = c.pb.previous(mp, h)
		}
		if own != nil {
			if first, ok := own[key]; ok {
				c.duplicate(key, at, first)
			} else {
				own[key] = at
			}
		} else if prev >= 0 {
			c.duplicate(key, at, c.pb.entries[prev].pos())
		}
		if prev >= 0 {
			c.pb.supersede(prev)
		}
		e := c.pb.add(h)
		c.pb.added(mp, h, e)
		parent := c.hash
		c.path = append(c.path, key)
		c.hash = h
		val, _, err := c.convert(v)
		c.path = c.path[:len(c.path)-1]
		c.hash = parent
		if err != nil {
			return err
		}
		c.pb.set(e, at)
		m[key] = val
	}
	return nil
}

func (c *converter) duplicate(key string, at, first analyzer.Position) {
	// A mapping reached through several aliases repeats its duplicates:
	// report each repeated key of the text once.
	if c.dupSeen[at] {
		return
	}
	if c.dupSeen == nil {
		c.dupSeen = map[analyzer.Position]bool{}
	}
	c.dupSeen[at] = true
	c.dups = append(c.dups, Duplicate{
		Path:  append([]any(nil), c.path...),
		Key:   key,
		At:    at,
		First: first,
	})
}

const errWantMap = "map merge requires map or sequence of maps as the value"

// merge applies the value of a merge key, with yaml.v2's rules: a mapping,
// an alias to one, or a sequence of those, where earlier mappings win.
func (c *converter) merge(v *yaml.Node, m map[string]any, mp *posMapping) error {
	switch v.Kind {
	case yaml.MappingNode, yaml.AliasNode:
		return c.mergeOne(v, m, mp)
	case yaml.SequenceNode:
		if err := c.spend(v); err != nil {
			return err
		}
		for i := len(v.Content) - 1; i >= 0; i-- {
			if err := c.mergeOne(v.Content[i], m, mp); err != nil {
				return err
			}
		}
		return nil
	}
	return errAt(c.nodePos(v), errWantMap)
}

func (c *converter) mergeOne(v *yaml.Node, m map[string]any, mp *posMapping) error {
	if err := c.spend(v); err != nil {
		return err
	}
	if v.Kind == yaml.AliasNode {
		if v.Alias == nil || v.Alias.Kind != yaml.MappingNode {
			return errAt(pos(v), errWantMap)
		}
		target, err := c.enterAlias(v)
		if err != nil {
			return err
		}
		err = c.fill(target, m, mp, false)
		c.leaveAlias(v)
		return err
	}
	if v.Kind != yaml.MappingNode {
		return errAt(c.nodePos(v), errWantMap)
	}
	return c.fill(v, m, mp, false)
}

// replaceFloatZero handles a float key 0 or -0 (spelled key) in the
// mapping m: yaml.v2 keys its maps by value, where 0.0 and -0.0 are one
// key that takes the later spelling, so a float zero spelled the other
// way before is a duplicate that this one replaces.
func (c *converter) replaceFloatZero(key string, at analyzer.Position, m map[string]any, mp *posMapping, own map[string]analyzer.Position) {
	if c.floatZero == nil {
		c.floatZero = map[*posMapping]string{}
	}
	before, ok := c.floatZero[mp]
	c.floatZero[mp] = key
	if !ok || before == key {
		return
	}
	if _, set := m[before]; !set {
		return
	}
	h := keyHash(c.hash, before)
	if prev := c.pb.previous(mp, h); prev >= 0 {
		// As in fill: a key a merge set is replaced without a duplicate.
		if own == nil {
			c.duplicate(key, at, c.pb.entries[prev].pos())
		} else if first, mine := own[before]; mine {
			c.duplicate(key, at, first)
			delete(own, before)
		}
		c.pb.supersede(prev)
	}
	delete(m, before)
}

// key converts a mapping key to the JSON object key sigs.k8s.io/yaml makes
// of it; zero tells a float key 0 or -0.
func (c *converter) key(k *yaml.Node) (string, bool, error) {
	s, raw, err := c.keyValue(k)
	f, isFloat := raw.(float64)
	return s, isFloat && f == 0, err
}

func (c *converter) keyValue(k *yaml.Node) (string, any, error) {
	if err := c.spend(k); err != nil {
		return "", nil, err
	}
	target := k
	if k.Kind == yaml.AliasNode {
		t, err := c.enterAlias(k)
		if err != nil {
			return "", nil, err
		}
		c.leaveAlias(k)
		target = t
	}
	if target.Kind != yaml.ScalarNode {
		return "", nil, errAt(pos(k), "mapping key is a mapping or sequence, which JSON and Kubernetes cannot represent")
	}
	raw, err := c.scalar(target)
	if err != nil {
		return "", nil, err
	}
	s, ok := keyString(raw)
	if !ok {
		if raw == nil {
			return "", nil, errAt(pos(k), "mapping key is null, which sigs.k8s.io/yaml (and so kubectl) rejects")
		}
		return "", nil, errAt(pos(k), "mapping key %v does not fit a 64-bit integer, which sigs.k8s.io/yaml (and so kubectl) rejects", raw)
	}
	return s, raw, nil
}
