package guard

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

var sizeRE = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)$`)

var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// MaxSize is the largest size a limit may be set to (1 PiB): beyond it a
// limit limits nothing, and the arithmetic on it would overflow.
const MaxSize = 1 << 50

// ParseSize reads a size such as "10MiB", "512 KiB", "1.5GB" or a plain
// byte count. Units are case-insensitive. The result must be a whole number
// of bytes between 1 and MaxSize: "0.5B", "1e30", "NaN" and "-1" are errors,
// never a silent default.
func ParseSize(s string) (int64, error) {
	m := sizeRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("invalid size %q (write a number and a unit, e.g. 10MiB or 500KB)", s)
	}
	mult, ok := sizeUnits[strings.ToLower(m[2])]
	if !ok {
		return 0, fmt.Errorf("invalid size %q: unknown unit %q (B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)", s, m[2])
	}
	n, ok := new(big.Rat).SetString(m[1])
	if !ok {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	n.Mul(n, new(big.Rat).SetInt64(mult))
	if !n.IsInt() {
		return 0, fmt.Errorf("invalid size %q: not a whole number of bytes", s)
	}
	if n.Sign() <= 0 || n.Cmp(new(big.Rat).SetInt64(MaxSize)) > 0 {
		return 0, fmt.Errorf("invalid size %q: must be between 1 byte and 1 PiB", s)
	}
	return n.Num().Int64(), nil
}
