package evaluator

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
)

// The expected values below are what Cinder's own evaluator
// (cinder/scheduler/evaluator/evaluator.py under pyparsing 3.0.9 and
// 3.3.2) returns for the same expression and variables; the first table
// is Cinder's test_evaluator.py case for case.

var (
	syntaxErr = Value{kind: 200} // want a *SyntaxError
	evalErr   = Value{kind: 201} // want an *EvalError
)

func i(n int64) Value          { return IntValue(n) }
func f(x float64) Value        { return FloatValue(x) }
func b(t bool) Value           { return BoolValue(t) }
func s(str string) Value       { return StrValue(str) }
func l(items ...Value) Value   { return ListValue(items...) }
func c(re, im float64) Value   { return ComplexValue(re, im) }
func bigi(digits string) Value { n, _ := new(big.Int).SetString(digits, 10); return bigValue(n) }

// bigJSON is an integer as a JSON decoder with UseNumber hands it over.
func bigJSON(digits string) any { return json.Number(digits) }

// testVars are the dictionaries every table case sees.
func testVars() Vars {
	return Vars{
		"stats": {"x": 5, "y": 0, "f": 199.9, "s": "1.5", "b": true, "n": nil, "q": "it's", "neg": -1.5,
			"big": bigJSON("1000000000000000000000000000000"), "inf": math.Inf(1), "nan": math.NaN(), "str": "abc",
			"sp": " 12 ", "us": "1_000", "e": "1e3", "l": []any{1, 2}, "d": map[string]any{"a": 1}, "fs": "5.0",
			"qs": `"5"`, "digits": strings.Repeat("1", 5000), "iops": 1000},
		"extra":        {"var": "1"},
		"capabilities": {"foo": 10},
		"volume":       {"size": 1},
		"qos":          {},
		"request":      {"iops": 500, "size": 4, "test": "bar"},
		"nonnumber":    {"test": "foo"},
		"fake":         nil,
	}
}

type evalCase struct {
	name, expr string
	want       Value
}

func runCases(t *testing.T, cases []evalCase) {
	t.Helper()
	vars := testVars()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Eval(tc.expr, vars)
			var se *SyntaxError
			var ee *EvalError
			switch tc.want.kind {
			case syntaxErr.kind:
				if !errors.As(err, &se) {
					t.Fatalf("Eval(%q) = %v, %v; want a syntax error", tc.expr, got, err)
				}
			case evalErr.kind:
				if !errors.As(err, &ee) {
					t.Fatalf("Eval(%q) = %v, %v; want an evaluation error", tc.expr, got, err)
				}
			default:
				if err != nil {
					t.Fatalf("Eval(%q) failed: %v; want %s %v", tc.expr, err, tc.want.kind, tc.want)
				}
				if !identical(got, tc.want) {
					t.Fatalf("Eval(%q) = %s %v; want %s %v", tc.expr, got.kind, got, tc.want.kind, tc.want)
				}
			}
		})
	}
}

// identical compares kind and value exactly: -0.0 differs from 0.0 and
// NaN equals NaN.
func identical(a, b Value) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case KindInt, KindBool:
		return a.bigInt().Cmp(b.bigInt()) == 0
	case KindFloat:
		return sameFloat(a.f, b.f)
	case KindComplex:
		return sameFloat(a.f, b.f) && sameFloat(a.im, b.im)
	case KindStr:
		return a.s == b.s
	case KindList:
		if len(a.list) != len(b.list) {
			return false
		}
		for i := range a.list {
			if !identical(a.list[i], b.list[i]) {
				return false
			}
		}
		return true
	}
	return false
}

func sameFloat(x, y float64) bool {
	return math.Float64bits(x) == math.Float64bits(y) || math.IsNaN(x) && math.IsNaN(y)
}

func TestCinderEvaluatorTestCases(t *testing.T) {
	runCases(t, []evalCase{
		{"one plus one is two", "1+1", i(2)},
		{"three integers add left to right", "2+3+4", i(9)},
		{"two-digit integers add", "11+12", i(23)},
		{"integers multiply", "5*6", i(30)},
		{"division of integers is float division", "22/11", f(2.0)},
		{"integers subtract", "109-71", i(38)},
		{"mixed integer arithmetic follows precedence", "872 - 453 + 44 / 22 * 4 + 66", f(493.0)},
		{"reals add", "1.0 + 1.0", f(2.0)},
		{"a real and a real with a fraction add", "1.5 + 1.0", f(2.5)},
		{"reals multiply", "1.5 * 2.0", f(3.0)},
		{"a real plus an integer is a real", "1.5 + 1", f(2.5)},
		{"a real divided by an integer", "8.5 / 2", f(4.25)},
		{"white space inside an expression is ignored", "10/4+0.75    + 2", f(5.25)},
		{"a negative literal", "-2", i(-2)},
		{"a negative literal plus one", "-2+1", i(-1)},
		{"plus minus two", "5+-2", i(3)},
		{"two cubed", "2^3", i(8)},
		{"unary minus binds looser than the power", "-2 ^ 3", i(-8)},
		{"a real base to an integer power", "2.5 ^ 3", f(15.625)},
		{"an integer base to a real power", "4 ^ 1.5", f(8.0)},
		{"abs of a negative", "abs(-5)", i(5)},
		{"abs of a positive", "abs(2)", i(2)},
		{"min of two", "min(1, 100)", i(1)},
		{"max of two", "max(1, 100)", i(100)},
		{"parentheses around a literal", "(1)", i(1)},
		{"parentheses around a negative", "(-1)", i(-1)},
		{"parentheses around a sum", "(1+1)", i(2)},
		{"parentheses group before multiplying", "(1+2) * 5", i(15)},
		{"nested parentheses", "(1+2)*(3-1)/((1+(2-1)))", f(3.0)},
		{"nested parentheses with reals and a negative", "((1.0 / 0.5) * (2)) *(-2)", f(-8.0)},
		{"one is less than two", "1 < 2", b(true)},
		{"two is greater than one", "2 > 1", b(true)},
		{"two is not one", "2 != 1", b(true)},
		{"one is not greater than two", "1 > 2", b(false)},
		{"two is not less than one", "2 < 1", b(false)},
		{"two does not equal one", "2 == 1", b(false)},
		{"a comparison of comparisons with NOT", "(1 == 1) == !(1 == 2)", b(true)},
		{"AND of two truths", "(1 == 1) AND (2 == 2)", b(true)},
		{"and of two truths", "(1 == 1) and (2 == 2)", b(true)},
		{"&& of two truths", "(1 == 1) && (2 == 2)", b(true)},
		{"&& with a falsehood", "(1 == 1) && (5 == 2)", b(false)},
		{"OR with one truth", "(1 == 1) OR (5 == 2)", b(true)},
		{"or with one truth", "(1 == 1) or (5 == 2)", b(true)},
		{"|| with one truth", "(1 == 1) || (5 == 2)", b(true)},
		{"|| of two falsehoods", "(5 == 1) || (5 == 2)", b(false)},
		{"AND NOT of a truth", "(1 == 1) AND NOT (2 == 2)", b(false)},
		{"AND not of a truth", "(1 == 1) AND not (2 == 2)", b(false)},
		{"AND ! of a truth", "(1 == 1) AND !(2 == 2)", b(false)},
		{"AND NOT of a falsehood", "(1 == 1) AND NOT (5 == 2)", b(true)},
		{"AND binds tighter than OR", "(1 == 1) OR NOT (2 == 2) AND (5 == 5)", b(true)},
		{"a true condition takes the first branch", "(1 < 2) ? 5 : 10", i(5)},
		{"a false condition takes the second branch", "(1 > 2) ? 5 : 10", i(10)},
		{"variables from two dicts add", "stats.iops + request.iops", i(1500)},
		{"an unknown dict is an error", "foo.bob + 5", evalErr},
		{"an unknown key is an error", "stats.bob + 5", evalErr},
		{"a dict that is None is an error", "fake.var + 1", evalErr},
		{"a stray operator is a syntax error", "1/*1", syntaxErr},
		{"different strings are unequal", "nonnumber.test != request.test", b(true)},
		{"different strings are not equal", "nonnumber.test == request.test", b(false)},
		{"division by zero is an error", "7 / 0", evalErr},
		{"a deep formula evaluates", "(((1 + max(1 + (10 / 20), 2, 3)) / 100) + 1)", f(1.04)},
	})
}

func TestOperatorsPrecedenceAndAssociativity(t *testing.T) {
	runCases(t, []evalCase{
		{"power is right-associative", "2 ^ 3 ^ 2", i(512)},
		{"unary minus applies after the power", "-2^2", i(-4)},
		{"a parenthesised negative base squares", "(-2)^2", i(4)},
		{"a minus sign right after the power does not parse", "2^-3", syntaxErr},
		{"a parenthesised negative exponent gives a float", "2^(-3)", f(0.125)},
		{"multiplication binds tighter than addition", "1 + 2 * 3", i(7)},
		{"subtraction is left-associative", "10 - 3 - 2", i(5)},
		{"division is left-associative", "8 / 2 / 2", f(2.0)},
		{"unary signs stack", "-+-5", i(5)},
		{"a double minus is a plus", "--5", i(5)},
		{"minus a negative", "2 - -3", i(5)},
		{"times a negative", "2 * -3", i(-6)},
		{"NOT binds tighter than comparisons", "not 5 > 3", b(false)},
		{"NOT applies to the whole sum", "not 1 - 1", b(true)},
		{"comparisons chain like Python's", "1 < 2 < 3", b(true)},
		{"a chain fails at its first false link", "1 < 2 > 3", b(false)},
		{"a chain stops before evaluating the rest", "1 > 2 > 1/0", b(false)},
		{"a chain evaluates every link it reaches", "3 > 2 > 1/0", evalErr},
		{"equality chains too", "1 == 1 == 1", b(true)},
		{"<> is not-equal", "1 <> 2", b(true)},
		{"<= holds for equal values", "2 <= 2", b(true)},
		{">= holds for equal values", "2 >= 2", b(true)},
		{"a comparison binds tighter than the ternary", "1 == 1 ? 5 : 6", i(5)},
		{"the ternary binds tighter than and", "1 ? 5 : 6 and 0", i(0)},
		{"a ternary after and is its right operand", "0 and 1 ? 5 : 6", i(0)},
		{"a parenthesised and can be a condition", "(0 and 1) ? 5 : 6", i(6)},
		{"a chained ternary only reads its first three operands", "0 ? 2 : 3 ? 4 : 5", i(3)},
		{"a chained ternary with a true condition", "1 ? 2 : 3 ? 4 : 5", i(2)},
		{"a ternary without else does not parse", "1 ? 2", syntaxErr},
		{"an extra else does not parse", "1 ? 2 : 3 : 4", syntaxErr},
		{"the ternary evaluates only the branch it takes", "1 ? 2 : 1/0", i(2)},
		{"the other branch is skipped too", "0 ? 1/0 : 3", i(3)},
		{"and returns its second operand when the first is true", "1 and 5", i(5)},
		{"and returns its first operand when it is false", "0 and 5", i(0)},
		{"or returns its first operand when it is true", "1 || 2", i(1)},
		{"or returns the second operand when the first is false", "0 or 'x'", s("x")},
		{"or can return a falsy operand", "'' or 0", i(0)},
		{"and evaluates both sides", "0 and 1/0", evalErr},
		{"or evaluates both sides", "1 or 1/0", evalErr},
		{"a chained and reads only its first two operands", "1 and 2 and 0", i(2)},
		{"the third operand of a chained and is never evaluated", "1 and 2 and 1/0", i(2)},
		{"a comma builds a list", "1, 2", l(i(1), i(2))},
		{"the comma binds loosest", "1, 2 and 3", l(i(1), i(3))},
		{"a ternary can be a function argument", "max(1, 2 ? 3 : 4)", i(3)},
		{"max takes many arguments", "max(1,2,3)", i(3)},
		{"a list on the right of a comma is spliced in", "(1,(2,3))", l(i(1), i(2), i(3))},
		{"a list on the left of a comma stays nested", "((1,2),3)", l(l(i(1), i(2)), i(3))},
	})
}
