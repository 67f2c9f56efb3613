package source

import (
	"encoding/base64"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// This file mirrors go.yaml.in/yaml/v2 v2.4.4 resolve.go and decode.go
// (scalar), because sigs.k8s.io/yaml, and so kubectl, resolves scalars with
// YAML 1.1 rules through yaml.v2. yaml.v3, which we parse with, uses YAML 1.2
// rules ("yes" is a string there), so its resolved tags are not used.

// Long tag names, as yaml.v2 compares them.
const (
	tagPrefix    = "tag:yaml.org,2002:"
	tagNull      = tagPrefix + "null"
	tagBool      = tagPrefix + "bool"
	tagStr       = tagPrefix + "str"
	tagInt       = tagPrefix + "int"
	tagFloat     = tagPrefix + "float"
	tagTimestamp = tagPrefix + "timestamp"
	tagBinary    = tagPrefix + "binary"
	tagMerge     = tagPrefix + "merge"
)

type resolveItem struct {
	value any
	tag   string
}

var (
	resolveTable [256]byte
	resolveMap   = map[string]resolveItem{}
)

func init() {
	t := &resolveTable
	t['+'] = 'S'
	t['-'] = 'S'
	for _, c := range "0123456789" {
		t[c] = 'D'
	}
	for _, c := range "yYnNtTfFoO~" {
		t[c] = 'M'
	}
	t['.'] = '.'

	for _, item := range []struct {
		v   any
		tag string
		l   []string
	}{
		{true, tagBool, []string{"y", "Y", "yes", "Yes", "YES"}},
		{true, tagBool, []string{"true", "True", "TRUE"}},
		{true, tagBool, []string{"on", "On", "ON"}},
		{false, tagBool, []string{"n", "N", "no", "No", "NO"}},
		{false, tagBool, []string{"false", "False", "FALSE"}},
		{false, tagBool, []string{"off", "Off", "OFF"}},
		{nil, tagNull, []string{"", "~", "null", "Null", "NULL"}},
		{math.NaN(), tagFloat, []string{".nan", ".NaN", ".NAN"}},
		{math.Inf(+1), tagFloat, []string{".inf", ".Inf", ".INF"}},
		{math.Inf(+1), tagFloat, []string{"+.inf", "+.Inf", "+.INF"}},
		{math.Inf(-1), tagFloat, []string{"-.inf", "-.Inf", "-.INF"}},
		{"<<", tagMerge, []string{"<<"}},
	} {
		for _, s := range item.l {
			resolveMap[s] = resolveItem{item.v, item.tag}
		}
	}
}

// longTag turns yaml.v3's "!!int" into yaml.v2's "tag:yaml.org,2002:int".
func longTag(tag string) string {
	if strings.HasPrefix(tag, "!!") {
		return tagPrefix + tag[2:]
	}
	return tag
}

func shortTag(tag string) string {
	if strings.HasPrefix(tag, tagPrefix) {
		return "!!" + tag[len(tagPrefix):]
	}
	return tag
}

func resolvableTag(tag string) bool {
	switch tag {
	case "", tagStr, tagBool, tagInt, tagFloat, tagNull, tagTimestamp:
		return true
	}
	return false
}

var yamlStyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// resolve is yaml.v2's resolve with failf turned into an error. The value is
// one of nil, bool, string, int64 (yaml.v2's int), uint64, float64 or, for
// timestamps, the original string (yaml.v2 hands timestamps to interface{}
// targets as the source text).
func resolve(tag, in string) (rtag string, out any, err error) {
	if !resolvableTag(tag) {
		return tag, in, nil
	}
	rtag, out = resolvePlain(tag, in)
	switch tag {
	case "", rtag, tagStr, tagBinary:
		return rtag, out, nil
	case tagFloat:
		if rtag == tagInt {
			if v, ok := out.(int64); ok {
				return tagFloat, float64(v), nil
			}
		}
	}
	return rtag, out, fmt.Errorf("cannot decode %s `%s` as a %s", shortTag(rtag), in, shortTag(tag))
}

func resolvePlain(tag, in string) (string, any) {
	hint := byte('N')
	if in != "" {
		hint = resolveTable[in[0]]
	}
	if hint == 0 || tag == tagStr || tag == tagBinary {
		return tagStr, in
	}
	if item, ok := resolveMap[in]; ok {
		return item.tag, item.value
	}
	switch hint {
	case '.':
		if f, err := strconv.ParseFloat(in, 64); err == nil {
			return tagFloat, f
		}
	case 'D', 'S':
		if tag == "" || tag == tagTimestamp {
			if isTimestamp(in) {
				return tagTimestamp, in
			}
		}
		plain := strings.ReplaceAll(in, "_", "")
		if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return tagInt, i
		}
		if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return tagInt, u
		}
		if yamlStyleFloat.MatchString(plain) {
			if f, err := strconv.ParseFloat(plain, 64); err == nil {
				return tagFloat, f
			}
		}
		if strings.HasPrefix(plain, "0b") {
			if i, err := strconv.ParseInt(plain[2:], 2, 64); err == nil {
				return tagInt, i
			}
			if u, err := strconv.ParseUint(plain[2:], 2, 64); err == nil {
				return tagInt, u
			}
		} else if strings.HasPrefix(plain, "-0b") {
			if i, err := strconv.ParseInt("-"+plain[3:], 2, 64); err == nil {
				return tagInt, i
			}
		}
	}
	return tagStr, in
}

var timestampFormats = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// isTimestamp is yaml.v2's parseTimestamp; only whether it parses matters,
// since the value stays the original text.
func isTimestamp(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			break
		}
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, format := range timestampFormats {
		if _, err := time.Parse(format, s); err == nil {
			return true
		}
	}
	return false
}

// resolveScalar gives yaml.v2's value for a scalar decoded into interface{}:
// tag is the long tag ("" when the scalar is plain and untagged), quoted
// tells a quoted or block scalar without a tag, which is always a string.
func resolveScalar(tag, value string, untaggedString bool) (any, error) {
	if untaggedString {
		return value, nil
	}
	rtag, out, err := resolve(tag, value)
	if err != nil {
		return nil, err
	}
	if rtag == tagBinary {
		data, err := base64.StdEncoding.DecodeString(out.(string))
		if err != nil {
			return nil, fmt.Errorf("!!binary value contains invalid base64 data")
		}
		return string(data), nil
	}
	return out, nil
}

// jsonNumber turns yaml.v2's numbers into what encoding/json gives back after
// json.Marshal, except that integers that fit are int64: a float with an
// integral value is written by json.Marshal without a fraction ("1" for 1.0),
// so Kubernetes sees an integer.
func jsonNumber(v any) any {
	switch n := v.(type) {
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n)
		}
		return float64(n)
	case float64:
		// json.Marshal uses exponent notation from 1e21 on.
		if n != math.Trunc(n) || math.Abs(n) >= 1e21 {
			return n
		}
		if math.Abs(n) <= 1<<53 {
			return int64(n)
		}
		// Beyond 2^53, json.Marshal writes the shortest digits that read
		// back as n (7.000000000000078e16 is "70000000000000780", not
		// ...784): the integer is those digits.
		if i, err := strconv.ParseInt(strconv.FormatFloat(n, 'f', -1, 64), 10, 64); err == nil {
			return i
		}
		return n
	}
	return v
}

// keyString is sigs.k8s.io/yaml's conversion of a yaml.v2 map key to a JSON
// object key. ok is false for keys it rejects (null, uint64).
func keyString(k any) (string, bool) {
	switch k := k.(type) {
	case string:
		return k, true
	case int64:
		return strconv.FormatInt(k, 10), true
	case float64:
		// sigs.k8s.io/yaml formats float keys as float32, like yaml.v2's
		// encoder does.
		s := strconv.FormatFloat(k, 'g', -1, 32)
		switch s {
		case "+Inf":
			s = ".inf"
		case "-Inf":
			s = "-.inf"
		case "NaN":
			s = ".nan"
		}
		return s, true
	case bool:
		if k {
			return "true", true
		}
		return "false", true
	}
	return "", false
}
