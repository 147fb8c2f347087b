package schedule

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// This file is Cinder's extra-spec operator grammar
// (cinder/scheduler/filters/extra_specs_ops.py). Its operators rely on
// Python's semantics (float() parsing, str() of a number, == across
// types, what raises), which cinder_python.go reproduces.
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

// specOp is the operator a requirement's first word names.
type specOp uint8

const (
	specOpExact   specOp = iota // not an operator: the whole requirement must equal the value
	specOpAtLeast               // "=": float(v) >= float(r), not equality
	specOpFloatEq
	specOpFloatNe
	specOpFloatGe
	specOpFloatLe
	specOpStrEq
	specOpStrNe
	specOpStrLt
	specOpStrLe
	specOpStrGt
	specOpStrGe
	specOpIn
	specOpIs
	specOpOr
)

var specOps = map[string]specOp{
	"=": specOpAtLeast, "==": specOpFloatEq, "!=": specOpFloatNe, ">=": specOpFloatGe, "<=": specOpFloatLe,
	"s==": specOpStrEq, "s!=": specOpStrNe, "s<": specOpStrLt, "s<=": specOpStrLe, "s>": specOpStrGt, "s>=": specOpStrGe,
	"<in>": specOpIn, "<is>": specOpIs, "<or>": specOpOr,
}

// specReq is one parsed extra-spec value. Parsing (splitting, float
// and bool conversion of the argument) happens once per distinct string;
// match then allocates nothing.
type specReq struct {
	raw      string
	op       specOp
	opWord   string
	arg      string // the first word after the operator; Cinder ignores the rest
	hasArg   bool
	argNum   float64  // float(arg)
	argNumOK bool     // float(arg) did not raise ValueError
	argBool  bool     // bool_from_string(arg)
	orAlts   []string // the words "<or>" compares: every other word after it
}

func parseSpecReq(s string) *specReq {
	r := &specReq{raw: s}
	words := strings.FieldsFunc(s, cpyIsSpace)
	if len(words) == 0 {
		return r // no operator: exact comparison with the (blank) string
	}
	op, ok := specOps[words[0]]
	if !ok {
		return r
	}
	r.op, r.opWord = op, words[0]
	rest := words[1:]
	if len(rest) > 0 {
		r.arg, r.hasArg = rest[0], true
		r.argNum, r.argNumOK = cpyFloat(rest[0])
		r.argBool = cpyBoolFromString(rest[0])
	}
	// Cinder's <or> loop pops a value, then a keyword (whatever it says),
	// then a value, ...: the values compared are words 0, 2, 4, ... after
	// the operator. With no word at all it pops from an empty list.
	for i := 0; i < len(rest); i += 2 {
		r.orAlts = append(r.orAlts, rest[i])
	}
	return r
}

var errSpecOrEmpty = errors.New(`"<or>" is followed by no value (Cinder raises IndexError)`)

func (r *specReq) match(v any) (bool, error) {
	if r.op == specOpExact {
		s, ok := v.(string)
		return ok && s == r.raw, nil
	}
	if v == nil {
		return false, nil // None never matches an operator
	}
	if r.op == specOpOr {
		if len(r.orAlts) == 0 {
			return false, errSpecOrEmpty
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
	case specOpAtLeast, specOpFloatEq, specOpFloatNe, specOpFloatGe, specOpFloatLe:
		// float(value) first: a list or dict raises TypeError even when
		// the argument is not a number either.
		x, ok, err := cpyFloatOf(v)
		if err != nil {
			return false, fmt.Errorf("%s compares numbers, and %s is %s (Cinder raises TypeError)", r.opWord, specRender(v), specKind(v))
		}
		if !ok || !r.argNumOK {
			return false, nil // ValueError counts as no match
		}
		switch r.op {
		case specOpAtLeast, specOpFloatGe:
			return x >= r.argNum, nil
		case specOpFloatEq:
			return x == r.argNum, nil
		case specOpFloatNe:
			return x != r.argNum, nil
		default:
			return x <= r.argNum, nil
		}
	case specOpIn:
		return cpyContains(v, r.arg)
	case specOpIs:
		return cpyBool(v) == r.argBool, nil
	}
	// String operators: operator.eq/ne/lt/... against the argument word.
	s, ok := v.(string)
	if !ok {
		switch r.op {
		case specOpStrEq:
			return false, nil
		case specOpStrNe:
			return true, nil
		}
		return false, fmt.Errorf("%s compares text, and %s is %s (Cinder raises TypeError)", r.opWord, specRender(v), specKind(v))
	}
	switch r.op {
	case specOpStrEq:
		return s == r.arg, nil
	case specOpStrNe:
		return s != r.arg, nil
	case specOpStrLt:
		return s < r.arg, nil // byte order of UTF-8 is code point order, as Python compares
	case specOpStrLe:
		return s <= r.arg, nil
	case specOpStrGt:
		return s > r.arg, nil
	default:
		return s >= r.arg, nil
	}
}

// cpyContains is Python's `needle in v` for a capability value.
func cpyContains(v any, needle string) (bool, error) {
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
	return false, fmt.Errorf("<in> searches text, lists or objects, and %s is %s (Cinder raises TypeError)", specRender(v), specKind(v))
}

// specCache maps strings to parsed forms. Reads are one atomic load
// and a map lookup (no lock, no allocation: sync.Map would box the string
// key on every call); writes copy the map, which is fine because the
// distinct spec strings and queries of a plan are few. At max entries it
// starts over, so hostile input cannot exhaust memory and a stream of
// one-off strings (a query per request) still gets cached for the pools
// of its own request.
type specCache[V any] struct {
	mu  sync.Mutex
	m   atomic.Pointer[map[string]V]
	max int
}

func (c *specCache[V]) get(k string) (V, bool) {
	if m := c.m.Load(); m != nil {
		v, ok := (*m)[k]
		return v, ok
	}
	var zero V
	return zero, false
}

func (c *specCache[V]) put(k string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	next := map[string]V{}
	if old := c.m.Load(); old != nil && len(*old) < c.max {
		if _, ok := (*old)[k]; ok {
			return // another goroutine parsed it meanwhile
		}
		next = make(map[string]V, len(*old)+1)
		for ok, ov := range *old {
			next[ok] = ov
		}
	}
	next[k] = v
	c.m.Store(&next)
}

var requirementCache = specCache[*specReq]{max: 4096}

// specIsLiteral reports a requirement that is one plain ASCII word and no
// operator, like "ssd": Cinder compares it whole, so it needs no parsing
// and no cache lookup, which matters at requests × pools calls.
func specIsLiteral(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= utf8.RuneSelf { // all of Python's ASCII whitespace is <= ' '
			return false
		}
	}
	switch s {
	case "=", "==", "!=", ">=", "<=", "s==", "s!=", "s<", "s<=", "s>", "s>=", "<in>", "<is>", "<or>":
		return false
	}
	return true
}

func compileRequirement(s string) *specReq {
	if r, ok := requirementCache.get(s); ok {
		return r
	}
	r := parseSpecReq(s)
	requirementCache.put(s, r)
	return r
}
