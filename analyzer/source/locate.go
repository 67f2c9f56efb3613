package source

import (
	"bytes"
	"errors"
	"fmt"

	yamlv4 "go.yaml.in/yaml/v4"

	"github.com/irsalint/irsalint/analyzer"
)

// locateWithV4 re-reads text that yaml.v3 rejected with go.yaml.in/yaml/v4,
// whose errors carry the problem's own line and column. yaml.v3 reports the
// line where the enclosing construct starts (a block mapping opened on line
// 4 for a bad indent on line 8) and never a column. This runs only on the
// error path, so the valid-input path keeps yaml.v3 (which OPA already links).
func locateWithV4(data []byte) (*Error, bool) {
	dec := yamlv4.NewDecoder(bytes.NewReader(data))
	for {
		var n yamlv4.Node
		err := dec.Decode(&n)
		if err == nil {
			continue
		}
		var le *yamlv4.LoadError
		if !errors.As(err, &le) || le.Mark.Line <= 0 {
			return nil, false
		}
		msg := le.Message
		if le.ContextMsg != "" && le.ContextMark.Line > 0 && le.ContextMark != le.Mark {
			msg = fmt.Sprintf("%s (%s that starts at line %d, column %d)", msg, le.ContextMsg, le.ContextMark.Line, le.ContextMark.Column)
		}
		return &Error{Pos: analyzer.Position{Line: le.Mark.Line, Column: le.Mark.Column}, Msg: msg}, true
	}
}
