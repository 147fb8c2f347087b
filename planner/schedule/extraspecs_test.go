package schedule

import (
	"math"
	"strings"
	"testing"
)

func specStrp(s string) *string { return &s }

// TestMatchRequirement is the operator grammar of Cinder's
// extra_specs_ops.match: first Cinder's own ExtraSpecsOpsTestCase cases,
// then the corners read from its code and from Python's semantics.
func TestMatchRequirement(t *testing.T) {
	tests := []struct {
		name    string
		value   any
		req     *string
		want    bool
		wantErr string
	}{
		// Cinder's ExtraSpecsOpsTestCase.
		{"a bare > is not an operator, so it never matches", "4", specStrp("> 2"), false, ""},
		{"a plain word matches the same string", "1", specStrp("1"), true, ""},
		{"a plain word does not match an empty string", "", specStrp("1"), false, ""},
		{"a plain word does not match another string", "3", specStrp("1"), false, ""},
		{"a plain word does not match a string containing it", "222", specStrp("2"), false, ""},
		{"= matches an equal number", "123", specStrp("= 123"), true, ""},
		{"= means at least, so a bigger number matches", "124", specStrp("= 123"), true, ""},
		{"= fails a smaller number", "34", specStrp("= 234"), false, ""},
		{"= without an argument never matches", "34", specStrp("="), false, ""},
		{"<= matches a smaller number", "2", specStrp("<= 10"), true, ""},
		{"<= fails a bigger number", "3", specStrp("<= 2"), false, ""},
		{">= matches a bigger number", "3", specStrp(">= 1"), true, ""},
		{">= fails a smaller number", "2", specStrp(">= 3"), false, ""},
		{"s== matches the same text", "123", specStrp("s== 123"), true, ""},
		{"s== fails longer text", "1234", specStrp("s== 123"), false, ""},
		{"s!= matches different text", "1234", specStrp("s!= 123"), true, ""},
		{"s!= fails the same text", "123", specStrp("s!= 123"), false, ""},
		{"s>= compares text, so 1000 is below 234", "1000", specStrp("s>= 234"), false, ""},
		{"s<= compares text, so 1234 is above 1000", "1234", specStrp("s<= 1000"), false, ""},
		{"s< compares text, so 2 is above 12", "2", specStrp("s< 12"), false, ""},
		{"s> compares text, so 12 is below 2", "12", specStrp("s> 2"), false, ""},
		{"<in> finds a substring", "12311321", specStrp("<in> 11"), true, ""},
		{"<in> finds the whole string", "12311321", specStrp("<in> 12311321"), true, ""},
		{"<in> ignores words after its argument", "12311321", specStrp("<in> 12311321 <in>"), true, ""},
		{"<in> fails a missing substring", "12310321", specStrp("<in> 11"), false, ""},
		{"<in> with a trailing word still fails a missing substring", "12310321", specStrp("<in> 11 <in>"), false, ""},
		{"<is> True matches true", true, specStrp("<is> True"), true, ""},
		{"<is> False matches false", false, specStrp("<is> False"), true, ""},
		{"<is> with an unknown word reads it as false, so false matches", false, specStrp("<is> Nonsense"), true, ""},
		{"<is> False fails true", true, specStrp("<is> False"), false, ""},
		{"<is> True fails false", false, specStrp("<is> True"), false, ""},
		{"<or> matches the second alternative", "12", specStrp("<or> 11 <or> 12"), true, ""},
		{"<or> with a trailing keyword still matches", "12", specStrp("<or> 11 <or> 12 <or>"), true, ""},
		{"<or> fails a value not listed", "13", specStrp("<or> 11 <or> 12"), false, ""},
		{"<or> with a trailing keyword fails a value not listed", "13", specStrp("<or> 11 <or> 12 <or>"), false, ""},
		{"a None requirement matches a None value", nil, nil, true, ""},
		{"a None requirement fails a string", "foo", nil, false, ""},

		// Types never cross in equality.
		{"an int capability never equals the same digits", int64(10), specStrp("10"), false, ""},
		{"a float capability never equals the same digits", 10.0, specStrp("10"), false, ""},
		{"a bool capability never equals the word True", true, specStrp("True"), false, ""},
		{"a bool capability never equals the word true", true, specStrp("true"), false, ""},
		{"a None requirement fails false", false, nil, false, ""},
		{"a None value fails a plain word", nil, specStrp("x"), false, ""},
		{"a None value fails <is> False, as None never meets an operator", nil, specStrp("<is> False"), false, ""},
		{"a None value fails <or>", nil, specStrp("<or> a"), false, ""},
		{"a None value fails s!=", nil, specStrp("s!= a"), false, ""},
		{"an empty requirement matches only an empty string", "", specStrp(""), true, ""},
		{"a blank requirement must equal the value exactly", "  ", specStrp("  "), true, ""},
		{"a blank requirement fails an empty string", "", specStrp("   "), false, ""},

		// Numbers: Python's float() on both sides.
		{"== matches an int capability", int64(10), specStrp("== 10"), true, ""},
		{"== matches a float capability", 10.0, specStrp("== 10"), true, ""},
		{"== reads 10.0 and 10 as the same number", "10.0", specStrp("== 10"), true, ""},
		{"== reads true as 1", true, specStrp("== 1"), true, ""},
		{"!= reads false as 0", false, specStrp("!= 1"), true, ""},
		{"= reads a decimal string", "10.5", specStrp("= 10"), true, ""},
		{"= fails a smaller float", 9.5, specStrp("= 10"), false, ""},
		{"a text value is no match for a number operator", "abc", specStrp("= 10"), false, ""},
		{"a text argument is no match for a number operator", "10", specStrp("= abc"), false, ""},
		{"a list cannot be read as a number", []any{"1"}, specStrp("= 1"), false, "compares numbers"},
		{"an object cannot be read as a number", map[string]any{"a": 1.0}, specStrp(">= 1"), false, "compares numbers"},
		{"a list raises even when the argument is not a number", []any{}, specStrp("<= x"), false, "compares numbers"},
		{"float() strips surrounding whitespace", "  12\t", specStrp("== 12"), true, ""},
		{"float() accepts underscores between digits", "1_000", specStrp(">= 999"), true, ""},
		{"float() refuses doubled underscores", "1__0", specStrp(">= 1"), false, ""},
		{"float() refuses a leading underscore", "_1", specStrp(">= 0"), false, ""},
		{"float() refuses a trailing underscore", "1_", specStrp(">= 0"), false, ""},
		{"float() refuses an underscore before the exponent", "1_e5", specStrp(">= 0"), false, ""},
		{"float() accepts an underscore in the exponent", "1e1_0", specStrp(">= 1e10"), true, ""},
		{"float() reads Arabic-Indic digits", "١٢", specStrp("== 12"), true, ""},
		{"float() reads full-width digits in the requirement", "12", specStrp("== １２"), true, ""},
		{"float() strips a Unicode em space", "\u20035", specStrp("== 5"), true, ""},
		{"float() does not strip the ASCII separator 0x1c", "\x1c5", specStrp("== 5"), false, ""},
		{"float() refuses hexadecimal", "0x10", specStrp(">= 1"), false, ""},
		{"float() reads inf", "inf", specStrp(">= 1e308"), true, ""},
		{"float() reads Infinity in any case", "-iNFinity", specStrp("<= -1e308"), true, ""},
		{"float() reads nan, which equals nothing", "nan", specStrp("== nan"), false, ""},
		{"nan differs from everything", "nan", specStrp("!= 1"), true, ""},
		{"float() overflows to infinity instead of failing", "1e400", specStrp(">= 1e308"), true, ""},
		{"float() reads a leading dot", ".5", specStrp("== 0.5"), true, ""},
		{"float() reads a trailing dot", "5.", specStrp("== 5"), true, ""},
		{"float() refuses an exponent without digits", "1e", specStrp(">= 0"), false, ""},
		{"float() refuses a lone exponent", "e5", specStrp(">= 0"), false, ""},
		{"float() refuses inner spaces", "1 0", specStrp(">= 0"), false, ""},

		// Splitting on whitespace, Python's definition of it.
		{"tabs separate words", "7", specStrp("\t>=\t5 "), true, ""},
		{"a no-break space separates words", "7", specStrp("=\u00a05"), true, ""},
		{"the ASCII separator 0x1c separates words", "7", specStrp("=\x1c5"), true, ""},

		// <in>.
		{"<in> uses only its first argument word", "xyz", specStrp("<in> x q"), true, ""},
		{"<in> on a list looks for an equal element", []any{"a", "b"}, specStrp("<in> a"), true, ""},
		{"<in> on a list does not look inside elements", []any{"abc"}, specStrp("<in> a"), false, ""},
		{"<in> on an object looks for the key", map[string]any{"a": 1.0}, specStrp("<in> a"), true, ""},
		{"<in> on an int raises", int64(10), specStrp("<in> 1"), false, "<in> searches"},
		{"<in> on a bool raises", true, specStrp("<in> True"), false, "<in> searches"},
		{"<in> on a float raises", 1.5, specStrp("<in> 1"), false, "<in> searches"},
		{"<in> without an argument never matches", int64(10), specStrp("<in>"), false, ""},

		// <is> goes through str() for anything but a bool or a string.
		{"<is> reads yes as true", "yes", specStrp("<is> True"), true, ""},
		{"<is> strips and lower-cases", " TRUE ", specStrp("<is> true"), true, ""},
		{"<is> reads on as true", "on", specStrp("<is> 1"), true, ""},
		{"<is> reads t as true", "t", specStrp("<is> y"), true, ""},
		{"<is> reads the int 1 as true, since str(1) is 1", int64(1), specStrp("<is> True"), true, ""},
		{"<is> reads a whole float as the int a driver would report", 1.0, specStrp("<is> True"), true, ""},
		{"<is> reads 1.5 as false", 1.5, specStrp("<is> True"), false, ""},
		{"<is> reads the int 2 as false", int64(2), specStrp("<is> True"), false, ""},
		{"<is> False matches 0", int64(0), specStrp("<is> False"), true, ""},
		{"<is> False matches any unknown text", "nonsense", specStrp("<is> False"), true, ""},
		{"<is> False matches a list, whose str() is no true word", []any{"1"}, specStrp("<is> False"), true, ""},
		{"<is> without an argument never matches", false, specStrp("<is>"), false, ""},
		{"<is> is not fooled by a long s that folds to s", "yeſ", specStrp("<is> True"), false, ""},

		// String operators against other types.
		{"s== against an int is false", int64(10), specStrp("s== 10"), false, ""},
		{"s!= against an int is true", int64(10), specStrp("s!= 10"), true, ""},
		{"s!= against a bool is true", true, specStrp("s!= True"), true, ""},
		{"s< against an int raises", int64(10), specStrp("s< 5"), false, "s< compares text"},
		{"s<= against a bool raises", true, specStrp("s<= a"), false, "s<= compares text"},
		{"s> against a list raises", []any{"a"}, specStrp("s> a"), false, "s> compares text"},
		{"s>= against an object raises", map[string]any{}, specStrp("s>= a"), false, "s>= compares text"},
		{"s< without an argument neither matches nor raises", int64(10), specStrp("s<"), false, ""},
		{"s< compares text", "a", specStrp("s< b"), true, ""},
		{"s> compares text", "a", specStrp("s> b"), false, ""},
		{"s>= matches equal text", "b", specStrp("s>= b"), true, ""},
		{"s<= matches equal text", "b", specStrp("s<= b"), true, ""},
		{"s< compares code points", "z", specStrp("s< é"), true, ""},

		// <or>.
		{"<or> with one alternative matches it", "a", specStrp("<or> a"), true, ""},
		{"<or> skips every other word whatever it says", "b", specStrp("<or> a x b"), true, ""},
		{"<or> never compares its keywords", "<or>", specStrp("<or> a <or> b"), false, ""},
		{"<or> compares text only, so an int never matches", int64(10), specStrp("<or> 10"), false, ""},
		{"<or> alone raises as Cinder pops an empty list", "a", specStrp("<or>"), false, "<or>"},
		{"<or> followed by spaces only raises too", "a", specStrp("  <or>  "), false, "<or>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MatchRequirement(tt.value, tt.req)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("MatchRequirement(%#v, %q) error = %v, want one containing %q", tt.value, specDeref(tt.req), err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("MatchRequirement(%#v, %q) error = %v", tt.value, specDeref(tt.req), err)
			}
			if got != tt.want {
				t.Fatalf("MatchRequirement(%#v, %q) = %v, want %v", tt.value, specDeref(tt.req), got, tt.want)
			}
		})
	}
}

func specDeref(s *string) string {
	if s == nil {
		return "<None>"
	}
	return *s
}

func TestPyFloatSpecialValues(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want float64
		ok   bool
	}{
		{"a signed nan is nan", "-NaN", math.NaN(), true},
		{"a plus sign is accepted", "+1.5", 1.5, true},
		{"negative infinity keeps its sign", "-inf", math.Inf(-1), true},
		{"an underflow becomes zero", "1e-400", 0, true},
		{"a sign alone is not a number", "-", 0, false},
		{"a dot alone is not a number", ".", 0, false},
		{"infinit is not a word float() knows", "infinit", 0, false},
		{"an empty string is not a number", "", 0, false},
		{"whitespace alone is not a number", " \t", 0, false},
		{"invalid UTF-8 is not a number", "1\xff", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := cpyFloat(tt.in)
			if ok != tt.ok || (ok && !(got == tt.want || math.IsNaN(got) && math.IsNaN(tt.want))) {
				t.Fatalf("pyFloat(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestParsedRequirementsAreCached checks that a requirement string is
// parsed once and then shared.
func TestParsedRequirementsAreCached(t *testing.T) {
	a, b := compileRequirement(">= 42 cached"), compileRequirement(">= 42 cached")
	if a != b {
		t.Fatal("the same requirement string was parsed twice")
	}
	allocs := testing.AllocsPerRun(100, func() {
		if ok, _ := compileRequirement(">= 42 cached").match(50.0); !ok {
			t.Fatal("50 is not >= 42")
		}
	})
	if allocs != 0 {
		t.Fatalf("matching a cached requirement allocates %v times", allocs)
	}
}

// TestLiteralSpecsNeedNoParsing checks the shortcut for one-word
// requirements against the parsed form, on words that look like operators.
func TestLiteralSpecsNeedNoParsing(t *testing.T) {
	for _, s := range []string{"ssd", "=", "<or>", "s<", "s", "<", ">", "x\x1cy", "é", "a b", "", "10", "<IS>", "True"} {
		parsed := parseSpecReq(s)
		if specIsLiteral(s) && (parsed.op != specOpExact || parsed.raw != s) {
			t.Errorf("%q is taken as a literal but parses as operator %q", s, parsed.opWord)
		}
	}
}

// FuzzMatchRequirement asserts the grammar never panics and is a pure
// function of its inputs, whatever the requirement and the value's type.
func FuzzMatchRequirement(f *testing.F) {
	for _, s := range []string{"= 1", "<or> a <or>", "<or>", "<in> x", "<is> True", "s< 3", "1_0", " ١٢ ", "\x1c", "nan", "-inf", "1e400", ""} {
		f.Add(s, s, int64(1), 1.5, uint8(0))
	}
	f.Fuzz(func(t *testing.T, req, str string, i int64, fl float64, kind uint8) {
		values := []any{str, i, fl, kind%2 == 0, nil, []any{str, i}, map[string]any{str: fl}, []any{}}
		v := values[int(kind)%len(values)]
		if specIsLiteral(req) && parseSpecReq(req).op != specOpExact {
			t.Fatalf("%q is taken as a literal but parses as an operator", req)
		}
		ok1, err1 := MatchRequirement(v, &req)
		ok2, err2 := MatchRequirement(v, &req)
		if ok1 != ok2 || (err1 == nil) != (err2 == nil) {
			t.Fatalf("MatchRequirement(%#v, %q) is not deterministic", v, req)
		}
		if ok1 && err1 != nil {
			t.Fatalf("MatchRequirement(%#v, %q) matched and failed at once", v, req)
		}
		cpyFloat(str)
		cpyBoolFromString(str)
	})
}
