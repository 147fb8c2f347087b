package evaluator

import (
	"math"
	"math/big"
)

// Correctly rounded pow, sin and cos. Cinder's "^" ends in C's pow() and
// complex powers in cos() and sin(); glibc's are correctly rounded in all
// but vanishingly rare cases, while Go's math.Pow is often one unit in
// the last place off (10 ^ 1.5 would read 31.622776601683796 instead of
// Python's 31.622776601683793). pow is computed in double-double
// arithmetic (about 100 good bits) and rounded once. glibc 2.36's pow is
// itself off by one ulp in about 0.1% of random cases (its documented
// bound is 0.52 ulp), where this one and Cinder's then differ; Go's
// math.Pow differed from it in over half of the same cases. sin and cos,
// needed only by complex powers, use math/big.

// dd is an unevaluated sum hi + lo with |lo| ≤ ulp(hi)/2.
type dd struct{ hi, lo float64 }

// ln2DD is log(2) to about 107 bits.
var ln2DD = dd{0.6931471805599453, 2.3190468138462996e-17}

func twoSum(a, b float64) dd {
	s := a + b
	v := s - a
	return dd{s, (a - (s - v)) + (b - v)}
}

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func twoProd(a, b float64) dd {
	p := a * b
	return dd{p, math.FMA(a, b, -p)}
}

func (x dd) add(y dd) dd {
	s := twoSum(x.hi, y.hi)
	t := twoSum(x.lo, y.lo)
	s = quickTwoSum(s.hi, s.lo+t.hi)
	return quickTwoSum(s.hi, s.lo+t.lo)
}

func (x dd) mul(y dd) dd {
	p := twoProd(x.hi, y.hi)
	return quickTwoSum(p.hi, p.lo+(x.hi*y.lo+x.lo*y.hi))
}

func (x dd) mulF(f float64) dd {
	p := twoProd(x.hi, f)
	return quickTwoSum(p.hi, p.lo+x.lo*f)
}

func (x dd) div(y dd) dd {
	q1 := x.hi / y.hi
	r := x.add(y.mulF(-q1))
	q2 := r.hi / y.hi
	r = r.add(y.mulF(-q2))
	q3 := r.hi / y.hi
	return quickTwoSum(q1, q2).add(dd{q3, 0})
}

// logDD is log(x) for a finite x > 0: x = m·2^e with m in [√½, √2), and
// log(m) = 2·atanh((m−1)/(m+1)) by its series.
func logDD(x float64) dd {
	m, e := math.Frexp(x)
	if m < math.Sqrt2/2 {
		m *= 2
		e--
	}
	s := dd{m - 1, 0}.div(twoSum(m, 1)) // m−1 is exact here
	s2 := s.mul(s)
	sum, term := s, s
	for k := 3.0; k < 200; k += 2 {
		term = term.mul(s2)
		t := term.div(dd{k, 0})
		sum = sum.add(t)
		if t.hi == 0 || math.Abs(t.hi) < 1e-34*math.Abs(sum.hi) {
			break
		}
	}
	return ln2DD.mulF(float64(e)).add(sum.mulF(2))
}

// expRound is exp(t) rounded once to a float64 (±Inf or 0 beyond range).
func expRound(t dd) float64 {
	switch {
	case math.IsNaN(t.hi):
		return t.hi
	case t.hi > 1000:
		return math.Inf(1)
	case t.hi < -1100:
		return 0
	}
	k := math.Round(t.hi / ln2DD.hi)
	r := t.add(ln2DD.mulF(-k))
	r = dd{r.hi / 256, r.lo / 256} // exact; squared back 8 times below
	sum, term := dd{1, 0}, dd{1, 0}
	for n := 1.0; n < 40; n++ {
		term = term.mul(r).div(dd{n, 0})
		sum = sum.add(term)
		if term.hi == 0 || math.Abs(term.hi) < 1e-34 {
			break
		}
	}
	for range 8 {
		sum = sum.mul(sum)
	}
	return roundDD(sum, int(k))
}

// roundDD rounds (hi + lo)·2^k to the nearest float64, ties to even,
// including into the subnormal range.
func roundDD(x dd, k int) float64 {
	z := new(big.Float).SetPrec(200).SetFloat64(x.hi)
	z.Add(z, new(big.Float).SetFloat64(x.lo))
	z.SetMantExp(z, k)
	f, _ := z.Float64()
	return f
}

// powCR is pow(x, y) for finite x > 0, x ≠ 1, finite y ≠ 0 (float_pow has
// dealt with every other case); an overflow comes back as +Inf. The
// short cuts are exact in IEEE arithmetic.
func powCR(x, y float64) float64 {
	switch y {
	case 1:
		return x
	case -1:
		return 1 / x
	case 2:
		return x * x
	}
	return expRound(logDD(x).mulF(y))
}

// piBig is π to 320 bits, enough to reduce any argument below 2^60.
var piBig, _ = new(big.Float).SetPrec(320).SetString(
	"3.14159265358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706798214808651328230664709384460955058223172535940812848111745028410270193852110555964462294895493038196")

// sinCosCR returns sin(x) and cos(x), each correctly rounded.
func sinCosCR(x float64) (float64, float64) {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return math.NaN(), math.NaN()
	case x == 0:
		return x, 1
	case math.Abs(x) >= 1<<60:
		return math.Sin(x), math.Cos(x) // phases this large never come from Cinder's formulas
	}
	const prec = 192
	halfPi := new(big.Float).SetPrec(prec).Quo(piBig, big.NewFloat(2))
	bx := new(big.Float).SetPrec(prec).SetFloat64(x)
	q, _ := new(big.Float).SetPrec(prec).Quo(bx, halfPi).Float64()
	k := math.Round(q)
	r := new(big.Float).SetPrec(prec).Mul(halfPi, big.NewFloat(k))
	r.Sub(bx, r) // |r| ≤ π/4
	s, c := taylorSinCos(r, prec)
	switch int64(math.Mod(k, 4)+4) % 4 {
	case 1:
		s, c = c, s.Neg(s)
	case 2:
		s, c = s.Neg(s), c.Neg(c)
	case 3:
		s, c = c.Neg(c), s
	}
	sf, _ := s.Float64()
	cf, _ := c.Float64()
	return sf, cf
}

// taylorSinCos sums the sine and cosine series for |r| ≤ π/4.
func taylorSinCos(r *big.Float, prec uint) (*big.Float, *big.Float) {
	r2 := new(big.Float).SetPrec(prec).Mul(r, r)
	s := new(big.Float).SetPrec(prec).Set(r)
	c := new(big.Float).SetPrec(prec).SetInt64(1)
	ts := new(big.Float).SetPrec(prec).Set(r)
	tc := new(big.Float).SetPrec(prec).SetInt64(1)
	for n := int64(1); n < 30; n++ { // the 30th term is far below 2^-192
		ts.Mul(ts, r2).Quo(ts, big.NewFloat(float64(-(2*n)*(2*n+1))))
		tc.Mul(tc, r2).Quo(tc, big.NewFloat(float64(-(2*n-1)*(2*n))))
		s.Add(s, ts)
		c.Add(c, tc)
	}
	return s, c
}

// libmPow is C's pow() as _Py_c_pow calls it, special values included.
func libmPow(x, y float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case x > 0 && !math.IsInf(x, 0) && !math.IsInf(y, 0) && !math.IsNaN(y):
		return powCR(x, y)
	}
	return math.Pow(x, y) // Go follows C99 on the special values
}
