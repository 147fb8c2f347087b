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

	"github.com/slab-storage/slab/planner/schedule/evaluator"
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

// cpyFloat parses s as Python's float(str) (the evaluator's parser: the
// same rules hold in filter functions and extra specs).
func cpyFloat(s string) (float64, bool) { return evaluator.PyFloat(s) }

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
