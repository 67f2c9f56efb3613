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

// Positions holds the source position of every node of a decoded document.
//
// There is one 16-byte entry per node: a 64-bit hash of the node's path and
// the position Lookup gives for it (the key's for a mapping value, the
// value's for a sequence item), sorted by hash for binary search. A tree of
// nodes with a map per mapping took about ten times as much, and position
// data outlives decoding: objects keep it to place their findings.
//
// Path hashes are chained per element from a seed chosen at random when the
// program starts, so that no text can be written to make two paths collide.
// By chance, two of a document's n paths share a hash with a probability of
// about n²/2⁶⁵, and a path that is not in it matches an entry with one of
// n/2⁶⁴; Lookup would then give a wrong position.
type Positions struct {
	root    analyzer.Position
	entries []posEntry
}

type posEntry struct {
	hash      uint64
	line, col uint32
}

func (e posEntry) pos() analyzer.Position {
	return analyzer.Position{Line: int(e.line), Column: int(e.col)}
}

// Root is the position of the document's root value.
func (p *Positions) Root() analyzer.Position {
	if p == nil {
		return analyzer.Position{}
	}
	return p.root
}

// Lookup walks path (elements are string for mapping keys, int/int64/float64
// with an integral value for sequence indices) as far as it exists and returns
// the most specific position: the key's position when the last element reached
// is a mapping key, the value's position when it is a sequence item or the
// root. exact is false when the path goes further than the document; the
// position is then that of the deepest element that exists.
func (p *Positions) Lookup(path []any) (pos analyzer.Position, exact bool) {
	if p == nil {
		return analyzer.Position{}, false
	}
	h, pos := rootHash, p.root
	for _, el := range path {
		if key, ok := el.(string); ok {
			h = keyHash(h, key)
		} else if i, ok := pathIndex(el); ok {
			h = indexHash(h, i)
		} else {
			return pos, false
		}
		e, ok := p.find(h)
		if !ok {
			return pos, false
		}
		pos = e.pos()
	}
	return pos, true
}

func (p *Positions) find(h uint64) (posEntry, bool) {
	lo, hi := 0, len(p.entries)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if p.entries[mid].hash < h {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(p.entries) && p.entries[lo].hash == h {
		return p.entries[lo], true
	}
	return posEntry{}, false
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
