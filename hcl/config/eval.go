package config

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// instance is one expanded block instance.
type instance struct {
	node   *node
	key    cty.Value
	addr   string
	typed  any     // *Volume, *Snapshot, ...
	common *Common // inside typed
	// mkAttrs builds the configured attributes of its object in the
	// context. Objects are built only for blocks something references.
	mkAttrs func() map[string]cty.Value
}

// attributes is the instance's object in the context, as a map.
func (in *instance) attributes() map[string]cty.Value {
	attrs := in.mkAttrs()
	attrs["address"] = cty.StringVal(in.addr)
	attrs["name"] = cty.StringVal(in.node.name)
	for _, name := range in.common.Sensitive {
		if v, ok := attrs[name]; ok {
			attrs[name] = v.Mark(sensitiveMark)
		}
	}
	return attrs
}

// valueSource supplies the values of locals and blocks that a context is
// built from: the loaded ones, or those with apply-time attributes merged
// in (see EvalOutputs).
type valueSource interface {
	localValue(*node) cty.Value
	blockValue(*node) cty.Value
}

type loadValues struct{}

func (loadValues) localValue(n *node) cty.Value { return n.value }

// blockValue builds a block's value on first use and keeps it: most blocks
// are never referenced, and the others are never rebuilt.
func (loadValues) blockValue(n *node) cty.Value {
	if n.blockVal == cty.NilVal {
		n.blockVal = blockValue(n, func(in *instance) cty.Value { return cty.ObjectVal(in.attributes()) })
	}
	return n.blockVal
}

// context returns n's evaluation context at load. Nodes with the same
// references share one: a thousand volumes of one type build it once.
func (l *loader) context(n *node) *hcl.EvalContext {
	key := make([]byte, 0, 64)
	for _, d := range n.refDeps {
		key = append(append(key, d.id...), 0)
	}
	if ctx, ok := l.ctxCache[string(key)]; ok {
		return ctx
	}
	ctx := buildContext(l.varObj, n, loadValues{})
	l.ctxCache[string(key)] = ctx
	return ctx
}

// buildContext makes n's evaluation context. It holds every variable but
// only the locals and blocks n references, so its cost is proportional to
// n's references rather than to the size of the configuration: a kind's
// object is never rebuilt as a whole.
func buildContext(varObj cty.Value, n *node, vs valueSource) *hcl.EvalContext {
	vars := map[string]cty.Value{"var": varObj}
	var locals map[string]cty.Value
	var kinds map[string]map[string]cty.Value
	for _, d := range n.refDeps {
		switch d.typ {
		case nodeLocal:
			if locals == nil {
				locals = map[string]cty.Value{}
			}
			locals[d.name] = vs.localValue(d)
		case nodeBlock:
			if kinds == nil {
				kinds = map[string]map[string]cty.Value{}
			}
			m := kinds[d.kind]
			if m == nil {
				m = map[string]cty.Value{}
				kinds[d.kind] = m
			}
			m[d.name] = vs.blockValue(d)
		}
	}
	if locals != nil {
		vars["local"] = cty.ObjectVal(locals)
	}
	for k, m := range kinds {
		vars[k] = cty.ObjectVal(m)
	}
	return &hcl.EvalContext{Variables: vars, Functions: functions()}
}

// blockValue is a block's value in a context: the instance object, or a
// tuple (count) or object keyed like the map (for_each) of them.
func blockValue(n *node, inst func(*instance) cty.Value) cty.Value {
	switch n.mode {
	case modeCount:
		if len(n.instances) == 0 {
			return cty.EmptyTupleVal
		}
		vals := make([]cty.Value, len(n.instances))
		for i, in := range n.instances {
			vals[i] = inst(in)
		}
		return cty.TupleVal(vals)
	case modeForEach:
		if len(n.instances) == 0 {
			return cty.EmptyObjectVal
		}
		vals := make(map[string]cty.Value, len(n.instances))
		for _, in := range n.instances {
			vals[in.key.AsString()] = inst(in)
		}
		return cty.ObjectVal(vals)
	}
	if len(n.instances) == 1 {
		return inst(n.instances[0])
	}
	return cty.DynamicVal
}

// evalNode evaluates one node whose dependencies are done. A node whose
// dependency failed is skipped without a message: the cause was already
// reported.
func (l *loader) evalNode(n *node) {
	for _, d := range n.deps {
		if d.failed {
			n.failed = true
		}
	}
	if n.failed {
		return
	}
	switch n.typ {
	case nodeLocal:
		l.evalLocal(n)
	case nodeBlock:
		l.evalBlock(n)
	case nodeOutput:
		l.evalOutput(n)
	}
}

func (l *loader) evalLocal(n *node) {
	ctx := l.context(n)
	v, d := n.expr.Value(ctx)
	l.diags = append(l.diags, d...)
	if d.HasErrors() {
		n.failed = true
		return
	}
	n.value = v
	n.reach = map[string]struct{}{}
	for _, r := range n.refs {
		if r.target.typ == nodeLocal {
			for a := range r.target.reach {
				n.reach[a] = struct{}{}
			}
			continue
		}
		l.addInstances(n.reach, r, ctx)
	}
}

func (l *loader) evalOutput(n *node) {
	ctx := l.context(n)
	ev := &attrEval{l: l, body: n.block.Body, ctx: ctx, ok: true}
	out := &Output{
		Name:        n.name,
		Description: ev.str("description", ""),
		Sensitive:   ev.boolean("sensitive"),
		Expr:        n.block.Body.Attributes["value"].Expr,
		DeclRange:   n.rng,
	}
	// Evaluated now with apply-time attributes unknown, to report errors
	// early; EvalOutputs computes the real value.
	v, d := out.Expr.Value(ctx)
	l.diags = append(l.diags, d...)
	if !d.HasErrors() && v.ContainsMarked() && !out.Sensitive {
		rng := out.Expr.Range()
		l.diags = append(l.diags, newDiag(rng, "Output refers to sensitive values",
			fmt.Sprintf("The value of output %q is derived from a sensitive variable, and outputs are printed after every apply. Add sensitive = true to the output block to hide it (slab output %s still shows it on request).", out.Name, out.Name)))
		n.failed = true
	}
	if d.HasErrors() || !ev.ok {
		n.failed = true
	}
	n.output = out
}

type instKey struct{ key, each cty.Value }

func (l *loader) evalBlock(n *node) {
	ctx := l.context(n)
	keys, ok := l.expand(n, ctx)
	if !ok || !l.checkDependsOn(n) {
		n.failed = true
		return
	}
	ranges := attrRanges(n)
	static, perInstance := l.staticDeps(n)
	n.instances = make([]*instance, 0, len(keys))
	for _, k := range keys {
		inst := &instance{node: n, key: k.key, addr: instanceAddr(n.id, k.key)}
		ictx := ctx
		switch n.mode {
		case modeCount:
			ictx = ctx.NewChild()
			ictx.Variables = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": k.key})}
		case modeForEach:
			ictx = ctx.NewChild()
			ictx.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k.key, "value": k.each})}
		}
		ev := &attrEval{l: l, body: n.block.Body, ctx: ictx, ok: true}
		base := Common{
			Address: inst.addr, Kind: n.kind, Name: n.name, Key: k.key,
			DeclRange: n.rng, AttrRanges: ranges,
		}
		switch n.kind {
		case "backend":
			l.decodeBackend(ev, inst, base)
		case "qos":
			l.decodeQoS(ev, inst, base)
		case "volume_type":
			l.decodeVolumeType(ev, inst, base)
		case "volume":
			l.decodeVolume(ev, inst, n, base)
		case "snapshot":
			l.decodeSnapshot(ev, inst, n, base)
		case "backup_repository":
			l.decodeBackupRepository(ev, inst, base)
		case "backup":
			l.decodeBackup(ev, inst, base)
		case "backup_policy":
			l.decodeBackupPolicy(ev, inst, base)
		}
		if !ev.ok {
			n.failed = true
			continue
		}
		inst.common.Sensitive = ev.sensitiveNames()
		inst.common.DependsOn = static
		if perInstance || len(ev.extraDeps) > 0 || n.mode == modeForEach {
			inst.common.DependsOn = l.instanceDeps(n, static, ev.extraDeps, k.each, ictx)
		}
		n.instances = append(n.instances, inst)
		if l.pending != nil {
			*l.pending = append(*l.pending, inst) // registered after the level
		} else {
			l.instances[inst.addr] = inst
		}
	}
}

// expand evaluates count or for_each into instance keys, sorted.
func (l *loader) expand(n *node, ctx *hcl.EvalContext) ([]instKey, bool) {
	if n.mode == modeSingle {
		return []instKey{{key: cty.NilVal}}, true
	}
	name := "count"
	if n.mode == modeForEach {
		name = "for_each"
	}
	attr := n.block.Body.Attributes[name]
	rng := attr.Expr.Range()
	v, d := attr.Expr.Value(ctx)
	l.diags = append(l.diags, d...)
	if d.HasErrors() {
		return nil, false
	}
	summary := fmt.Sprintf("Invalid %s argument", name)
	fail := func(detail string) ([]instKey, bool) {
		l.diags = append(l.diags, newDiag(rng, summary, detail))
		return nil, false
	}
	if v.IsNull() {
		return fail(fmt.Sprintf("%s must not be null. Remove %s to declare a single instance.", name, name))
	}
	if v.ContainsMarked() {
		return fail(fmt.Sprintf("The %s value is derived from a sensitive variable, and instance keys are shown in every plan, address and log. Use values that are not secret for %s.", name, name))
	}
	unknown := fmt.Sprintf("The %s value depends on something known only after apply, such as an id, but slab must know the instances when it reads the configuration. Compute %s from literals, variables and locals only.", name, name)
	if !v.IsKnown() {
		return fail(unknown)
	}
	if n.mode == modeCount {
		nv, err := convert.Convert(v, cty.Number)
		if err != nil {
			return fail(fmt.Sprintf("count must be a whole number, for example count = 3; %s.", err))
		}
		bf := nv.AsBigFloat()
		c, acc := bf.Int64()
		if !bf.IsInt() || bf.Sign() < 0 || acc != big.Exact {
			return fail(fmt.Sprintf("count must be a whole number of 0 or more, for example count = 3; got %s.", bf.Text('f', -1)))
		}
		keys := make([]instKey, c)
		for i := range keys {
			keys[i].key = cty.NumberIntVal(int64(i))
		}
		return keys, true
	}
	ty := v.Type()
	switch {
	case ty.IsMapType() || ty.IsObjectType():
		keys := make([]instKey, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			keys = append(keys, instKey{key: k, each: ev})
		}
		return keys, true
	case ty.IsSetType():
		if et := ty.ElementType(); et != cty.String && et != cty.DynamicPseudoType {
			return fail(fmt.Sprintf("for_each over a set needs a set of strings, and this is a set of %s. Convert the elements, for example toset([for x in ... : tostring(x)]).", et.FriendlyName()))
		}
		// Iterating a cty set sorts it, slowly: do it once, and check
		// elements on the way rather than with IsWhollyKnown.
		keys := make([]instKey, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			switch {
			case !ev.IsKnown():
				return fail(unknown)
			case ev.IsNull():
				return fail("for_each sets must not contain null. Remove the null element.")
			}
			if et := ev.Type(); et != cty.String {
				return fail(fmt.Sprintf("for_each over a set needs a set of strings, and this set holds a %s. Convert the elements, for example toset([for x in ... : tostring(x)]).", et.FriendlyName()))
			}
			keys = append(keys, instKey{key: ev, each: ev})
		}
		sort.SliceStable(keys, func(i, j int) bool { return keys[i].key.AsString() < keys[j].key.AsString() })
		return keys, true
	case ty.IsListType() || ty.IsTupleType():
		return fail("for_each takes a map or a set of strings, and this is a list: a list's order would decide the instance keys. Convert it with toset(...), for example for_each = toset([\"a\", \"b\"]).")
	}
	return fail(fmt.Sprintf("for_each takes a map or a set of strings, not a %s. For example for_each = toset([\"a\", \"b\"]) or for_each = { a = 10, b = 20 }.", ty.FriendlyName()))
}

// instanceAddr renders `volume.db`, `volume.db[0]` or `volume.db["a"]`.
func instanceAddr(block string, key cty.Value) string {
	switch {
	case key == cty.NilVal:
		return block
	case key.Type() == cty.Number:
		return block + "[" + key.AsBigFloat().Text('f', -1) + "]"
	}
	return block + "[" + strconv.Quote(key.AsString()) + "]"
}

// normalizeKey converts an index value to the key type of target's
// instances; false when it cannot name one.
func normalizeKey(target *node, key cty.Value) (cty.Value, bool) {
	if key.IsNull() || !key.IsKnown() {
		return cty.NilVal, false
	}
	want := cty.String
	switch target.mode {
	case modeSingle:
		return cty.NilVal, false
	case modeCount:
		want = cty.Number
	}
	k, err := convert.Convert(key, want)
	if err != nil {
		return cty.NilVal, false
	}
	if want == cty.Number {
		bf := k.AsBigFloat()
		i, acc := bf.Int64()
		if !bf.IsInt() || acc != big.Exact {
			return cty.NilVal, false
		}
		k = cty.NumberIntVal(i)
	}
	return k, true
}

// addInstances adds to set the instances a reference reaches: one when its
// key is known, else all of the target's.
func (l *loader) addInstances(set map[string]struct{}, r *reference, ctx *hcl.EvalContext) {
	key := r.key
	if r.keyExpr != nil && ctx != nil {
		if v, d := r.keyExpr.Value(ctx); !d.HasErrors() {
			key = v
		}
	}
	if key != cty.NilVal {
		if k, ok := normalizeKey(r.target, key); ok {
			if addr := instanceAddr(r.target.id, k); l.instances[addr] != nil {
				set[addr] = struct{}{}
				return
			}
		}
	}
	for _, in := range r.target.instances {
		set[in.addr] = struct{}{}
	}
}

// staticDeps is the part of n's dependencies shared by all its instances;
// perInstance is true when some reference's key depends on the instance.
func (l *loader) staticDeps(n *node) (deps []string, perInstance bool) {
	if len(n.dependsOn) == 0 && len(n.refs) == 1 && n.refs[0].target.typ == nodeBlock &&
		n.refs[0].target.mode == modeSingle && n.refs[0].keyExpr == nil && !n.refs[0].expansion {
		// The most common case, volume.type = volume_type.gold: no map.
		return []string{n.refs[0].target.id}, false
	}
	set := map[string]struct{}{}
	for _, r := range n.refs {
		switch {
		case r.expansion:
			// see instanceDeps
		case r.target.typ == nodeLocal:
			for a := range r.target.reach {
				set[a] = struct{}{}
			}
		case r.keyExpr != nil:
			perInstance = true
		default:
			l.addInstances(set, r, nil)
		}
	}
	for _, r := range n.dependsOn {
		l.addInstances(set, r, nil)
	}
	return sortedSet(set), perInstance
}

// instanceDeps adds to the static part what only this instance reaches:
// keyed references, instances named by strings, and those in each.value.
func (l *loader) instanceDeps(n *node, static, extra []string, each cty.Value, ctx *hcl.EvalContext) []string {
	set := make(map[string]struct{}, len(static)+len(extra))
	for _, a := range static {
		set[a] = struct{}{}
	}
	for _, a := range extra {
		set[a] = struct{}{}
	}
	for _, r := range n.refs {
		if r.keyExpr != nil && !r.expansion {
			l.addInstances(set, r, ctx)
		}
	}
	if each != cty.NilVal {
		l.instancesIn(each, set, 0)
	}
	if len(set) == len(static) {
		return static
	}
	return sortedSet(set)
}

// instancesIn adds the instance objects found in v (for_each over
// volume.db gives each instance one of them as each.value).
func (l *loader) instancesIn(v cty.Value, set map[string]struct{}, depth int) {
	if depth > 8 || v.IsNull() || !v.IsKnown() {
		return
	}
	if addr, ok := instanceAddress(v); ok && l.instances[addr] != nil {
		set[addr] = struct{}{}
		return
	}
	ty := v.Type()
	if ty.IsObjectType() || ty.IsMapType() || ty.IsTupleType() || ty.IsListType() || ty.IsSetType() {
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			l.instancesIn(ev, set, depth+1)
		}
	}
}

func sortedSet(set map[string]struct{}) []string {
	out := make([]string, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Strings(out)
	return out[:len(out):len(out)] // shared between instances: appends must copy
}

// attrRanges records where each argument of n was set, including nested
// ones as "source.snapshot" and "lifecycle.prevent_destroy".
func attrRanges(n *node) map[string]hcl.Range {
	body := n.block.Body
	out := make(map[string]hcl.Range, len(body.Attributes))
	for name, a := range body.Attributes {
		out[name] = a.Expr.Range()
	}
	if a := body.Attributes["source"]; a != nil {
		for _, key := range []string{"snapshot", "volume", "backup"} {
			if r, ok := objectItemRange(a.Expr, key); ok {
				out["source."+key] = r
			}
		}
	}
	for _, b := range body.Blocks {
		if b.Type != "lifecycle" {
			continue
		}
		for name, a := range b.Body.Attributes {
			out["lifecycle."+name] = a.Expr.Range()
		}
	}
	return out
}
