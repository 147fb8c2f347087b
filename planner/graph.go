package planner

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Phase is the half of a change a graph node carries out: a replacement
// is a destroy node and a create node, ordered by its lifecycle.
type Phase string

const (
	PhaseApply   Phase = "apply" // create or update
	PhaseDestroy Phase = "destroy"
)

// node is one step of an apply.
type node struct {
	change *Change
	phase  Phase
	after  []*node // must finish first
	before []*node // wait for this one
}

func (n *node) String() string { return string(n.phase) + " " + n.change.Address }

// graph is the plan's steps and their order.
type graph struct {
	nodes []*node
}

// buildGraph orders the plan's steps:
//   - a new or updated object after the new objects it references;
//   - a destroyed object after every step of the objects that referenced
//     it (snapshots before their volume, volumes before their type);
//   - a replacement destroys first, or creates first with
//     create_before_destroy.
func buildGraph(changes []*Change) (*graph, error) {
	g := &graph{}
	applyOf := map[string]*node{}
	destroyOf := map[string][]*node{} // an address can hold deposed objects too
	for _, c := range changes {
		if c.Action == NoOp && c.Import == nil {
			continue
		}
		var a, d *node
		if c.Action != Delete {
			a = &node{change: c, phase: PhaseApply}
			g.nodes = append(g.nodes, a)
			applyOf[c.Address] = a
		}
		if c.Deletes() {
			d = &node{change: c, phase: PhaseDestroy}
			g.nodes = append(g.nodes, d)
			destroyOf[c.Address] = append(destroyOf[c.Address], d)
		}
		switch c.Action {
		case Replace:
			edge(d, a)
		case CreateThenDelete:
			edge(a, d)
		}
	}
	for _, n := range g.nodes {
		c := n.change
		switch n.phase {
		case PhaseApply:
			for _, dep := range c.DependsOn {
				if first := applyOf[dep]; first != nil && first != n {
					edge(first, n)
				}
			}
		case PhaseDestroy:
			for _, dep := range c.OldDependsOn {
				for _, later := range destroyOf[dep] {
					edge(n, later)
				}
			}
		}
		// An update that moves an object off a dependency (a retype away
		// from a type) comes before that dependency is destroyed. One that
		// keeps the dependency waits for its replacement instead (above).
		if n.phase == PhaseApply && c.Action == Update {
			for _, dep := range c.OldDependsOn {
				if slices.Contains(c.DependsOn, dep) {
					continue
				}
				for _, later := range destroyOf[dep] {
					edge(n, later)
				}
			}
		}
	}
	if cycle := g.findCycle(); cycle != nil {
		names := make([]string, len(cycle))
		for i, n := range cycle {
			names[i] = n.String()
		}
		return nil, fmt.Errorf("the plan's steps form a cycle: %s; check create_before_destroy settings and depends_on", strings.Join(names, " → "))
	}
	return g, nil
}

func edge(first, then *node) {
	if first == nil || then == nil {
		return
	}
	first.before = append(first.before, then)
	then.after = append(then.after, first)
}

// findCycle returns one cycle, or nil.
func (g *graph) findCycle() []*node {
	const (
		white = iota
		grey
		black
	)
	color := map[*node]int{}
	var stack []*node
	var found []*node
	var visit func(n *node) bool
	visit = func(n *node) bool {
		color[n] = grey
		stack = append(stack, n)
		for _, m := range n.before {
			switch color[m] {
			case grey:
				for i, s := range stack {
					if s == m {
						found = append(append([]*node(nil), stack[i:]...), m)
					}
				}
				return true
			case white:
				if visit(m) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
		return false
	}
	ordered := append([]*node(nil), g.nodes...)
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].String() < ordered[j].String() })
	for _, n := range ordered {
		if color[n] == white && visit(n) {
			return found
		}
	}
	return nil
}
