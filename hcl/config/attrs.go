package config

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// attrEval reads the arguments of one body in one context and turns them
// into Go values, reporting each problem at the argument's expression.
type attrEval struct {
	l    *loader
	body *hclsyntax.Body
	ctx  *hcl.EvalContext
	ok   bool // no error reported yet

	// extraDeps are instances named by strings (type = "gold"), which no
	// traversal reveals.
	extraDeps []string

	// sensitive names the arguments whose values derive from sensitive
	// variables; the views hide them.
	sensitive map[string]bool
}

// sensitiveMark marks values that come from sensitive variables. Marks
// travel through expressions and functions, so any value built from a
// secret is known to be one.
const sensitiveMark = "sensitive"

// sensitiveNames lists the sensitive arguments, sorted.
func (a *attrEval) sensitiveNames() []string {
	var out []string
	for name := range a.sensitive {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// sub reads a nested block's body in the same context.
func (a *attrEval) sub(body *hclsyntax.Body) *attrEval {
	return &attrEval{l: a.l, body: body, ctx: a.ctx, ok: true}
}

func (a *attrEval) fail(rng hcl.Range, summary, detail string) {
	a.l.diags = append(a.l.diags, newDiag(rng, summary, detail))
	a.ok = false
}

// value evaluates the named argument. ok is false when it is absent, null,
// or its evaluation failed (then reported).
func (a *attrEval) value(name string) (v cty.Value, attr *hclsyntax.Attribute, ok bool) {
	attr = a.body.Attributes[name]
	if attr == nil {
		return cty.NilVal, nil, false
	}
	v, d := attr.Expr.Value(a.ctx)
	if d.HasErrors() {
		a.l.diags = append(a.l.diags, d...)
		a.ok = false
		return cty.NilVal, attr, false
	}
	if v.ContainsMarked() {
		// Decoding needs plain values; the mark is kept as a flag on the
		// argument instead.
		if a.sensitive == nil {
			a.sensitive = map[string]bool{}
		}
		a.sensitive[name] = true
		v, _ = v.UnmarkDeep()
	}
	return v, attr, !v.IsNull()
}

// known reports a value that will only exist after apply: the typed model
// needs concrete values.
func (a *attrEval) known(v cty.Value, attr *hclsyntax.Attribute) bool {
	if v.IsWhollyKnown() {
		return true
	}
	a.fail(attr.Expr.Range(), "Value not known when loading", fmt.Sprintf(
		"The value of %s depends on something known only after apply, such as an id, but slab needs it when it reads the configuration. Build it from literals, variables, locals and the configured arguments of other blocks instead.",
		attr.Name))
	return false
}

func (a *attrEval) typeError(attr *hclsyntax.Attribute, err error, hint string) {
	a.fail(attr.Expr.Range(), "Incorrect attribute value type",
		fmt.Sprintf("Inappropriate value for attribute %q: %s. %s", attr.Name, convertMessage(err), hint))
}

// str reads a string argument, or def when it is not set.
func (a *attrEval) str(name, def string) string {
	v, attr, ok := a.value(name)
	if !ok || !a.known(v, attr) {
		return def
	}
	sv, err := convert.Convert(v, cty.String)
	if err != nil {
		a.typeError(attr, err, fmt.Sprintf("Set %s to a string, for example %s = \"...\".", name, name))
		return def
	}
	return sv.AsString()
}

// boolean reads a bool argument, false when not set.
func (a *attrEval) boolean(name string) bool {
	v, attr, ok := a.value(name)
	if !ok || !a.known(v, attr) {
		return false
	}
	bv, err := convert.Convert(v, cty.Bool)
	if err != nil {
		a.typeError(attr, err, fmt.Sprintf("Set %s to true or false.", name))
		return false
	}
	return bv.True()
}

// wholeRule describes an integer argument for its messages.
type wholeRule struct {
	lo, hi  int64
	summary string // "Invalid size"
	rule    string // "a whole number of GiB, at least 1"
	example string // "size = 20"
}

// whole reads an integer argument within the rule's bounds.
func (a *attrEval) whole(name string, r wholeRule) (int64, bool) {
	v, attr, ok := a.value(name)
	if !ok {
		if attr != nil && v != cty.NilVal { // set to null
			a.fail(attr.Expr.Range(), r.summary, fmt.Sprintf("%s must not be null: it must be %s, for example %s.", name, r.rule, r.example))
		}
		return 0, false
	}
	if !a.known(v, attr) {
		return 0, false
	}
	nv, err := convert.Convert(v, cty.Number)
	if err != nil {
		a.typeError(attr, err, fmt.Sprintf("%s must be %s, for example %s.", name, r.rule, r.example))
		return 0, false
	}
	bf := nv.AsBigFloat()
	i, acc := bf.Int64()
	if !bf.IsInt() || acc != big.Exact || i < r.lo || i > r.hi {
		a.fail(attr.Expr.Range(), r.summary, fmt.Sprintf("%s must be %s; got %s. For example %s.", name, r.rule, bf.Text('f', -1), r.example))
		return 0, false
	}
	return i, true
}

// boolStyle says how a bool renders in a map of strings.
type boolStyle int

const (
	boolLower  boolStyle = iota // "true", as HCL converts
	boolPython                  // "True", as Cinder stores extra specs
	boolReject                  // not allowed
)

// stringMap reads a map of scalars into strings: numbers without an
// exponent ("1000"), bools per style. It returns a non-nil map.
func (a *attrEval) stringMap(name string, bools boolStyle) map[string]string {
	out := map[string]string{}
	v, attr, ok := a.value(name)
	if !ok || !a.known(v, attr) {
		return out
	}
	ty := v.Type()
	if !ty.IsMapType() && !ty.IsObjectType() {
		a.fail(attr.Expr.Range(), "Incorrect attribute value type", fmt.Sprintf(
			"Inappropriate value for attribute %q: a map is required, got %s. Write it as %s = { key = \"value\" }.", name, ty.FriendlyName(), name))
		return out
	}
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		key := k.AsString()
		s, ok := scalarString(ev, bools)
		if !ok {
			kinds := "a string, a number or a bool"
			if bools == boolReject {
				kinds = "a string or a number"
			}
			rng := attr.Expr.Range()
			if r, ok := objectItemRange(attr.Expr, key); ok {
				rng = r
			}
			a.fail(rng, "Incorrect attribute value type", fmt.Sprintf(
				"Inappropriate value for %s[%q]: it must be %s, not %s. Write the value as %s.", name, key, kinds, friendly(ev), kinds))
			continue
		}
		out[key] = s
	}
	return out
}

func scalarString(v cty.Value, bools boolStyle) (string, bool) {
	if v.IsNull() {
		return "", false
	}
	switch v.Type() {
	case cty.String:
		return v.AsString(), true
	case cty.Number:
		return numberString(v), true
	case cty.Bool:
		switch bools {
		case boolPython:
			if v.True() {
				return "True", true
			}
			return "False", true
		case boolLower:
			return fmt.Sprint(v.True()), true
		}
	}
	return "", false
}

// numberString renders a number the way a person writes it: no exponent,
// no trailing zeros.
func numberString(v cty.Value) string {
	return v.AsBigFloat().Text('f', -1)
}

func friendly(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	return v.Type().FriendlyName()
}

// convertMessage turns a convert error into the tail of a sentence.
func convertMessage(err error) string {
	if pe, ok := err.(cty.PathError); ok && len(pe.Path) > 0 {
		return fmt.Sprintf("%s: %s", pathString(pe.Path), pe.Error())
	}
	return err.Error()
}

func pathString(p cty.Path) string {
	s := ""
	for _, step := range p {
		switch st := step.(type) {
		case cty.GetAttrStep:
			s += "." + st.Name
		case cty.IndexStep:
			if st.Key.Type() == cty.String {
				s += fmt.Sprintf("[%q]", st.Key.AsString())
			} else if st.Key.Type() == cty.Number {
				s += "[" + numberString(st.Key) + "]"
			}
		}
	}
	if s != "" && s[0] == '.' {
		s = s[1:]
	}
	return "element " + s
}

// objectItemRange finds the value range of key in an object constructor
// expression such as { snapshot = snapshot.x }.
func objectItemRange(expr hcl.Expression, key string) (hcl.Range, bool) {
	oc, ok := expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return hcl.Range{}, false
	}
	for _, item := range oc.Items {
		if objectKey(item.KeyExpr) == key {
			return item.ValueExpr.Range(), true
		}
	}
	return hcl.Range{}, false
}

// objectKey is the literal key of an object constructor item, or "".
func objectKey(e hcl.Expression) string {
	if kw := hcl.ExprAsKeyword(e); kw != "" {
		return kw
	}
	v, d := e.Value(nil)
	if d.HasErrors() || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// toGo converts a cty value to plain Go: string, bool, int64 for whole
// numbers and float64 otherwise, []any and map[string]any.
func toGo(v cty.Value) (any, error) {
	if v.IsNull() {
		return nil, nil
	}
	if !v.IsKnown() {
		return nil, fmt.Errorf("value is not known yet")
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString(), nil
	case ty == cty.Bool:
		return v.True(), nil
	case ty == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInt() {
			if i, acc := bf.Int64(); acc == big.Exact {
				return i, nil
			}
		}
		f, _ := bf.Float64()
		return f, nil
	case ty.IsListType() || ty.IsTupleType() || ty.IsSetType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			g, err := toGo(ev)
			if err != nil {
				return nil, err
			}
			out = append(out, g)
		}
		return out, nil
	case ty.IsMapType() || ty.IsObjectType():
		out := make(map[string]any, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			g, err := toGo(ev)
			if err != nil {
				return nil, err
			}
			out[k.AsString()] = g
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s values cannot be used here", ty.FriendlyName())
}

// stringMapVal is the context value of a map of strings.
func stringMapVal(m map[string]string) cty.Value {
	if len(m) == 0 {
		return cty.MapValEmpty(cty.String)
	}
	vals := make(map[string]cty.Value, len(m))
	for k, v := range m {
		vals[k] = cty.StringVal(v)
	}
	return cty.MapVal(vals)
}
