package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

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

// decodeJSON decodes valid JSON that yaml.v3 rejects: "\/" and surrogate
// pair escapes ("\ud83d\ude00", as Python writes emoji), keys longer than
// 1024 characters, DEL and C1 control characters. kubectl reads such files
// with encoding/json, so they must not fail here. Values and positions are
// the same as the YAML path would give.
func decodeJSON(src *lines, body []byte) ([]Doc, error) {
	c := &jsonConverter{src: src, body: body, base: len(src.data) - len(body), hash: rootHash}
	c.dec = json.NewDecoder(bytes.NewReader(body))
	c.dec.UseNumber()
	v, p, err := c.value()
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	slicesSortDuplicates(c.dups)
	return []Doc{{Value: v, Pos: c.pb.build(p), Duplicates: c.dups}}, nil
}

type jsonConverter struct {
	src   *lines
	body  []byte
	base  int // offset of body in src.data (a BOM)
	dec   *json.Decoder
	depth int
	path  []any
	hash  uint64 // of path
	pb    posBuilder
	dups  []Duplicate
}

// next reads a token and returns it with the position where it starts:
// InputOffset is the end of the previous token, before any separator.
func (c *jsonConverter) next() (json.Token, analyzer.Position, error) {
	off := int(c.dec.InputOffset())
	for off < len(c.body) {
		switch c.body[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
			continue
		}
		break
	}
	p := c.src.position(c.base + off)
	tok, err := c.dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, p, &Error{Pos: p, Msg: err.Error()}
	}
	return tok, p, nil
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
			for c.dec.More() {
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
		for c.dec.More() {
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
