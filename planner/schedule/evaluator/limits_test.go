package evaluator

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

// Where Python would build an enormous value, hang or overflow its stack,
// slab answers quickly with an error instead.
func TestResultsTooLargeForASchedulerAreErrors(t *testing.T) {
	for _, tc := range []struct{ name, expr string }{
		{"a tower of powers is refused instead of computed", "9^9^9"},
		{"an int power beyond the size limit is refused", "2^100000"},
		{"a string repeated a trillion times is refused", "'a' * 10^12"},
		{"a string repeated by a huge int cannot be indexed", "'a' * 10^30"},
		{"a list repeated a million times is refused", "(1,2) * 10^6"},
		{"products that keep growing hit the limit", "(7^20000) * (7^20000) * (7^20000) * (7^20000) * (7^20000)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A runaway expression must end in an error; the test's own
			// timeout catches one that would not end at all.
			_, err := Eval(tc.expr, nil)
			var ee *EvalError
			if !errors.As(err, &ee) {
				t.Fatalf("Eval(%q) error = %v, want an evaluation error", tc.expr, err)
			}
		})
	}
}

func TestNestingIsBoundedButDeeperThanCinders(t *testing.T) {
	deep := strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100)
	if v, err := Eval(deep, nil); err != nil || !identical(v, i(1)) {
		t.Errorf("100 nested parentheses (Cinder stops at about 17) = %v, %v; want 1", v, err)
	}
	tooDeep := strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000)
	var se *SyntaxError
	if _, err := Parse(tooDeep); !errors.As(err, &se) || !strings.Contains(se.Msg, "nested too deeply") {
		t.Errorf("5000 nested parentheses: err = %v, want a nesting syntax error", err)
	}
	if _, err := Parse(strings.Repeat("- ", 5000) + "1"); !errors.As(err, &se) {
		t.Errorf("5000 unary minuses: err = %v, want a nesting syntax error", err)
	}
}

func TestFailedAlternativesDoNotMakeParsingExponential(t *testing.T) {
	// Each "not" is tried as an operator and, failing that, as a function
	// name; without memoisation every level of parentheses would double
	// the work.
	src := strings.Repeat("not not (", 40) + "1 +" + strings.Repeat(")", 40)
	if _, err := Parse(src); err == nil {
		t.Fatalf("Parse(%q) succeeded, want a syntax error", src)
	}
}

func TestSyntaxErrorsSayWhereParsingStopped(t *testing.T) {
	for _, tc := range []struct {
		expr   string
		offset int
		found  string
	}{
		{"2^-3", 1, `"^-3"`},
		{"(1", 2, "end of expression"},
		{"volume.size < 5 )", 16, `")"`},
	} {
		_, err := Parse(tc.expr)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset != tc.offset || !strings.Contains(se.Msg, tc.found) {
			t.Errorf("Parse(%q) = %v; want offset %d mentioning %s", tc.expr, err, tc.offset, tc.found)
		}
	}
}

func TestEvaluationErrorsNameTheCulprit(t *testing.T) {
	vars := testVars()
	for _, tc := range []struct{ expr, want string }{
		{"stats.bob + 5", "stats.bob"},
		{"stats.n > 1", "NoneType"},
		{"7 / 0", "division by zero"},
		{"foo(1)", `"foo"`},
		{"'a' < 1", "'<' not supported between instances of 'str' and 'int'"},
	} {
		if _, err := Eval(tc.expr, vars); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Eval(%q) error = %v, want it to mention %s", tc.expr, err, tc.want)
		}
	}
}

func TestOneParsedExpressionEvaluatesConcurrently(t *testing.T) {
	e, err := Parse("(max(1, stats.x) * 'ab', (1,2) * 2) ? volume.size ^ 0.5 : 0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for n := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				v, err := e.Eval(Vars{"stats": {"x": n}, "volume": {"size": 4}})
				if err != nil || !identical(v, f(2)) {
					t.Errorf("Eval = %v, %v; want 2.0", v, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
