package evaluator

import (
	"cmp"
	"math"
	"math/big"
)

// Python's comparisons: == and != never raise (different types are just
// unequal, so 1 == '1' is False), while < <= > >= raise TypeError unless
// both sides are real numbers, both strings or both lists. Numbers
// compare exactly across int and float (2^53 + 1 == 2.0^53 is False),
// bool is an int, NaN is unordered, and complex numbers only support ==.

// compare applies one comparison operator.
func compare(op string, a, b Value) (bool, error) {
	switch op {
	case "==":
		return equal(a, b), nil
	case "!=", "<>":
		return !equal(a, b), nil
	}
	switch {
	case a.isReal() && b.isReal():
		c, unordered := cmpReal(a, b)
		if unordered {
			return false, nil
		}
		return holds(op, c), nil
	case a.kind == KindStr && b.kind == KindStr:
		return holds(op, cmp.Compare(a.s, b.s)), nil // code point order is UTF-8 byte order
	case a.kind == KindList && b.kind == KindList:
		return compareLists(op, a.list, b.list)
	}
	return false, errorf("'%s' not supported between instances of '%s' and '%s'", op, a.kind, b.kind)
}

// holds tells whether an ordering operator accepts a three-way result.
func holds(op string, c int) bool {
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0 // ">="
}

// compareLists is CPython's list_richcompare for an ordering: find the
// first index where the items differ (by ==), then compare those items
// with the operator (which may raise), or the lengths if one list is a
// prefix of the other.
func compareLists(op string, a, b []Value) (bool, error) {
	i := 0
	for i < len(a) && i < len(b) && equal(a[i], b[i]) {
		i++
	}
	if i >= len(a) || i >= len(b) {
		return holds(op, cmpInts(int64(len(a)), int64(len(b)))), nil
	}
	return compare(op, a[i], b[i])
}

func cmpInts(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// equal is Python's ==.
func equal(a, b Value) bool {
	switch {
	case a.isReal() && b.isReal():
		c, unordered := cmpReal(a, b)
		return !unordered && c == 0
	case a.kind == KindComplex && b.isNumber():
		return complexEquals(a, b)
	case b.kind == KindComplex && a.isNumber():
		return complexEquals(b, a)
	case a.kind == KindStr && b.kind == KindStr:
		return a.s == b.s
	case a.kind == KindList && b.kind == KindList:
		if len(a.list) != len(b.list) {
			return false
		}
		for i := range a.list {
			if !equal(a.list[i], b.list[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// complexEquals is complex_richcompare: against an int the real part is
// compared exactly (and the imaginary part must be 0).
func complexEquals(c, x Value) bool {
	switch x.kind {
	case KindComplex:
		return c.f == x.f && c.im == x.im
	case KindFloat:
		return c.f == x.f && c.im == 0
	}
	if c.im != 0 {
		return false
	}
	cmp, unordered := cmpReal(FloatValue(c.f), x)
	return !unordered && cmp == 0
}

// cmpReal compares two real numbers exactly; unordered is true when a
// NaN is involved.
func cmpReal(a, b Value) (c int, unordered bool) {
	switch {
	case a.kind != KindFloat && b.kind != KindFloat:
		if a.big == nil && b.big == nil {
			return cmpInts(a.i, b.i), false
		}
		return a.bigInt().Cmp(b.bigInt()), false
	case a.kind == KindFloat && b.kind == KindFloat:
		if math.IsNaN(a.f) || math.IsNaN(b.f) {
			return 0, true
		}
		return cmpFloats(a.f, b.f), false
	case a.kind == KindFloat:
		c, unordered := cmpIntFloat(b, a.f)
		return -c, unordered
	}
	return cmpIntFloat(a, b.f)
}

func cmpFloats(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpIntFloat compares an int with a float without rounding the int, as
// CPython's float_richcompare does.
func cmpIntFloat(i Value, f float64) (int, bool) {
	switch {
	case math.IsNaN(f):
		return 0, true
	case math.IsInf(f, 1):
		return -1, false
	case math.IsInf(f, -1):
		return 1, false
	case i.big == nil && i.i >= -(1<<53) && i.i <= 1<<53:
		return cmpFloats(float64(i.i), f), false // exact in a float64
	}
	x := new(big.Float).SetInt(i.bigInt())
	return x.Cmp(new(big.Float).SetFloat64(f)), false
}
