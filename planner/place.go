package planner

import (
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/planner/schedule"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// poolStates returns the scheduler's view of every declared pool, built
// once per plan so that extends and placements consume capacity as they
// are planned.
func (p *planner) poolStates() (map[string]*schedule.PoolState, []*schedule.PoolState) {
	if p.poolByName != nil {
		return p.poolByName, p.poolOrder
	}
	p.poolByName = map[string]*schedule.PoolState{}
	for _, name := range providers.SortedKeys(p.views) {
		view := p.views[name]
		ps := newPoolState(view.spec, view.stats)
		p.poolByName[name] = ps
		p.poolOrder = append(p.poolOrder, ps)
	}
	for _, v := range p.refreshed.Volumes {
		if ps := p.poolByName[v.Pool]; ps != nil {
			ps.Volumes = append(ps.Volumes, v.ID)
		}
	}
	return p.poolByName, p.poolOrder
}

// place gives every created volume and snapshot its pool. Volumes made
// from a snapshot or another volume stay on the source's pool (the file
// driver copies within a pool, as Cinder's drivers clone within a backend);
// the rest go through the scheduler, in address order, each placement
// consuming capacity before the next.
func (p *planner) place() {
	byName, ordered := p.poolStates()
	placing := map[string]bool{}
	var poolOf func(addr string) (pool string, size int)
	poolOf = func(addr string) (string, int) {
		c := p.byAddr[addr]
		if c == nil || !c.Creates() {
			return p.recordedPool(addr)
		}
		if pool, ok := c.After["pool"].(string); ok && c.Placement != nil {
			return pool, sizeOf(c)
		}
		if placing[addr] {
			return "", 0 // a reference cycle is reported by the config loader
		}
		placing[addr] = true
		switch c.Kind {
		case "snapshot":
			volAddr, _ := c.After["volume"].(string)
			pool, size := poolOf(volAddr)
			c.Placement = &Placement{Pool: pool, Why: "same pool as its volume " + volAddr}
			c.After["pool"] = pool
			return pool, size
		case "volume":
			p.placeVolume(c, byName, ordered, poolOf)
			pool, _ := c.After["pool"].(string)
			return pool, sizeOf(c)
		}
		return "", 0
	}
	for _, c := range p.changes {
		if c.Creates() && (c.Kind == "volume" || c.Kind == "snapshot") {
			c.After = cloneAttrs(c.After)
			poolOf(c.Address)
		}
	}
}

func (p *planner) placeVolume(c *Change, byName map[string]*schedule.PoolState, ordered []*schedule.PoolState, poolOf func(string) (string, int)) {
	d := p.desired[c.Address]
	size := sizeOf(c)
	// A restore writes through the driver, so any pool will do.
	if source, ok := c.After["source"].(string); ok && source != "" && providers.SourceKind(source) != "backup" {
		pool, srcSize := poolOf(source)
		if size < srcSize {
			rng := d.common.Range("size")
			p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Subject: &rng,
				Summary: "Volume is smaller than its source",
				Detail: schedulerDetail(d, fmt.Sprintf("%s asks for %d GiB but its source %s holds %d GiB. Set size to %d or more.",
					c.Address, size, source, srcSize, srcSize))})
			return
		}
		req := p.request(c, d, size)
		if ps := byName[pool]; ps != nil {
			if rej := p.opts.Scheduler.Check(ps, &req); rej != nil {
				rng := d.common.DeclRange
				p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Subject: &rng,
					Summary: "No valid pool for " + c.Address,
					Detail: schedulerDetail(d, fmt.Sprintf("%s is made from %s, so it must live on that pool, and it does not fit there:\n  %s: %s: %s\n"+
						"Change the volume's size, type or availability_zone to suit pool %s.", c.Address, source, rej.Pool, rej.Filter, rej.Reason, pool))})
				return
			}
		}
		c.Placement = &Placement{Pool: pool, Why: "same pool as its source " + source}
		c.Thick = req.Thick()
		p.finishPlacement(c, byName[pool], size)
		return
	}
	req := p.request(c, d, size)
	hints, ok := p.schedulerHints(d, func(addr string) { poolOf(addr) })
	if !ok {
		return
	}
	req.Hints = hints
	chosen, exp, err := p.opts.Scheduler.Place(ordered, req)
	if err != nil {
		rng := d.common.DeclRange
		p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Subject: &rng,
			Summary: "No valid pool for " + c.Address,
			Detail:  schedulerDetail(d, err.Error()+"\nFree capacity on a pool, add a pool, or change the volume's size, type or availability_zone.")})
		return
	}
	c.Placement = &Placement{Pool: chosen.Name, Explanation: &exp, Secret: d.secretRequest}
	c.Thick = req.Thick()
	p.finishPlacement(c, chosen, size)
}

// newPoolState is a pool as the scheduler sees it, from its spec and stats.
func newPoolState(spec PoolSpec, stats drivers.PoolStats) *schedule.PoolState {
	return &schedule.PoolState{Name: spec.Config.FullName(), Backend: spec.Config.Backend,
		AvailabilityZone: spec.Config.AvailabilityZone, Stats: stats}
}

func (p *planner) request(c *Change, d *desired, size int) schedule.Request {
	req := schedule.Request{Address: c.Address, SizeGiB: size, VolumeType: d.typeName,
		ExtraSpecs: d.extraSpecs, QoSSpecs: d.qosSpecs}
	req.AvailabilityZone, _ = c.After["availability_zone"].(string)
	// Metadata reaches filter and goodness expressions and is quoted in
	// explanations, so secret metadata stays out.
	if !slices.Contains(c.Sensitive, "metadata") {
		req.Metadata, _ = c.After["metadata"].(map[string]string)
	}
	return req
}

func (p *planner) finishPlacement(c *Change, pool *schedule.PoolState, size int) {
	if pool == nil {
		return
	}
	c.After["pool"] = pool.Name
	if az, _ := c.After["availability_zone"].(string); az == "" {
		c.After["availability_zone"] = pool.AvailabilityZone
	}
	pool.Consume(size, c.Address)
}

// recordedPool is where an unchanged object lives, and its size.
func (p *planner) recordedPool(addr string) (string, int) {
	r, ok := p.recorded[addr]
	if !ok {
		return "", 0
	}
	switch o := r.obj.(type) {
	case *state.Volume:
		return o.Pool, o.SizeGiB
	case *state.Snapshot:
		return o.Pool, o.SizeGiB
	}
	return "", 0
}

func sizeOf(c *Change) int {
	n, _ := c.After["size"].(int64)
	if c.Kind == "snapshot" {
		return 0
	}
	return int(n)
}

// checkInPlace: a volume that grows or changes type stays on its pool,
// so that pool must pass the scheduler's filters for the new size (only
// the growth is asked for, as Cinder's extend) and the new type; the
// growth is then consumed for the placements that follow.
func (p *planner) checkInPlace(c *Change, d *desired, obj state.Object) {
	vol, ok := obj.(*state.Volume)
	if !ok {
		return // only volumes live on a pool that must still fit them
	}
	grows := slices.Contains(c.Changed, "size") && sizeOf(c) > vol.SizeGiB
	retype := slices.Contains(c.Changed, "type")
	if !grows && !retype {
		return
	}
	byName, _ := p.poolStates()
	ps := byName[vol.Pool]
	if ps == nil {
		return // reported by checkUndeclaredPools
	}
	req := schedule.Request{Address: c.Address, VolumeType: d.typeName, ExtraSpecs: d.extraSpecs, QoSSpecs: d.qosSpecs}
	if grows {
		req.SizeGiB, req.OldSizeGiB = sizeOf(c), vol.SizeGiB
	}
	rej := p.opts.Scheduler.Check(ps, &req)
	if rej == nil {
		if grows {
			ps.Consume(req.RequestedGiB(), "")
		}
		return
	}
	attr, summary, fix := "type", "Volume cannot be retyped in place",
		fmt.Sprintf("Choose a type that pool satisfies, or run with -replace='%s' to make a new volume (its data is lost).", c.Address)
	if grows && (!retype || rej.Filter == "CapacityFilter") {
		attr, summary, fix = "size", "Volume cannot be extended in place",
			"Free capacity on that pool (or raise its max_over_subscription_ratio), or keep the current size."
	}
	rng := d.common.Range(attr)
	p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Subject: &rng, Summary: summary,
		Detail: schedulerDetail(d, fmt.Sprintf("%s lives on pool %s, which fails %s: %s. %s", c.Address, vol.Pool, rej.Filter, rej.Reason, fix))})
}

func cloneAttrs(a map[string]any) map[string]any {
	out := make(map[string]any, len(a)+1)
	for k, v := range a {
		out[k] = v
	}
	return out
}
