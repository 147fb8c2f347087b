package evaluator

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Kind is the Python type a Value stands for. Cinder's evaluator is
// Python, and which operations work, raise or coerce depends on the type,
// so every Value keeps it.
type Kind uint8

// The kinds a result can have. A Cinder expression has no literal for
// bool, list or complex: bools come from comparisons and NOT, lists from
// the comma operator, complex numbers from a negative base raised to a
// fractional power.
const (
	KindInt Kind = iota + 1
	KindFloat
	KindBool
	KindStr
	KindList
	KindComplex
)

// String is the Python type name, as error messages print it.
func (k Kind) String() string {
	switch k {
	case KindInt:
		return "int"
	case KindFloat:
		return "float"
	case KindBool:
		return "bool"
	case KindStr:
		return "str"
	case KindList:
		return "list"
	case KindComplex:
		return "complex"
	}
	return "invalid"
}

// Value is one result of evaluation. Values are immutable: operations
// build new ones, so a Value may be shared freely (constants are shared by
// every evaluation of a parsed expression).
type Value struct {
	kind Kind
	i    int64    // KindInt when big is nil; KindBool as 0 or 1
	big  *big.Int // KindInt outside int64 (Python ints are unbounded)
	f    float64  // KindFloat; the real part of KindComplex
	im   float64  // the imaginary part of KindComplex
	s    string   // KindStr
	list []Value  // KindList
}

// IntValue, FloatValue, BoolValue and StrValue build values, mainly for
// tests and callers that compare results.
func IntValue(i int64) Value     { return Value{kind: KindInt, i: i} }
func FloatValue(f float64) Value { return Value{kind: KindFloat, f: f} }
func StrValue(s string) Value    { return Value{kind: KindStr, s: s} }
func BoolValue(b bool) Value {
	v := Value{kind: KindBool}
	if b {
		v.i = 1
	}
	return v
}

// ListValue builds a list (what the comma operator yields).
func ListValue(items ...Value) Value { return Value{kind: KindList, list: items} }

// ComplexValue builds a complex number.
func ComplexValue(re, im float64) Value { return Value{kind: KindComplex, f: re, im: im} }

// bigValue keeps small results in int64 so the common path never touches
// math/big.
func bigValue(b *big.Int) Value {
	if b.IsInt64() {
		return IntValue(b.Int64())
	}
	return Value{kind: KindInt, big: b}
}

// Kind reports the value's Python type; the zero Value has kind 0.
func (v Value) Kind() Kind { return v.kind }

// Truthy is Python's bool(v): zero numbers, empty strings and empty lists
// are false; NaN is true.
func (v Value) Truthy() bool {
	switch v.kind {
	case KindInt, KindBool:
		return v.big != nil || v.i != 0
	case KindFloat:
		return v.f != 0
	case KindComplex:
		return v.f != 0 || v.im != 0
	case KindStr:
		return v.s != ""
	case KindList:
		return len(v.list) > 0
	}
	return false
}

// Bool returns a KindBool value's truth.
func (v Value) Bool() (b, ok bool) { return v.i != 0, v.kind == KindBool }

// Int64 returns a KindInt value that fits in an int64.
func (v Value) Int64() (int64, bool) { return v.i, v.kind == KindInt && v.big == nil }

// Float64 returns a real number (int, float or bool) as a float64; a huge
// int becomes ±Inf. Strings, lists and complex numbers are not real.
func (v Value) Float64() (float64, bool) {
	switch v.kind {
	case KindInt, KindBool:
		if v.big != nil {
			f, _ := new(big.Float).SetInt(v.big).Float64()
			return f, true
		}
		return float64(v.i), true
	case KindFloat:
		return v.f, true
	}
	return 0, false
}

// Str returns a KindStr value's text.
func (v Value) Str() (string, bool) { return v.s, v.kind == KindStr }

// List returns a KindList value's items; callers must not modify them.
func (v Value) List() []Value { return v.list }

// Complex returns a KindComplex value's parts.
func (v Value) Complex() (re, im float64, ok bool) { return v.f, v.im, v.kind == KindComplex }

// String is Python's repr(v), for explanations and error messages.
func (v Value) String() string {
	switch v.kind {
	case KindInt:
		if v.big != nil {
			s := v.big.String()
			if len(s) > 40 {
				s = s[:20] + "…" + s[len(s)-10:] + " (" + strconv.Itoa(len(s)) + " digits)"
			}
			return s
		}
		return strconv.FormatInt(v.i, 10)
	case KindBool:
		if v.i != 0 {
			return "True"
		}
		return "False"
	case KindFloat:
		return floatRepr(v.f)
	case KindComplex:
		return complexRepr(v.f, v.im)
	case KindStr:
		return strRepr(v.s)
	case KindList:
		var b strings.Builder
		b.WriteByte('[')
		for i, x := range v.list {
			if i > 0 {
				b.WriteString(", ")
			}
			if b.Len() > 200 {
				b.WriteString("…")
				break
			}
			b.WriteString(x.String())
		}
		b.WriteByte(']')
		return b.String()
	}
	return "<invalid>"
}

// floatRepr is Python's repr(float): the shortest round-tripping digits,
// fixed notation for exponents -4..15 with at least one decimal, else
// scientific with a two-digit exponent.
func floatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// complexRepr is Python's repr(complex): parts without a forced ".0", the
// real part left out when it is +0.
func complexRepr(re, im float64) string {
	part := func(f float64) string {
		s := floatRepr(f)
		return strings.TrimSuffix(s, ".0")
	}
	imag := part(im)
	if re == 0 && !math.Signbit(re) {
		return imag + "j"
	}
	sign := "+"
	if strings.HasPrefix(imag, "-") {
		sign = ""
	}
	return "(" + part(re) + sign + imag + "j)"
}

// strRepr quotes like Python's repr(str): single quotes unless the text
// holds a single quote and no double quote.
func strRepr(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatInt(int64(r)|0x100, 16)[1:])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}
