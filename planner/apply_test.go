package planner

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingHooks tracks how many steps run at once.
type countingHooks struct {
	mu              sync.Mutex
	running, most   int
	started, failed int
	onStart         func()
}

func (h *countingHooks) Started(*Change, Phase) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.onStart != nil {
		h.onStart()
	}
	h.running++
	h.started++
	h.most = max(h.most, h.running)
}

func (h *countingHooks) Finished(_ *Change, _ Phase, err error, _ time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.running--
	if err != nil {
		h.failed++
	}
}

func (h *countingHooks) Skipped(*Change, Phase, string) {}

func manyVolumes(n int) string {
	var b strings.Builder
	b.WriteString(twoEqualPools)
	for i := range n {
		fmt.Fprintf(&b, "volume \"v%03d\" {\n  size = 1\n}\n", i)
	}
	return b.String()
}

func TestApplyRunsAtMostParallelismStepsAtOnce(t *testing.T) {
	for _, parallelism := range []int{1, 3} {
		t.Run(fmt.Sprintf("parallelism %d", parallelism), func(t *testing.T) {
			f := newFixture(t, manyVolumes(24))
			p := f.mustPlan(Options{})
			pools := NewPoolSet(p.Pools)
			defer pools.Close()
			hooks := &countingHooks{}
			res, err := Apply(context.Background(), p, ApplyOptions{Store: f.store, Pools: pools, Parallelism: parallelism, Hooks: hooks})
			if err != nil || len(res.Failed) > 0 {
				t.Fatalf("apply: %v %v", err, res.Failed)
			}
			if hooks.most > parallelism {
				t.Errorf("%d steps ran at once, more than -parallelism %d", hooks.most, parallelism)
			}
			if hooks.started != 24 || res.Applied != 24 {
				t.Errorf("started %d, applied %d; want 24", hooks.started, res.Applied)
			}
		})
	}
}

func TestACancelledApplyStartsNoMoreSteps(t *testing.T) {
	f := newFixture(t, manyVolumes(10))
	p := f.mustPlan(Options{})
	pools := NewPoolSet(p.Pools)
	defer pools.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Ctrl-C arrives as the first step starts; with one slot, that step
	// finishes and no other starts.
	hooks := &countingHooks{onStart: cancel}
	res, err := Apply(ctx, p, ApplyOptions{Store: f.store, Pools: pools, Hooks: hooks, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || res.Applied != 1 || len(res.Skipped) != 9 || hooks.started != 1 {
		t.Errorf("interrupted %v, applied %d, skipped %d, started %d; want one step done and nine skipped",
			res.Interrupted, res.Applied, len(res.Skipped), hooks.started)
	}
	rec := f.read()
	if len(rec.Volumes) != 1 || rec.Volumes[0].Status != "available" {
		t.Errorf("recorded %+v, want the one finished volume, available", rec.Volumes)
	}
}
