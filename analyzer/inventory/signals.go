package inventory

import (
	"strings"
	"unicode/utf8"
)

// awsSignals lists the signs that a container calls AWS, in the order they
// are usually written: its image (a repository of the AWS-consumer
// catalogue), then a command or args element that runs the AWS CLI, then
// its env entries that AWS SDKs read. Each is {"kind":
// "image"|"command"|"env", "at": the field, "name": the variable (env),
// "excerpt": the CLI invocation (command)}.
type signalCatalogue struct {
	images map[string]bool
	// prefixes are the catalogue entries that end in "/": they match every
	// repository below that path ("aws-controllers-k8s/" for all ACK
	// controllers), which a list of names could not keep up with.
	prefixes []string
	env      map[string]bool
	// matched caches the verdict per repository: thousands of containers
	// share a few dozen images.
	matched map[string]bool
}

func newSignalCatalogue(s Settings) *signalCatalogue {
	c := &signalCatalogue{images: map[string]bool{}, env: map[string]bool{}, matched: map[string]bool{}}
	for _, i := range s.AWSImages {
		if strings.HasSuffix(i, "/") {
			if strings.Trim(i, "/") != "" {
				c.prefixes = append(c.prefixes, i)
			}
			continue
		}
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
	if s := commandSignal(c, at); s != nil {
		out = append(out, s)
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
// "amazon/aws-cli" and "public.ecr.aws/aws-cli/aws-cli", not "my-aws-cli"),
// or has a prefix entry as whole leading segments of such a suffix
// ("aws-controllers-k8s/" matches "public.ecr.aws/aws-controllers-k8s/s3-controller").
// Tags and digests are not part of the repository, so never matter.
func (sc *signalCatalogue) awsImage(registry, repository string) bool {
	key := registry + "\x00" + repository
	if v, ok := sc.matched[key]; ok {
		return v
	}
	v := repository != "" && (sc.suffixIn(repository) || sc.suffixIn(registry+"/"+repository))
	sc.matched[key] = v
	return v
}

func (sc *signalCatalogue) suffixIn(name string) bool {
	for {
		if sc.images[name] {
			return true
		}
		for _, p := range sc.prefixes {
			// Something must follow the prefix: the entry names the
			// folder, not a repository.
			if len(name) > len(p) && strings.HasPrefix(name, p) {
				return true
			}
		}
		i := strings.IndexByte(name, '/')
		if i < 0 {
			return false
		}
		name = name[i+1:]
	}
}

// commandSignal finds the AWS CLI in a container's command and args (taken
// as one argv, as the kubelet does): an element that is the aws executable
// itself, or a shell script (the element after -c) that runs `aws <word>`
// at a command position. Only the first is reported: one is enough to
// say the container calls AWS.
func commandSignal(c map[string]any, at []any) map[string]any {
	type elem struct {
		s    string
		path []any
	}
	var argv []elem
	for _, field := range []string{"command", "args"} {
		list, _ := c[field].([]any)
		for i, raw := range list {
			s, _ := raw.(string)
			argv = append(argv, elem{s, appendPath(at, field, i)})
		}
	}
	for i, e := range argv {
		if i > 0 && isShellC(argv[i-1].s) {
			// A script: only what it runs counts, not the words it
			// prints ("echo aws is fun").
			if excerpt, ok := shellRunsAWS(e.s); ok {
				return commandHit(e.path, excerpt)
			}
			// A one-word script ("sh -c aws") runs that word; any other
			// ends here, whatever its last word ("echo /usr/bin/aws").
			if strings.ContainsAny(e.s, " \t\n") {
				continue
			}
		}
		if isAWSExecutable(e.s) {
			words := make([]string, 0, len(argv)-i)
			for _, w := range argv[i:] {
				words = append(words, w.s)
			}
			return commandHit(e.path, strings.Join(words, " "))
		}
	}
	return nil
}

func commandHit(path []any, excerpt string) map[string]any {
	return map[string]any{"kind": "command", "at": path, "excerpt": shorten(excerpt)}
}

// isAWSExecutable: "aws" or a path to it ("/usr/local/bin/aws"); not
// "awscli-wrapper" or "aws-vault".
func isAWSExecutable(s string) bool {
	return s == "aws" || strings.HasSuffix(s, "/aws")
}

// isShellC: the option that makes sh or bash read the next argument as a
// script, alone or among the single-letter options written with it ("-c",
// "-ec", "-xc", "-lc", "-euxc"). Other letters are refused so that a
// program's single-dash long option ("-cluster", "-config") is not one.
func isShellC(s string) bool {
	if len(s) < 2 || s[0] != '-' || !strings.Contains(s, "c") {
		return false
	}
	for _, r := range s[1:] {
		if !strings.ContainsRune("celuvx", r) {
			return false
		}
	}
	return true
}

// shellRunsAWS reports whether a shell script runs `aws <word>` as a
// command, and that command's text. A command position is the start of the
// script or of a list element (after ; & && || | ( ` $( or a newline),
// after the keywords then, do, else, if, while, until, and after exec or
// time. It is a
// reading, not a parser: quoted text is skipped so that a separator inside
// a string starts nothing, and variable assignments before the command are
// not followed.
func shellRunsAWS(script string) (string, bool) {
	for _, cmd := range shellCommands(script) {
		words := strings.Fields(cmd)
		for len(words) > 0 && shellPrefixWords[words[0]] {
			words = words[1:]
		}
		if len(words) >= 2 && isAWSExecutable(words[0]) {
			return strings.Join(words, " "), true
		}
	}
	return "", false
}

var shellPrefixWords = map[string]bool{
	"then": true, "do": true, "else": true, "if": true, "while": true, "until": true,
	"exec": true, "time": true, "!": true, "{": true,
}

// shellCommands splits a script at the separators outside quotes; quoted
// text stays in its command (as an argument it starts nothing).
func shellCommands(script string) []string {
	var out []string
	start := 0
	var quote byte
	for i := 0; i < len(script); i++ {
		ch := script[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			} else if ch == '\\' && quote == '"' {
				i++
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == '\\':
			i++
		case strings.IndexByte(";&|()`\n", ch) >= 0:
			out = append(out, script[start:i])
			start = i + 1
		case ch == '$' && i+1 < len(script) && script[i+1] == '(':
			out = append(out, script[start:i])
			i++
			start = i + 1
		}
	}
	if start < len(script) {
		out = append(out, script[start:])
	}
	return out
}

// shorten keeps the excerpt a message can quote: one line, at most 60
// characters.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const limit = 60
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:limit]), " ") + "…"
}

func appendPath(p []any, elems ...any) []any {
	out := make([]any, 0, len(p)+len(elems))
	return append(append(out, p...), elems...)
}
