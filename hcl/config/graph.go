package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

type nodeType int

const (
	nodeLocal nodeType = iota
	nodeBlock
	nodeOutput
)

type instMode int

const (
	modeSingle instMode = iota
	modeCount
	modeForEach
)

// node is one vertex of the evaluation graph: a local value, a resource
// block (all its instances) or an output.
type node struct {
	typ   nodeType
	id    string // "local.x", "volume.db", "output.x"
	kind  string // block type, "local" or "output"
	name  string
	order int       // declaration order
	rng   hcl.Range // declaration range
	block *hclsyntax.Block
	expr  hcl.Expression // a local's value
	mode  instMode

	refs      []*reference // from expressions: these build the context
	dependsOn []*reference // from depends_on: ordering only
	deps      []*node      // distinct targets of refs and dependsOn, by order
	refDeps   []*node      // distinct targets of refs: what the context holds
	failed    bool         // an error was reported here or in a dependency

	ignoreChanges []string
	// triggers are lifecycle.replace_triggered_by's references.
	triggers []trigger

	// Results.
	value     cty.Value           // a local's value
	reach     map[string]struct{} // a local's transitively referenced instances
	instances []*instance         // a block's instances, by key
	blockVal  cty.Value           // a block's value in the context
	output    *Output

	// Tarjan bookkeeping.
	tIndex, tLow int
	tSeen, tOn   bool
}

// reference is one traversal to a local or a block.
type reference struct {
	target  *node
	key     cty.Value      // literal instance key (`volume.db["a"]`), or NilVal
	keyExpr hcl.Expression // dynamic key (`volume.db[each.key]`), per instance
	rng     hcl.Range
	// expansion marks references in count/for_each: they order evaluation
	// but do not make every instance depend on the whole collection; an
	// instance depends on the instances inside its own each.value.
	expansion bool
}

// scopeFlags says which iteration objects an expression may use, and
// whether it is a count/for_each expression.
type scopeFlags struct{ count, each, expansion bool }

// collectRefs finds every reference of every node and builds the edges.
// Nodes are independent here, so large configurations use all CPUs.
func (l *loader) collectRefs() {
	l.forEachNode(l.nodes, (*loader).nodeRefs)
}

func (l *loader) nodeRefs(n *node) {
	switch n.typ {
	case nodeLocal:
		l.refsIn(n, n.expr, scopeFlags{})
	case nodeOutput:
		for _, a := range sortedAttrs(n.block.Body) {
			l.refsIn(n, a.Expr, scopeFlags{})
		}
	case nodeBlock:
		l.blockRefs(n)
	}
	n.refDeps = distinctTargets(n.refs, nil)
	n.deps = n.refDeps
	if len(n.dependsOn) > 0 {
		n.deps = distinctTargets(n.refs, n.dependsOn)
	}
}

// distinctTargets lists the nodes the references point to, in
// declaration order, so that everything built from them is deterministic.
func distinctTargets(a, b []*reference) []*node {
	var out []*node
	var seen map[*node]bool // only for long lists; most have one or two
	if len(a)+len(b) > 8 {
		seen = map[*node]bool{}
	}
	for _, rs := range [][]*reference{a, b} {
		for _, r := range rs {
			if seen != nil {
				if seen[r.target] {
					continue
				}
				seen[r.target] = true
			} else if slices.Contains(out, r.target) {
				continue
			}
			out = append(out, r.target)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].order < out[j].order })
	return out
}

func (l *loader) blockRefs(n *node) {
	inner := scopeFlags{count: n.mode == modeCount, each: n.mode == modeForEach}
	// Map order here; references are put in source order at the end.
	defer sortRefs(n)
	for _, a := range n.block.Body.Attributes {
		switch a.Name {
		case "count", "for_each":
			l.refsIn(n, a.Expr, scopeFlags{expansion: true})
		case "depends_on":
			l.dependsOnRefs(n, a)
		case "revert_to":
			if n.kind == "volume" {
				continue // read statically: the snapshot depends on the volume
			}
			l.refsIn(n, a.Expr, inner)
		default:
			l.refsIn(n, a.Expr, inner)
		}
	}
	for _, b := range n.block.Body.Blocks {
		if b.Type != "lifecycle" && b.Type != "pool" && b.Type != "quota" {
			continue // already reported by checkBody
		}
		for _, a := range b.Body.Attributes {
			if b.Type == "lifecycle" && a.Name == "ignore_changes" {
				continue // bare attribute names, not references
			}
			l.refsIn(n, a.Expr, inner)
		}
	}
}

// sortRefs puts n's references in source order, so that what is built
// from them (cycle messages, contexts) does not depend on map order.
func sortRefs(n *node) {
	for _, rs := range [][]*reference{n.refs, n.dependsOn} {
		if len(rs) > 1 {
			sort.SliceStable(rs, func(i, j int) bool {
				a, b := rs[i].rng, rs[j].rng
				if a.Filename != b.Filename {
					return a.Filename < b.Filename
				}
				return a.Start.Byte < b.Start.Byte
			})
		}
	}
}

// refsIn records the references of one expression of n.
func (l *loader) refsIn(n *node, expr hcl.Expression, sf scopeFlags) {
	travs := expr.Variables()
	if len(travs) == 0 {
		return
	}
	dyn := dynamicIndexes(expr)
	for _, t := range travs {
		r, ok := l.resolveTraversal(n, t, sf)
		if !ok {
			n.failed = true
			continue
		}
		if r == nil {
			continue
		}
		if k, found := dyn[t.SourceRange().Start.Byte]; found && len(t) == 2 {
			r.keyExpr = k
		}
		r.expansion = sf.expansion
		n.refs = append(n.refs, r)
	}
}

// dynamicIndexes maps the start of `kind.name` in `kind.name[expr]` to
// expr, so that an instance's dependencies can name the one instance it
// indexes rather than all of them.
func dynamicIndexes(expr hcl.Expression) map[int]hcl.Expression {
	se, ok := expr.(hclsyntax.Expression)
	if _, bare := expr.(*hclsyntax.ScopeTraversalExpr); !ok || bare {
		return nil // a bare traversal holds no index expression
	}
	var out map[int]hcl.Expression
	hclsyntax.VisitAll(se, func(nd hclsyntax.Node) hcl.Diagnostics {
		ix, ok := nd.(*hclsyntax.IndexExpr)
		if !ok {
			return nil
		}
		st, ok := ix.Collection.(*hclsyntax.ScopeTraversalExpr)
		if !ok || len(st.Traversal) != 2 {
			return nil
		}
		if out == nil {
			out = map[int]hcl.Expression{}
		}
		out[st.Traversal.SourceRange().Start.Byte] = ix.Key
		return nil
	})
	return out
}

var referenceRoots = []string{"var", "local", "count", "each", "backend", "qos", "volume_type", "volume", "snapshot", "backup_repository", "backup", "backup_policy"}

// resolveTraversal checks one traversal. It returns a reference for locals
// and blocks, nil for var/count/each, and false after reporting an error.
func (l *loader) resolveTraversal(n *node, t hcl.Traversal, sf scopeFlags) (*reference, bool) {
	root := t.RootName()
	rng := t.SourceRange()
	step := func(i int) string {
		if len(t) > i {
			if a, ok := t[i].(hcl.TraverseAttr); ok {
				return a.Name
			}
		}
		return ""
	}
	fail := func(summary, detail string) (*reference, bool) {
		l.diags = append(l.diags, newDiag(rng, summary, detail))
		return nil, false
	}
	name := step(1)
	switch root {
	case "var":
		if name == "" {
			return fail("Invalid reference", "A reference to an input variable needs its name, for example var.replicas.")
		}
		d := l.vars[name]
		if d == nil {
			return fail("Reference to undeclared input variable", fmt.Sprintf(
				"An input variable named %q is not declared.%s Declare it with variable %q { ... } or correct the name.",
				name, didYouMean(name, mapKeys(l.vars)), name))
		}
		if d.failed {
			n.failed = true // already reported at the variable
		}
		return nil, true
	case "local":
		if name == "" {
			return fail("Invalid reference", "A reference to a local value needs its name, for example local.prefix.")
		}
		target := l.locals[name]
		if target == nil {
			return fail("Reference to undeclared local value", fmt.Sprintf(
				"A local value named %q is not defined.%s Define it in a locals block or correct the name.",
				name, didYouMean(name, mapKeys(l.locals))))
		}
		return &reference{target: target, rng: rng}, true
	case "count":
		if !sf.count {
			return fail(`Reference to "count" in non-counted context`,
				"count.index is only available inside a block that sets count (and not in count itself). Add count to the block or remove the reference.")
		}
		if name != "index" {
			return fail(`Invalid "count" attribute`, `The count object has only one attribute, "index": write count.index.`)
		}
		return nil, true
	case "each":
		if !sf.each {
			return fail(`Reference to "each" in context without for_each`,
				"each.key and each.value are only available inside a block that sets for_each (and not in for_each itself). Add for_each to the block or remove the reference.")
		}
		if name != "key" && name != "value" {
			return fail(`Invalid "each" attribute`, `The each object has only "key" and "value": write each.key or each.value.`)
		}
		return nil, true
	}
	if _, ok := resourceSchemas[root]; ok {
		if name == "" {
			return fail("Invalid reference", fmt.Sprintf("A reference to a %s block needs its name, for example %s.%s.", root, root, l.exampleName(root)))
		}
		target := l.blocks[root+"."+name]
		if target == nil {
			var names []string
			for _, b := range l.byKind[root] {
				names = append(names, b.name)
			}
			return fail("Reference to undeclared resource", fmt.Sprintf(
				"A %s block named %q is not declared.%s Declare %s %q { ... } or correct the name.",
				root, name, didYouMean(name, names), root, name))
		}
		r := &reference{target: target, rng: rng}
		if len(t) > 2 {
			if ix, ok := t[2].(hcl.TraverseIndex); ok {
				r.key = ix.Key
			}
		}
		return r, true
	}
	if laterBlocks[root] {
		return fail("Invalid reference", fmt.Sprintf("%s blocks are not supported by this version of slab yet, so %s.%s cannot be referenced. Remove the reference.", root, root, name))
	}
	return fail("Invalid reference", fmt.Sprintf(
		"%q is not something a reference can start with.%s References start with var., local., count., each., or a block type: backend, qos, volume_type, volume, snapshot, backup_repository, backup or backup_policy.",
		root, didYouMean(root, referenceRoots)))
}

// exampleName is a name to use in hints: the first declared block of the
// kind, or a plausible one.
func (l *loader) exampleName(kind string) string {
	if bs := l.byKind[kind]; len(bs) > 0 {
		return bs[0].name
	}
	switch kind {
	case "volume_type", "qos":
		return "gold"
	case "snapshot":
		return "nightly"
	case "backend":
		return "ssd"
	case "backup":
		return "weekly"
	case "backup_repository":
		return "nas"
	}
	return "data"
}

// sortGraph orders the nodes dependencies-first with Tarjan's algorithm,
// whose strongly connected components come out in that order, and reports
// every cycle.
func (l *loader) sortGraph() {
	var stack []*node
	idx := 0
	var visit func(v *node)
	visit = func(v *node) {
		v.tIndex, v.tLow, v.tSeen, v.tOn = idx, idx, true, true
		idx++
		stack = append(stack, v)
		for _, w := range v.deps {
			if !w.tSeen {
				visit(w)
				v.tLow = min(v.tLow, w.tLow)
			} else if w.tOn {
				v.tLow = min(v.tLow, w.tIndex)
			}
		}
		if v.tLow != v.tIndex {
			return
		}
		var scc []*node
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			w.tOn = false
			scc = append(scc, w)
			if w == v {
				break
			}
		}
		if len(scc) > 1 || dependsOnItself(v) {
			l.reportCycle(scc)
		}
		l.order = append(l.order, scc...)
	}
	for _, n := range l.nodes {
		if !n.tSeen {
			visit(n)
		}
	}
}

func dependsOnItself(n *node) bool {
	for _, d := range n.deps {
		if d == n {
			return true
		}
	}
	return false
}

// reportCycle names the blocks of one strongly connected component, in the
// order of one cycle through them, at the reference that starts it.
func (l *loader) reportCycle(scc []*node) {
	in := map[*node]bool{}
	for _, n := range scc {
		in[n] = true
		n.failed = true
	}
	sort.Slice(scc, func(i, j int) bool { return scc[i].order < scc[j].order })
	start := scc[0]
	// Breadth-first search inside the component for the shortest way back.
	prev := map[*node]*node{}
	queue := []*node{start}
	var last *node
	for len(queue) > 0 && last == nil {
		cur := queue[0]
		queue = queue[1:]
		for _, d := range cur.deps {
			if d == start {
				last = cur
				break
			}
			if in[d] && prev[d] == nil {
				prev[d] = cur
				queue = append(queue, d)
			}
		}
	}
	path := []*node{start}
	for c := last; c != start && c != nil; c = prev[c] {
		path = append(path, nil)
		copy(path[2:], path[1:])
		path[1] = c
	}
	path = append(path, start)
	ids := make([]string, len(path))
	for i, p := range path {
		ids[i] = p.id
	}
	subject := start.rng
	for _, rs := range [][]*reference{start.refs, start.dependsOn} {
		for _, r := range rs {
			if r.target == path[1] {
				subject = r.rng
				break
			}
		}
	}
	var detail string
	if len(path) == 2 {
		detail = fmt.Sprintf("%s refers to itself. A block cannot depend on itself; remove the reference.", start.id)
	} else {
		detail = fmt.Sprintf("These refer to each other in a cycle: %s. Values are evaluated in dependency order, so one of these references must go.", strings.Join(ids, " → "))
	}
	l.diags = append(l.diags, newDiag(subject, "Dependency cycle", detail))
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
