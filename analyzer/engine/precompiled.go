package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/version"

	"github.com/irsalint/irsalint/analyzer/internal/regocodec"
	"github.com/irsalint/irsalint/rules"
)

// The shipped rules' groups as OPA's compiler leaves them, written by go
// generate (Precompiled) to rules/compiled.bin. A group of shipped rules
// alone is read from there instead of parsed, and skips precompiledSkips:
// their work (bodies ordered for safety, local variables renamed, nested
// terms flattened) is already in the modules. On one core that takes the
// IAM library's group from about 8 ms of parsing and 29 of compiling to 3
// of reading and 10 of compiling. Each group carries a digest of its
// modules' source, so a group whose rules were edited since go generate
// is parsed and compiled again, not read stale. A test fails when the
// file is stale, and another when recompiling its modules with every
// stage changes more than the names of their variables.
const precompiledMagic = "irsalint compiled rules\n"

// precompiledSkips are the stages a precompiled group skips besides
// shippedSkips: on a compiled module each finds nothing to do, but for
// giving local variables new names and binding each every's domain to
// one more variable (TestPrecompiled checks it). The stages kept build
// the compiler's trees, graph and indices, which live outside the
// modules.
var precompiledSkips = []ast.StageID{
	ast.StageResolveRefs,
	ast.StageCheckSafetyRuleBodies,
	ast.StageRewriteLocalVars,
	ast.StageRewriteExprTerms,
	ast.StageRewriteRuleHeadRefs,
	ast.StageRewriteTemplateStrings,
	ast.StageRewritePrintCalls,
	ast.StageRewriteRegoMetadataCalls,
	ast.StageRewriteComprehensionTerms,
	ast.StageRewriteRefsInHead,
	ast.StageRewriteWithValues,
	ast.StageRewriteEquals,
	ast.StageRewriteDynamicTerms,
}

// shippedGroups parses the shipped rules in full and returns the groups a
// run compiles them in, and their scopes by rule ID.
func shippedGroups() ([][]Module, map[string]string, error) {
	mods, err := LoadFS(rules.FS, "rules", false)
	if err != nil {
		return nil, nil, err
	}
	entries, err := catalogue(mods)
	if err != nil {
		return nil, nil, err
	}
	scopes := make(map[string]string, len(entries))
	for _, en := range entries {
		scopes[en.rule.ID] = en.rule.Scope
	}
	groups, _ := partition(mods, scopes)
	return groups, scopes, nil
}

// Precompiled is rules/compiled.bin as the shipped rules and the linked
// OPA release give it now.
func Precompiled() ([]byte, error) {
	groups, _, err := shippedGroups()
	if err != nil {
		return nil, err
	}
	out := []byte(precompiledMagic + "opa " + version.Version + "\n")
	out = binary.AppendUvarint(out, uint64(len(groups)))
	for _, g := range groups {
		modMap := make(map[string]*ast.Module, len(g))
		for _, m := range g {
			modMap[m.Name] = m.Module.Copy()
		}
		c := ast.NewCompiler().WithCapabilities(SandboxCapabilities()).WithSkipStages(shippedSkips...)
		if c.Compile(modMap); len(c.Errors) > 0 {
			return nil, formatRegoErrors(c.Errors)
		}
		names := groupNames(g)
		sum, err := sourceDigest(rules.FS, names)
		if err != nil {
			return nil, err
		}
		named := make([]regocodec.Named, 0, len(g))
		out = binary.AppendUvarint(out, uint64(len(names)))
		for _, name := range names {
			named = append(named, regocodec.Named{Name: name, Module: c.Modules[name]})
			out = binary.AppendUvarint(out, uint64(len(name)))
			out = append(out, name...)
		}
		out = append(out, sum[:]...)
		blob, err := regocodec.Encode(named)
		if err != nil {
			return nil, err
		}
		out = binary.AppendUvarint(out, uint64(len(blob)))
		out = append(out, blob...)
	}
	return out, nil
}

// groupNames are a group's module names, sorted: the key a precompiled
// group is found by.
func groupNames(g []Module) []string {
	names := make([]string, len(g))
	for i, m := range g {
		names[i] = m.Name
	}
	slices.Sort(names)
	return names
}

// sourceDigest is the SHA-256 of the named shipped modules' source.
func sourceDigest(fsys fs.FS, names []string) ([sha256.Size]byte, error) {
	h := sha256.New()
	for _, name := range names {
		src, err := fs.ReadFile(fsys, strings.TrimPrefix(name, "rules/"))
		if err != nil {
			return [sha256.Size]byte{}, err
		}
		h.Write(binary.AppendUvarint([]byte(name), uint64(len(src))))
		h.Write(src)
	}
	return [sha256.Size]byte(h.Sum(nil)), nil
}

// A precompiledGroup is one group's encoded modules and the digest of
// their source.
type precompiledGroup struct {
	source [sha256.Size]byte
	code   []byte
}

// precompiledGroups maps a group's module names, joined by newlines, to
// its entry; nil when rules/compiled.bin was written by another OPA
// release than the one linked, whose compiler may leave other modules.
var precompiledGroups = sync.OnceValues(func() (map[string]precompiledGroup, error) {
	return indexPrecompiled(rules.Compiled, version.Version)
})

func indexPrecompiled(data []byte, opa string) (map[string]precompiledGroup, error) {
	head := precompiledMagic + "opa " + opa + "\n"
	if !bytes.HasPrefix(data, []byte(precompiledMagic)) {
		return nil, errors.New("rules/compiled.bin: not a compiled rule set")
	}
	if !bytes.HasPrefix(data, []byte(head)) {
		return nil, nil
	}
	data = data[len(head):]
	truncated := errors.New("rules/compiled.bin: truncated")
	n, k := binary.Uvarint(data)
	if k <= 0 {
		return nil, truncated
	}
	data = data[k:]
	// field reads a length and the bytes it counts.
	field := func() ([]byte, bool) {
		l, k := binary.Uvarint(data)
		if k <= 0 || l > uint64(len(data)-k) {
			return nil, false
		}
		b := data[k : k+int(l)]
		data = data[k+int(l):]
		return b, true
	}
	out := map[string]precompiledGroup{}
	for range n {
		count, k := binary.Uvarint(data)
		if k <= 0 || count > uint64(len(data)) {
			return nil, truncated
		}
		data = data[k:]
		names := make([]string, 0, count)
		for range count {
			name, ok := field()
			if !ok {
				return nil, truncated
			}
			names = append(names, string(name))
		}
		var entry precompiledGroup
		if len(data) < len(entry.source) {
			return nil, truncated
		}
		data = data[copy(entry.source[:], data):]
		code, ok := field()
		if !ok {
			return nil, truncated
		}
		entry.code = code
		out[strings.Join(names, "\n")] = entry
	}
	if len(data) > 0 {
		return nil, errors.New("rules/compiled.bin: bytes after the last group")
	}
	return out, nil
}

// precompiled returns group g's modules compiled, by name, or nil when
// rules/compiled.bin does not hold the group as its source is now: the
// group is then parsed and compiled, with the same result. The tests
// check that the file holds every group and reads without error.
func precompiled(g []Module) map[string]*ast.Module {
	index, err := precompiledGroups()
	if err != nil {
		return nil
	}
	return lookupPrecompiled(index, rules.FS, g)
}

func lookupPrecompiled(index map[string]precompiledGroup, fsys fs.FS, g []Module) map[string]*ast.Module {
	names := groupNames(g)
	entry, ok := index[strings.Join(names, "\n")]
	if !ok {
		return nil
	}
	if sum, err := sourceDigest(fsys, names); err != nil || sum != entry.source {
		return nil
	}
	named, err := regocodec.Decode(entry.code)
	if err != nil {
		return nil
	}
	out := make(map[string]*ast.Module, len(named))
	for _, m := range named {
		out[m.Name] = m.Module
	}
	return out
}
