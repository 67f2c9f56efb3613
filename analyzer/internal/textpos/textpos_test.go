package textpos

import "testing"

func TestLinesAndColumns(t *testing.T) {
	for _, tc := range []struct {
		text         string
		lines        int
		line, column int
		ok           bool
	}{
		{"", 1, 1, 1, true},
		{"", 1, 1, 2, false},
		{"a", 1, 1, 2, true},
		{"a\n", 2, 2, 1, true},
		{"a\n", 2, 3, 1, false},
		{"a\r\nb\rc\n", 4, 3, 2, true},
		{"a\u2028bé\u0085c", 3, 2, 3, true},
		{"a\u2028bé\u0085c", 3, 2, 4, false},
		{"\xef\xbb\xbfab", 1, 1, 3, true},
		{"\xef\xbb\xbfab", 1, 1, 4, false},
		{"\xff\xfea\x00\n\x00", 2, 1, 2, true},
		{"\xff\xfea\x00\n\x00", 2, 1, 3, false},
		{"ab", 1, 1, 0, false},
		{"ab", 1, 0, 1, false},
	} {
		txt := New([]byte(tc.text))
		if txt.Lines() != tc.lines {
			t.Errorf("%q: %d lines, want %d", tc.text, txt.Lines(), tc.lines)
		}
		if err := txt.Check(tc.line, tc.column); (err == nil) != tc.ok {
			t.Errorf("%q: Check(%d, %d) = %v, want ok %v", tc.text, tc.line, tc.column, err, tc.ok)
		}
	}
}
