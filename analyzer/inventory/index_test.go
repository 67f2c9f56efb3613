package inventory

import (
	"reflect"
	"testing"
)

func TestWorkloadIndex(t *testing.T) {
	container := func(typ, mechanism string, env ...string) any {
		var es []any
		for _, e := range env {
			es = append(es, map[string]any{"name": e})
		}
		c := map[string]any{"type": typ, "env": es, "identity": map[string]any{"mechanism": mechanism}}
		if mechanism == "web-identity" {
			c["awsSignals"] = []any{map[string]any{"kind": "env"}}
		}
		return c
	}
	workloads := []any{
		map[string]any{
			"annotations": map[string]any{"a": "1"},
			"template":    map[string]any{"labels": map[string]any{"app": "x"}, "annotations": map[string]any{}},
			"podSpec":     map[string]any{"hostNetwork": true},
			"containers":  []any{container("container", "node-role", "AWS_REGION"), container("initContainer", "node-role")},
			"volumes":     []any{map[string]any{"name": "data", "emptyDir": map[string]any{}}},
		},
		map[string]any{
			"annotations": map[string]any{},
			"template":    map[string]any{"labels": map[string]any{"app": "y"}, "annotations": map[string]any{"t": "2"}},
			"podSpec":     map[string]any{},
			"containers":  []any{container("container", "web-identity", "AWS_REGION", "AWS_REGION"), container("ephemeralContainer", "web-identity")},
			"volumes":     []any{map[string]any{"name": "token", "projected": map[string]any{}}, map[string]any{"name": "t2", "projected": map[string]any{}}},
		},
		map[string]any{"containers": []any{}},
	}
	got := WorkloadIndex(workloads)
	want := map[string]any{
		"env":                 map[string]any{"AWS_REGION": []any{0, 1}},
		"templateLabels":      map[string]any{"app": []any{0, 1}},
		"templateAnnotations": map[string]any{"t": []any{1}},
		"annotations":         map[string]any{"a": []any{0}},
		"mechanisms":          map[string]any{"node-role": []any{0}, "web-identity": []any{1}},
		"hostNetwork":         []any{0},
		"awsSignals":          []any{1},
		"containerTypes":      map[string]any{"container": []any{0, 1}, "initContainer": []any{0}, "ephemeralContainer": []any{1}},
		"projectedVolumes":    []any{1},
	}
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("index.%s = %v, want %v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("index has %d keys, want %d: %v", len(got), len(want), got)
	}
}
