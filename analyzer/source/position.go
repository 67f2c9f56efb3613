package source

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/irsalint/irsalint/analyzer"
)

// Node mirrors a decoded value with source positions.
type Node struct {
	Key    analyzer.Position // position of the mapping key leading here; zero for document roots and sequence items
	Value  analyzer.Position // position of the value node itself
	Fields map[string]*Node  // for mappings (keys as in Value)
	Items  []*Node           // for sequences
}

// Lookup walks path (elements are string for mapping keys, int/int64/float64
// with an integral value for sequence indices) as far as it exists and returns
// the most specific position: the key's position when the last element reached
// is a mapping key, the value's position when it is a sequence item or the
// root. exact is false when the path goes further than the document; the
// position is then that of the deepest element that exists.
func (n *Node) Lookup(path []any) (pos analyzer.Position, exact bool) {
	if n == nil {
		return analyzer.Position{}, false
	}
	cur, pos := n, n.Value
	for _, el := range path {
		var next *Node
		if key, ok := el.(string); ok {
			next = cur.Fields[key]
			if next != nil {
				pos = next.Key
			}
		} else if i, ok := pathIndex(el); ok && i < len(cur.Items) {
			next = cur.Items[i]
			if next != nil {
				pos = next.Value
			}
		}
		if next == nil {
			return pos, false
		}
		cur = next
	}
	return pos, true
}

// pathIndex reads a sequence index from the integer types rules may hand us
// (Go ints, float64 from encoding/json, json.Number from OPA).
func pathIndex(el any) (int, bool) {
	var i int64
	switch v := el.(type) {
	case int:
		i = int64(v)
	case int64:
		i = v
	case int32:
		i = int64(v)
	case uint:
		if v > math.MaxInt32 {
			return 0, false
		}
		i = int64(v)
	case uint64:
		if v > math.MaxInt32 {
			return 0, false
		}
		i = int64(v)
	case float64:
		if v != math.Trunc(v) || v < 0 || v > math.MaxInt32 {
			return 0, false
		}
		i = int64(v)
	case json.Number:
		n, err := v.Int64()
		if err != nil {
			return 0, false
		}
		i = n
	default:
		return 0, false
	}
	if i < 0 || i > math.MaxInt32 {
		return 0, false
	}
	return int(i), true
}

// FormatPath writes a path for messages, such as
// spec.template.spec.containers[0].env[2].value or
// metadata.annotations["eks.amazonaws.com/role-arn"].
func FormatPath(path []any) string {
	var b strings.Builder
	for _, el := range path {
		if key, ok := el.(string); ok {
			if plainPathKey(key) {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(key)
			} else {
				b.WriteByte('[')
				b.WriteString(strconv.Quote(key))
				b.WriteByte(']')
			}
			continue
		}
		b.WriteByte('[')
		if i, ok := pathIndex(el); ok {
			b.WriteString(strconv.Itoa(i))
		} else {
			// Not an index we understand (negative, fractional, another
			// type): show it rather than hide it.
			b.WriteString(toString(el))
		}
		b.WriteByte(']')
	}
	return b.String()
}

// plainPathKey tells keys that read unambiguously after a dot.
func plainPathKey(key string) bool {
	if key == "" {
		return false
	}
	for _, r := range key {
		switch {
		case r == '.' || r == '/' || r == '[' || r == ']' || r == '"' || r == '\'' || r == '\\':
			return false
		case r <= ' ' || r == 0x7f || r == utf8.RuneError:
			return false
		}
	}
	return true
}

func toString(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// lines finds positions in the source the way yaml.v3 counts them: 1-based
// lines split at \r\n, \r, \n, NEL, LS and PS (libyaml's line breaks), and
// 1-based columns in characters, with a leading BOM not counted.
type lines struct {
	data   []byte
	starts []int // byte offset of each line; built on first use
	bang   int8  // 0 unknown, 1 the text may hold a "!" tag, -1 it does not
}

// mayHaveBangTag tells whether the text holds a "!" followed by a space, a
// line break or "<!>", or ends with one: without one, no scalar carries the
// non-specific tag, and positions need not be turned into offsets.
func (l *lines) mayHaveBangTag() bool {
	if l.bang == 0 {
		l.bang = -1
		for data := l.data; ; {
			i := bytes.IndexByte(data, '!')
			if i < 0 {
				break
			}
			rest := data[i+1:]
			if len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r' ||
				bytes.HasPrefix(rest, []byte("<!>")) || breakLen(rest, 0) > 0 {
				l.bang = 1
				break
			}
			data = rest
		}
	}
	return l.bang > 0
}

// breakLen is the length of the line break at data[i], 0 if there is none.
func breakLen(data []byte, i int) int {
	switch data[i] {
	case '\n':
		return 1
	case '\r':
		if i+1 < len(data) && data[i+1] == '\n' {
			return 2
		}
		return 1
	case 0xC2:
		if i+1 < len(data) && data[i+1] == 0x85 {
			return 2
		}
	case 0xE2:
		if i+2 < len(data) && data[i+1] == 0x80 && (data[i+2] == 0xA8 || data[i+2] == 0xA9) {
			return 3
		}
	}
	return 0
}

func (l *lines) index() []int {
	if l.starts == nil {
		l.starts = []int{0}
		if hasBOM(l.data) {
			l.starts[0] = 3
		}
		for i := l.starts[0]; i < len(l.data); {
			if n := breakLen(l.data, i); n > 0 {
				i += n
				l.starts = append(l.starts, i)
				continue
			}
			i++
		}
	}
	return l.starts
}

// count is the number of lines, counting the (possibly empty) text after the
// last line break as a line: yaml.v3 may point there (an empty value at EOF).
func (l *lines) count() int { return len(l.index()) }

// offset turns a position into a byte offset; ok is false when the position
// is not in the file.
func (l *lines) offset(p analyzer.Position) (int, bool) {
	starts := l.index()
	if p.Line < 1 || p.Line > len(starts) || p.Column < 1 {
		return 0, false
	}
	off := starts[p.Line-1]
	for col := 1; col < p.Column; col++ {
		if off >= len(l.data) {
			return 0, false
		}
		_, size := utf8.DecodeRune(l.data[off:])
		off += size
	}
	return off, true
}

// position turns a byte offset into a position.
func (l *lines) position(off int) analyzer.Position {
	starts := l.index()
	line := 0
	for lo, hi := 0, len(starts)-1; lo <= hi; {
		mid := (lo + hi) / 2
		if starts[mid] <= off {
			line = mid
			lo = mid + 1
		} else {
			hi = mid - 1
		}
	}
	start := starts[line]
	if off < start {
		off = start
	}
	if off > len(l.data) {
		off = len(l.data)
	}
	return analyzer.Position{Line: line + 1, Column: utf8.RuneCount(l.data[start:off]) + 1}
}

func hasBOM(data []byte) bool {
	return len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF
}
