package config

import (
	"runtime"
	"sync"
)

// minParallelLevel is the number of nodes below which a level is not worth
// the goroutines.
const minParallelLevel = 64

// evaluate evaluates the nodes in dependency order, level by level: a
// node's level is one more than its deepest dependency's, so the nodes of
// a level never see each other and a large level (ten thousand volumes of
// one type) runs on all CPUs.
//
// Workers share nothing they write: contexts and block values are built
// before a large level starts (see forEachNode for the rest).
func (l *loader) evaluate() {
	level := make(map[*node]int, len(l.order))
	var levels [][]*node
	for _, n := range l.order {
		lv := 0
		for _, d := range n.deps {
			lv = max(lv, level[d]+1)
		}
		level[n] = lv
		for len(levels) <= lv {
			levels = append(levels, nil)
		}
		levels[lv] = append(levels[lv], n)
	}
	for _, nodes := range levels {
		if len(nodes) >= minParallelLevel {
			// Build, single-threaded, what the workers would build lazily.
			for _, n := range nodes {
				if !n.failed && !anyFailed(n.deps) {
					l.context(n)
				}
			}
		}
		l.forEachNode(nodes, (*loader).evalNode)
	}
}

// forEachNode calls fn for every node, on all CPUs when there are many.
// fn must write only to its node and to its loader's diags and pending
// instances: each worker gets its own copy of the loader, and those are
// merged in worker order afterwards, so the result does not depend on
// scheduling.
func (l *loader) forEachNode(nodes []*node, fn func(*loader, *node)) {
	workers := runtime.GOMAXPROCS(0)
	if workers < 2 || len(nodes) < minParallelLevel {
		for _, n := range nodes {
			fn(l, n)
		}
		return
	}
	copies := make([]*loader, workers)
	pending := make([][]*instance, workers)
	var wg sync.WaitGroup
	chunk := (len(nodes) + workers - 1) / workers
	for w := range workers {
		lo, hi := min(w*chunk, len(nodes)), min((w+1)*chunk, len(nodes))
		wl := *l
		wl.diags, wl.pending = nil, &pending[w]
		copies[w] = &wl
		wg.Go(func() {
			for _, n := range nodes[lo:hi] {
				fn(&wl, n)
			}
		})
	}
	wg.Wait()
	for w, wl := range copies {
		l.diags = append(l.diags, wl.diags...)
		for _, inst := range pending[w] {
			l.instances[inst.addr] = inst
		}
	}
}

func anyFailed(nodes []*node) bool {
	for _, d := range nodes {
		if d.failed {
			return true
		}
	}
	return false
}
