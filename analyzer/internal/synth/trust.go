package synth

// MapFederated rewrites every Federated principal of a trust document
// (a statement list or a single statement); f returns the new value.
func MapFederated(doc map[string]any, f func(string) string) {
	var sts []any
	switch s := doc["Statement"].(type) {
	case []any:
		sts = s
	case map[string]any:
		sts = []any{s}
	}
	for _, s := range sts {
		sm, _ := s.(map[string]any)
		p, _ := sm["Principal"].(map[string]any)
		switch v := p["Federated"].(type) {
		case string:
			p["Federated"] = f(v)
		case []any:
			for i, x := range v {
				if s, ok := x.(string); ok {
					v[i] = f(s)
				}
			}
		}
	}
}

// Federated lists the Federated principals of a trust document.
func Federated(doc map[string]any) []string {
	var out []string
	MapFederated(doc, func(s string) string { out = append(out, s); return s })
	return out
}
