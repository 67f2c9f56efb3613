package source

import "testing"

// differentialCases are single-document inputs whose decoding must match
// sigs.k8s.io/yaml.YAMLToJSON (see compareWithSigs for the normalisation).
var differentialCases = []string{
	// YAML 1.1 booleans and nulls.
	"a: y\nb: Y\nc: yes\nd: Yes\ne: YES\nf: true\ng: True\nh: TRUE\ni: on\nj: On\nk: ON\n",
	"a: n\nb: N\nc: no\nd: No\ne: NO\nf: false\ng: False\nh: FALSE\ni: off\nj: Off\nk: OFF\n",
	"a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: nULL\ng: yEs\nh: tRUE\n",
	// Integers.
	"a: 0400\nb: 0x1F\nc: 1_000\nd: 0b101\ne: -0b101\nf: +12\ng: -0x1F\nh: 08\ni: 0o17\nj: 9223372036854775807\nk: 9223372036854775808\nl: 18446744073709551615\nm: 18446744073709551616\nn: -9223372036854775808\n",
	"a: 1__0\nb: _1\nc: 0x_1F\nd: 1_0.5\ne: 0b1_0\nf: 0.\ng: 00\nh: -0\ni: +0x10\n",
	// Floats.
	"d: 1.5\ne: 1e3\nf: 1.0\ng: .5\nh: -.5e-3\ni: 6.02e+23\nj: 1e21\nk: 1e20\nl: 0.1\nm: 1.\n",
	// Timestamps stay strings.
	"a: 2024-01-01\nb: 2024-01-01T10:00:00Z\nc: 2024-1-2 3:04:05\nd: 2001-12-14 21:59:43.10 -5\ne: !!timestamp 2024-01-01\nf: 2024-13-45\n",
	// Quoted and block scalars.
	"a: \"0400\"\nb: 'yes'\nc: |\n  keep\nd: >\n  folded\n  text\ne: |-\n  strip\nf: \"\"\ng: ''\n",
	// Explicit tags.
	"a: !!str 0400\nb: !!int \"12\"\nc: !!float 1\nd: !!bool yes\ne: !!null ''\nf: !!binary aGVsbG8=\ng: !!str yes\nh: !!float \"1.5\"\ni: !!int 0x10\n",
	"a: !Ref MyRole\nb: !Sub 'arn:${AWS::Partition}'\nc: !GetAtt [Role, Arn]\nd: !If {x: 1}\ne: !Ref 12\nf: ! 12\ng: &x ! yes\nh: !<tag:yaml.org,2002:int> \"7\"\ni: !!map 12\n",
	// Non-string keys.
	"1: a\n-2: b\n1.5: c\ntrue: d\nno: e\n0x10: f\n1e3: g\n.inf: h\n-.inf: i\n0.1234567891: j\n2024-01-01: k\n!!str 5: l\n",
	"? !!binary aGVsbG8=\n: x\n'<<': quoted merge is a key\n.nan: n\n.inf: i\n",
	"0b1: a\n-0b1: b\n+.inf: c\n1_000.5: d\n3.14159265358979: e\n1e1000: f\n? |\n  block key\n: g\n? a\n",
	"{a, b: 1, ? c}\n",
	"a: !!set {x, y}\nb: !!omap [{x: 1}]\nc: !!str &a x\nd: &b !!int \"5\"\ne: *b\n",
	"a: plain\n  multi line\n  scalar\nb: \"double\\\n  escaped\\tline\"\nc: 'it''s'\n",
	// Anchors, aliases, merges.
	"base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  b: 3\n",
	"base: &b {a: 1, b: 2}\ny:\n  a: 9\n  <<: *b\n",
	"one: &o {a: 1, c: 1}\ntwo: &t {a: 2, b: 2}\nz:\n  <<: [*o, *t]\n  c: 3\n",
	"z:\n  <<: {a: 1, <<: {a: 2, b: 2}}\n",
	"s: &s hello\nk: {*s : v}\nl: [*s, *s]\n",
	"&a\nx: 1\n",
	"a: &a {x: 1, <<: {y: 2}}\nb: {<<: [*a, {x: 3, z: 3}], w: 4}\nc: {<<: *a, <<: {x: 9}}\n",
	"a: &a {k: v}\nb: {! <<: *a}\nc: {!!merge <<: *a}\nd: {!!str <<: *a}\n",
	// Documents that are not mappings.
	"just a string\n",
	"- a\n- 1\n- {b: null}\n",
	"--- 12\n",
	"--- !!str\n",
	// JSON.
	"{\"a\": {\"b\": [1, 2.5, true, null, \"s\", -0, 1e400]}}",
	"[1, \"2\", {\"3\": 4}]",
	"{\"n\": 12345678901234567890}",
	// Flow style.
	"{a: 1, b: [x, y], c: {d: e}}\n",
	"[a, b, {c: d}, [e]]\n",
}

func TestDecodeMatchesSigsYAML(t *testing.T) {
	for _, in := range differentialCases {
		compared, msg := compareWithSigs([]byte(in))
		if msg != "" {
			t.Error(msg)
		} else if !compared {
			t.Errorf("%q: not compared (an error on either side, NaN or infinity, or duplicates)", in)
		}
	}
}

// TestSameJSON checks the normalisation the differential tests rely on, so
// that they can fail.
func TestSameJSON(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{`{"a":1}`, `{"a":1}`, true},
		{`{"a":1}`, `{"a":1.0}`, true},
		{`{"a":0}`, `{"a":-0}`, true},
		{`18446744073709552000`, `18446744073709551615`, true}, // float64 for beyond int64
		{`{"a":1}`, `{"a":2}`, false},
		{`{"a":1}`, `{"a":"1"}`, false},
		{`{"a":true}`, `{"a":"yes"}`, false},
		{`{"a":1}`, `{"a":1,"b":null}`, false},
		{`[1,2]`, `[2,1]`, false},
		{`9007199254740993`, `9007199254740992`, false}, // int64 are compared exactly
		{`1e2`, `100`, true},
	} {
		if got := sameJSON([]byte(tt.a), []byte(tt.b)); got != tt.same {
			t.Errorf("sameJSON(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
}
