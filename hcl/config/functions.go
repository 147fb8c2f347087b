package config

import (
	"errors"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// functions is the table a Terraform user expects, built once: the
// go-cty standard library under Terraform's names, plus length and replace
// with Terraform's behaviour. All are pure, so evaluation is repeatable.
var functions = sync.OnceValue(func() map[string]function.Function {
	return map[string]function.Function{
		// numeric
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc,
		"log": stdlib.LogFunc, "max": stdlib.MaxFunc, "min": stdlib.MinFunc,
		"pow": stdlib.PowFunc, "signum": stdlib.SignumFunc, "parseint": stdlib.ParseIntFunc,
		// string
		"chomp": stdlib.ChompFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
		"indent": stdlib.IndentFunc, "join": stdlib.JoinFunc, "lower": stdlib.LowerFunc,
		"upper": stdlib.UpperFunc, "regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc,
		"replace": replaceFunc, "split": stdlib.SplitFunc, "strrev": stdlib.ReverseFunc,
		"substr": stdlib.SubstrFunc, "title": stdlib.TitleFunc, "trim": stdlib.TrimFunc,
		"trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc,
		"trimspace": stdlib.TrimSpaceFunc,
		// collection
		"chunklist": stdlib.ChunklistFunc, "coalesce": coalesceFunc,
		"coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
		"concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc,
		"element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc, "keys": stdlib.KeysFunc,
		"length": lengthFunc, "lookup": stdlib.LookupFunc, "merge": stdlib.MergeFunc,
		"range": stdlib.RangeFunc, "reverse": stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc, "setproduct": stdlib.SetProductFunc,
		"setsubtract": stdlib.SetSubtractFunc, "setunion": stdlib.SetUnionFunc,
		"slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "values": stdlib.ValuesFunc,
		"zipmap": stdlib.ZipmapFunc,
		// encoding
		"jsonencode": stdlib.JSONEncodeFunc, "jsondecode": stdlib.JSONDecodeFunc,
		"csvdecode": stdlib.CSVDecodeFunc,
		// date (pure: no timestamp())
		"formatdate": stdlib.FormatDateFunc, "timeadd": stdlib.TimeAddFunc,
		// conversion
		"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tobool": stdlib.MakeToFunc(cty.Bool), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tolist": uniformTupleTo(cty.List, cty.ListVal, stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType))),
		"toset":  uniformTupleTo(cty.Set, cty.SetVal, stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType))),
		"try":    tryfunc.TryFunc, "can": tryfunc.CanFunc,
	}
})

// constContext evaluates constants: functions, no variables.
func constContext() *hcl.EvalContext {
	return &hcl.EvalContext{Functions: functions()}
}

// lengthFunc is Terraform's length: strings (in characters), collections,
// and objects (in attributes), where stdlib's takes collections only.
var lengthFunc = function.New(&function.Spec{
	Description: "Returns the number of characters in a string or of elements in a collection.",
	Params: []function.Parameter{{
		Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true,
	}},
	Type: function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		ty := v.Type()
		switch {
		case ty == cty.String:
			return stdlib.StrlenFunc.Call(args)
		case ty.IsObjectType():
			return cty.NumberIntVal(int64(len(ty.AttributeTypes()))), nil
		case !v.IsKnown():
			return cty.UnknownVal(cty.Number), nil
		}
		return stdlib.LengthFunc.Call(args)
	},
})

// coalesceFunc is Terraform's coalesce: the first argument that is neither
// null nor an empty string (stdlib skips nulls only).
var coalesceFunc = function.New(&function.Spec{
	Description: "Returns the first of its arguments that is not null or an empty string.",
	VarParam: &function.Parameter{
		Name: "vals", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowDynamicType: true, AllowNull: true,
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		return stdlib.CoalesceFunc.ReturnTypeForValues(args)
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		for _, v := range args {
			v, err := convert.Convert(v, retType)
			if err != nil {
				return cty.NilVal, err
			}
			switch {
			case !v.IsKnown():
				return cty.UnknownVal(retType), nil
			case v.IsNull(), retType == cty.String && v.RawEquals(cty.StringVal("")):
				continue
			}
			return v, nil
		}
		return cty.NilVal, errors.New("no non-null, non-empty-string arguments")
	},
})

// replaceFunc is Terraform's replace: a search string wrapped in slashes is
// a regular expression.
var replaceFunc = function.New(&function.Spec{
	Description: "Replaces each occurrence of substring (or of /regex/) in string.",
	Params: []function.Parameter{
		{Name: "str", Type: cty.String},
		{Name: "substr", Type: cty.String},
		{Name: "replace", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		sub := args[1].AsString()
		if len(sub) > 1 && strings.HasPrefix(sub, "/") && strings.HasSuffix(sub, "/") {
			return stdlib.RegexReplaceFunc.Call([]cty.Value{args[0], cty.StringVal(sub[1 : len(sub)-1]), args[2]})
		}
		return stdlib.ReplaceFunc.Call(args)
	},
})

// uniformTupleTo wraps tolist/toset with a fast path for a tuple whose
// elements all have one primitive type, such as toset(["a", "b", ...]):
// cty's general conversion unifies element types pairwise, which takes
// seconds for ten thousand elements. Everything else goes to slow.
func uniformTupleTo(coll func(cty.Type) cty.Type, mk func([]cty.Value) cty.Value, slow function.Function) function.Function {
	return function.New(&function.Spec{
		Description: slow.Description(),
		Params: []function.Parameter{{
			Name: "v", Type: cty.DynamicPseudoType,
			AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true,
		}},
		Type: func(args []cty.Value) (cty.Type, error) {
			if et, ok := uniformTuple(args[0]); ok {
				return coll(et), nil
			}
			return slow.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if _, ok := uniformTuple(args[0]); ok {
				return mk(args[0].AsValueSlice()), nil
			}
			return slow.Call(args)
		},
	})
}

// uniformTuple reports the shared element type of a known, non-empty tuple
// without marks, nulls or unknowns whose elements share a primitive type.
func uniformTuple(v cty.Value) (cty.Type, bool) {
	ty := v.Type()
	if !ty.IsTupleType() || v.IsMarked() || !v.IsWhollyKnown() || v.IsNull() {
		return cty.NilType, false
	}
	ets := ty.TupleElementTypes()
	if len(ets) == 0 || !ets[0].IsPrimitiveType() {
		return cty.NilType, false
	}
	for _, et := range ets[1:] {
		if et != ets[0] {
			return cty.NilType, false
		}
	}
	for it := v.ElementIterator(); it.Next(); {
		if _, ev := it.Element(); ev.IsNull() {
			return cty.NilType, false
		}
	}
	return ets[0], true
}
