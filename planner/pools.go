package planner

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/hcl/config"
)

// PoolSpecs turns the configured backends into pool specs, sorted by name.
func PoolSpecs(cfg *config.Config) []PoolSpec {
	var out []PoolSpec
	for _, b := range cfg.Backends {
		for _, p := range b.Pools {
			out = append(out, PoolSpec{Driver: b.Driver, Config: drivers.PoolConfig{
				Backend: b.Name, Name: p.Name, Path: p.Path,
				AvailabilityZone:         b.AvailabilityZone,
				ReservedPercentage:       p.ReservedPercentage,
				MaxOverSubscriptionRatio: p.MaxOverSubscriptionRatio,
				Capabilities:             p.Capabilities,
				Options:                  b.Options,
			}})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Config.FullName() < out[j].Config.FullName() })
	return out
}

// PoolSet opens pools on first use and keeps them open; it is safe for
// concurrent use by the applier's workers.
type PoolSet struct {
	mu    sync.Mutex
	specs map[string]PoolSpec
	open  map[string]drivers.Pool
}

// NewPoolSet makes a pool set over specs.
func NewPoolSet(specs []PoolSpec) *PoolSet {
	ps := &PoolSet{specs: map[string]PoolSpec{}, open: map[string]drivers.Pool{}}
	for _, s := range specs {
		ps.specs[s.Config.FullName()] = s
	}
	return ps
}

// Names lists the declared pools, sorted.
func (ps *PoolSet) Names() []string {
	out := make([]string, 0, len(ps.specs))
	for n := range ps.specs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Spec returns a declared pool's spec.
func (ps *PoolSet) Spec(name string) (PoolSpec, bool) {
	s, ok := ps.specs[name]
	return s, ok
}

// Pool opens (once) and returns the named pool.
func (ps *PoolSet) Pool(name string) (drivers.Pool, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if p, ok := ps.open[name]; ok {
		return p, nil
	}
	spec, ok := ps.specs[name]
	if !ok {
		return nil, fmt.Errorf("pool %q is not declared in any backend block", name)
	}
	p, err := drivers.Open(spec.Driver, spec.Config)
	if err != nil {
		return nil, fmt.Errorf("open pool %s: %w", name, err)
	}
	ps.open[name] = p
	return p, nil
}

// Close closes every opened pool.
func (ps *PoolSet) Close() error {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	var first error
	for n, p := range ps.open {
		if err := p.Close(); err != nil && first == nil {
			first = err
		}
		delete(ps.open, n)
	}
	return first
}

// poolView is what one pool reported during refresh.
type poolView struct {
	spec      PoolSpec
	stats     drivers.PoolStats
	volumes   map[string]drivers.Volume
	snapshots map[string]drivers.Snapshot
	// manageable are files the pool could adopt (drivers.Manager), by ref.
	manageable map[string]drivers.Manageable
	err        error
}

// readPools asks every pool, in parallel, for its stats and (when list is
// set) what it holds.
func readPools(ctx context.Context, ps *PoolSet, list bool) map[string]*poolView {
	names := ps.Names()
	views := make(map[string]*poolView, len(names))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := readPool(ctx, ps, name, list)
			mu.Lock()
			views[name] = v
			mu.Unlock()
		}()
	}
	wg.Wait()
	return views
}

func readPool(ctx context.Context, ps *PoolSet, name string, list bool) *poolView {
	spec, _ := ps.Spec(name)
	v := &poolView{spec: spec}
	pool, err := ps.Pool(name)
	if err != nil {
		v.err = err
		return v
	}
	if v.stats, err = pool.Stats(ctx); err != nil {
		v.err = fmt.Errorf("pool %s stats: %w", name, err)
		return v
	}
	if !list {
		return v
	}
	vols, err := pool.ListVolumes(ctx)
	if err != nil {
		v.err = fmt.Errorf("pool %s: list volumes: %w", name, err)
		return v
	}
	snaps, err := pool.ListSnapshots(ctx)
	if err != nil {
		v.err = fmt.Errorf("pool %s: list snapshots: %w", name, err)
		return v
	}
	v.volumes = make(map[string]drivers.Volume, len(vols))
	for _, vol := range vols {
		v.volumes[vol.ID] = vol
	}
	v.snapshots = make(map[string]drivers.Snapshot, len(snaps))
	for _, s := range snaps {
		v.snapshots[s.ID] = s
	}
	if m, ok := pool.(drivers.Manager); ok {
		files, err := m.ListManageable(ctx)
		if err != nil {
			v.err = fmt.Errorf("pool %s: list adoptable files: %w", name, err)
			return v
		}
		v.manageable = make(map[string]drivers.Manageable, len(files))
		for _, f := range files {
			v.manageable[f.Ref] = f
		}
	}
	return v
}
