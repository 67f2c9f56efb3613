package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/irsalint/irsalint/analyzer"
)

// isDecoderProblem tells yaml.v3 errors raised outside its scanner and
// parser, which carry no position at all.
func isDecoderProblem(msg string) bool {
	return isUnknownAnchor(msg) ||
		strings.HasPrefix(msg, "attempted to go past the end of stream") ||
		strings.HasPrefix(msg, "expected ") && strings.Contains(msg, " event but got ")
}

func isUnknownAnchor(msg string) bool {
	return strings.HasPrefix(msg, "unknown anchor '") && strings.HasSuffix(msg, "' referenced")
}

// uniqueAlias finds the alias an "unknown anchor" error is about when the
// text holds exactly one "*name" that could be it: the error itself has no
// position, and a guess would be worse than none.
func uniqueAlias(src *lines, msg string) (analyzer.Position, bool) {
	name := strings.TrimSuffix(strings.TrimPrefix(msg, "unknown anchor '"), "' referenced")
	needle := []byte("*" + name)
	found, at := 0, 0
	for i := 0; ; {
		j := bytes.Index(src.data[i:], needle)
		if j < 0 {
			break
		}
		end := i + j + len(needle)
		if end == len(src.data) || !isAnchorChar(src.data[end]) {
			found++
			at = i + j
		}
		i = i + j + 1
	}
	if found != 1 {
		return analyzer.Position{}, false
	}
	return src.position(at), true
}

// badCharacter finds the first character yaml.v3's reader rejects in UTF-8
// input (invalid UTF-8 or a control character); the reader's error has no
// position.
func badCharacter(src *lines) (analyzer.Position, bool) {
	data := src.data
	if len(data) >= 2 && (data[0] == 0xFE && data[1] == 0xFF || data[0] == 0xFF && data[1] == 0xFE) {
		return analyzer.Position{}, false
	}
	i := 0
	if hasBOM(data) {
		i = 3
	}
	for i < len(data) {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 || !yamlPrintable(r) {
			return src.position(i), true
		}
		i += size
	}
	return analyzer.Position{}, false
}

// yamlPrintable is the character set libyaml's reader accepts.
func yamlPrintable(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0x7E || r == 0x85 ||
		r >= 0xA0 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// jsonError re-reads input that looks like JSON with encoding/json, which
// knows the exact offset of a syntax error where yaml.v3 knows a line at
// best. yamlLine is the line yaml.v3 gave (0 if none): when encoding/json
// fails before it, the text is probably flow-style YAML rather than JSON,
// and the YAML error is the better one.
func jsonError(src *lines, yamlLine int) (*Error, bool) {
	body, ok := looksJSON(src.data)
	if !ok {
		return nil, false
	}
	var raw json.RawMessage
	err := json.Unmarshal(body, &raw)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return nil, false
	}
	if strings.Contains(se.Error(), "after top-level value") {
		// Several documents, as "{...}\n---\n{...}": YAML, not JSON.
		return nil, false
	}
	base := len(src.data) - len(body)
	msg := se.Error()
	if msg == "unexpected end of JSON input" {
		// Everything before the end is valid JSON: this is JSON, cut
		// short. Point just after the last thing written, not at a line
		// past it as yaml.v3 does.
		msg = "unexpected end of input"
		end := len(bytes.TrimRight(body, " \t\r\n"))
		return &Error{Pos: src.position(base + end), Msg: msg}, true
	}
	p := src.position(base + int(se.Offset) - 1)
	if yamlLine > 0 && p.Line < yamlLine {
		return nil, false
	}
	return &Error{Pos: p, Msg: msg}, true
}
