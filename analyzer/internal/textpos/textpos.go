// Package textpos tells whether a line and column lie inside a text,
// counting them as package source does: UTF-16 with a byte order mark read
// as its UTF-8 transcoding, a leading UTF-8 byte order mark not counted,
// lines split at libyaml's line breaks (\r\n, \r, \n, NEL, LS, PS), columns
// in characters. Fuzz tests use it to check the positions parsers report.
package textpos

import (
	"encoding/binary"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// Text holds the length in characters of each line of a text.
type Text struct {
	widths []int
}

// New reads the lines of data.
func New(data []byte) *Text {
	data = transcode(data)
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		data = data[3:]
	}
	t := &Text{}
	width := 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch r {
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				size++
			}
			fallthrough
		case '\n', '\u0085', '\u2028', '\u2029':
			t.widths = append(t.widths, width)
			width = 0
		default:
			width++
		}
		i += size
	}
	// The text after the last line break is a line, even when empty: an
	// empty value at the end of the file is placed there.
	t.widths = append(t.widths, width)
	return t
}

// Lines is the number of lines.
func (t *Text) Lines() int { return len(t.widths) }

// Check returns an error unless line is between 1 and Lines and column
// between 1 and one past the line's last character (where a value that is
// empty at the end of a line is placed).
func (t *Text) Check(line, column int) error {
	if line < 1 || line > len(t.widths) {
		return fmt.Errorf("line %d is outside the text's %d lines", line, len(t.widths))
	}
	if column < 1 || column > t.widths[line-1]+1 {
		return fmt.Errorf("column %d is outside line %d of %d characters", column, line, t.widths[line-1])
	}
	return nil
}

// transcode turns UTF-16 with a byte order mark into UTF-8 with one, and
// leaves anything else (invalid UTF-16 included) as it is.
func transcode(data []byte) []byte {
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
	out := []byte{0xEF, 0xBB, 0xBF}
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
