package evaluator

import "math"

// Complex arithmetic as CPython's complexobject.c does it. Cinder's "^"
// is Python's pow(), and a negative base raised to a fractional power
// gives a complex number ((-8) ^ 0.5), which can then flow into +, -, *,
// /, ^, abs(), ==, != and truthiness (a filter that evaluates to one
// passes). Every product below is wrapped in float64() so Go cannot fuse
// it into an FMA, which would round differently from CPython's C.
//
// pow, sin and cos are correctly rounded (fpow.go) as glibc's are, so a
// negative real base to a fractional power matches Cinder to the bit;
// with a complex base, Go's Hypot, Atan2, Exp and Log can differ from
// glibc's in the last bit.

// cProd is _Py_c_prod: the schoolbook product.
func cProd(ar, ai, br, bi float64) (float64, float64) {
	return float64(ar*br) - float64(ai*bi), float64(ar*bi) + float64(ai*br)
}

// cQuot is _Py_c_quot: divide through by the larger part of the divisor
// (Smith's method); a zero divisor is reported by ok=false.
func cQuot(ar, ai, br, bi float64) (re, im float64) {
	re, im, _ = cQuotOK(ar, ai, br, bi)
	return re, im
}

func cQuotOK(ar, ai, br, bi float64) (re, im float64, ok bool) {
	absBr, absBi := math.Abs(br), math.Abs(bi)
	switch {
	case absBr >= absBi:
		if absBr == 0 {
			return 0, 0, false
		}
		ratio := bi / br
		denom := br + float64(bi*ratio)
		return (ar + float64(ai*ratio)) / denom, (ai - float64(ar*ratio)) / denom, true
	case absBi >= absBr:
		ratio := br / bi
		denom := float64(br*ratio) + bi
		return (float64(ar*ratio) + ai) / denom, (float64(ai*ratio) - ar) / denom, true
	}
	return math.NaN(), math.NaN(), true // a NaN in the divisor
}

// cPowu is c_powu: binary exponentiation by repeated squaring.
func cPowu(xr, xi float64, n int64) (float64, float64) {
	rr, ri := 1.0, 0.0
	pr, pi := xr, xi
	for mask := int64(1); mask > 0 && n >= mask; mask <<= 1 {
		if n&mask != 0 {
			rr, ri = cProd(rr, ri, pr, pi)
		}
		pr, pi = cProd(pr, pi, pr, pi)
	}
	return rr, ri
}

// complexPow is CPython's complex_pow: small integer exponents by
// repeated multiplication (c_powi), the rest through polar form
// (_Py_c_pow); a zero base to a negative or complex power raises
// ZeroDivisionError, an infinite result OverflowError.
func complexPow(ar, ai, br, bi float64) (Value, error) {
	var re, im float64
	domain := false
	if bi == 0 && br == math.Floor(br) && math.Abs(br) <= 100 {
		n := int64(br)
		if n > 0 {
			re, im = cPowu(ar, ai, n)
		} else {
			pr, pi := cPowu(ar, ai, -n)
			var ok bool
			re, im, ok = cQuotOK(1, 0, pr, pi)
			domain = !ok
		}
	} else {
		switch {
		case br == 0 && bi == 0:
			re, im = 1, 0
		case ar == 0 && ai == 0:
			domain = bi != 0 || br < 0
		default:
			vabs := math.Hypot(ar, ai)
			length := libmPow(vabs, br)
			at := math.Atan2(ai, ar)
			phase := float64(at * br)
			if bi != 0 {
				length /= math.Exp(float64(at * bi))
				phase += float64(bi * math.Log(vabs))
			}
			sin, cos := sinCosCR(phase)
			re, im = float64(length*cos), float64(length*sin)
		}
	}
	switch {
	case math.IsInf(re, 0) || math.IsInf(im, 0):
		return Value{}, errorf("complex exponentiation overflowed")
	case domain:
		return Value{}, errorf("0.0 to a negative or complex power")
	}
	return ComplexValue(re, im), nil
}

// complexAbs is _Py_c_abs: an infinite part wins even over NaN; a finite
// number whose magnitude overflows raises.
func complexAbs(re, im float64) (Value, error) {
	switch {
	case math.IsInf(re, 0):
		return FloatValue(math.Abs(re)), nil
	case math.IsInf(im, 0):
		return FloatValue(math.Abs(im)), nil
	case math.IsNaN(re) || math.IsNaN(im):
		return FloatValue(math.NaN()), nil
	}
	r := math.Hypot(re, im)
	if math.IsInf(r, 0) {
		return Value{}, errorf("absolute value too large")
	}
	return FloatValue(r), nil
}
