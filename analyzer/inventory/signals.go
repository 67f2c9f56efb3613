package inventory

import "strings"

// awsSignals lists the signs that a container calls AWS, in the order they
// are usually written: its image (a repository of the AWS-consumer
// catalogue), then its env entries that AWS SDKs read. Each is
// {"kind": "image"|"env", "at": the field, "name": the variable (env)}.
type signalCatalogue struct {
	images map[string]bool
	env    map[string]bool
	// matched caches the verdict per repository: thousands of containers
	// share a few dozen images.
	matched map[string]bool
}

func newSignalCatalogue(s Settings) *signalCatalogue {
	c := &signalCatalogue{images: map[string]bool{}, env: map[string]bool{}, matched: map[string]bool{}}
	for _, i := range s.AWSImages {
		c.images[i] = true
	}
	for _, e := range s.AWSEnv {
		c.env[e] = true
	}
	return c
}

func (sc *signalCatalogue) signals(c map[string]any) []any {
	out := []any{}
	at, _ := c["at"].([]any)
	if ref, ok := c["imageRef"].(map[string]any); ok {
		registry, _ := ref["registry"].(string)
		repository, _ := ref["repository"].(string)
		if sc.awsImage(registry, repository) {
			out = append(out, map[string]any{"kind": "image", "at": appendPath(at, "image")})
		}
	}
	env, _ := c["env"].([]any)
	for _, raw := range env {
		e, _ := raw.(map[string]any)
		name, _ := e["name"].(string)
		if sc.env[name] {
			eat, _ := e["at"].([]any)
			out = append(out, map[string]any{"kind": "env", "name": name, "at": appendPath(eat, "name")})
		}
	}
	return out
}

// awsImage: the repository, with or without its registry, ends with a
// catalogue entry on a path-segment boundary ("aws-cli" matches
// "amazon/aws-cli" and "public.ecr.aws/aws-cli/aws-cli", not "my-aws-cli").
func (sc *signalCatalogue) awsImage(registry, repository string) bool {
	key := registry + "\x00" + repository
	if v, ok := sc.matched[key]; ok {
		return v
	}
	v := sc.suffixIn(repository) || sc.suffixIn(registry+"/"+repository)
	sc.matched[key] = v
	return v
}

func (sc *signalCatalogue) suffixIn(name string) bool {
	for {
		if sc.images[name] {
			return true
		}
		i := strings.IndexByte(name, '/')
		if i < 0 {
			return false
		}
		name = name[i+1:]
	}
}

func appendPath(p []any, elems ...any) []any {
	out := make([]any, 0, len(p)+len(elems))
	return append(append(out, p...), elems...)
}
