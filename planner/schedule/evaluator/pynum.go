package evaluator

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Cinder's EvalConstant turns every operand, literal or looked-up
// variable, into a value the same way: int(x), else float(x), else (for
// a string) x with every quote character removed. This file reproduces
// Python's int() and float() for the Go values a variable can hold and for
// strings, because their corners decide results: int(199.9) is 199,
// int(True) is 1, int(" 12 ") is 12, int("1_000") is 1000, int("1.5")
// fails so float("1.5") gives 1.5, float("inf") is infinity, and a string
// of more than 4300 digits is too long for int() (CPython's
// int_max_str_digits) but not for float().

// maxStrDigits is CPython's default int_max_str_digits.
const maxStrDigits = 4300

// constant converts a literal token or a variable's string value as
// EvalConstant does.
func constant(s string) Value {
	if v, ok := parseIntString(s); ok {
		return v
	}
	if f, ok := parseFloatString(s); ok {
		return FloatValue(f)
	}
	return StrValue(strings.NewReplacer(`"`, "", `'`, "").Replace(s))
}

// fromGo converts a variable's Go value as EvalConstant does: int() first
// (which truncates floats and turns bools into 0/1), float() when int()
// raises ValueError (only NaN does, among numbers), quotes stripped from
// strings that are neither. int() of None, lists and dicts raises
// TypeError, and of an infinity OverflowError; Cinder catches neither, so
// both are evaluation errors.
func fromGo(x any) (Value, error) {
	switch t := x.(type) {
	case string:
		return constant(t), nil
	case bool:
		return BoolValue(t).asInt(), nil
	case int:
		return IntValue(int64(t)), nil
	case int8:
		return IntValue(int64(t)), nil
	case int16:
		return IntValue(int64(t)), nil
	case int32:
		return IntValue(int64(t)), nil
	case int64:
		return IntValue(t), nil
	case uint:
		return uintValue(uint64(t)), nil
	case uint8:
		return IntValue(int64(t)), nil
	case uint16:
		return IntValue(int64(t)), nil
	case uint32:
		return IntValue(int64(t)), nil
	case uint64:
		return uintValue(t), nil
	case float32:
		return truncFloat(float64(t))
	case float64:
		return truncFloat(t)
	case json.Number:
		// A JSON number is a Python int or float before int() sees it.
		if v, ok := parseIntString(string(t)); ok {
			return v, nil
		}
		if f, ok := parseFloatString(string(t)); ok {
			return truncFloat(f)
		}
		return constant(string(t)), nil
	case nil:
		return Value{}, errorf("int() argument must be a string or a real number, not 'NoneType'")
	}
	return Value{}, errorf("int() argument must be a string or a real number, not '%s'", pyTypeName(x))
}

func uintValue(u uint64) Value {
	if u <= math.MaxInt64 {
		return IntValue(int64(u))
	}
	return bigValue(new(big.Int).SetUint64(u))
}

// truncFloat is int(f): truncation toward zero, exact for any magnitude;
// NaN falls through to float() and stays NaN; an infinity cannot be an
// int.
func truncFloat(f float64) (Value, error) {
	switch {
	case math.IsNaN(f):
		return FloatValue(f), nil
	case math.IsInf(f, 0):
		return Value{}, errorf("cannot convert float infinity to integer")
	}
	t := math.Trunc(f)
	if t >= -(1<<63) && t < 1<<63 {
		return IntValue(int64(t)), nil
	}
	b, _ := new(big.Float).SetFloat64(t).Int(nil)
	return bigValue(b), nil
}

// pyTypeName names a Go value's Python counterpart for messages.
func pyTypeName(x any) string {
	switch x.(type) {
	case []any, []string:
		return "list"
	case map[string]any, map[string]string:
		return "dict"
	}
	return fmt.Sprintf("%T", x)
}

// toASCIINumber is CPython's _PyUnicode_TransformDecimalAndSpaceToASCII,
// which int() and float() apply first: non-ASCII white space becomes a
// space and any Unicode decimal digit its ASCII digit; any other
// non-ASCII character makes the string invalid.
func toASCIINumber(s string) (string, bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s, true
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			return "", false
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			d, ok := decimalDigit(r)
			if !ok {
				return "", false
			}
			b.WriteByte(byte('0' + d))
		}
	}
	return b.String(), true
}

// decimalDigit is Unicode's decimal value of a Nd character. Every Nd
// range is a run of whole 0…9 blocks, so the value is the offset modulo 10.
func decimalDigit(r rune) (int, bool) {
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	return 0, false
}

// trimPySpace strips what int() and float() strip: ASCII white space
// (after toASCIINumber; 0x1c-0x1f are not stripped there).
func trimPySpace(s string) string {
	return strings.Trim(s, " \t\n\v\f\r")
}

// digitsWithUnderscores reports whether s is digits with single
// underscores between digits (PEP 515), and how many digits it has.
func digitsWithUnderscores(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n++
		case c == '_' && i > 0 && i+1 < len(s) && s[i-1] != '_' && s[i+1] >= '0' && s[i+1] <= '9':
		default:
			return 0, false
		}
	}
	return n, n > 0
}

// parseIntString is int(s) for a string.
func parseIntString(s string) (Value, bool) {
	s, ok := toASCIINumber(s)
	if !ok {
		return Value{}, false
	}
	s = trimPySpace(s)
	body := s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	n, ok := digitsWithUnderscores(body)
	if !ok || n > maxStrDigits {
		return Value{}, false
	}
	if strings.IndexByte(s, '_') >= 0 {
		s = strings.ReplaceAll(s, "_", "")
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return IntValue(i), true
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return Value{}, false
	}
	return bigValue(b), true
}

// PyFloat is Python's float(s) for a string; the scheduler's filters,
// which are Python in Cinder too, share it.
func PyFloat(s string) (float64, bool) { return parseFloatString(s) }

// parseFloatString is float(s) for a string: an optional sign, then
// inf/infinity/nan in any case or a decimal number with optional
// fraction and exponent, underscores allowed between digits. Overflow
// gives an infinity, as in Python.
func parseFloatString(s string) (float64, bool) {
	s, ok := toASCIINumber(s)
	if !ok {
		return 0, false
	}
	s = trimPySpace(s)
	body := s
	neg := false
	if body != "" && (body[0] == '+' || body[0] == '-') {
		neg = body[0] == '-'
		body = body[1:]
	}
	switch strings.ToLower(body) {
	case "inf", "infinity":
		if neg {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case "nan":
		return math.NaN(), true
	}
	if !validDecimal(body) {
		return 0, false
	}
	if strings.IndexByte(s, '_') >= 0 {
		s = strings.ReplaceAll(s, "_", "")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	return f, true
}

// validDecimal checks Python's float syntax without sign:
// (digits ["." [digits]] | "." digits) [("e"|"E") [sign] digits], where
// digits may hold single underscores between digits.
func validDecimal(s string) bool {
	mant, exp := s, ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant, exp = s[:i], s[i+1:]
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			exp = exp[1:]
		}
		if _, ok := digitsWithUnderscores(exp); !ok {
			return false
		}
	}
	whole, frac, dot := strings.Cut(mant, ".")
	_, wholeOK := digitsWithUnderscores(whole)
	_, fracOK := digitsWithUnderscores(frac)
	switch {
	case !dot:
		return wholeOK
	case whole == "":
		return fracOK
	case frac == "":
		return wholeOK
	}
	return wholeOK && fracOK
}

// floatOf is float(x) for an evaluated value, as Cinder's division applies
// to its divisor: numbers convert (a huge int overflows), strings parse,
// anything else is a TypeError.
func floatOf(v Value) (float64, error) {
	switch v.kind {
	case KindInt, KindBool, KindFloat:
		return toFloat(v)
	case KindStr:
		if f, ok := parseFloatString(v.s); ok {
			return f, nil
		}
		return 0, errorf("could not convert string to float: %s", strRepr(v.s))
	}
	return 0, errorf("float() argument must be a string or a real number, not '%s'", v.kind)
}

// toFloat converts a real number to float64 as Python does when it mixes
// an int into float arithmetic: correctly rounded, and an OverflowError
// when the int is beyond float range.
func toFloat(v Value) (float64, error) {
	switch {
	case v.kind == KindFloat:
		return v.f, nil
	case v.big != nil:
		f, _ := new(big.Float).SetInt(v.big).Float64()
		if math.IsInf(f, 0) {
			return 0, errorf("int too large to convert to float")
		}
		return f, nil
	}
	return float64(v.i), nil
}
