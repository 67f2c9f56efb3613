package engine

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestDecodeFindingNumbers feeds decodeFinding the number types a caller
// other than OPA (which gives json.Number) could hand it.
func TestDecodeFindingNumbers(t *testing.T) {
	for _, tt := range []struct {
		el   any
		want any // nil: rejected
	}{
		{json.Number("2"), 2},
		{json.Number("2.0"), nil},
		{json.Number("-1"), nil},
		{float64(3), 3},
		{1.5, nil},
		{-2.0, nil},
		{1e300, nil},
		{int64(4), int64(4)},
		{"x", "x"},
	} {
		f, err := decodeFinding("r", map[string]any{"ref": "a#0", "message": "m", "at": []any{tt.el}})
		if tt.want == nil {
			if err == nil {
				t.Errorf("at [%v] (%T) accepted as %v", tt.el, tt.el, f.At)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(f.At, []any{tt.want}) {
			t.Errorf("at [%v] (%T) = %#v, %v; want [%#v]", tt.el, tt.el, f.At, err, tt.want)
		}
	}
}
