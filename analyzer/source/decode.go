package source

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/irsalint/irsalint/analyzer"
)

// Doc is one non-empty document of a YAML stream or JSON file.
type Doc struct {
	Index      int         // 0-based among the non-empty documents of the file
	Value      any         // map[string]any, []any, string, int64, float64, bool (never nil)
	Pos        *Positions  // positions of Value's nodes (never nil for a non-empty doc)
	Duplicates []Duplicate // keys repeated within one mapping, in file order
	// Origin places the document's paths in the files a person edits when
	// the document was rendered (a Kustomize build, a Helm template, a
	// Terraform block); nil for a document read as it is in its file.
	Origin Locator
	// Text is the text the document was decoded from (shared by the
	// file's documents), so that a reader can place what a string holds
	// (a JSON policy in a YAML block scalar) line by line; nil when not
	// decoded from a text.
	Text []byte
}

// Locate places a path of the document (elements as for Positions.Lookup)
// in file, or, for a rendered document, where its Origin says.
func (d Doc) Locate(file string, path []any) analyzer.Location {
	if d.Origin != nil {
		loc, _ := d.Origin.Locate(path)
		return loc
	}
	p, _ := d.Pos.Lookup(path)
	return analyzer.Location{File: file, Line: p.Line, Column: p.Column}
}

// Locator maps a path of a rendered document (elements as for
// Positions.Lookup) to the place in the sources that gave it its value, and
// to places worth showing beside it (the template that used the value).
type Locator interface {
	Locate(path []any) (analyzer.Location, []analyzer.Related)
}

// Duplicate is a mapping key that appears more than once. Value keeps the
// last occurrence (like encoding/json and sigs.k8s.io/yaml.Unmarshal); callers
// decide whether it is an error (Kubernetes loader) or a finding (IAM loader).
type Duplicate struct {
	Path  []any             // path of the mapping holding the key (strings and ints)
	Key   string            // the key as in Value
	At    analyzer.Position // the repeated key
	First analyzer.Position // the first occurrence
}

// Error is a decoding failure with a position inside the file (Line and
// Column are 0 when unknown).
type Error struct {
	Pos analyzer.Position
	Msg string
}

// Error gives "line:col: msg", "line: msg" or "msg"; callers prefix the file
// name.
func (e *Error) Error() string {
	switch {
	case e.Pos.Line > 0 && e.Pos.Column > 0:
		return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Column, e.Msg)
	case e.Pos.Line > 0:
		return fmt.Sprintf("%d: %s", e.Pos.Line, e.Msg)
	}
	return e.Msg
}

// Decode decodes every document of a YAML stream (JSON is YAML here) into
// plain values as Kubernetes reads them: YAML 1.1 scalars as sigs.k8s.io/yaml
// resolves them, keys turned into strings, aliases and merge keys resolved,
// integers as int64 and other numbers as float64. Empty documents are skipped.
//
// Decoding stops at the first error, which is always an *Error: the documents
// decoded before it are returned with it. A syntax error ends the file
// anyway, as the YAML parser cannot resynchronise after one.
//
// Where the result knowingly differs from sigs.k8s.io/yaml.YAMLToJSON
// followed by encoding/json:
//   - every document is decoded, not only the first;
//   - integers are int64, and integral floats that encoding/json would read
//     back from json.Marshal as integers ("1.0" is written 1) too; integers
//     beyond int64 are float64 (sigs.k8s.io/yaml keeps their digits, which
//     encoding/json then rounds to float64 anyway);
//   - valid JSON that libyaml rejects ("\/", surrogate pair escapes, keys
//     over 1024 characters, DEL) is decoded, as kubectl's JSON path does;
//   - a text of blank and comment lines is empty even with tabs in it;
//   - a text that starts with two byte order marks is an error: libyaml
//     misreads the lines after them;
//   - the parser is yaml.v3's, which reads a few malformed inputs differently
//     from yaml.v2's (yaml.v2 reads "{}: 1" as {}; this is an error here).
//
// Most YAML takes a fast path (fast.go) that gives the same result as
// yaml.v3 and the conversion, several times faster.
func Decode(data []byte) ([]Doc, error) {
	data = utf16ToUTF8(data)
	if hasBOM(data) && hasBOM(data[3:]) {
		// libyaml skips the second mark and then miscounts the line break
		// after it: yaml.v3 and sigs.k8s.io/yaml read "\ufeff\ufeff\na" as
		// empty and "\ufeff\ufeff\n\na" as "a" on line 2.
		return nil, &Error{Pos: analyzer.Position{Line: 1, Column: 1}, Msg: "the text starts with two byte order marks (U+FEFF); YAML parsers, kubectl's among them, misread the lines after them: remove one"}
	}
	docs, err := decode(data)
	for i := range docs {
		docs[i].Text = data
	}
	return docs, err
}

func decode(data []byte) ([]Doc, error) {
	src := &lines{data: data}
	if body, ok := looksJSON(data); ok && json.Valid(body) {
		// One JSON document: encoding/json reads it half again as fast as
		// libyaml, with the same values and positions (JSON has no YAML 1.1
		// scalars to resolve).
		return decodeJSON(src, body)
	}
	if docs, ok := decodeFast(data); ok {
		return docs, nil
	}
	return decodeYAML(data, src)
}

// decodeYAML decodes data with yaml.v3 and converts its nodes.
func decodeYAML(data []byte, src *lines) ([]Doc, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []Doc
	var pb posBuilder
	for {
		root, err := next(dec)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			if blank(data) {
				// libyaml rejects a tab on an otherwise empty line
				// ("\t\n"); a file with nothing in it is no error.
				return nil, nil
			}
			if len(docs) == 0 {
				if body, ok := looksJSON(data); ok && json.Valid(body) {
					return decodeJSON(src, body)
				}
			}
			return docs, syntaxError(err, src)
		}
		if root == nil {
			continue
		}
		doc, err := convertDoc(root, src, &pb)
		if err != nil {
			return docs, err
		}
		if doc.Value == nil {
			continue // "---", a comment, "null": nothing there
		}
		finishDuplicates(&doc)
		doc.Index = len(docs)
		docs = append(docs, doc)
	}
}

// blank tells a text of blank and comment lines only.
func blank(data []byte) bool {
	if hasBOM(data) {
		data = data[3:]
	}
	inComment := false
	for _, b := range data {
		switch {
		case b == '\n' || b == '\r':
			inComment = false
		case inComment || b == ' ' || b == '\t':
		case b == '#':
			inComment = true
		default:
			return false
		}
	}
	return true
}

// finishDuplicates puts doc's duplicates in file order and drops those
// inside a value that a later occurrence of its key replaced: that value
// is not in the document (its path leads elsewhere or nowhere), and the
// duplicate key that replaced it is reported. A replaced value comes
// before what replaced it, so a duplicate is dropped when the mapping its
// path leads to starts after it.
func finishDuplicates(doc *Doc) {
	dups := doc.Duplicates[:0]
	for _, d := range doc.Duplicates {
		holder, exact := doc.Pos.Lookup(d.Path)
		if exact && !before(d.At, holder) {
			dups = append(dups, d)
		}
	}
	slices.SortStableFunc(dups, func(a, b Duplicate) int {
		if a.At.Line != b.At.Line {
			return a.At.Line - b.At.Line
		}
		return a.At.Column - b.At.Column
	})
	doc.Duplicates = dups
}

func before(a, b analyzer.Position) bool {
	return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
}

// utf16ToUTF8 transcodes UTF-16 input with a byte order mark (what Windows
// PowerShell 5 writes with ">"), which libyaml reads too, so that everything
// that looks at the bytes sees UTF-8. Positions do not change: yaml.v3
// counts characters. Invalid UTF-16 is left for yaml.v3 to reject.
func utf16ToUTF8(data []byte) []byte {
	if len(data) < 2 || len(data)%2 != 0 {
		return data
	}
	var order binary.ByteOrder
	switch {
	case data[0] == 0xFF && data[1] == 0xFE:
		order = binary.LittleEndian
	case data[0] == 0xFE && data[1] == 0xFF:
		order = binary.BigEndian
	default:
		return data
	}
	out := make([]byte, 0, len(data)+len(data)/2)
	out = append(out, 0xEF, 0xBB, 0xBF)
	for i := 2; i < len(data); i += 2 {
		r := rune(order.Uint16(data[i:]))
		if utf16.IsSurrogate(r) {
			if i+4 > len(data) {
				return data
			}
			r = utf16.DecodeRune(r, rune(order.Uint16(data[i+2:])))
			if r == utf8.RuneError {
				return data
			}
			i += 2
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

// next parses one document. The yaml.Node tree is dropped by the caller once
// converted: it takes about 35 times the size of the text.
func next(dec *yaml.Decoder) (root *yaml.Node, err error) {
	defer func() {
		// yaml.v3 panics on some malformed input ("internal error ...");
		// the parser state is then unusable, so the file ends here.
		if r := recover(); r != nil {
			err = &Error{Msg: fmt.Sprintf("cannot parse YAML: %v", r)}
		}
	}()
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// Problems the yaml.v3 parser (as opposed to its scanner) reports. fail() in
// yaml.v3's decode.go adds 1 to the 0-based line of scanner errors only, so
// the line of these is one less than the real one.
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"found undefined tag handle":             true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// Problems of yaml.v3's reader, which come without a line.
var readerProblems = map[string]bool{
	"control characters are not allowed": true,
	"invalid leading UTF-8 octet":        true,
	"incomplete UTF-8 octet sequence":    true,
	"invalid trailing UTF-8 octet":       true,
	"invalid length of a UTF-8 sequence": true,
	"invalid Unicode character":          true,
}

// syntaxError turns a yaml.v3 error ("yaml: line 5: mapping values are not
// allowed in this context") into an *Error with the right position.
func syntaxError(err error, src *lines) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, text
			}
		}
	}
	switch {
	case parserProblems[msg]:
		// yaml.v3 gives the 0-based line of parser errors, and none for
		// line 0.
		line++
	case readerProblems[msg]:
		if p, ok := badCharacter(src); ok {
			return &Error{Pos: p, Msg: msg}
		}
	case isUnknownAnchor(msg):
		if p, ok := uniqueAlias(src, msg); ok {
			return &Error{Pos: p, Msg: msg}
		}
	case line == 0 && !isDecoderProblem(msg):
		// A scanner error: yaml.v3 leaves the line out when it is the
		// first one.
		line = 1
	}
	if n := src.count(); line > n {
		// libyaml moves the end of the stream to a new line when the text
		// does not end with one.
		line = n
	}
	if je, ok := jsonError(src, line); ok {
		return je
	}
	if !isDecoderProblem(msg) {
		if ve, ok := locateWithV4(src.data); ok {
			if ve.Pos.Line > src.count() {
				// The end of a text without a final newline: libyaml puts it
				// on a line of its own; point just after the last character.
				ve.Pos = src.position(len(bytes.TrimRight(src.data, " \t\r\n")))
			}
			return ve
		}
	}
	return &Error{Pos: analyzer.Position{Line: line}, Msg: msg}
}
