package inventory

import "sort"

// WorkloadIndex builds input.index for a list of workloads: for the
// questions many rules start from, the positions (in that list, ascending)
// of the workloads for which the answer is yes, so that a rule looks at the
// few candidates instead of every workload. Rules of scope "workload" see
// the workloads in shards, each with the index of its own list.
//
//	env[NAME]                  a container sets NAME in env
//	templateLabels[KEY]        the pod template has the label
//	templateAnnotations[KEY]   the pod template has the annotation
//	annotations[KEY]           the object's own metadata has the annotation
//	mechanisms[MECHANISM]      a container's credentials end at MECHANISM
//	hostNetwork                the pod uses the node's network namespace
//	awsSignals                 a container shows it calls AWS
//	containerTypes[TYPE]       the pod has a container of TYPE
//	                           (container, initContainer, ephemeralContainer)
//	projectedVolumes           the pod has a projected volume
func WorkloadIndex(workloads []any) map[string]any {
	env := map[string][]int{}
	labels := map[string][]int{}
	tplAnnotations := map[string][]int{}
	annotations := map[string][]int{}
	mechanisms := map[string][]int{}
	types := map[string][]int{}
	var hostNetwork, signals, projected []int
	add := func(m map[string][]int, key string, i int) {
		if l := m[key]; len(l) == 0 || l[len(l)-1] != i {
			m[key] = append(l, i)
		}
	}
	for i, raw := range workloads {
		w, _ := raw.(map[string]any)
		tpl, _ := w["template"].(map[string]any)
		for k := range asMap(tpl["labels"]) {
			add(labels, k, i)
		}
		for k := range asMap(tpl["annotations"]) {
			add(tplAnnotations, k, i)
		}
		for k := range asMap(w["annotations"]) {
			add(annotations, k, i)
		}
		if asMap(w["podSpec"])["hostNetwork"] == true {
			hostNetwork = append(hostNetwork, i)
		}
		vols, _ := w["volumes"].([]any)
		for _, v := range vols {
			if _, ok := asMap(v)["projected"]; ok {
				projected = append(projected, i)
				break
			}
		}
		shows := false
		list, _ := w["containers"].([]any)
		for _, rc := range list {
			c, _ := rc.(map[string]any)
			envs, _ := c["env"].([]any)
			for _, re := range envs {
				if name, ok := asMap(re)["name"].(string); ok {
					add(env, name, i)
				}
			}
			if m, ok := asMap(c["identity"])["mechanism"].(string); ok {
				add(mechanisms, m, i)
			}
			if t, ok := c["type"].(string); ok {
				add(types, t, i)
			}
			if s, _ := c["awsSignals"].([]any); len(s) > 0 {
				shows = true
			}
		}
		if shows {
			signals = append(signals, i)
		}
	}
	return map[string]any{
		"env":                 positionsByKey(env),
		"templateLabels":      positionsByKey(labels),
		"templateAnnotations": positionsByKey(tplAnnotations),
		"annotations":         positionsByKey(annotations),
		"mechanisms":          positionsByKey(mechanisms),
		"hostNetwork":         positions(hostNetwork),
		"awsSignals":          positions(signals),
		"containerTypes":      positionsByKey(types),
		"projectedVolumes":    positions(projected),
	}
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func positionsByKey(m map[string][]int) map[string]any {
	out := make(map[string]any, len(m))
	for k, l := range m {
		out[k] = positions(l)
	}
	return out
}

func positions(l []int) []any {
	sort.Ints(l)
	out := make([]any, len(l))
	for i, n := range l {
		out[i] = n
	}
	return out
}

// Printed is the input as `irsalint inventory` prints it and rules see it
// whole: Input with the index of all its workloads.
func (inv *Inventory) Printed() map[string]any {
	out := make(map[string]any, len(inv.Input)+1)
	for k, v := range inv.Input {
		out[k] = v
	}
	workloads, _ := inv.Input["workloads"].([]any)
	out["index"] = WorkloadIndex(workloads)
	return out
}

// Split gives the input in the parts evaluation treats apart: everything
// but workloads and index, and the workloads.
func (inv *Inventory) Split() (base map[string]any, workloads []any) {
	base = make(map[string]any, len(inv.Input))
	for k, v := range inv.Input {
		if k != "workloads" && k != "index" {
			base[k] = v
		}
	}
	workloads, _ = inv.Input["workloads"].([]any)
	return base, workloads
}
