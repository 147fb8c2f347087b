package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// outputScope is what EvalOutputs needs from a Load: the variables, and
// the locals and outputs in evaluation order with the blocks they reach.
type outputScope struct {
	varObj cty.Value
	order  []*node
}

func (l *loader) outputScope() *outputScope {
	s := &outputScope{varObj: l.varObj}
	for _, n := range l.order {
		if n.typ == nodeLocal || n.typ == nodeOutput {
			s.order = append(s.order, n)
		}
	}
	return s
}

// EvalOutputs evaluates every output. known maps an instance address
// (`volume.db["a"]`) to attributes known only after planning or applying
// (id, pool, status, size, ...); they are merged over the instance's
// configured attributes, and apply-time attributes not given stay unknown.
// Locals are evaluated again, since they may read those attributes. It
// does not modify c and may be called many times.
func (c *Config) EvalOutputs(known map[string]map[string]cty.Value) (map[string]cty.Value, hcl.Diagnostics) {
	s := c.outputCtx
	if s == nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Outputs unavailable",
			Detail:   "Outputs can only be evaluated for a configuration that loaded without errors. Fix the errors reported when loading it first.",
		}}
	}
	run := &outputRun{known: known, locals: map[*node]cty.Value{}, blocks: map[*node]cty.Value{}}
	out := map[string]cty.Value{}
	var diags hcl.Diagnostics
	for _, n := range s.order {
		ctx := buildContext(s.varObj, n, run)
		switch n.typ {
		case nodeLocal:
			v, d := n.expr.Value(ctx)
			diags = append(diags, d...)
			if d.HasErrors() {
				v = cty.DynamicVal
			}
			run.locals[n] = v
		case nodeOutput:
			v, d := n.output.Expr.Value(ctx)
			diags = append(diags, d...)
			if d.HasErrors() {
				v = cty.DynamicVal
			}
			// Output.Sensitive says how to show it; load refused outputs
			// that carry secrets without it.
			out[n.name], _ = v.UnmarkDeep()
		}
	}
	return out, finishDiags(diags)
}

// outputRun is one EvalOutputs call's values.
type outputRun struct {
	known  map[string]map[string]cty.Value
	locals map[*node]cty.Value
	blocks map[*node]cty.Value // built on first use
}

func (r *outputRun) localValue(n *node) cty.Value { return r.locals[n] }

func (r *outputRun) blockValue(n *node) cty.Value {
	if v, ok := r.blocks[n]; ok {
		return v
	}
	// Built afresh for each call, so that calls do not share state.
	v := blockValue(n, func(in *instance) cty.Value {
		attrs := in.attributes()
		for name, val := range r.known[in.addr] {
			attrs[name] = val
		}
		return cty.ObjectVal(attrs)
	})
	r.blocks[n] = v
	return v
}
