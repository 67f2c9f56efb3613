package source

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/irsalint/irsalint/analyzer"
)

// looksJSON reports whether the text, after a BOM and whitespace, starts
// like a JSON object or array, and returns it without the BOM.
func looksJSON(data []byte) ([]byte, bool) {
	body := data
	if hasBOM(body) {
		body = body[3:] // encoding/json does not skip a BOM
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	return body, len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')
}

// decodeJSON decodes valid JSON that yaml.v3 rejects: "\\/" and surrogate
// pair escapes ("\\ud83d\\ude00", as Python writes emoji), keys longer than
// 1024 characters, DEL and C1 control characters. kubectl reads such files
// with encoding/json, so they must not fail here. Values and positions are
// the same as the YAML path would give. body must be valid JSON (callers
// check with json.Valid): the scanner reads tokens without checking the
// grammar again, which makes it several times faster than json.Decoder's.
func decodeJSON(src *lines, body []byte) ([]Doc, error) {
	c := &jsonConverter{src: src, body: body, base: len(src.data) - len(body), hash: rootHash}
	v, p, err := c.value()
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	doc := Doc{Value: v, Pos: c.pb.build(p), Duplicates: c.dups}
	finishDuplicates(&doc)
	return []Doc{doc}, nil
}

type jsonConverter struct {
	src   *lines
	body  []byte
	off   int // the next byte of body to read
	base  int // offset of body in src.data (a BOM)
	depth int
	path  []any
	hash  uint64 // of path
	pb    posBuilder
	dups  []Duplicate
}

// skip moves past white space and the separators ':' and ',', which valid
// JSON has only where they belong.
func (c *jsonConverter) skip() {
	for c.off < len(c.body) {
		switch c.body[c.off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			c.off++
			continue
		}
		return
	}
}

// more reports whether the array or object being read has another element.
func (c *jsonConverter) more() bool {
	c.skip()
	return c.off < len(c.body) && c.body[c.off] != ']' && c.body[c.off] != '}'
}

// next reads a token (what json.Decoder.Token returns: a json.Delim, a
// string, a json.Number, a bool or nil) and the position where it starts.
func (c *jsonConverter) next() (any, analyzer.Position, error) {
	c.skip()
	p := c.src.position(c.base + c.off)
	if c.off >= len(c.body) {
		return nil, p, &Error{Pos: p, Msg: io.ErrUnexpectedEOF.Error()}
	}
	switch b := c.body[c.off]; b {
	case '{', '}', '[', ']':
		c.off++
		return json.Delim(b), p, nil
	case '"':
		s, err := c.str()
		if err != nil {
			return nil, p, &Error{Pos: p, Msg: err.Error()}
		}
		return s, p, nil
	case 't':
		c.off += len("true")
		return true, p, nil
	case 'f':
		c.off += len("false")
		return false, p, nil
	case 'n':
		c.off += len("null")
		return nil, p, nil
	}
	start := c.off
	for c.off < len(c.body) && strings.IndexByte("-+.0123456789eE", c.body[c.off]) >= 0 {
		c.off++
	}
	if c.off == start {
		return nil, p, errAt(p, "unexpected character %q in JSON", c.body[c.off])
	}
	return json.Number(c.body[start:c.off]), p, nil
}

// str reads a string. One without escapes is its bytes when they are valid
// UTF-8; the others are unquoted by encoding/json, for its exact rules
// (surrogate pairs, invalid UTF-8 and lone surrogates as U+FFFD).
func (c *jsonConverter) str() (string, error) {
	start := c.off
	escaped, ascii := false, true
	i := start + 1
	for ; i < len(c.body) && c.body[i] != '"'; i++ {
		switch b := c.body[i]; {
		case b == '\\':
			escaped = true
			i++
		case b >= utf8.RuneSelf:
			ascii = false
		}
	}
	if i >= len(c.body) {
		c.off = len(c.body)
		return "", io.ErrUnexpectedEOF
	}
	c.off = i + 1
	quoted := c.body[start:c.off]
	if inner := quoted[1 : len(quoted)-1]; !escaped && (ascii || utf8.Valid(inner)) {
		return string(inner), nil
	}
	var s string
	err := json.Unmarshal(quoted, &s)
	return s, err
}

// value reads one value and returns it with its position.
func (c *jsonConverter) value() (any, analyzer.Position, error) {
	tok, p, err := c.next()
	if err != nil {
		return nil, p, err
	}
	if c.depth >= maxDepth {
		return nil, p, errAt(p, "document nests deeper than %d levels", maxDepth)
	}
	c.depth++
	defer func() { c.depth-- }()
	switch t := tok.(type) {
	case json.Delim:
		parent := c.hash
		defer func() { c.hash = parent }()
		if t == '[' {
			items := []any{}
			for c.more() {
				c.path = append(c.path, len(items))
				c.hash = indexHash(parent, len(items))
				e := c.pb.add(c.hash)
				v, vp, err := c.value()
				c.path = c.path[:len(c.path)-1]
				if err != nil {
					return nil, p, err
				}
				c.pb.set(e, vp)
				items = append(items, v)
			}
			_, _, err := c.next() // ']'
			return items, p, err
		}
		m := map[string]any{}
		mp := &posMapping{start: len(c.pb.entries)}
		for c.more() {
			ktok, kp, err := c.next()
			if err != nil {
				return nil, p, err
			}
			key, _ := ktok.(string)
			c.hash = keyHash(parent, key)
			if _, set := m[key]; set {
				prev := c.pb.previous(mp, c.hash)
				c.dups = append(c.dups, Duplicate{Path: append([]any(nil), c.path...), Key: key, At: kp, First: c.pb.entries[prev].pos()})
				c.pb.supersede(prev)
			}
			e := c.pb.add(c.hash)
			c.pb.added(mp, c.hash, e)
			c.path = append(c.path, key)
			v, _, err := c.value()
			c.path = c.path[:len(c.path)-1]
			if err != nil {
				return nil, p, err
			}
			c.pb.set(e, kp)
			m[key] = v
		}
		_, _, err := c.next() // '}'
		return m, p, err
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return i, p, nil
		}
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			// yaml.v2, and so sigs.k8s.io/yaml, leaves a number it cannot
			// represent as its text.
			return string(t), p, nil
		}
		return jsonNumber(f), p, nil
	case string, bool, nil:
		return t, p, nil
	}
	return nil, p, errAt(p, "unexpected JSON token %v", fmt.Sprint(tok))
}
