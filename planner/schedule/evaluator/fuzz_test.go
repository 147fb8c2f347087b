package evaluator

import (
	"errors"
	"testing"
)

// FuzzParseEval checks the package's promise to the scheduler: no input,
// however hostile, panics or hangs Parse or Eval, errors are the two
// documented types, and evaluation is deterministic (a parsed Expr is
// never modified by evaluating it).
func FuzzParseEval(f *testing.F) {
	for _, seed := range []string{
		"(1+2)*(3-1)/((1+(2-1)))",
		"stats.free_capacity_gb > 20 ? 100 : capabilities.foo",
		"max(1, (2, 3)) + abs(-2.5) ^ 2 ^ 0.5",
		"'a\tb' * 3 + (1,2) + 'xy' and not stats.b || 0",
		"(-8)^(1/3) != 0, 10^400 / 2, stats.x and stats.y",
		"\"a\\x41\"\"b\" <> extra.var <= 1 < 2",
	} {
		f.Add(seed)
	}
	vars := testVars()
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T %v is not a *SyntaxError", src, err, err)
			}
			_ = se.Error()
			return
		}
		v1, err1 := e.Eval(vars)
		v2, err2 := e.Eval(vars)
		if (err1 == nil) != (err2 == nil) || err1 == nil && !identical(v1, v2) {
			t.Fatalf("Eval(%q) is not deterministic: %v, %v then %v, %v", src, v1, err1, v2, err2)
		}
		if err1 != nil {
			var ee *EvalError
			if !errors.As(err1, &ee) {
				t.Fatalf("Eval(%q) error %T %v is not an *EvalError", src, err1, err1)
			}
			return
		}
		if v1.kind < KindInt || v1.kind > KindComplex {
			t.Fatalf("Eval(%q) returned a value of kind %d", src, v1.kind)
		}
		_ = v1.String()
		_ = v1.Truthy()
	})
}
