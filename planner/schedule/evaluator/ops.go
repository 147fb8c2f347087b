package evaluator

import (
	"math"
	"math/big"
	"strings"
	"unicode/utf8"
)

// Python's operators on the value kinds, as Cinder's Eval* classes apply
// them: bool is an int, int mixes into float and complex, str and list
// concatenate with + and repeat with *, "list += str" appends the
// characters (list.__iadd__ takes any iterable), and anything else is a
// TypeError.

// Resource limits. Python would build these values (or hang trying, as
// 9^9^9 does); a scheduler must answer, so results beyond them are errors.
const (
	maxIntBits = 1 << 16 // about 19,700 decimal digits
	maxStrLen  = 1 << 16 // bytes in one string result
	maxListLen = 1 << 14 // items in one list result
)

func (v Value) isIntLike() bool { return v.kind == KindInt || v.kind == KindBool }
func (v Value) isReal() bool    { return v.isIntLike() || v.kind == KindFloat }
func (v Value) isNumber() bool  { return v.isReal() || v.kind == KindComplex }

// asInt turns a bool into the int it behaves as in arithmetic.
func (v Value) asInt() Value {
	if v.kind == KindBool {
		v.kind = KindInt
	}
	return v
}

// bigInt returns an int-like value as a *big.Int the caller may modify.
func (v Value) bigInt() *big.Int {
	if v.big != nil {
		return new(big.Int).Set(v.big)
	}
	return big.NewInt(v.i)
}

// intResult bounds an int result's size.
func intResult(b *big.Int) (Value, error) {
	if b.BitLen() > maxIntBits {
		return Value{}, errorf("integer result too large (over %d bits)", maxIntBits)
	}
	return bigValue(b), nil
}

func unsupported(op string, a, b Value) error {
	return errorf("unsupported operand type(s) for %s: '%s' and '%s'", op, a.kind, b.kind)
}

// add is Python's a += b.
func add(a, b Value) (Value, error) {
	switch {
	case a.isIntLike() && b.isIntLike():
		if a.big == nil && b.big == nil {
			s := a.i + b.i
			if (s^a.i)&(s^b.i) >= 0 {
				return IntValue(s), nil
			}
		}
		return intResult(new(big.Int).Add(a.bigInt(), b.bigInt()))
	case a.kind == KindComplex || b.kind == KindComplex:
		if !a.isNumber() || !b.isNumber() {
			break
		}
		ar, ai, err := toComplex(a)
		if err != nil {
			return Value{}, err
		}
		br, bi, err := toComplex(b)
		if err != nil {
			return Value{}, err
		}
		return ComplexValue(ar+br, ai+bi), nil
	case a.isReal() && b.isReal():
		x, y, err := toFloats(a, b)
		if err != nil {
			return Value{}, err
		}
		return FloatValue(x + y), nil
	case a.kind == KindStr && b.kind == KindStr:
		if len(a.s)+len(b.s) > maxStrLen {
			return Value{}, errorf("string result too long")
		}
		return StrValue(a.s + b.s), nil
	case a.kind == KindList:
		var more []Value
		switch b.kind {
		case KindList:
			more = b.list
		case KindStr:
			for _, r := range b.s {
				more = append(more, StrValue(string(r)))
				if len(more) > maxListLen {
					break
				}
			}
		default:
			return Value{}, errorf("'%s' object is not iterable", b.kind)
		}
		if len(a.list)+len(more) > maxListLen {
			return Value{}, errorf("list result too long")
		}
		out := make([]Value, 0, len(a.list)+len(more))
		return ListValue(append(append(out, a.list...), more...)...), nil
	}
	return Value{}, unsupported("+=", a, b)
}

// sub is Python's a -= b; only numbers subtract.
func sub(a, b Value) (Value, error) {
	switch {
	case a.isIntLike() && b.isIntLike():
		if a.big == nil && b.big == nil {
			d := a.i - b.i
			if (a.i^b.i)&(a.i^d) >= 0 {
				return IntValue(d), nil
			}
		}
		return intResult(new(big.Int).Sub(a.bigInt(), b.bigInt()))
	case a.isNumber() && b.isNumber() && (a.kind == KindComplex || b.kind == KindComplex):
		ar, ai, err := toComplex(a)
		if err != nil {
			return Value{}, err
		}
		br, bi, err := toComplex(b)
		if err != nil {
			return Value{}, err
		}
		return ComplexValue(ar-br, ai-bi), nil
	case a.isReal() && b.isReal():
		x, y, err := toFloats(a, b)
		if err != nil {
			return Value{}, err
		}
		return FloatValue(x - y), nil
	}
	return Value{}, unsupported("-=", a, b)
}

// mul is Python's a *= b: numbers multiply, a str or list times an int
// (either way round) repeats, a negative count giving an empty one.
func mul(a, b Value) (Value, error) {
	switch {
	case a.isIntLike() && b.isIntLike():
		if a.big == nil && b.big == nil {
			if p, ok := mul64(a.i, b.i); ok {
				return IntValue(p), nil
			}
		}
		return intResult(new(big.Int).Mul(a.bigInt(), b.bigInt()))
	case a.isNumber() && b.isNumber() && (a.kind == KindComplex || b.kind == KindComplex):
		ar, ai, err := toComplex(a)
		if err != nil {
			return Value{}, err
		}
		br, bi, err := toComplex(b)
		if err != nil {
			return Value{}, err
		}
		re, im := cProd(ar, ai, br, bi)
		return ComplexValue(re, im), nil
	case a.isReal() && b.isReal():
		x, y, err := toFloats(a, b)
		if err != nil {
			return Value{}, err
		}
		return FloatValue(x * y), nil
	case (a.kind == KindStr || a.kind == KindList) && b.isIntLike():
		return repeat(a, b)
	case a.isIntLike() && (b.kind == KindStr || b.kind == KindList):
		return repeat(b, a)
	case a.kind == KindStr || a.kind == KindList:
		return Value{}, errorf("can't multiply sequence by non-int of type '%s'", b.kind)
	case b.kind == KindStr || b.kind == KindList:
		return Value{}, errorf("can't multiply sequence by non-int of type '%s'", a.kind)
	}
	return Value{}, unsupported("*=", a, b)
}

// mul64 multiplies without overflow, or reports that it would overflow.
func mul64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return p, true
}

// repeat is seq * n.
func repeat(seq, n Value) (Value, error) {
	if n.big != nil {
		if n.big.Sign() < 0 {
			n = IntValue(0)
		} else {
			return Value{}, errorf("cannot fit 'int' into an index-sized integer")
		}
	}
	count := max(n.i, 0)
	if seq.kind == KindStr {
		if seq.s == "" || count == 0 {
			return StrValue(""), nil
		}
		if count > maxStrLen/int64(len(seq.s)) {
			return Value{}, errorf("string result too long")
		}
		return StrValue(strings.Repeat(seq.s, int(count))), nil
	}
	if len(seq.list) == 0 || count == 0 {
		return ListValue(), nil
	}
	if count > maxListLen/int64(len(seq.list)) {
		return Value{}, errorf("list result too long")
	}
	out := make([]Value, 0, int(count)*len(seq.list))
	for range count {
		out = append(out, seq.list...)
	}
	return ListValue(out...), nil
}

// div is Cinder's "prod /= float(val)": the divisor goes through float()
// first (so a numeric string divides, and a list or complex raises), and
// division is always true division.
func div(a, b Value) (Value, error) {
	d, err := floatOf(b)
	if err != nil {
		return Value{}, err
	}
	switch {
	case a.isReal():
		x, err := toFloat(a)
		if err != nil {
			return Value{}, err
		}
		if d == 0 {
			return Value{}, errorf("division by zero")
		}
		return FloatValue(x / d), nil
	case a.kind == KindComplex:
		if d == 0 {
			return Value{}, errorf("complex division by zero")
		}
		re, im := cQuot(a.f, a.im, d, 0)
		return ComplexValue(re, im), nil
	}
	return Value{}, unsupported("/=", a, FloatValue(d))
}

// toFloats converts both operands of mixed real arithmetic.
func toFloats(a, b Value) (float64, float64, error) {
	x, err := toFloat(a)
	if err != nil {
		return 0, 0, err
	}
	y, err := toFloat(b)
	return x, y, err
}

// toComplex converts a number to complex parts.
func toComplex(v Value) (float64, float64, error) {
	if v.kind == KindComplex {
		return v.f, v.im, nil
	}
	f, err := toFloat(v)
	return f, 0, err
}

// pow is Python's pow(a, b): int ** non-negative int stays an exact int,
// int ** negative int and anything with a float is float arithmetic, a
// negative float base with a fractional exponent becomes complex.
func pow(a, b Value) (Value, error) {
	if !a.isNumber() || !b.isNumber() {
		return Value{}, unsupported("** or pow()", a, b)
	}
	if a.kind == KindComplex || b.kind == KindComplex {
		ar, ai, err := toComplex(a)
		if err != nil {
			return Value{}, err
		}
		br, bi, err := toComplex(b)
		if err != nil {
			return Value{}, err
		}
		return complexPow(ar, ai, br, bi)
	}
	if a.isIntLike() && b.isIntLike() && (b.big == nil && b.i >= 0 || b.big != nil && b.big.Sign() >= 0) {
		return intPow(a.asInt(), b.asInt())
	}
	x, y, err := toFloats(a, b)
	if err != nil {
		return Value{}, err
	}
	return floatPow(x, y)
}

// intPow is int ** int for a non-negative exponent, bounded in size.
func intPow(a, b Value) (Value, error) {
	switch {
	case b.big == nil && b.i == 0:
		return IntValue(1), nil
	case a.big == nil && (a.i == 0 || a.i == 1):
		return a, nil
	case a.big == nil && a.i == -1:
		odd := b.big != nil && b.big.Bit(0) == 1 || b.big == nil && b.i&1 == 1
		if odd {
			return IntValue(-1), nil
		}
		return IntValue(1), nil
	}
	bits := a.bigInt().BitLen()
	if b.big != nil || int64(bits-1) > maxIntBits/b.i {
		return Value{}, errorf("integer result too large (over %d bits)", maxIntBits)
	}
	return intResult(new(big.Int).Exp(a.bigInt(), big.NewInt(b.i), nil))
}

// floatPow is CPython's float_pow, special cases first, since libm's
// pow and Python's differ on them (0 ** negative raises, a finite
// result that overflows raises, and so on).
func floatPow(x, y float64) (Value, error) {
	switch {
	case y == 0:
		return FloatValue(1), nil
	case math.IsNaN(x):
		return FloatValue(x), nil
	case math.IsNaN(y):
		if x == 1 {
			return FloatValue(1), nil
		}
		return FloatValue(y), nil
	case math.IsInf(y, 0):
		ax := math.Abs(x)
		switch {
		case ax == 1:
			return FloatValue(1), nil
		case (y > 0) == (ax > 1):
			return FloatValue(math.Inf(1)), nil
		}
		return FloatValue(0), nil
	case math.IsInf(x, 0):
		odd := isOddInteger(y)
		if y > 0 {
			if odd {
				return FloatValue(x), nil
			}
			return FloatValue(math.Abs(x)), nil
		}
		if odd {
			return FloatValue(math.Copysign(0, x)), nil
		}
		return FloatValue(0), nil
	case x == 0:
		if y < 0 {
			return Value{}, errorf("0.0 cannot be raised to a negative power")
		}
		if isOddInteger(y) {
			return FloatValue(x), nil
		}
		return FloatValue(0), nil
	}
	negate := false
	if x < 0 {
		if y != math.Floor(y) {
			// Negative numbers raised to fractional powers become complex.
			return complexPow(x, 0, y, 0)
		}
		x = -x
		negate = isOddInteger(y)
	}
	if x == 1 {
		if negate {
			return FloatValue(-1), nil
		}
		return FloatValue(1), nil
	}
	r := powCR(x, y)
	if math.IsInf(r, 0) {
		return Value{}, errorf("numerical result out of range")
	}
	if negate {
		r = -r
	}
	return FloatValue(r), nil
}

// isOddInteger is CPython's DOUBLE_IS_ODD_INTEGER.
func isOddInteger(y float64) bool { return math.Mod(math.Abs(y), 2) == 1 }

// absValue is Python's abs(x).
func absValue(v Value) (Value, error) {
	switch v.kind {
	case KindInt, KindBool:
		if v.big == nil && v.i != math.MinInt64 {
			if v.i < 0 {
				return IntValue(-v.i), nil
			}
			return IntValue(v.i), nil
		}
		return intResult(new(big.Int).Abs(v.bigInt()))
	case KindFloat:
		return FloatValue(math.Abs(v.f)), nil
	case KindComplex:
		return complexAbs(v.f, v.im)
	}
	return Value{}, errorf("bad operand type for abs(): '%s'", v.kind)
}

// iterate is what max() and min() walk over when given one argument: a
// string's characters or a list's items.
func iterate(v Value) ([]Value, error) {
	switch v.kind {
	case KindList:
		return v.list, nil
	case KindStr:
		items := make([]Value, 0, utf8.RuneCountInString(v.s))
		for _, r := range v.s {
			items = append(items, StrValue(string(r)))
		}
		return items, nil
	}
	return nil, errorf("'%s' object is not iterable", v.kind)
}
