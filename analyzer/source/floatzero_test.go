package source

import (
	"encoding/json"
	"reflect"
	"testing"

	sigsyaml "sigs.k8s.io/yaml"
)

// TestFloatZeroKeys: yaml.v2 keys its maps by value, so the float keys 0
// and -0 are one key, spelled as the later one, and the later value wins;
// the integer 0 and the string "-0" stay keys of their own. Decode gives
// the value sigs.k8s.io/yaml gives, and reports the duplicate.
func TestFloatZeroKeys(t *testing.T) {
	for _, tc := range []struct {
		in   string
		dups int
		// want, when set, is the value instead of sigs.k8s.io/yaml's:
		// where a string key and a float key both become the JSON key
		// "-0", yaml.v2's map holds both and sigs.k8s.io/yaml writes them
		// in Go's random map order, so it gives either value (1 or 3, about
		// one run in nine the first). Decode keeps the later, as JSON
		// readers do.
		want string
	}{
		{"0.: 1\n-0.: 2\n", 1, ""},
		{"-0.: 1\n0.: 2\n", 1, ""},
		{"0.: \n-0.:", 1, ""},
		{"0.0: 1\nb: 2\n-0.0: 3\n0.: 4\n", 2, ""},
		{"0: 1\n-0.: 2\n", 0, ""},
		{"\"-0\": 1\n0.: 2\n-0.: 3\n", 1, `{"-0":3}`}, // line 3 replaces both: one notice there
		{"a: &a\n  0.: 1\nb:\n  <<: *a\n  -0.: 2\n", 0, ""},
		{"b:\n  -0.: 2\n  <<: {0.: 1}\n", 0, ""},
		{"b:\n  <<: {0.: 1}\n  -0.: 2\n  0.: 3\n", 1, ""},
	} {
		docs, err := Decode([]byte(tc.in))
		if err != nil || len(docs) != 1 {
			t.Fatalf("%q: %d documents, %v", tc.in, len(docs), err)
		}
		want := []byte(tc.want)
		if tc.want == "" {
			if want, err = sigsyaml.YAMLToJSON([]byte(tc.in)); err != nil {
				t.Fatalf("%q: sigs.k8s.io/yaml: %v", tc.in, err)
			}
		}
		got, err := json.Marshal(docs[0].Value)
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		if json.Unmarshal(got, &g) != nil || json.Unmarshal(want, &w) != nil || !reflect.DeepEqual(g, w) {
			t.Errorf("%q: got %s, want %s", tc.in, got, want)
		}
		if n := len(docs[0].Duplicates); n != tc.dups {
			t.Errorf("%q: %d duplicates reported, want %d: %+v", tc.in, n, tc.dups, docs[0].Duplicates)
		}
	}
}
