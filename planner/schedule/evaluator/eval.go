package evaluator

import (
	"fmt"
)

// Vars holds the dictionaries an expression reads as dict.key: Cinder
// passes stats, capabilities, volume, extra and qos. Values are what JSON
// decodes to (string, float64, bool, nil, []any, map[string]any) or any Go
// integer or float.
type Vars map[string]map[string]any

// EvalError is an evaluation that Cinder's evaluator would end with an
// exception: an unknown variable or function, division by zero, a type
// mismatch, an int() of None. Filters fail and weighers score 0 on it.
type EvalError struct{ Msg string }

func (e *EvalError) Error() string { return e.Msg }

func errorf(format string, args ...any) error {
	return &EvalError{Msg: fmt.Sprintf(format, args...)}
}

// Eval evaluates the expression against vars. It returns a value of any
// kind (a filter tests its truth, a goodness function wants a number) or
// an *EvalError.
func (e *Expr) Eval(vars Vars) (Value, error) {
	return e.root.eval(vars)
}

// Eval parses and evaluates src in one step, as Cinder's evaluate() does.
func Eval(src string, vars Vars) (Value, error) {
	e, err := Parse(src)
	if err != nil {
		return Value{}, err
	}
	return e.Eval(vars)
}

type node interface {
	eval(Vars) (Value, error)
}

// constNode is a literal (or a bare word), converted once at parse time.
type constNode struct{ v Value }

func (n *constNode) eval(Vars) (Value, error) { return n.v, nil }

// varNode is dict.key, looked up and converted at every evaluation.
type varNode struct{ dict, key string }

func (n *varNode) eval(vars Vars) (Value, error) {
	d, ok := vars[n.dict]
	if !ok {
		return Value{}, errorf("unknown variable %s.%s: there is no %q", n.dict, n.key, n.dict)
	}
	x, ok := d[n.key]
	if !ok {
		return Value{}, errorf("unknown variable %s.%s", n.dict, n.key)
	}
	v, err := fromGo(x)
	if err != nil {
		return Value{}, errorf("%s.%s: %s", n.dict, n.key, err.(*EvalError).Msg)
	}
	return v, nil
}

// funcNode is name(arg). The argument is evaluated before the name is
// looked up, as in Cinder; a list argument (from commas) spreads into
// separate arguments.
type funcNode struct {
	name string
	arg  node
}

func (n *funcNode) eval(vars Vars) (Value, error) {
	arg, err := n.arg.eval(vars)
	if err != nil {
		return Value{}, err
	}
	args := []Value{arg}
	if arg.kind == KindList {
		args = arg.list
	}
	switch n.name {
	case "abs":
		if len(args) != 1 {
			return Value{}, errorf("abs() takes exactly one argument (%d given)", len(args))
		}
		return absValue(args[0])
	case "max", "min":
		return minMax(n.name, args)
	}
	return Value{}, errorf("unknown function %q (only abs, max and min exist)", n.name)
}

// minMax is Python's max(*args) / min(*args): one argument is iterated;
// the first extreme item wins ties, and items are compared with > (max)
// or < (min), so NaN handling depends on order as in Python.
func minMax(name string, args []Value) (Value, error) {
	if len(args) == 0 {
		return Value{}, errorf("%s expected at least 1 argument, got 0", name)
	}
	items := args
	if len(args) == 1 {
		var err error
		if items, err = iterate(args[0]); err != nil {
			return Value{}, err
		}
		if len(items) == 0 {
			return Value{}, errorf("%s() arg is an empty sequence", name)
		}
	}
	op := ">"
	if name == "min" {
		op = "<"
	}
	best := items[0]
	for _, it := range items[1:] {
		better, err := compare(op, it, best)
		if err != nil {
			return Value{}, err
		}
		if better {
			best = it
		}
	}
	return best, nil
}

// signNode is unary + or -: Cinder multiplies by 1 or -1, so -'ab' is the
// empty string and +'ab' is 'ab'.
type signNode struct {
	neg bool
	x   node
}

func (n *signNode) eval(vars Vars) (Value, error) {
	v, err := n.x.eval(vars)
	if err != nil {
		return Value{}, err
	}
	k := IntValue(1)
	if n.neg {
		k = IntValue(-1)
	}
	return mul(k, v)
}

type notNode struct{ x node }

func (n *notNode) eval(vars Vars) (Value, error) {
	v, err := n.x.eval(vars)
	if err != nil {
		return Value{}, err
	}
	return BoolValue(!v.Truthy()), nil
}

// arithNode is a left-to-right run of + - or * /; every operand is
// evaluated, in order.
type arithNode struct {
	ops []byte
	xs  []node
}

func (n *arithNode) eval(vars Vars) (Value, error) {
	acc, err := n.xs[0].eval(vars)
	if err != nil {
		return Value{}, err
	}
	for i, x := range n.xs[1:] {
		v, err := x.eval(vars)
		if err != nil {
			return Value{}, err
		}
		switch n.ops[i] {
		case '+':
			acc, err = add(acc, v)
		case '-':
			acc, err = sub(acc, v)
		case '*':
			acc, err = mul(acc, v)
		default:
			acc, err = div(acc, v)
		}
		if err != nil {
			return Value{}, err
		}
	}
	return acc, nil
}

// powNode is a ^ b ^ c, nested to the right by the parser.
type powNode struct{ xs []node }

func (n *powNode) eval(vars Vars) (Value, error) {
	acc, err := n.xs[0].eval(vars)
	if err != nil {
		return Value{}, err
	}
	for _, x := range n.xs[1:] {
		v, err := x.eval(vars)
		if err != nil {
			return Value{}, err
		}
		if acc, err = pow(acc, v); err != nil {
			return Value{}, err
		}
	}
	return acc, nil
}

// cmpNode is a chain a < b <= c: each pair is compared in turn, and the
// chain stops (unevaluated operands and all) at the first false one.
type cmpNode struct {
	ops []string
	xs  []node
}

func (n *cmpNode) eval(vars Vars) (Value, error) {
	a, err := n.xs[0].eval(vars)
	if err != nil {
		return Value{}, err
	}
	for i, x := range n.xs[1:] {
		b, err := x.eval(vars)
		if err != nil {
			return Value{}, err
		}
		ok, err := compare(n.ops[i], a, b)
		if err != nil {
			return Value{}, err
		}
		if !ok {
			return BoolValue(false), nil
		}
		a = b
	}
	return BoolValue(true), nil
}

// ternaryNode evaluates only the branch it takes.
type ternaryNode struct{ cond, a, b node }

func (n *ternaryNode) eval(vars Vars) (Value, error) {
	c, err := n.cond.eval(vars)
	if err != nil {
		return Value{}, err
	}
	if c.Truthy() {
		return n.a.eval(vars)
	}
	return n.b.eval(vars)
}

// boolNode is Python's "l and r" / "l or r" on two already evaluated
// operands: both sides always run (an error on either side is an error),
// and the result is an operand, not a bool.
type boolNode struct {
	or   bool
	l, r node
}

func (n *boolNode) eval(vars Vars) (Value, error) {
	l, err := n.l.eval(vars)
	if err != nil {
		return Value{}, err
	}
	r, err := n.r.eval(vars)
	if err != nil {
		return Value{}, err
	}
	if l.Truthy() == n.or {
		return l, nil
	}
	return r, nil
}

// commaNode builds the argument list: a list on the right is spliced in,
// one on the left is kept whole, so (1,(2,3)) is [1,2,3] but ((1,2),3)
// is [[1,2],3].
type commaNode struct{ l, r node }

func (n *commaNode) eval(vars Vars) (Value, error) {
	l, err := n.l.eval(vars)
	if err != nil {
		return Value{}, err
	}
	r, err := n.r.eval(vars)
	if err != nil {
		return Value{}, err
	}
	if r.kind != KindList {
		return ListValue(l, r), nil
	}
	if len(r.list)+1 > maxListLen {
		return Value{}, errorf("list result too long")
	}
	out := make([]Value, 0, len(r.list)+1)
	return ListValue(append(append(out, l), r.list...)...), nil
}
