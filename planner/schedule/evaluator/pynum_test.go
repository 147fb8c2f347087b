package evaluator

import (
	"math"
	"testing"
)

// Python's int() and float() on strings, which decide how a string
// variable reads (checked against CPython 3.11).
func TestStringsConvertAsPythonsIntAndFloat(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Value
	}{
		{"ASCII separators 0x1c-0x1f are not stripped", "\x1c5", s("\x1c5")},
		{"vertical tab and form feed are stripped", "\v5\f", i(5)},
		{"a no-break space is stripped", "\u00a05", i(5)},
		{"an Arabic-Indic digit reads as its value", "\u0665", i(5)},
		{"a mathematical bold digit reads as its value", "\U0001d7d9", i(1)},
		{"underscores between digits are allowed", "1_0", i(10)},
		{"a double underscore is not a number", "1__0", s("1__0")},
		{"a leading underscore is not a number", "_1", s("_1")},
		{"a trailing underscore is not a number", "1_", s("1_")},
		{"a sign before underscored digits is allowed", "+1_0", i(10)},
		{"negative zero as an int is zero", " -0 ", i(0)},
		{"two signs are not a number", "+-1", s("+-1")},
		{"a decimal point makes a float", "1.0", f(1)},
		{"underscores are allowed in a float's digits", "1_0.5", f(10.5)},
		{"an underscore next to the point is not a number", "1_.5", s("1_.5")},
		{"a leading point is a float", ".5", f(0.5)},
		{"a trailing point is a float", "5.", f(5)},
		{"underscores are allowed in an exponent", "1e1_0", f(1e10)},
		{"an underscore after e is not a number", "1e_10", s("1e_10")},
		{"infinity is spelled out", "infinity", f(math.Inf(1))},
		{"a signed infinity in mixed case", "-Infinity", f(math.Inf(-1))},
		{"inf in any case", "inF", f(math.Inf(1))},
		{"a signed nan", "+nan", f(math.NaN())},
		{"nan with a suffix is a string", "nan_", s("nan_")},
		{"a bare e is not a number", "1e", s("1e")},
		{"an exponent alone is not a number", "e1", s("e1")},
		{"a point alone is not a number", ".", s(".")},
		{"an exponent after a trailing point", "1.e5", f(1e5)},
		{"hexadecimal is not a number", "0x10", s("0x10")},
		{"a NUL makes it a string", "1\x00", s("1\x00")},
		{"a huge exponent overflows to infinity", "1e400", f(math.Inf(1))},
		{"quotes are stripped from what is left", `'it''s'`, s("its")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := constant(tc.in); !identical(got, tc.want) {
				t.Errorf("constant(%q) = %s %v, want %s %v", tc.in, got.kind, got, tc.want.kind, tc.want)
			}
		})
	}
}

// Variables of every Go type JSON or HCL can hand over.
func TestGoValuesConvertAsPythonsInt(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		want Value
	}{
		{"false reads as zero", false, i(0)},
		{"an int8 is an int", int8(-3), i(-3)},
		{"a uint64 beyond int64 stays exact", uint64(1 << 63), bigi("9223372036854775808")},
		{"a float32 truncates", float32(2.75), i(2)},
		{"a float beyond int64 truncates exactly", 1e20, bigi("100000000000000000000")},
		{"a JSON integer beyond int64 stays exact", bigJSON("123456789012345678901234567890"), bigi("123456789012345678901234567890")},
		{"a JSON float truncates like a float", bigJSON("199.9"), i(199)},
		{"negative infinity cannot be an int", math.Inf(-1), evalErr},
		{"a slice is not a number", []string{"a"}, evalErr},
		{"a struct is not a number", struct{}{}, evalErr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := fromGo(tc.in)
			if tc.want.kind == evalErr.kind {
				if err == nil {
					t.Fatalf("fromGo(%#v) = %v, want an error", tc.in, got)
				}
				return
			}
			if err != nil || !identical(got, tc.want) {
				t.Errorf("fromGo(%#v) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

// pow, sin and cos are correctly rounded; these are cases where Go's
// math.Pow and math.Cos are one ulp off and glibc (so Cinder) is not.
func TestFloatPowersAreCorrectlyRounded(t *testing.T) {
	for _, tc := range []struct {
		name string
		x, y float64
		want float64
	}{
		{"ten to one and a half", 10, 1.5, 31.622776601683793},
		{"a thousand to one and a half", 1000, 1.5, 31622.776601683792},
		{"one and a half to the hundredth", 1.5, 100, 4.065611775352152e+17},
		{"one point five one to the hundredth", 1.51, 100, 7.90123046007606e+17},
		{"four to one and a half is exact", 4, 1.5, 8},
		{"two to a negative power underflows to a subnormal", 2, -1074, 5e-324},
		{"two to a more negative power underflows to zero", 2, -1080, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := floatPow(tc.x, tc.y)
			if err != nil || !identical(v, f(tc.want)) {
				t.Errorf("%v ^ %v = %v, %v; want %v", tc.x, tc.y, v, err, tc.want)
			}
		})
	}
	sin, cos := sinCosCR(1.5 * math.Pi)
	if sin != -1 || cos != -1.8369701987210297e-16 {
		t.Errorf("sin, cos(1.5π) = %v, %v; want -1, -1.8369701987210297e-16 as glibc", sin, cos)
	}
}

func TestReprMatchesPython(t *testing.T) {
	for _, tc := range []struct {
		v    Value
		want string
	}{
		{f(1e16), "1e+16"},
		{f(1e15), "1000000000000000.0"},
		{f(0.0001), "0.0001"},
		{f(0.00001), "1e-05"},
		{f(math.Copysign(0, -1)), "-0.0"},
		{c(0, 1), "1j"},
		{c(-1, -2), "(-1-2j)"},
		{c(2, math.NaN()), "(2+nanj)"},
		{s("it's"), `"it's"`},
		{s("a'b\"c\n"), `'a\'b"c\n'`},
		{l(i(1), b(true), s("x")), "[1, True, 'x']"},
	} {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("repr = %s, want %s", got, tc.want)
		}
	}
}
