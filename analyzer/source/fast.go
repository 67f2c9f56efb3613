package source

import (
	"sync"
	"unicode/utf8"

	"github.com/irsalint/irsalint/analyzer"
)

// The fast path decodes the block-style YAML that kubectl, helm and
// kustomize print, and most hand-written manifests, straight into the
// values, positions and duplicates that yaml.v3 followed by the conversion
// gives, without yaml.v3's tokens, events and nodes: over five times as fast
// on the generated benchmark corpus. It gives up on the whole file at
// anything it does not read exactly as yaml.v3 does (anchors, aliases, merge
// keys, tags, complex keys, directives, tabs outside quoted and block
// scalars, flow collections over several lines, any syntax error), and
// Decode then takes the yaml.v3 path, which also gives every error its
// message and position.

// giveUp is the panic value with which the fast parser abandons a text.
type giveUp struct{}

// fastStrict makes decodeFast let panics other than giveUp through, so that
// tests and fuzzing see a bug in the fast parser instead of a fallback.
var fastStrict = false

// fastMaxDepth caps the nesting the fast parser follows (yaml.v3 allows
// 10000); deeper texts take the yaml.v3 path.
const fastMaxDepth = 512

// maxSimpleKey is below libyaml's 1024-character limit on a key written
// without "?"; it counts bytes, which are never fewer than characters.
const maxSimpleKey = 1000

// decodeFast decodes data (UTF-8) with the fast parser; ok is false when it
// gave up.
func decodeFast(data []byte) (docs []Doc, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, give := r.(giveUp); !give && fastStrict {
				panic(r)
			}
			docs, ok = nil, false
		}
	}()
	start := 0
	if hasBOM(data) {
		start = 3
	}
	ascii, clean := fastText(data[start:])
	if !clean {
		return nil, false
	}
	p := fastParsers.Get().(*fastParser)
	defer p.release()
	p.data, p.pos, p.line, p.lineStart, p.ascii = data, start, 1, start, ascii
	return p.stream(), true
}

// fastParsers keeps parsers with their buffers for the next file.
var fastParsers = sync.Pool{New: func() any { return new(fastParser) }}

// release empties p, drops buffers a large file grew, and puts p back.
func (p *fastParser) release() {
	const keep = 1 << 16
	if cap(p.pb.entries) > keep || cap(p.pairs) > keep || cap(p.items) > keep || cap(p.buf) > keep {
		p.pb, p.pairs, p.items, p.buf = posBuilder{}, nil, nil, nil
	}
	clear(p.pairs[:cap(p.pairs)])
	clear(p.items[:cap(p.items)])
	p.data, p.dups, p.depth = nil, nil, 0
	p.path, p.pairs, p.items = p.path[:0], p.pairs[:0], p.items[:0]
	fastParsers.Put(p)
}

// fastText tells whether the text holds only characters the fast parser
// reads as yaml.v3 does: printable ones, tabs, and \n or \r\n line breaks
// (libyaml also breaks lines at a lone \r, NEL, LS and PS, and skips a BOM
// at the start of any line); ascii tells that all of it is ASCII, so that
// columns are byte counts.
func fastText(data []byte) (ascii, ok bool) {
	ascii = true
	for i := 0; i < len(data); {
		for i < len(data) && plainASCII[data[i]] {
			i++
		}
		if i == len(data) {
			break
		}
		b := data[i]
		if b < utf8.RuneSelf {
			if b != '\n' && b != '\t' && (b != '\r' || i+1 >= len(data) || data[i+1] != '\n') {
				return false, false
			}
			i++
			continue
		}
		ascii = false
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 || r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xFEFF || !yamlPrintable(r) {
			return false, false
		}
		i += n
	}
	return ascii, true
}

// plainASCII marks the printable ASCII characters.
var plainASCII = func() (t [256]bool) {
	for c := ' '; c < 0x7f; c++ {
		t[c] = true
	}
	return t
}()

type fastParser struct {
	data      []byte
	pos       int // the next byte to read
	line      int // 1-based line of pos
	lineStart int // offset of that line
	ascii     bool
	depth     int

	pb    posBuilder
	path  []pathElem // of the node being read
	hash  uint64     // of path
	dups  []Duplicate
	pairs []fastPair  // pairs of the mappings being read
	items []any       // items of the sequences being read
	buf   []byte      // scalars that are not a slice of the text
	strs  [512]string // recent short strings, for intern
}

// pathElem is a mapping key, or a sequence index when index >= 0; a path of
// []any would cost an allocation per key.
type pathElem struct {
	key   string
	index int
}

// enter opens the entry of a child of the node being read, whose path hash
// is h, and returns it.
func (p *fastParser) enter(h uint64, el pathElem) int {
	p.hash = h
	p.path = append(p.path, el)
	return p.pb.add(h)
}

// leave closes the entry e opened by enter; parent is the hash before, at
// the position of the entry.
func (p *fastParser) leave(e int, parent uint64, at analyzer.Position) {
	p.path = p.path[:len(p.path)-1]
	p.hash = parent
	p.pb.set(e, at)
}

// pathNow is the path of the node being read, as Duplicate gives it.
func (p *fastParser) pathNow() []any {
	var path []any
	for _, el := range p.path {
		if el.index >= 0 {
			path = append(path, el.index)
		} else {
			path = append(path, el.key)
		}
	}
	return path
}

type fastPair struct {
	key   string
	val   any
	entry int
	at    analyzer.Position
}

func (p *fastParser) fail() { panic(giveUp{}) }

// at is the position of offset off on the current line.
func (p *fastParser) at(off int) analyzer.Position {
	col := off - p.lineStart
	if !p.ascii {
		col = utf8.RuneCount(p.data[p.lineStart:off])
	}
	return analyzer.Position{Line: p.line, Column: col + 1}
}

// column is the 0-based column of pos, preceded on its line by spaces and
// "-" indicators only.
func (p *fastParser) column() int { return p.pos - p.lineStart }

func (p *fastParser) eol(i int) bool {
	return i >= len(p.data) || p.data[i] == '\n' || p.data[i] == '\r'
}

// blankAt tells a space, tab, line break or the end of the text at i.
func (p *fastParser) blankAt(i int) bool {
	return p.eol(i) || p.data[i] == ' ' || p.data[i] == '\t'
}

// newline steps over the line break at pos.
func (p *fastParser) newline() {
	if p.data[p.pos] == '\r' {
		p.pos++
	}
	p.pos++
	p.line++
	p.lineStart = p.pos
}

// atMarker tells a "---" or "..." line at pos.
func (p *fastParser) atMarker() bool {
	d, i := p.data, p.pos
	return i == p.lineStart && i+3 <= len(d) &&
		(d[i] == '-' && d[i+1] == '-' && d[i+2] == '-' || d[i] == '.' && d[i+1] == '.' && d[i+2] == '.') &&
		p.blankAt(i+3)
}

// atEnd tells the end of the text or of the document.
func (p *fastParser) atEnd() bool { return p.pos >= len(p.data) || p.atMarker() }

// nextContent moves to the next character that is not a space, a line
// break or in a comment. pos must be at the start of a line or after a space.
func (p *fastParser) nextContent() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ':
			p.pos++
		case '\n', '\r':
			p.newline()
		case '#':
			for !p.eol(p.pos) {
				p.pos++
			}
		case '\t':
			p.fail()
		default:
			return
		}
	}
}

// endLine checks that only spaces and a comment follow on the line.
func (p *fastParser) endLine() {
	start := p.pos
	for p.pos < len(p.data) && p.data[p.pos] == ' ' {
		p.pos++
	}
	if p.eol(p.pos) {
		return
	}
	if p.data[p.pos] != '#' || p.pos == start {
		p.fail()
	}
	for !p.eol(p.pos) {
		p.pos++
	}
}

// skipSpaces skips the spaces after an indicator.
func (p *fastParser) skipSpaces() {
	for p.pos < len(p.data) && p.data[p.pos] == ' ' {
		p.pos++
	}
	if p.pos < len(p.data) && p.data[p.pos] == '\t' {
		p.fail()
	}
}

func (p *fastParser) stream() []Doc {
	var docs []Doc
	started := false // a document has begun
	ended := false   // after "...", only "---", "..." or the end may come
	for {
		p.nextContent()
		if p.pos >= len(p.data) {
			return docs
		}
		if p.atMarker() {
			ended = p.data[p.pos] == '.'
			if ended && !started {
				p.fail() // libyaml takes it for a document without content
			}
			started = true
			p.pos += 3
			p.endLine()
			continue
		}
		if ended {
			p.fail()
		}
		started = true
		if doc, ok := p.document(); ok {
			doc.Index = len(docs)
			docs = append(docs, doc)
		}
	}
}

// document reads a document's root node; ok is false for a null one, which
// Decode skips.
func (p *fastParser) document() (doc Doc, ok bool) {
	p.pb.reset()
	p.dups = nil
	p.hash = rootHash
	v, at := p.node(-1, true)
	if !p.atEnd() {
		p.fail()
	}
	if v == nil {
		return Doc{}, false
	}
	doc = Doc{Value: v, Pos: p.pb.build(at), Duplicates: p.dups}
	finishDuplicates(&doc)
	return doc, true
}

// node reads the node at pos and returns its value and position, leaving
// pos at the next content. indent is the column of the innermost block
// collection (-1 at the root), as libyaml counts it for plain scalar lines
// and block scalar indentation. block tells that a block collection may
// start here: not on the line of a key after "key:".
func (p *fastParser) node(indent int, block bool) (any, analyzer.Position) {
	p.depth++
	if p.depth > fastMaxDepth {
		p.fail()
	}
	v, at := p.nodeKind(indent, block)
	p.depth--
	return v, at
}

func (p *fastParser) nodeKind(indent int, block bool) (any, analyzer.Position) {
	start := p.pos
	at := p.at(start)
	switch c := p.data[start]; c {
	case '-', '?', ':':
		if !p.blankAt(start + 1) {
			break // a plain scalar
		}
		if c != '-' || !block {
			p.fail()
		}
		return p.sequence(p.column()), at
	case '|', '>':
		s := p.blockScalar(indent, c == '|')
		p.nextContent()
		return s, at
	case '"', '\'':
		s, multi := p.quoted()
		if block && !multi && p.keyFollows(start) {
			return p.mapping(start-p.lineStart, s, at), at
		}
		p.endLine()
		p.nextContent()
		return s, at
	case '[', '{':
		v := p.flow()
		p.endLine()
		p.nextContent()
		return v, at
	case ',', ']', '}', '#', '&', '*', '!', '%', '@', '`':
		p.fail()
	}
	end, stop := p.plainLine()
	if stop == ':' {
		if !block || p.pos-start > maxSimpleKey {
			p.fail()
		}
		return p.mapping(start-p.lineStart, p.plainKey(start, end), at), at
	}
	if stop != '\n' || !p.continues(indent) {
		v := p.plainValue(p.data[start:end])
		p.nextContent()
		return v, at
	}
	// A plain scalar over several lines.
	buf := append(p.buf[:0], p.data[start:end]...)
	for {
		breaks := p.blankLines()
		if breaks == 1 {
			buf = append(buf, ' ')
		}
		for range breaks - 1 {
			buf = append(buf, '\n')
		}
		from := p.pos
		end, stop := p.plainLine()
		if stop == ':' {
			p.fail() // a key after a multi-line scalar: yaml.v3 fails
		}
		buf = append(buf, p.data[from:end]...)
		if stop != '\n' || !p.continues(indent) {
			break
		}
	}
	p.buf = buf
	v := p.plainValue(buf)
	p.nextContent()
	return v, at
}

// plainLine reads plain scalar text from pos to what ends it on the line:
// ':' before a blank (stop ':', pos at the ':'), " #" (stop '#', pos at the
// '#') or the end of the line (stop '\n'). end is the end of the text
// without trailing spaces.
func (p *fastParser) plainLine() (end int, stop byte) {
	d := p.data
	i := p.pos
	end = i
	for i < len(d) {
		switch d[i] {
		case ':':
			if p.blankAt(i + 1) {
				p.pos = i
				return end, ':'
			}
		case ' ':
			i++
			if i < len(d) && d[i] == '#' {
				p.pos = i
				return end, '#'
			}
			continue
		case '\t':
			p.fail()
		case '\n', '\r':
			p.pos = i
			return end, '\n'
		}
		i++
		end = i
	}
	p.pos = i
	return end, '\n'
}

// continues tells whether a plain scalar whose line ends at pos goes on on
// the next non-blank line, as libyaml decides: when that line is indented
// past indent and is neither a comment nor a document marker. It does not
// move pos.
func (p *fastParser) continues(indent int) bool {
	d := p.data
	i := p.pos
	for i < len(d) {
		switch d[i] {
		case ' ', '\n', '\r':
			i++
			continue
		case '\t':
			p.fail()
		}
		break
	}
	if i >= len(d) || d[i] == '#' {
		return false
	}
	start := i
	for start > 0 && d[start-1] == ' ' {
		start--
	}
	if start == i && i+3 <= len(d) && (string(d[i:i+3]) == "---" || string(d[i:i+3]) == "...") && p.blankAt(i+3) {
		return false
	}
	return i-start > indent
}

// blankLines moves from the end of a line to the next non-blank character
// and returns the number of line breaks passed.
func (p *fastParser) blankLines() int {
	n := 0
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ':
			p.pos++
		case '\n', '\r':
			p.newline()
			n++
		default:
			return n
		}
	}
	return n
}

// plainString tells a plain scalar that yaml.v2 resolves to its text,
// without resolving it: most are.
func plainString(text []byte) bool {
	switch resolveTable[text[0]] {
	case 0:
		return true
	case 'M':
		_, special := resolveMap[string(text)]
		return !special
	}
	return false
}

// plainValue resolves a plain scalar as yaml.v2 does.
func (p *fastParser) plainValue(text []byte) any {
	if plainString(text) {
		return p.intern(text)
	}
	v, err := resolveScalar("", string(text), false)
	if err != nil {
		p.fail()
	}
	return jsonNumber(v)
}

// plainKey resolves a plain mapping key to the string sigs.k8s.io/yaml
// makes of it.
func (p *fastParser) plainKey(start, end int) string {
	text := p.data[start:end]
	if string(text) == "<<" {
		p.fail() // a merge key
	}
	if plainString(text) {
		return p.intern(text)
	}
	raw, err := resolveScalar("", string(text), false)
	if err != nil {
		p.fail()
	}
	s, ok := keyString(raw)
	if !ok {
		p.fail() // null or beyond int64: yaml.v3 path's error
	}
	if f, isFloat := raw.(float64); isFloat && f == 0 {
		p.fail() // 0.0 and -0.0 are one key: the yaml.v3 path merges them
	}
	return s
}

// intern returns text as a string, shared with an earlier equal one when
// it is short: the same keys and many of the same values come again and
// again in manifests.
func (p *fastParser) intern(text []byte) string {
	if len(text) > 24 {
		return string(text)
	}
	slot := &p.strs[(uint(text[0])*31+uint(text[len(text)-1])*7+uint(len(text)))%uint(len(p.strs))]
	if *slot != string(text) {
		*slot = string(text)
	}
	return *slot
}

// keyFollows tells whether the scalar that started at start and ends at pos
// is a mapping key: ':' and a blank follow on its line. It moves pos to the
// ':' when it is.
func (p *fastParser) keyFollows(start int) bool {
	i := p.pos
	for i < len(p.data) && p.data[i] == ' ' {
		i++
	}
	if i >= len(p.data) || p.data[i] != ':' || !p.blankAt(i+1) {
		return false
	}
	if i-start > maxSimpleKey {
		p.fail()
	}
	p.pos = i
	return true
}

// mapping reads a block mapping at column col whose first key, read
// already, is key at keyAt; pos is at the key's ':'.
func (p *fastParser) mapping(col int, key string, keyAt analyzer.Position) any {
	base := len(p.pairs)
	parent := p.hash
	for {
		p.pos++ // ':'
		e := p.enter(keyHash(parent, key), pathElem{key: key, index: -1})
		v := p.mappingValue(col)
		p.leave(e, parent, keyAt)
		p.pairs = append(p.pairs, fastPair{key: key, val: v, entry: e, at: keyAt})
		if p.atEnd() || p.column() < col {
			break
		}
		if p.column() > col {
			p.fail()
		}
		key, keyAt = p.key()
	}
	return p.finishMapping(base)
}

// key reads a mapping key, leaving pos at its ':'.
func (p *fastParser) key() (string, analyzer.Position) {
	start := p.pos
	at := p.at(start)
	switch c := p.data[start]; c {
	case '"', '\'':
		s, multi := p.quoted()
		if multi || !p.keyFollows(start) {
			p.fail()
		}
		return s, at
	case '-', '?', ':':
		if p.blankAt(start + 1) {
			p.fail()
		}
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '%', '@', '`':
		p.fail()
	}
	end, stop := p.plainLine()
	if stop != ':' || p.pos-start > maxSimpleKey {
		p.fail()
	}
	return p.plainKey(start, end), at
}

// mappingValue reads the value after a key of the mapping at column col,
// pos being after the ':'.
func (p *fastParser) mappingValue(col int) any {
	p.skipSpaces()
	if !p.eol(p.pos) && p.data[p.pos] != '#' {
		v, _ := p.node(col, false)
		return v
	}
	p.nextContent()
	if p.atEnd() {
		return nil
	}
	switch c := p.column(); {
	case c > col:
		v, _ := p.node(col, true)
		return v
	case c == col && p.data[p.pos] == '-' && p.blankAt(p.pos+1):
		// A sequence at the key's indentation, as kubectl writes them.
		return p.sequence(col)
	}
	return nil
}

// finishMapping makes the mapping of the pairs from base on, recording
// duplicate keys as convert.go does: the last value wins, First is the
// occurrence before.
func (p *fastParser) finishMapping(base int) map[string]any {
	pairs := p.pairs[base:]
	m := make(map[string]any, len(pairs))
	var last map[string]int // index in pairs of each key's latest occurrence, once there is a duplicate
	for i, pr := range pairs {
		if _, dup := m[pr.key]; dup {
			if last == nil {
				last = make(map[string]int, len(pairs))
				for j := range i {
					last[pairs[j].key] = j
				}
			}
			prev := pairs[last[pr.key]]
			p.dups = append(p.dups, Duplicate{Path: p.pathNow(), Key: pr.key, At: pr.at, First: prev.at})
			p.pb.supersede(prev.entry)
		}
		if last != nil {
			last[pr.key] = i
		}
		m[pr.key] = pr.val
	}
	clear(pairs)
	p.pairs = p.pairs[:base]
	return m
}

// sequence reads a block sequence whose "-" indicators are at column col.
func (p *fastParser) sequence(col int) any {
	base := len(p.items)
	parent := p.hash
	for i := 0; ; i++ {
		p.pos++ // '-'
		dashEnd := p.at(p.pos)
		e := p.enter(indexHash(parent, i), pathElem{index: i})
		v, at := p.item(col, dashEnd)
		p.leave(e, parent, at)
		p.items = append(p.items, v)
		if p.atEnd() || p.column() < col {
			break
		}
		if p.column() > col {
			p.fail()
		}
		if p.data[p.pos] != '-' || !p.blankAt(p.pos+1) {
			break // the next key of the mapping that holds the sequence
		}
	}
	items := make([]any, len(p.items)-base)
	copy(items, p.items[base:])
	clear(p.items[base:])
	p.items = p.items[:base]
	return items
}

// item reads a sequence item of the sequence at column col; dashEnd is
// the position after its "-", where a null item is.
func (p *fastParser) item(col int, dashEnd analyzer.Position) (any, analyzer.Position) {
	p.skipSpaces()
	if p.eol(p.pos) || p.data[p.pos] == '#' {
		p.nextContent()
		if p.atEnd() || p.column() <= col {
			return nil, dashEnd
		}
	}
	return p.node(col, true)
}

// quoted reads a single- or double-quoted scalar as libyaml does and tells
// whether it spans lines (libyaml does not check the indentation of the
// lines after the first).
func (p *fastParser) quoted() (string, bool) {
	d := p.data
	q := d[p.pos]
	p.pos++
	// Most quoted scalars hold no escape and no line break.
	for i := p.pos; i < len(d); i++ {
		c := d[i]
		if c == q && (q == '"' || i+1 >= len(d) || d[i+1] != '\'') {
			s := string(d[p.pos:i])
			p.pos = i + 1
			return s, false
		}
		if c == '\\' && q == '"' || c == '\'' && q == '\'' || c == '\n' || c == '\r' {
			break
		}
	}
	buf := p.buf[:0]
	multi := false
	for {
		if p.atMarker() || p.pos >= len(d) {
			p.fail()
		}
		leadingBlanks := false
	chars:
		for p.pos < len(d) {
			c := d[p.pos]
			switch {
			case c == ' ' || c == '\t' || c == '\n' || c == '\r':
				break chars
			case c == '\'' && q == '\'':
				if p.pos+1 < len(d) && d[p.pos+1] == '\'' {
					buf = append(buf, '\'')
					p.pos += 2
					continue
				}
				break chars
			case c == '"' && q == '"':
				break chars
			case c == '\\' && q == '"':
				if p.pos+1 < len(d) && (d[p.pos+1] == '\n' || d[p.pos+1] == '\r') {
					p.pos++
					p.newline()
					leadingBlanks, multi = true, true
					break chars
				}
				buf = p.escape(buf)
				continue
			}
			buf = append(buf, c)
			p.pos++
		}
		if p.pos < len(d) && d[p.pos] == q {
			break
		}
		ws := p.pos
		folded := false // a line break (not an escaped one) ends the first line
		trailing := 0
	blanks:
		for p.pos < len(d) {
			switch d[p.pos] {
			case ' ', '\t':
				p.pos++
			case '\n', '\r':
				if leadingBlanks {
					trailing++
				} else {
					leadingBlanks, folded = true, true
				}
				p.newline()
				multi = true
			default:
				break blanks
			}
		}
		if leadingBlanks {
			if folded && trailing == 0 {
				buf = append(buf, ' ')
			}
			for range trailing {
				buf = append(buf, '\n')
			}
		} else {
			buf = append(buf, d[ws:p.pos]...)
		}
	}
	p.pos++ // the closing quote
	p.buf = buf
	return string(buf), multi
}

// escape decodes the escape sequence at pos into buf.
func (p *fastParser) escape(buf []byte) []byte {
	d := p.data
	if p.pos+1 >= len(d) {
		p.fail()
	}
	c := d[p.pos+1]
	p.pos += 2
	switch c {
	case '0':
		return append(buf, 0)
	case 'a':
		return append(buf, '\a')
	case 'b':
		return append(buf, '\b')
	case 't', '\t':
		return append(buf, '\t')
	case 'n':
		return append(buf, '\n')
	case 'v':
		return append(buf, '\v')
	case 'f':
		return append(buf, '\f')
	case 'r':
		return append(buf, '\r')
	case 'e':
		return append(buf, 0x1b)
	case ' ', '"', '\'', '\\':
		return append(buf, c)
	case 'N':
		return utf8.AppendRune(buf, 0x85)
	case '_':
		return utf8.AppendRune(buf, 0xa0)
	case 'L':
		return utf8.AppendRune(buf, 0x2028)
	case 'P':
		return utf8.AppendRune(buf, 0x2029)
	}
	n := 0
	switch c {
	case 'x':
		n = 2
	case 'u':
		n = 4
	case 'U':
		n = 8
	default:
		p.fail()
	}
	if p.pos+n > len(d) {
		p.fail()
	}
	r := 0
	for _, h := range d[p.pos : p.pos+n] {
		switch {
		case h >= '0' && h <= '9':
			r = r<<4 + int(h-'0')
		case h >= 'a' && h <= 'f':
			r = r<<4 + int(h-'a'+10)
		case h >= 'A' && h <= 'F':
			r = r<<4 + int(h-'A'+10)
		default:
			p.fail()
		}
	}
	p.pos += n
	if r >= 0xd800 && r <= 0xdfff || r > 0x10ffff {
		p.fail()
	}
	return utf8.AppendRune(buf, rune(r))
}

// blockScalar reads a literal or folded scalar as libyaml does; indent is
// the column of the innermost block collection.
func (p *fastParser) blockScalar(indent int, literal bool) string {
	d := p.data
	p.pos++ // '|' or '>'
	// chomp is -1 to strip the final line breaks, 0 to keep one, 1 to keep
	// all; incr is the indentation indicator.
	chomp, incr := 0, 0
header:
	for p.pos < len(d) {
		switch c := d[p.pos]; {
		case (c == '+' || c == '-') && chomp == 0:
			chomp = 1
			if c == '-' {
				chomp = -1
			}
		case c >= '1' && c <= '9' && incr == 0:
			incr = int(c - '0')
		case c == '0':
			p.fail()
		default:
			break header
		}
		p.pos++
	}
	p.endLine()
	if p.pos >= len(d) {
		return ""
	}
	p.newline()
	n := 0
	if incr > 0 {
		n = max(indent, 0) + incr
	}
	buf := p.buf[:0]
	trailing := 0
	n = p.blockBreaks(indent, n, &trailing)
	leadingBreak, leadingBlank := false, false
	for p.column() == n && p.pos < len(d) {
		c := d[p.pos]
		trailingBlank := c == ' ' || c == '\t'
		if !literal && !leadingBlank && !trailingBlank && leadingBreak {
			if trailing == 0 {
				buf = append(buf, ' ')
			}
		} else if leadingBreak {
			buf = append(buf, '\n')
		}
		for range trailing {
			buf = append(buf, '\n')
		}
		trailing = 0
		leadingBlank = trailingBlank
		from := p.pos
		for !p.eol(p.pos) {
			p.pos++
		}
		buf = append(buf, d[from:p.pos]...)
		leadingBreak = p.pos < len(d)
		if leadingBreak {
			p.newline()
		}
		n = p.blockBreaks(indent, n, &trailing)
	}
	if chomp != -1 && leadingBreak {
		buf = append(buf, '\n')
	}
	if chomp == 1 {
		for range trailing {
			buf = append(buf, '\n')
		}
	}
	p.buf = buf
	return string(buf)
}

// blockBreaks skips the indentation and the empty lines before a block
// scalar's next line, counting the line breaks in trailing, and returns the
// content's indentation n, found on the first call when not given (0).
func (p *fastParser) blockBreaks(indent, n int, trailing *int) int {
	d := p.data
	maxIndent := 0
	for {
		for (n == 0 || p.column() < n) && p.pos < len(d) && d[p.pos] == ' ' {
			p.pos++
		}
		maxIndent = max(maxIndent, p.column())
		if (n == 0 || p.column() < n) && p.pos < len(d) && d[p.pos] == '\t' {
			p.fail()
		}
		if p.pos >= len(d) || !p.eol(p.pos) {
			break
		}
		p.newline()
		*trailing++
	}
	if n == 0 {
		n = max(maxIndent, indent+1, 1)
	}
	return n
}

// flow reads a flow collection that ends on its line.
func (p *fastParser) flow() any {
	p.depth++
	if p.depth > fastMaxDepth {
		p.fail()
	}
	seq := p.data[p.pos] == '['
	p.pos++
	p.flowSpaces()
	parent := p.hash
	var v any
	if seq {
		base := len(p.items)
		if p.data[p.pos] != ']' {
			for i := 0; ; i++ {
				e := p.enter(indexHash(parent, i), pathElem{index: i})
				item, at := p.flowNode()
				p.leave(e, parent, at)
				p.items = append(p.items, item)
				if !p.flowNext(']') {
					break
				}
			}
		}
		p.pos++ // ']'
		items := make([]any, len(p.items)-base)
		copy(items, p.items[base:])
		clear(p.items[base:])
		p.items = p.items[:base]
		v = items
	} else {
		base := len(p.pairs)
		if p.data[p.pos] != '}' {
			for {
				key, keyAt := p.flowKey()
				e := p.enter(keyHash(parent, key), pathElem{key: key, index: -1})
				val, _ := p.flowNode()
				p.leave(e, parent, keyAt)
				p.pairs = append(p.pairs, fastPair{key: key, val: val, entry: e, at: keyAt})
				if !p.flowNext('}') {
					break
				}
			}
		}
		p.pos++ // '}'
		v = p.finishMapping(base)
	}
	p.depth--
	return v
}

// flowSpaces skips spaces inside a flow collection, which must not end on
// the line.
func (p *fastParser) flowSpaces() {
	for p.pos < len(p.data) && p.data[p.pos] == ' ' {
		p.pos++
	}
	if p.eol(p.pos) || p.data[p.pos] == '\t' {
		p.fail()
	}
}

// flowNext reads what follows an entry: ',' and the next entry (true), or
// the closing bracket (false, pos at it).
func (p *fastParser) flowNext(closing byte) bool {
	p.flowSpaces()
	switch p.data[p.pos] {
	case ',':
		p.pos++
		p.flowSpaces()
		if c := p.data[p.pos]; c == ']' || c == '}' || c == ',' {
			p.fail() // a trailing comma or an empty entry
		}
		return true
	case closing:
		return false
	}
	p.fail()
	return false
}

// flowNode reads an entry of a flow sequence or a value of a flow mapping.
func (p *fastParser) flowNode() (any, analyzer.Position) {
	start := p.pos
	at := p.at(start)
	switch p.data[start] {
	case '[', '{':
		return p.flow(), at
	case '"', '\'':
		s, multi := p.quoted()
		if multi {
			p.fail()
		}
		return s, at
	}
	end := p.flowPlain()
	return p.plainValue(p.data[start:end]), at
}

// flowKey reads a key of a flow mapping and the ": " after it.
func (p *fastParser) flowKey() (string, analyzer.Position) {
	start := p.pos
	at := p.at(start)
	var key string
	switch p.data[start] {
	case '"', '\'':
		s, multi := p.quoted()
		if multi {
			p.fail()
		}
		key = s
	default:
		end := p.flowPlain()
		key = p.plainKey(start, end)
	}
	p.flowSpaces()
	if p.data[p.pos] != ':' || p.pos+1 >= len(p.data) || p.data[p.pos+1] != ' ' || p.pos-start > maxSimpleKey {
		p.fail()
	}
	p.pos += 2
	p.flowSpaces()
	return key, at
}

// flowPlain reads a plain scalar inside a flow collection and returns the
// end of its text; pos is at what ended it.
func (p *fastParser) flowPlain() int {
	d := p.data
	switch c := d[p.pos]; c {
	case '-':
		if p.blankAt(p.pos + 1) {
			p.fail()
		}
	case '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		p.fail()
	}
	i, end := p.pos, p.pos
	for i < len(d) {
		c := d[i]
		switch c {
		case ':':
			if p.blankAt(i + 1) {
				p.pos = i
				return end
			}
		case ',', '?', '[', ']', '{', '}':
			p.pos = i
			return end
		case ' ':
			i++
			if i < len(d) && d[i] == '#' {
				p.fail()
			}
			continue
		case '\t', '\n', '\r':
			p.fail()
		}
		i++
		end = i
	}
	p.fail()
	return 0
}
