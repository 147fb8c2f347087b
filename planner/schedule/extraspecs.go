package schedule

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// This file is Cinder's extra-spec operator grammar
// (cinder/scheduler/filters/extra_specs_ops.py). Cinder evaluates it with
// Python's own semantics, and operators rely on them (float() parsing,
// str() of a number, == across types, what raises), so the helpers below
// reproduce those semantics on the Go values that JSON and HCL decode to:
// string, bool, int64/float64 (and the other Go numbers), nil, []any and
// map[string]any.
//
// Python keeps int and float apart, JSON and our state store do not: a
// float64 with a whole value is treated as the int a Cinder driver would
// have reported. That only shows in "<is>", where str(1) is "1" (true)
// and str(1.0) is "1.0" (not true).

// MatchRequirement reports whether a capability value satisfies an extra
// spec requirement, exactly as Cinder's extra_specs_ops.match does. A nil
// req is Python's None, which matches only a nil value. An error means
// Cinder would raise (for example "s<" against a number, "<in>" against a
// bool, or "<or>" with nothing after it); callers fail the pool with it.
func MatchRequirement(value any, req *string) (bool, error) {
	if req == nil {
		return value == nil, nil
	}
	return compileRequirement(*req).match(value)
}

// reqOp is the operator a requirement's first word names.
type reqOp uint8

const (
	opExact  reqOp = iota // not an operator: the whole requirement must equal the value
	opAtLeast             // "=": float(v) >= float(r), not equality
	opFloatEq
	opFloatNe
	opFloatGe
	opFloatLe
	opStrEq
	opStrNe
	opStrLt
	opStrLe
	opStrGt
	opStrGe
	opIn
	opIs
	opOr
)

var reqOps = map[string]reqOp{
	"=": opAtLeast, "==": opFloatEq, "!=": opFloatNe, ">=": opFloatGe, "<=": opFloatLe,
	"s==": opStrEq, "s!=": opStrNe, "s<": opStrLt, "s<=": opStrLe, "s>": opStrGt, "s>=": opStrGe,
	"<in>": opIn, "<is>": opIs, "<or>": opOr,
}

// requirement is one parsed extra-spec value. Parsing (splitting, float
// and bool conversion of the argument) happens once per distinct string;
// match then allocates nothing.
type requirement struct {
	raw     string
	op      reqOp
	opWord  string
	arg     string // the first word after the operator; Cinder ignores the rest
	hasArg  bool
	argNum  float64 // float(arg)
	argNumOK bool    // float(arg) did not raise ValueError
	argBool bool     // bool_from_string(arg)
	orAlts  []string // the words "<or>" compares: every other word after it
}

func parseRequirement(s string) *requirement {
	r := &requirement{raw: s}
	words := strings.FieldsFunc(s, pyIsSpace)
	if len(words) == 0 {
		return r // no operator: exact comparison with the (blank) string
	}
	op, ok := reqOps[words[0]]
	if !ok {
		return r
	}
	r.op, r.opWord = op, words[0]
	rest := words[1:]
	if len(rest) > 0 {
		r.arg, r.hasArg = rest[0], true
		r.argNum, r.argNumOK = pyFloat(rest[0])
		r.argBool = pyBoolFromString(rest[0])
	}
	// Cinder's <or> loop pops a value, then a keyword (whatever it says),
	// then a value, ...: the values compared are words 0, 2, 4, ... after
	// the operator. With no word at all it pops from an empty list.
	for i := 0; i < len(rest); i += 2 {
		r.orAlts = append(r.orAlts, rest[i])
	}
	return r
}

var (
	errOrEmpty = errors.New(`"<or>" is followed by no value (Cinder raises IndexError)`)
)

func (r *requirement) match(v any) (bool, error) {
	if r.op == opExact {
		s, ok := v.(string)
		return ok && s == r.raw, nil
	}
	if v == nil {
		return false, nil // None never matches an operator
	}
	if r.op == opOr {
		if len(r.orAlts) == 0 {
			return false, errOrEmpty
		}
		s, ok := v.(string)
		if !ok {
			return false, nil // a word (str) never equals a non-string
		}
		for _, alt := range r.orAlts {
			if alt == s {
				return true, nil
			}
		}
		return false, nil
	}
	if !r.hasArg {
		return false, nil // "if words and method(...)": no argument, no call
	}
	switch r.op {
	case opAtLeast, opFloatEq, opFloatNe, opFloatGe, opFloatLe:
		// float(value) first: a list or dict raises TypeError even when
		// the argument is not a number either.
		x, ok, err := pyFloatOf(v)
		if err != nil {
			return false, fmt.Errorf("%s compares numbers, and %s is %s (Cinder raises TypeError)", r.opWord, renderValue(v), kindName(v))
		}
		if !ok || !r.argNumOK {
			return false, nil // ValueError counts as no match
		}
		switch r.op {
		case opAtLeast, opFloatGe:
			return x >= r.argNum, nil
		case opFloatEq:
			return x == r.argNum, nil
		case opFloatNe:
			return x != r.argNum, nil
		default:
			return x <= r.argNum, nil
		}
	case opIn:
		return pyContains(v, r.arg)
	case opIs:
		return pyBoolOf(v) == r.argBool, nil
	}
	// String operators: operator.eq/ne/lt/... against the argument word.
	s, ok := v.(string)
	if !ok {
		switch r.op {
		case opStrEq:
			return false, nil
		case opStrNe:
			return true, nil
		}
		return false, fmt.Errorf("%s compares text, and %s is %s (Cinder raises TypeError)", r.opWord, renderValue(v), kindName(v))
	}
	switch r.op {
	case opStrEq:
		return s == r.arg, nil
	case opStrNe:
		return s != r.arg, nil
	case opStrLt:
		return s < r.arg, nil // byte order of UTF-8 is code point order, as Python compares
	case opStrLe:
		return s <= r.arg, nil
	case opStrGt:
		return s > r.arg, nil
	default:
		return s >= r.arg, nil
	}
}

// pyContains is Python's `needle in v` for a capability value.
func pyContains(v any, needle string) (bool, error) {
	switch c := v.(type) {
	case string:
		return strings.Contains(c, needle), nil
	case []any:
		for _, e := range c {
			if s, ok := e.(string); ok && s == needle {
				return true, nil
			}
		}
		return false, nil
	case []string:
		for _, s := range c {
			if s == needle {
				return true, nil
			}
		}
		return false, nil
	case map[string]any:
		_, ok := c[needle] // `in` on a dict tests its keys
		return ok, nil
	}
	return false, fmt.Errorf("<in> searches text, lists or objects, and %s is %s (Cinder raises TypeError)", renderValue(v), kindName(v))
}

// readMostlyCache maps strings to parsed forms. Reads are one atomic load
// and a map lookup (no lock, no allocation: sync.Map would box the string
// key on every call); writes copy the map, which is fine because the
// distinct spec strings and queries are few. It stops growing at max
// entries so hostile input cannot exhaust memory; misses then just parse.
type readMostlyCache[V any] struct {
	mu  sync.Mutex
	m   atomic.Pointer[map[string]V]
	max int
}

func (c *readMostlyCache[V]) get(k string) (V, bool) {
	if m := c.m.Load(); m != nil {
		v, ok := (*m)[k]
		return v, ok
	}
	var zero V
	return zero, false
}

func (c *readMostlyCache[V]) put(k string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	if old != nil && len(*old) >= c.max {
		return
	}
	next := make(map[string]V, 1+lenOf(old))
	if old != nil {
		for ok, ov := range *old {
			next[ok] = ov
		}
	}
	next[k] = v
	c.m.Store(&next)
}

func lenOf[V any](m *map[string]V) int {
	if m == nil {
		return 0
	}
	return len(*m)
}

var requirementCache = readMostlyCache[*requirement]{max: 4096}

func compileRequirement(s string) *requirement {
	if r, ok := requirementCache.get(s); ok {
		return r
	}
	r := parseRequirement(s)
	requirementCache.put(s, r)
	return r
}

// pyIsSpace is Python's str.isspace for one character: Go's unicode.IsSpace
// plus the ASCII separators 0x1c-0x1f. str.split() and str.strip() use it.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// pyBoolFromString is oslo's strutils.bool_from_string(s) for a string:
// stripped and lower-cased, one of 1 t true on y yes; anything else,
// known false word or not, is False.
func pyBoolFromString(s string) bool {
	s = strings.TrimFunc(s, pyIsSpace)
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

// pyBoolOf is bool_from_string for any value: a bool is itself; anything
// else goes through str() first, so only a string true word and the int
// 1 (str "1") are true; floats ("1.0"), lists and dicts are false.
func pyBoolOf(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return pyBoolFromString(x)
	}
	if f, isNum := numberOf(v); isNum {
		return f == 1 // the whole number 1 prints as "1"
	}
	return false
}

// numberOf returns a Go number (or json.Number) as float64.
func numberOf(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case float32:
		return float64(x), true
	case int32:
		return float64(x), true
	case int16:
		return float64(x), true
	case int8:
		return float64(x), true
	case uint64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint8:
		return float64(x), true
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return f, err == nil || errors.Is(err, strconv.ErrRange)
	}
	return 0, false
}

// pyFloatOf is Python's float(v): ok=false is ValueError (a string that is
// not a number), err is TypeError (lists, dicts, anything else).
func pyFloatOf(v any) (f float64, ok bool, err error) {
	switch x := v.(type) {
	case string:
		f, ok = pyFloat(x)
		return f, ok, nil
	case bool:
		if x {
			return 1, true, nil
		}
		return 0, true, nil
	}
	if n, isNum := numberOf(v); isNum {
		return n, true, nil
	}
	return 0, false, errors.New("not a number")
}

// pyFloat parses s as Python's float(str): Unicode decimal digits and
// spaces are first mapped to ASCII, surrounding whitespace is stripped,
// "_" may sit between two digits, and inf, infinity and nan (any case,
// signed) are accepted; hexadecimal is not. Overflow gives ±Inf, as in
// Python.
func pyFloat(s string) (float64, bool) {
	var buf [64]byte
	if !isASCII(s) {
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
				d, ok := decimalDigit(r)
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
			if i == 0 || i == len(s)-1 || !isDigit(s[i-1]) || !isDigit(s[i+1]) {
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
	if !decimalSyntax(body) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, true
}

// decimalSyntax checks digits [. digits] [e [sign] digits] with at least
// one mantissa digit, which is all Python's float() accepts besides the
// special words (strconv.ParseFloat would also take hex and "0x").
func decimalSyntax(s string) bool {
	i, digits := 0, 0
	for i < len(s) && isDigit(s[i]) {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
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
		for i < len(s) && isDigit(s[i]) {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// decimalDigit is Python's Py_UNICODE_TODECIMAL: Unicode assigns decimal
// digits (category Nd) in runs of ten from 0 to 9, and Go's table merges
// adjacent runs, so the value is the offset in its range modulo ten.
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

// kindName names a value's type for reasons, in JSON/HCL words.
func kindName(v any) string {
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
	if _, ok := numberOf(v); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}

// renderValue shows a value in reasons as JSON would write it.
func renderValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return formatNumber(x)
	}
	if f, ok := numberOf(v); ok {
		return formatNumber(f)
	}
	if b, err := json.Marshal(v); err == nil {
		return string(b)
	}
	return fmt.Sprint(v)
}

func formatNumber(f float64) string {
	if math.Abs(f) < 1e15 || math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
