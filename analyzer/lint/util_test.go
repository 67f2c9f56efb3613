package lint_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/irsalint/irsalint/analyzer/engine"
)

func fmtInt(n int) string { return strconv.Itoa(n) }

// everyRule is an engine built with opts and its query of every rule.
func everyRule(tb testing.TB, opts engine.Options) (*engine.Engine, *engine.Query) {
	tb.Helper()
	eng, err := engine.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	ids, err := eng.Select(nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	q, err := eng.Prepare(context.Background(), ids)
	if err != nil {
		tb.Fatal(err)
	}
	return eng, q
}
