package schedule

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Python's semantics for the values Cinder's scheduler filters compare.
// The extra-spec grammar and the JsonFilter are Python code in Cinder, and
// their behaviour rests on Python's: float() parsing, str() of a number,
// == and < across types, truthiness, and which mixes raise. These helpers
// reproduce them on the Go values that JSON and HCL decode to: string,
// bool, int64/float64 (and the other Go numbers), nil, []any and
// map[string]any. The spec* helpers at the end render such values in
// rejection reasons.

// cpyIsSpace is Python's str.isspace for one character: Go's unicode.IsSpace
// plus the ASCII separators 0x1c-0x1f. str.split() and str.strip() use it.
func cpyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// cpyBoolFromString is oslo's strutils.bool_from_string(s) for a string:
// stripped and lower-cased, one of 1 t true on y yes; anything else,
// known false word or not, is False.
func cpyBoolFromString(s string) bool {
	s = strings.TrimFunc(s, cpyIsSpace)
	if len(s) == 0 || len(s) > 4 {
		return false
	}
	var buf [4]byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return false // no non-ASCII letter lower-cases into these words
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	switch string(buf[:len(s)]) {
	case "1", "t", "true", "on", "y", "yes":
		return true
	}
	return false
}

// cpyBool is bool_from_string for any value: a bool is itself; anything
// else goes through str() first, so only a string true word and the int
// 1 (str "1") are true; floats ("1.0"), lists and dicts are false.
func cpyBool(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return cpyBoolFromString(x)
	}
	if f, isNum := cpyNumber(v); isNum {
		return f == 1 // the whole number 1 prints as "1"
	}
	return false
}

// cpyNumber returns a Go number (or json.Number) as float64.
func cpyNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return f, err == nil || errors.Is(err, strconv.ErrRange)
	case nil, string, bool:
		return 0, false
	}
	switch rv := reflect.ValueOf(v); rv.Kind() { // the rarer Go numbers
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return float64(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), true
	case reflect.Float32:
		return rv.Float(), true
	}
	return 0, false
}

// cpyFloatOf is Python's float(v): ok=false is ValueError (a string that is
// not a number), err is TypeError (lists, dicts, anything else).
func cpyFloatOf(v any) (f float64, ok bool, err error) {
	switch x := v.(type) {
	case string:
		f, ok = cpyFloat(x)
		return f, ok, nil
	case bool:
		if x {
			return 1, true, nil
		}
		return 0, true, nil
	}
	if n, isNum := cpyNumber(v); isNum {
		return n, true, nil
	}
	return 0, false, errors.New("not a number")
}

// cpyFloat parses s as Python's float(str): Unicode decimal digits and
// spaces are first mapped to ASCII, surrounding whitespace is stripped,
// "_" may sit between two digits, and inf, infinity and nan (any case,
// signed) are accepted; hexadecimal is not. Overflow gives ±Inf, as in
// Python.
func cpyFloat(s string) (float64, bool) {
	var buf [64]byte
	if !cpyASCII(s) {
		out := buf[:0]
		for _, r := range s {
			switch {
			case r == utf8.RuneError:
				return 0, false
			case r < 127:
				out = append(out, byte(r))
			case unicode.IsSpace(r):
				out = append(out, ' ')
			default:
				d, ok := cpyDecimalDigit(r)
				if !ok {
					return 0, false
				}
				out = append(out, byte('0'+d))
			}
		}
		s = string(out)
	}
	s = strings.Trim(s, " \t\n\v\f\r")
	if s == "" {
		return 0, false
	}
	if strings.IndexByte(s, '_') >= 0 {
		out := buf[:0]
		for i := 0; i < len(s); i++ {
			if s[i] != '_' {
				out = append(out, s[i])
				continue
			}
			if i == 0 || i == len(s)-1 || !cpyDigit(s[i-1]) || !cpyDigit(s[i+1]) {
				return 0, false
			}
		}
		s = string(out)
	}
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	switch strings.ToLower(body) {
	case "inf", "infinity":
		if s[0] == '-' {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case "nan":
		return math.NaN(), true
	}
	if !cpyDecimalSyntax(body) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, true
}

// cpyDecimalSyntax checks digits [. digits] [e [sign] digits] with at least
// one mantissa digit, which is all Python's float() accepts besides the
// special words (strconv.ParseFloat would also take hex and "0x").
func cpyDecimalSyntax(s string) bool {
	i, digits := 0, 0
	for i < len(s) && cpyDigit(s[i]) {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && cpyDigit(s[i]) {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && cpyDigit(s[i]) {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

func cpyDigit(c byte) bool { return '0' <= c && c <= '9' }

func cpyASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// cpyDecimalDigit is Python's Py_UNICODE_TODECIMAL: Unicode assigns decimal
// digits (category Nd) in runs of ten from 0 to 9, and Go's table merges
// adjacent runs, so the value is the offset in its range modulo ten.
func cpyDecimalDigit(r rune) (int, bool) {
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

// specKind names a value's type for reasons, in JSON/HCL words.
func specKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a bool"
	case []any, []string:
		return "a list"
	case map[string]any:
		return "an object"
	}
	if _, ok := cpyNumber(v); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}

// specRender shows a value in reasons as JSON would write it.
func specRender(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return specFormatNumber(x)
	}
	if f, ok := cpyNumber(v); ok {
		return specFormatNumber(f)
	}
	if s, err := specJSON(v); err == nil {
		return s
	}
	return fmt.Sprint(v)
}

// specJSON is json.Marshal without HTML escaping: reasons quote
// operators like "<=" and should show them as written.
func specJSON(v any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

func specFormatNumber(f float64) string {
	if math.Abs(f) < 1e15 || math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// cpyTruthy is Python's truth value of a JSON-shaped value.
func cpyTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case []string:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	if f, ok := cpyNumber(v); ok {
		return f != 0 // NaN is true in Python, and NaN != 0
	}
	return true
}

// cpyNum is a Python number: bools are ints, and ints and floats compare
// exactly with each other.
type cpyNum struct {
	i     int64
	f     float64
	isInt bool
}

func cpyAsNum(v any) (cpyNum, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return cpyNum{i: 1, isInt: true}, true
		}
		return cpyNum{isInt: true}, true
	case int64:
		return cpyNum{i: x, isInt: true}, true
	case int:
		return cpyNum{i: int64(x), isInt: true}, true
	case int32:
		return cpyNum{i: int64(x), isInt: true}, true
	}
	if f, ok := cpyNumber(v); ok {
		return cpyNum{f: f}, true
	}
	return cpyNum{}, false
}

// cpyCmpNum returns -1, 0 or 1, or ok=false when either side is NaN.
func cpyCmpNum(a, b cpyNum) (int, bool) {
	switch {
	case a.isInt && b.isInt:
		return cpyCmp3(a.i < b.i, a.i > b.i), true
	case !a.isInt && !b.isInt:
		if math.IsNaN(a.f) || math.IsNaN(b.f) {
			return 0, false
		}
		return cpyCmp3(a.f < b.f, a.f > b.f), true
	case a.isInt:
		c, ok := cpyCmpIntFloat(a.i, b.f)
		return c, ok
	default:
		c, ok := cpyCmpIntFloat(b.i, a.f)
		return -c, ok
	}
}

func cpyCmp3(lt, gt bool) int {
	if lt {
		return -1
	}
	if gt {
		return 1
	}
	return 0
}

// cpyCmpIntFloat compares an int with a float exactly, as Python does (no
// rounding of the int to float64).
func cpyCmpIntFloat(i int64, f float64) (int, bool) {
	switch {
	case math.IsNaN(f):
		return 0, false
	case f >= 0x1p63:
		return -1, true
	case f < -0x1p63:
		return 1, true
	}
	t := math.Trunc(f)
	ti := int64(t)
	if i != ti {
		return cpyCmp3(i < ti, i > ti), true
	}
	return cpyCmp3(f > t, f < t), true
}

// cpyEqual is Python's == on JSON-shaped values: numbers (and bools) by
// value, strings, lists element-wise, objects by keys and values; other
// mixes are unequal.
func cpyEqual(a, b any) bool {
	if na, ok := cpyAsNum(a); ok {
		if nb, ok := cpyAsNum(b); ok {
			c, ordered := cpyCmpNum(na, nb)
			return ordered && c == 0
		}
		return false
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !cpyEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, found := y[k]
			if !found || !cpyEqual(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}

// cpyOrder is Python's < <= > >= : numbers with numbers, strings with
// strings, lists lexicographically; anything else raises TypeError.
func cpyOrder(op string, a, b any) (bool, error) {
	var c int
	if na, ok := cpyAsNum(a); ok {
		nb, ok := cpyAsNum(b)
		if !ok {
			return false, cpyOrderError(op, a, b)
		}
		var ordered bool
		if c, ordered = cpyCmpNum(na, nb); !ordered {
			return false, nil // NaN: every comparison is false
		}
	} else {
		switch x := a.(type) {
		case string:
			y, ok := b.(string)
			if !ok {
				return false, cpyOrderError(op, a, b)
			}
			c = strings.Compare(x, y) // UTF-8 byte order is code point order
		case []any:
			y, ok := b.([]any)
			if !ok {
				return false, cpyOrderError(op, a, b)
			}
			for i := 0; i < len(x) && i < len(y); i++ {
				if !cpyEqual(x[i], y[i]) {
					return cpyOrder(op, x[i], y[i])
				}
			}
			c = cpyCmp3(len(x) < len(y), len(x) > len(y))
		default:
			return false, cpyOrderError(op, a, b)
		}
	}
	switch op {
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	}
	return c >= 0, nil
}

func cpyOrderError(op string, a, b any) error {
	return fmt.Errorf("cannot order %s (%s) %s %s (%s) (Cinder raises TypeError)", specRender(a), specKind(a), op, specRender(b), specKind(b))
}
