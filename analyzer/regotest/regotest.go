package regotest

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/types"

	"github.com/irsalint/irsalint/analyzer/engine"
	"github.com/irsalint/irsalint/analyzer/inventory"
)

// resolveDecl is irsalint.resolve(input): input with the resolved facts.
var resolveDecl = &ast.Builtin{
	Name: "irsalint.resolve",
	Decl: types.NewFunction(types.Args(types.Named("input", types.A)), types.Named("resolved", types.A)),
}

// Capabilities are the sandbox's, plus irsalint.resolve.
func Capabilities() *ast.Capabilities {
	caps := engine.SandboxCapabilities()
	caps.Builtins = append(caps.Builtins, resolveDecl)
	return caps
}

// Builtins are the test-only built-ins, for tester.Runner.
func Builtins() []*tester.Builtin {
	return []*tester.Builtin{{
		Decl: resolveDecl,
		Func: rego.Function1(&rego.Function{Name: resolveDecl.Name, Decl: resolveDecl.Decl},
			func(_ rego.BuiltinContext, in *ast.Term) (*ast.Term, error) {
				v, err := ast.JSON(in.Value)
				if err != nil {
					return nil, err
				}
				m, ok := v.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("irsalint.resolve: want an object, got %T", v)
				}
				resolved := inventory.Resolve(m)
				workloads, _ := resolved["workloads"].([]any)
				resolved["index"] = inventory.WorkloadIndex(workloads)
				out, err := ast.InterfaceToValue(resolved)
				if err != nil {
					return nil, err
				}
				return ast.NewTerm(out), nil
			}),
	}}
}
