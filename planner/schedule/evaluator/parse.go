package evaluator

import (
	"fmt"
	"strings"
)

// The grammar is Cinder's pyparsing infix_notation, reproduced rule for
// rule because its quirks decide what parses and how:
//
//   - Levels, tightest first: function, ^ (right), unary + - (right),
//     * /, + -, NOT (right), comparisons, ?: , AND, OR, "," (right).
//     Each level is "operator-form | next-tighter level", tried in that
//     order with no backtracking into a form that matched (PEG).
//   - A "function" is any word directly followed by an operand: abs(-5)
//     and max(1, 2), but also "a b" (the function a of b) and
//     "stats.x and stats.y", where "and stats.y" is the function and of
//     stats.y. Unknown function names fail only when evaluated.
//   - A word is [A-Za-z_.]+ with no boundary check: "1 android.x" is
//     1 AND roid.x, "notx.y" is NOT x.y, and a digit ends a word, so
//     "size2" is the function size of 2.
//   - Unary minus binds looser than ^ and is not allowed right after it:
//     -2^2 is -4 and 2^-3 does not parse (2^(-3) does).
//   - NOT binds looser than + and tighter than comparisons: NOT 5 > 3 is
//     (NOT 5) > 3.
//   - Tabs are expanded to 8-column stops before parsing (pyparsing's
//     parse_string does it), even inside quoted strings.

// Expr is a parsed expression. It is immutable and safe for concurrent
// evaluation.
type Expr struct {
	src  string
	root node
}

// Source returns the text the expression was parsed from.
func (e *Expr) Source() string { return e.src }

// String returns the source text.
func (e *Expr) String() string { return e.src }

// SyntaxError is Cinder's ParseException: the source is not an expression
// of the language. Offset is a byte offset into the tab-expanded source.
type SyntaxError struct {
	Source string
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("syntax error at offset %d: %s", e.Offset, e.Msg)
}

// maxDepth bounds parser recursion. Cinder's pyparsing hits Python's
// recursion limit far earlier (about 17 nested parentheses), so any
// expression Cinder accepts parses here; the bound only keeps hostile
// input from exhausting the stack.
const maxDepth = 2000

// The precedence levels, tightest first.
const (
	lvlFunc = iota
	lvlPow
	lvlSign
	lvlMul
	lvlAdd
	lvlNot
	lvlCmp
	lvlTernary
	lvlAnd
	lvlOr
	lvlComma
	numLevels
)

// Operator spellings in the order pyparsing's one_of tries them (longest
// first where one is a prefix of another).
var (
	signOps = []string{"+", "-"}
	mulOps  = []string{"*", "/"}
	notOps  = []string{"NOT", "not", "!"}
	cmpOps  = []string{"<=", "<>", "<", ">=", ">", "!=", "=="}
	andOps  = []string{"AND", "and", "&&"}
	orOps   = []string{"OR", "or", "||"}
)

type memoEntry struct {
	n   node
	end int
	ok  bool
}

type parser struct {
	src   string            // as given, for errors
	s     string            // tab-expanded, as parsed
	memo  map[int]memoEntry // packrat: (position, level) → result
	depth int
	fatal error // recursion too deep: abandons the whole parse
	far   int   // furthest offset where a token was tried and missed
}

// Parse parses a Cinder filter or goodness function.
func Parse(src string) (*Expr, error) {
	p := &parser{src: src, s: expandTabs(src), memo: make(map[int]memoEntry)}
	n, end, ok := p.level(lvlComma, 0)
	if p.fatal != nil {
		return nil, p.fatal
	}
	end = p.skipSpace(end)
	if ok && end == len(p.s) {
		return &Expr{src: src, root: n}, nil
	}
	at := end
	if !ok {
		at = p.far
	}
	what := "end of expression"
	if at < len(p.s) {
		what = fmt.Sprintf("%q", p.s[at:min(len(p.s), at+12)])
	}
	return nil, &SyntaxError{Source: src, Offset: at, Msg: "unexpected " + what}
}

// expandTabs is Python's str.expandtabs(8): the column restarts after
// \n and \r and counts characters, not bytes.
func expandTabs(s string) string {
	if strings.IndexByte(s, '\t') < 0 {
		return s
	}
	var b strings.Builder
	col := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\t':
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
		case c == '\n' || c == '\r':
			b.WriteByte(c)
			col = 0
		default:
			b.WriteByte(c)
			if c < 0x80 || c >= 0xC0 { // not a UTF-8 continuation byte
				col++
			}
		}
	}
	return b.String()
}

// skipSpace skips pyparsing's default white space.
func (p *parser) skipSpace(i int) int {
	for i < len(p.s) && (p.s[i] == ' ' || p.s[i] == '\n' || p.s[i] == '\r' || p.s[i] == '\t') {
		i++
	}
	return i
}

func (p *parser) miss(i int) { p.far = max(p.far, i) }

// op matches the first of ops at i (after white space).
func (p *parser) op(i int, ops []string) (string, int, bool) {
	i = p.skipSpace(i)
	for _, o := range ops {
		if strings.HasPrefix(p.s[i:], o) {
			return o, i + len(o), true
		}
	}
	p.miss(i)
	return "", i, false
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '.'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// word matches Word(alphas + "_."), the token for variables, function
// names and bare words.
func (p *parser) word(i int) (string, int, bool) {
	i = p.skipSpace(i)
	j := i
	for j < len(p.s) && isWordByte(p.s[j]) {
		j++
	}
	if j == i {
		p.miss(i)
		return "", i, false
	}
	return p.s[i:j], j, true
}

// level parses one precedence level at i, memoised so that PEG's
// re-parsing after a failed alternative stays linear.
func (p *parser) level(k, i int) (node, int, bool) {
	key := i*numLevels + k
	if e, ok := p.memo[key]; ok {
		return e.n, e.end, e.ok
	}
	if p.fatal != nil {
		return nil, i, false
	}
	if p.depth++; p.depth > maxDepth {
		p.fatal = &SyntaxError{Source: p.src, Offset: i, Msg: "expression nested too deeply"}
		return nil, i, false
	}
	n, end, ok := p.parseLevel(k, i)
	p.depth--
	p.memo[key] = memoEntry{n, end, ok}
	return n, end, ok
}

func (p *parser) parseLevel(k, i int) (node, int, bool) {
	switch k {
	case lvlFunc:
		if name, j, ok := p.word(i); ok {
			if arg, end, ok := p.level(lvlFunc, j); ok {
				return &funcNode{name: name, arg: arg}, end, true
			}
		}
		return p.operand(i)
	case lvlPow:
		xs, end, ok := p.rightChain(k, lvlFunc, i, []string{"^"})
		if !ok || len(xs) == 1 {
			return first(xs), end, ok
		}
		return &powNode{xs: xs}, end, true
	case lvlSign:
		if o, j, ok := p.op(i, signOps); ok {
			if x, end, ok := p.level(lvlSign, j); ok {
				return &signNode{neg: o == "-", x: x}, end, true
			}
		}
		return p.level(lvlPow, i)
	case lvlMul, lvlAdd:
		ops := mulOps
		if k == lvlAdd {
			ops = signOps
		}
		xs, names, end, ok := p.leftChain(k-1, i, ops)
		if !ok || len(xs) == 1 {
			return first(xs), end, ok
		}
		return &arithNode{ops: opBytes(names), xs: xs}, end, true
	case lvlNot:
		if _, j, ok := p.op(i, notOps); ok {
			if x, end, ok := p.level(lvlNot, j); ok {
				return &notNode{x: x}, end, true
			}
		}
		return p.level(lvlAdd, i)
	case lvlCmp:
		xs, names, end, ok := p.leftChain(lvlNot, i, cmpOps)
		if !ok || len(xs) == 1 {
			return first(xs), end, ok
		}
		return &cmpNode{ops: names, xs: xs}, end, true
	case lvlTernary:
		return p.ternary(i)
	case lvlAnd, lvlOr:
		ops := andOps
		if k == lvlOr {
			ops = orOps
		}
		xs, _, end, ok := p.leftChain(k-1, i, ops)
		if !ok || len(xs) == 1 {
			return first(xs), end, ok
		}
		// Cinder's EvalBoolAndOp/EvalBoolOrOp read only the first two
		// operands: "1 and 2 and 0" is 2, and the third is never
		// evaluated.
		return &boolNode{or: k == lvlOr, l: xs[0], r: xs[1]}, end, true
	default: // lvlComma
		xs, end, ok := p.rightChain(k, lvlOr, i, []string{","})
		if !ok || len(xs) == 1 {
			return first(xs), end, ok
		}
		return &commaNode{l: xs[0], r: xs[1]}, end, true
	}
}

func first(xs []node) node {
	if len(xs) == 0 {
		return nil
	}
	return xs[0]
}

func opBytes(names []string) []byte {
	b := make([]byte, len(names))
	for i, n := range names {
		b[i] = n[0]
	}
	return b
}

// leftChain parses "sub (op sub)*": a left-associative level. A trailing
// operator without an operand is left unconsumed, as pyparsing's
// OneOrMore gives back a failed repetition.
func (p *parser) leftChain(sub, i int, ops []string) ([]node, []string, int, bool) {
	x, end, ok := p.level(sub, i)
	if !ok {
		return nil, nil, i, false
	}
	xs := []node{x}
	var names []string
	for {
		o, j, ok := p.op(end, ops)
		if !ok {
			break
		}
		y, e, ok := p.level(sub, j)
		if !ok {
			break
		}
		xs, names, end = append(xs, y), append(names, o), e
	}
	return xs, names, end, true
}

// rightChain parses "sub (op self)*": a right-associative level, whose
// right operand is the same level again.
func (p *parser) rightChain(self, sub, i int, ops []string) ([]node, int, bool) {
	x, end, ok := p.level(sub, i)
	if !ok {
		return nil, i, false
	}
	xs := []node{x}
	for {
		_, j, ok := p.op(end, ops)
		if !ok {
			break
		}
		y, e, ok := p.level(self, j)
		if !ok {
			break
		}
		xs, end = append(xs, y), e
	}
	return xs, end, true
}

// ternary parses "cmp (? cmp : cmp)*". Cinder's EvalTernaryOp reads only
// the first condition and branches, so "a ? b : c ? d : e" is
// "a ? b : c"; the rest must parse but is never evaluated.
func (p *parser) ternary(i int) (node, int, bool) {
	c, end, ok := p.level(lvlCmp, i)
	if !ok {
		return nil, i, false
	}
	var t *ternaryNode
	for {
		_, j, ok := p.op(end, []string{"?"})
		if !ok {
			break
		}
		a, j, ok := p.level(lvlCmp, j)
		if !ok {
			break
		}
		_, j, ok = p.op(j, []string{":"})
		if !ok {
			break
		}
		b, j, ok := p.level(lvlCmp, j)
		if !ok {
			break
		}
		if t == nil {
			t = &ternaryNode{cond: c, a: a, b: b}
		}
		end = j
	}
	if t == nil {
		return c, end, true
	}
	return t, end, true
}

// operand parses a number, a word, a quoted string or a parenthesised
// expression.
func (p *parser) operand(i int) (node, int, bool) {
	i = p.skipSpace(i)
	if i >= len(p.s) {
		p.miss(i)
		return nil, i, false
	}
	c := p.s[i]
	switch {
	case isDigit(c):
		// real = digits "." digits, else integer = digits; no sign, no
		// exponent, no leading or trailing dot.
		j := i
		for j < len(p.s) && isDigit(p.s[j]) {
			j++
		}
		if j+1 < len(p.s) && p.s[j] == '.' && isDigit(p.s[j+1]) {
			j++
			for j < len(p.s) && isDigit(p.s[j]) {
				j++
			}
		}
		return &constNode{v: constant(p.s[i:j])}, j, true
	case isWordByte(c):
		w, j, _ := p.word(i)
		if dict, key, ok := splitVariable(w); ok {
			return &varNode{dict: dict, key: key}, j, true
		}
		return &constNode{v: constant(w)}, j, true
	case c == '"' || c == '\'':
		if j, ok := p.quoted(i); ok {
			return &constNode{v: constant(p.s[i:j])}, j, true
		}
	case c == '(':
		if x, j, ok := p.level(lvlComma, i+1); ok {
			if _, j, ok := p.op(j, []string{")"}); ok {
				return x, j, true
			}
		}
	}
	p.miss(i)
	return nil, i, false
}

// splitVariable applies Cinder's ^[a-zA-Z_]+\.[a-zA-Z_]+$ to a word: one
// dot with letters on both sides names dict.key. Any other word (abs,
// a.b.c, iSCSI) is a string constant, or a float for inf and nan.
func splitVariable(w string) (string, string, bool) {
	dot := strings.IndexByte(w, '.')
	if dot <= 0 || dot == len(w)-1 || strings.IndexByte(w[dot+1:], '.') >= 0 {
		return "", "", false
	}
	return w[:dot], w[dot+1:], true
}

// quoted matches pyparsing's quotedString at i and returns its end. It is
// the regex q(?:[^q\n\r\\]|qq|\\(?:[^x]|x[0-9a-fA-F]+))*q taken greedily
// with no backtracking, so a doubled quote continues the string ("a""b"
// is one token) and "a"" does not parse at all.
func (p *parser) quoted(i int) (int, bool) {
	q := p.s[i]
	j := i + 1
	for j < len(p.s) {
		c := p.s[j]
		switch {
		case c != q && c != '\n' && c != '\r' && c != '\\':
			j++
			continue
		case c == q && j+1 < len(p.s) && p.s[j+1] == q:
			j += 2
			continue
		case c == '\\' && j+1 < len(p.s) && p.s[j+1] != 'x':
			j += 2
			continue
		case c == '\\' && j+2 < len(p.s) && p.s[j+1] == 'x' && isHex(p.s[j+2]):
			j += 3
			for j < len(p.s) && isHex(p.s[j]) {
				j++
			}
			continue
		}
		break
	}
	if j < len(p.s) && p.s[j] == q {
		return j + 1, true
	}
	p.miss(j)
	return i, false
}

func isHex(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
