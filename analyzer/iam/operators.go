package iam

import "strings"

// operator describes one IAM condition operator (IAM User Guide,
// "IAM JSON policy elements: Condition operators").
type operator struct {
	Name       string // canonical spelling, without IfExists and set qualifier
	Family     string // String, Numeric, Date, Bool, Binary, IpAddress, Arn, Null
	Negated    bool
	Like       bool // wildcard matching (StringLike, ArnLike, and ArnEquals, which matches like ArnLike)
	IgnoreCase bool
}

var operators = func() map[string]operator {
	m := map[string]operator{}
	add := func(o operator) { m[strings.ToLower(o.Name)] = o }
	for _, o := range []operator{
		{Name: "StringEquals", Family: "String"},
		{Name: "StringNotEquals", Family: "String", Negated: true},
		{Name: "StringEqualsIgnoreCase", Family: "String", IgnoreCase: true},
		{Name: "StringNotEqualsIgnoreCase", Family: "String", Negated: true, IgnoreCase: true},
		{Name: "StringLike", Family: "String", Like: true},
		{Name: "StringNotLike", Family: "String", Negated: true, Like: true},
		{Name: "NumericEquals", Family: "Numeric"},
		{Name: "NumericNotEquals", Family: "Numeric", Negated: true},
		{Name: "NumericLessThan", Family: "Numeric"},
		{Name: "NumericLessThanEquals", Family: "Numeric"},
		{Name: "NumericGreaterThan", Family: "Numeric"},
		{Name: "NumericGreaterThanEquals", Family: "Numeric"},
		{Name: "DateEquals", Family: "Date"},
		{Name: "DateNotEquals", Family: "Date", Negated: true},
		{Name: "DateLessThan", Family: "Date"},
		{Name: "DateLessThanEquals", Family: "Date"},
		{Name: "DateGreaterThan", Family: "Date"},
		{Name: "DateGreaterThanEquals", Family: "Date"},
		{Name: "Bool", Family: "Bool"},
		{Name: "BinaryEquals", Family: "Binary"},
		{Name: "IpAddress", Family: "IpAddress"},
		{Name: "NotIpAddress", Family: "IpAddress", Negated: true},
		{Name: "ArnEquals", Family: "Arn", Like: true},
		{Name: "ArnLike", Family: "Arn", Like: true},
		{Name: "ArnNotEquals", Family: "Arn", Negated: true, Like: true},
		{Name: "ArnNotLike", Family: "Arn", Negated: true, Like: true},
		{Name: "Null", Family: "Null"},
	} {
		add(o)
	}
	return m
}()

// parsedOperator is a condition operator as written, split into its parts.
type parsedOperator struct {
	operator
	Written   string
	Qualifier string // "", "ForAnyValue" or "ForAllValues"
	IfExists  bool
	// CaseDiffers is set when the spelling differs from the canonical one
	// only in case (IAM may reject it; irsalint reads it as meant).
	CaseDiffers bool
}

// parseOperator splits "ForAllValues:StringLikeIfExists" into its parts.
func parseOperator(written string) (parsedOperator, bool) {
	p := parsedOperator{Written: written}
	rest := written
	if q, op, ok := strings.Cut(rest, ":"); ok {
		switch strings.ToLower(q) {
		case "foranyvalue":
			p.Qualifier = "ForAnyValue"
		case "forallvalues":
			p.Qualifier = "ForAllValues"
		default:
			return p, false
		}
		if q != p.Qualifier {
			p.CaseDiffers = true
		}
		rest = op
	}
	base := rest
	if strings.HasSuffix(strings.ToLower(rest), "ifexists") {
		base = rest[:len(rest)-len("IfExists")]
		p.IfExists = true
		if !strings.HasSuffix(rest, "IfExists") {
			p.CaseDiffers = true
		}
	}
	op, ok := operators[strings.ToLower(base)]
	if !ok {
		return p, false
	}
	p.operator = op
	if base != op.Name {
		p.CaseDiffers = true
	}
	return p, true
}

// Canonical is the operator as IAM spells it.
func (p parsedOperator) Canonical() string {
	s := p.Name
	if p.IfExists {
		s += "IfExists"
	}
	if p.Qualifier != "" {
		s = p.Qualifier + ":" + s
	}
	return s
}
