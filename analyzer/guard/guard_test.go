package guard

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{
		900: "900 bytes", 1024: "1 KiB", 1536: "1.5 KiB", 10 << 20: "10 MiB", 12_900_000: "12.3 MiB", 4 << 30: "4 GiB",
	} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"10MiB": 10 << 20, "10 mib": 10 << 20, "512KiB": 512 << 10, "20MB": 20e6, "1.5GiB": 3 << 29,
		"900": 900, "900B": 900, "1PiB": 0, "1024TiB": 1 << 50,
	} {
		got, err := ParseSize(in)
		if want == 0 {
			if err == nil {
				t.Errorf("ParseSize(%q) = %d, want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1e30", "NaN", "Inf", "+Inf", "0.5B", "0", "-1", "1025TiB", "99999999999999999999999", "10 furlongs", "1.5", "0x10"} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestWithTimeout(t *testing.T) {
	ctx, cancel := WithTimeout(context.Background(), time.Millisecond, "--timeout")
	defer cancel()
	<-ctx.Done()
	var le *LimitError
	if !errors.As(context.Cause(ctx), &le) || le.Error() != "stopped at the --timeout of 1ms" {
		t.Errorf("cause %v", context.Cause(ctx))
	}
	ctx, cancel = WithTimeout(context.Background(), 0, "--timeout")
	defer cancel()
	if _, ok := ctx.Deadline(); ok {
		t.Error("0 set a deadline")
	}
}

// TestWithMemoryLimit: allocation beyond the ceiling ends the context with
// a cause naming it; the previous runtime limit comes back on stop.
func TestWithMemoryLimit(t *testing.T) {
	before := Current()
	ctx, stop := WithMemoryLimit(context.Background(), 64<<20, "--memory-limit")
	var keep [][]byte
	deadline := time.Now().Add(10 * time.Second)
	for ctx.Err() == nil && time.Now().Before(deadline) {
		keep = append(keep, make([]byte, 1<<20))
		time.Sleep(100 * time.Microsecond)
	}
	stop()
	if ctx.Err() == nil {
		t.Fatalf("not stopped after %d MiB", len(keep))
	}
	if got := context.Cause(ctx).Error(); !strings.Contains(got, "the --memory-limit of 64 MiB") {
		t.Errorf("cause %q", got)
	}
	if Current() != before {
		t.Errorf("limit %d after stop, want %d", Current(), before)
	}
	if _, stop := WithMemoryLimit(context.Background(), math.MaxInt64, "x"); stop == nil {
		t.Error("no stop func")
	}
}
