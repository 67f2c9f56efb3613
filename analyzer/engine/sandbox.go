package engine

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Rules come from repositories that outsiders control (a pull request can
// add a folder named by .irsalint.yaml), so every rule is compiled with
// capabilities that leave out what could reach the network, read the
// process's environment, or make a verdict depend on when it ran.

// SandboxCapabilities are OPA's capabilities minus the forbidden built-ins.
func SandboxCapabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = slices.DeleteFunc(caps.Builtins, func(b *ast.Builtin) bool { return forbidden(b) })
	// No host may be reached even if a network built-in slipped through.
	caps.AllowNet = []string{}
	return caps
}

// forbidden tells the built-ins no rule may call: http.send and
// net.lookup_ip_addr reach the network (DNS alone can carry data out, and
// the instance metadata service is one hop away on a CI runner);
// opa.runtime exposes the environment; rand.*, uuid.rfc4122, time.now_ns
// and the signature and certificate checks that read the clock answer
// differently from run to run (OPA marks all of these non-deterministic);
// trace writes to the evaluation's tracer, which irsalint does not show.
// The pure net.cidr_* functions stay: IAM's IpAddress conditions need them.
func forbidden(b *ast.Builtin) bool {
	return b.Nondeterministic || b.Name == "trace" || b.Name == "opa.runtime" ||
		b.Name == "http.send" || strings.HasPrefix(b.Name, "net.lookup")
}

// ForbiddenBuiltins lists, sorted, the built-ins rules cannot call.
func ForbiddenBuiltins() []string {
	var names []string
	for _, b := range ast.Builtins {
		if forbidden(b) {
			names = append(names, b.Name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

var undefinedFunction = regexp.MustCompile(`^undefined function (\S+)$`)

// explainForbidden rewrites the compiler's "undefined function http.send"
// for a forbidden built-in into a message that names the rule and says why.
func explainForbidden(errs ast.Errors, ruleOf func(file string) string) ast.Errors {
	out := make(ast.Errors, len(errs))
	for i, e := range errs {
		out[i] = e
		m := undefinedFunction.FindStringSubmatch(e.Message)
		if m == nil {
			continue
		}
		b, ok := ast.BuiltinMap[m[1]]
		if !ok || !forbidden(b) {
			continue
		}
		who := "this module"
		if e.Location != nil {
			if id := ruleOf(e.Location.File); id != "" {
				who = fmt.Sprintf("rule %q", id)
			}
		}
		c := *e
		c.Message = fmt.Sprintf("%s calls %s, which irsalint does not allow: rules run without network access, the process's environment, the clock or randomness", who, b.Name)
		out[i] = &c
	}
	return out
}
