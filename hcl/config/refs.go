package config

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// reference reads an argument that must evaluate to one instance of kind
// want and returns that instance's address. With byLabel, a string naming
// a declared single-instance block is accepted too (type = "gold").
func (a *attrEval) reference(name, want string, byLabel bool) string {
	v, attr, ok := a.value(name)
	delete(a.sensitive, name) // a reference is an address, never a secret
	if !ok {
		return ""
	}
	if byLabel && v.Type() == cty.String && v.IsKnown() {
		return a.referenceByLabel(v.AsString(), name, want, attr.Expr.Range())
	}
	return a.referenceValue(v, name, want, attr.Expr.Range())
}

func (a *attrEval) referenceByLabel(label, name, want string, rng hcl.Range) string {
	n := a.l.blocks[want+"."+label]
	if n == nil {
		var names []string
		for _, b := range a.l.byKind[want] {
			names = append(names, b.name)
		}
		a.fail(rng, "Invalid reference", fmt.Sprintf(
			"%s = %q names no %s block.%s Declare %s %q { ... }, or refer to a declared one, for example %s = %s.%s.",
			name, label, want, didYouMean(label, names), want, label, name, want, a.l.exampleName(want)))
		return ""
	}
	if n.failed {
		a.ok = false // reported at the block
		return ""
	}
	if n.mode != modeSingle {
		a.fail(rng, "Missing instance key", fmt.Sprintf(
			"%s %q uses %s, so its name alone does not pick one instance. Refer to one with an index, for example %s = %s.",
			want, label, modeArg(n.mode), name, exampleInstance(n)))
		return ""
	}
	a.extraDeps = append(a.extraDeps, n.id)
	return n.id
}

// referenceValue checks that v is an instance object of kind want.
func (a *attrEval) referenceValue(v cty.Value, name, want string, rng hcl.Range) string {
	wrong := fmt.Sprintf("%s must refer to a %s block, for example %s = %s.%s.", name, want, name, want, a.l.exampleName(want))
	if !v.IsKnown() {
		a.fail(rng, "Invalid reference", fmt.Sprintf("%s must refer to a %s block itself, as in %s = %s.%s, not to an attribute known only after apply such as its id.", name, want, name, want, a.l.exampleName(want)))
		return ""
	}
	addr, isInst := instanceAddress(v)
	if !isInst {
		if inst := a.firstInstanceOf(v); inst != nil {
			n := inst.node
			if n.kind == want {
				a.fail(rng, "Missing instance key", fmt.Sprintf(
					"%s refers to %s, which uses %s and so is a collection of instances. Pick one with an index, for example %s = %s.",
					name, n.id, modeArg(n.mode), name, exampleInstance(n)))
				return ""
			}
		}
		a.fail(rng, "Invalid reference", wrong)
		return ""
	}
	inst := a.l.instances[addr]
	if inst == nil || inst.node.kind != want {
		a.fail(rng, "Invalid reference", fmt.Sprintf("%s It refers to %s.", wrong, addr))
		return ""
	}
	return addr
}

// instanceAddress returns the address of an instance object.
func instanceAddress(v cty.Value) (string, bool) {
	ty := v.Type()
	if !ty.IsObjectType() || !ty.HasAttribute("address") || ty.AttributeType("address") != cty.String {
		return "", false
	}
	av := v.GetAttr("address")
	if av.IsNull() || !av.IsKnown() {
		return "", false
	}
	return av.AsString(), true
}

// firstInstanceOf returns the first instance in a block's collection value
// (a count tuple or a for_each object), or nil.
func (a *attrEval) firstInstanceOf(v cty.Value) *instance {
	ty := v.Type()
	if v.IsNull() || !(ty.IsTupleType() || ty.IsObjectType() || ty.IsListType() || ty.IsMapType()) || v.LengthInt() == 0 {
		return nil
	}
	it := v.ElementIterator()
	it.Next()
	_, ev := it.Element()
	if addr, ok := instanceAddress(ev); ok {
		return a.l.instances[addr]
	}
	return nil
}

func modeArg(m instMode) string {
	if m == modeCount {
		return "count"
	}
	return "for_each"
}

// exampleInstance is the address of n's first instance, or a made-up one.
func exampleInstance(n *node) string {
	if len(n.instances) > 0 {
		return n.instances[0].addr
	}
	if n.mode == modeCount {
		return n.id + "[0]"
	}
	return n.id + `["key"]`
}

// source reads a volume's source = { snapshot = ... } | { volume = ... }.
func (a *attrEval) source() VolumeSource {
	v, attr, ok := a.value("source")
	delete(a.sensitive, "source")
	if !ok {
		return VolumeSource{}
	}
	rng := attr.Expr.Range()
	const shape = `source must be an object with exactly one of snapshot, volume or backup, for example source = { snapshot = snapshot.nightly } or source = { backup = backup.weekly }.`
	ty := v.Type()
	if !ty.IsObjectType() && !ty.IsMapType() {
		a.fail(rng, "Invalid source", shape+fmt.Sprintf(" This is a %s.", ty.FriendlyName()))
		return VolumeSource{}
	}
	if !v.IsKnown() || v.LengthInt() != 1 {
		a.fail(rng, "Invalid source", shape)
		return VolumeSource{}
	}
	it := v.ElementIterator()
	it.Next()
	k, ev := it.Element()
	kind := k.AsString()
	if r, ok := objectItemRange(attr.Expr, kind); ok {
		rng = r
	}
	switch kind {
	case "snapshot", "volume":
		addr := a.referenceValue(ev, "source."+kind, kind, rng)
		if addr == "" {
			return VolumeSource{}
		}
		return VolumeSource{Kind: kind, Address: addr}
	case "backup":
		return a.backupSource(ev, rng)
	default:
		a.fail(rng, "Invalid source", fmt.Sprintf("source has no kind %q.%s %s", kind, didYouMean(kind, []string{"snapshot", "volume", "backup"}), shape))
	}
	return VolumeSource{}
}

// dependsOnRefs reads depends_on = [volume.db, snapshot.x["a"]]: static
// references to blocks or instances, never evaluated.
func (l *loader) dependsOnRefs(n *node, a *hclsyntax.Attribute) {
	const hint = `depends_on must be a list of blocks or instances this one waits for, for example depends_on = [volume.db, snapshot.nightly["a"]].`
	exprs, d := hcl.ExprList(a.Expr)
	if d.HasErrors() {
		l.diags = append(l.diags, newDiag(a.Expr.Range(), "Invalid depends_on", hint))
		n.failed = true
		return
	}
	for _, e := range exprs {
		t, d := hcl.AbsTraversalForExpr(e)
		if d.HasErrors() {
			l.diags = append(l.diags, newDiag(e.Range(), "Invalid depends_on reference", hint))
			n.failed = true
			continue
		}
		root := t.RootName()
		_, isKind := resourceSchemas[root]
		_, isIndex := traversalStep(t, 2).(hcl.TraverseIndex)
		if !isKind || len(t) < 2 || len(t) > 3 || (len(t) == 3 && !isIndex) {
			l.diags = append(l.diags, newDiag(e.Range(), "Invalid depends_on reference",
				fmt.Sprintf("%s is not a block or an instance. %s", traversalText(t), hint)))
			n.failed = true
			continue
		}
		r, ok := l.resolveTraversal(n, t, scopeFlags{})
		if !ok {
			n.failed = true
			continue
		}
		n.dependsOn = append(n.dependsOn, r)
	}
}

func traversalStep(t hcl.Traversal, i int) hcl.Traverser {
	if i < len(t) {
		return t[i]
	}
	return nil
}

// traversalText renders a traversal as written, for messages.
func traversalText(t hcl.Traversal) string {
	var b strings.Builder
	for _, s := range t {
		switch s := s.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			if s.Key.Type() == cty.String {
				fmt.Fprintf(&b, "[%q]", s.Key.AsString())
			} else if s.Key.Type() == cty.Number {
				b.WriteString("[" + numberString(s.Key) + "]")
			}
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		}
	}
	return b.String()
}

// checkDependsOn verifies, once the targets are expanded, that every keyed
// depends_on entry names an existing instance.
func (l *loader) checkDependsOn(n *node) bool {
	ok := true
	for _, r := range n.dependsOn {
		if r.key == cty.NilVal {
			continue
		}
		k, good := normalizeKey(r.target, r.key)
		if good && l.instances[instanceAddr(r.target.id, k)] != nil {
			continue
		}
		keys := make([]string, 0, len(r.target.instances))
		for _, in := range r.target.instances {
			keys = append(keys, in.addr)
		}
		detail := fmt.Sprintf("%s has no such instance.", r.target.id)
		if r.target.mode == modeSingle {
			detail = fmt.Sprintf("%s has neither count nor for_each, so it takes no index: write depends_on = [%s].", r.target.id, r.target.id)
		} else if len(keys) > 0 {
			detail += fmt.Sprintf(" Its instances are %s.", strings.Join(keys, ", "))
		}
		l.diags = append(l.diags, newDiag(r.rng, "Invalid depends_on reference", detail))
		ok = false
	}
	return ok
}

// parseIgnoreChanges reads ignore_changes = [size, metadata] (or all):
// bare argument names, as in Terraform.
func (l *loader) parseIgnoreChanges(a *hclsyntax.Attribute, kind string) ([]string, bool) {
	valid := ignorableAttrs[kind]
	if hcl.ExprAsKeyword(a.Expr) == "all" {
		return append([]string(nil), valid...), true
	}
	hint := fmt.Sprintf("ignore_changes takes bare argument names of the %s block, for example ignore_changes = [%s], or all. %s",
		kind, strings.Join(valid[:2], ", "), validList("names", valid))
	exprs, d := hcl.ExprList(a.Expr)
	if d.HasErrors() {
		l.diags = append(l.diags, newDiag(a.Expr.Range(), "Invalid ignore_changes", hint))
		return nil, false
	}
	var out []string
	seen := map[string]bool{}
	ok := true
	for _, e := range exprs {
		name := hcl.ExprAsKeyword(e)
		if name == "" {
			l.diags = append(l.diags, newDiag(e.Range(), "Invalid ignore_changes entry", hint))
			ok = false
			continue
		}
		if !contains(valid, name) {
			l.diags = append(l.diags, newDiag(e.Range(), "Invalid ignore_changes entry",
				fmt.Sprintf("%q is not an argument of a %s block that can change.%s %s", name, kind, didYouMean(name, valid), hint)))
			ok = false
			continue
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out, ok
}

// trigger is one replace_triggered_by entry: an instance or block, and
// optionally one of its attributes.
type trigger struct {
	ref  *reference
	attr string
}

// parseReplaceTriggers reads replace_triggered_by = [volume.a, volume.db["x"].size]:
// static references, as depends_on, with an optional attribute.
func (l *loader) parseReplaceTriggers(n *node, a *hclsyntax.Attribute) bool {
	const hint = `replace_triggered_by lists blocks, instances or one attribute of them whose change replaces this object, for example replace_triggered_by = [volume_type.gold, volume.db["a"].size].`
	exprs, d := hcl.ExprList(a.Expr)
	if d.HasErrors() {
		l.diags = append(l.diags, newDiag(a.Expr.Range(), "Invalid replace_triggered_by", hint))
		return false
	}
	ok := true
	for _, e := range exprs {
		t, d := hcl.AbsTraversalForExpr(e)
		if d.HasErrors() {
			l.diags = append(l.diags, newDiag(e.Range(), "Invalid replace_triggered_by reference", hint))
			ok = false
			continue
		}
		_, isKind := resourceSchemas[t.RootName()]
		ref, attr := t, ""
		if last, isAttr := traversalStep(t, len(t)-1).(hcl.TraverseAttr); isAttr && len(t) >= 3 {
			ref, attr = t[:len(t)-1], last.Name
		}
		_, isIndex := traversalStep(ref, 2).(hcl.TraverseIndex)
		if !isKind || len(ref) < 2 || len(ref) > 3 || (len(ref) == 3 && !isIndex) {
			l.diags = append(l.diags, newDiag(e.Range(), "Invalid replace_triggered_by reference",
				fmt.Sprintf("%s is not a block, an instance or an attribute of one. %s", traversalText(t), hint)))
			ok = false
			continue
		}
		if attr != "" && attr != "id" && !contains(ignorableAttrs[t.RootName()], attr) {
			l.diags = append(l.diags, newDiag(e.Range(), "Invalid replace_triggered_by attribute",
				fmt.Sprintf("A %s block has no configurable argument %q to watch. %s", t.RootName(), attr, hint)))
			ok = false
			continue
		}
		r, good := l.resolveTraversal(n, ref, scopeFlags{count: n.mode == modeCount, each: n.mode == modeForEach})
		if !good {
			ok = false
			continue
		}
		if r != nil {
			n.triggers = append(n.triggers, trigger{ref: r, attr: attr})
		}
	}
	return ok
}

// lifecycle reads the lifecycle block of n, if any.
func (a *attrEval) lifecycle(n *node) Lifecycle {
	lc := Lifecycle{IgnoreChanges: n.ignoreChanges}
	for _, t := range n.triggers {
		set := map[string]struct{}{}
		a.l.addInstances(set, t.ref, a.ctx)
		for _, addr := range sortedSet(set) {
			if t.attr != "" {
				addr += "." + t.attr
			}
			lc.ReplaceTriggeredBy = append(lc.ReplaceTriggeredBy, addr)
		}
	}
	for _, b := range n.block.Body.Blocks {
		if b.Type != "lifecycle" {
			continue
		}
		s := a.sub(b.Body)
		lc.PreventDestroy = s.boolean("prevent_destroy")
		lc.CreateBeforeDestroy = s.boolean("create_before_destroy")
		a.ok = a.ok && s.ok
	}
	return lc
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
