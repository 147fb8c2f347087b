package planner

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/planner/schedule"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// Options control how a plan is made.
type Options struct {
	// Refresh asks every pool what it holds before diffing (-refresh).
	Refresh bool
	// RefreshOnly plans only to record drift (-refresh-only).
	RefreshOnly bool
	// Destroy plans the deletion of everything recorded (slab destroy).
	Destroy bool
	// Replace lists addresses to replace even if nothing changed (-replace).
	Replace []string
	// Imports adopt existing objects (slab import), besides the
	// configuration's import blocks.
	Imports []*config.Import
	// ForeignIDs are the IDs other stacks of the store record, by ID, with
	// the stack's name: they are neither unmanaged nor importable here.
	ForeignIDs map[string]string
	// Targets narrows the plan to these addresses and their dependencies
	// (-target); a block address targets all its instances.
	Targets []string
	// Scheduler places new volumes; schedule.Default() when nil.
	Scheduler Scheduler
	Version   string
	Now       func() time.Time
}

// Scheduler is what the planner needs from a scheduler: a placement with
// its explanation, and a feasibility check of one pool (for retypes and
// for volumes bound to their source's pool).
type Scheduler interface {
	Place(pools []*schedule.PoolState, req schedule.Request) (*schedule.PoolState, schedule.Explanation, error)
	Check(pool *schedule.PoolState, req *schedule.Request) *schedule.Rejection
}

// planner holds one plan's working data.
type planner struct {
	cfg       *config.Config
	opts      Options
	spec      schedule.Spec
	views     map[string]*poolView
	addressOf func(string) string
	desired   map[string]*desired
	blocks    map[string]bool
	recorded  map[string]recordedObject
	refreshed *state.State
	drift     []*Drift
	changes   []*Change
	byAddr    map[string]*Change
	diags     hcl.Diagnostics

	poolByName map[string]*schedule.PoolState // see poolStates
	poolOrder  []*schedule.PoolState
}

// Make diffs the configuration against the recorded state (refreshed from
// the pools unless opts.Refresh is false) and returns the plan. It changes
// nothing anywhere. Errors are diagnostics; a plan with errors is nil.
func Make(ctx context.Context, cfg *config.Config, rec *state.State, pools *PoolSet, opts Options) (*Plan, hcl.Diagnostics) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	spec, diags := withScheduler(cfg, &opts)
	if diags.HasErrors() {
		return nil, diags
	}
	p := &planner{cfg: cfg, opts: opts, spec: spec, byAddr: map[string]*Change{}}
	imports := append(append([]*config.Import(nil), cfg.Imports...), opts.Imports...)
	if opts.Destroy {
		imports = nil
	}
	p.views = readPools(ctx, pools, opts.Refresh || len(imports) > 0)
	if ctx.Err() != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Interrupted", Detail: "The plan was interrupted while reading the pools; nothing was changed."}}
	}
	for _, name := range pools.Names() {
		if err := p.views[name].err; err != nil {
			p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read pool " + name,
				Detail: err.Error() + "\nCheck the pool's path and driver settings in its backend block."})
		}
	}
	if p.diags.HasErrors() {
		return nil, p.diags
	}
	p.addressOf = rec.AddressIndex()
	p.checkUndeclaredPools(rec, pools)
	p.refreshed = rec
	var drift []*Drift
	if opts.Refresh {
		p.refreshed, drift = refresh(rec, p.views, p.addressOf)
		drift = append(drift, p.refreshBackups(ctx)...)
		p.drift = drift
	}
	plan := &Plan{
		FormatVersion: FormatVersion, SlabVersion: opts.Version, CreatedAt: opts.Now().UTC(),
		Stack: rec.Stack.Name, Lineage: rec.Stack.Lineage, Serial: rec.Stack.Serial,
		Destroy: opts.Destroy, RefreshOnly: opts.RefreshOnly, Targets: opts.Targets, Pools: poolSpecsOf(pools), Drift: drift,
		Scheduler: spec,
	}
	if opts.RefreshOnly {
		plan.Unmanaged = p.findUnmanaged(rec, nil)
		return plan, p.diags
	}
	p.desired, p.blocks = desiredObjects(cfg)
	if opts.Destroy {
		p.desired = map[string]*desired{}
	}
	var deposed []recordedObject
	p.recorded, deposed = recordedByAddress(p.refreshed)
	sources := p.planImports(imports)
	p.checkReplaceTargets()
	p.diffDesired()
	p.deleteUndesired(deposed)
	p.replaceTriggered() // with the snapshots of replaced volumes
	p.markImports(sources, imports)
	if opts.Refresh {
		plan.Unmanaged = p.findUnmanaged(rec, sources)
	}
	p.planBackups()
	p.checkReverts()
	p.keepTargeted()
	p.checkPreventDestroy(cfg)
	p.place()
	p.checkQuotas(cfg)
	if p.diags.HasErrors() {
		return nil, p.diags
	}
	p.addQoSLimits(cfg)
	markDataLoss(p.changes)
	sortChanges(p.changes)
	// A plan that cannot be ordered is refused now, not halfway through
	// its apply.
	if _, err := buildGraph(p.changes); err != nil {
		return nil, append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Plan cannot be ordered", Detail: err.Error()})
	}
	plan.Changes = p.changes
	return plan, p.diags
}

// withScheduler sets opts.Scheduler to the configured pipeline unless the
// caller gave one, and returns the pipeline's spec.
func withScheduler(cfg *config.Config, opts *Options) (schedule.Spec, hcl.Diagnostics) {
	spec, diags := schedulerSpec(cfg)
	if diags.HasErrors() || opts.Scheduler != nil {
		return spec, diags
	}
	s, err := schedule.New(spec)
	if err != nil {
		return spec, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid scheduler settings", Detail: err.Error()}}
	}
	opts.Scheduler = s
	return spec, diags
}

// schedulerSpec is the configured scheduler pipeline, Cinder's defaults
// for what the slab block's scheduler leaves out.
func schedulerSpec(cfg *config.Config) (schedule.Spec, hcl.Diagnostics) {
	spec := schedule.DefaultSpec()
	if s := cfg.Settings.Scheduler; s != nil {
		if s.Filters != nil {
			spec.Filters = s.Filters
		}
		if s.Weighers != nil {
			spec.Weighers = s.Weighers
		}
		if _, err := schedule.New(spec); err != nil {
			rng := s.Range
			return spec, hcl.Diagnostics{{Severity: hcl.DiagError, Subject: &rng, Summary: "Invalid scheduler settings", Detail: err.Error()}}
		}
	}
	return spec, nil
}

func poolSpecsOf(ps *PoolSet) []PoolSpec {
	var out []PoolSpec
	for _, n := range ps.Names() {
		s, _ := ps.Spec(n)
		out = append(out, s)
	}
	return out
}

// checkUndeclaredPools: objects recorded on a pool that is no longer
// declared cannot be refreshed, changed or deleted.
func (p *planner) checkUndeclaredPools(rec *state.State, pools *PoolSet) {
	byPool := map[string][]string{}
	for _, v := range rec.Volumes {
		if _, ok := pools.Spec(v.Pool); !ok && v.Status != providers.StatusError {
			byPool[v.Pool] = append(byPool[v.Pool], v.Address)
		}
	}
	for _, pool := range providers.SortedKeys(byPool) {
		addrs := byPool[pool]
		p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError,
			Summary: fmt.Sprintf("Pool %s is no longer declared", pool),
			Detail: fmt.Sprintf("%d recorded volume(s) live on pool %s (%s). Keep its backend and pool blocks until those volumes are destroyed.",
				len(addrs), pool, strings.Join(firstN(addrs, 5), ", "))})
	}
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(append([]string(nil), s[:n]...), fmt.Sprintf("and %d more", len(s)-n))
}

// checkReplaceTargets refuses -replace addresses that name nothing, so a
// typo is not a silent no-op.
func (p *planner) checkReplaceTargets() {
	for _, addr := range p.opts.Replace {
		if _, ok := p.desired[addr]; ok {
			continue
		}
		if _, ok := p.recorded[addr]; ok {
			continue
		}
		p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError,
			Summary: "Nothing to replace at " + addr,
			Detail:  fmt.Sprintf("-replace=%s names no configured or recorded object. Check the address with slab state list; instance keys are written volume.db[\"a\"] or volume.db[0].", addr)})
	}
}

func (p *planner) add(c *Change) {
	p.changes = append(p.changes, c)
	if prev, ok := p.byAddr[c.Address]; !ok || prev.Action == Delete {
		p.byAddr[c.Address] = c
	}
}

// diffDesired decides the action for every configured instance.
func (p *planner) diffDesired() {
	for _, addr := range providers.SortedKeys(p.desired) {
		d := p.desired[addr]
		kind, _ := providers.KindOf(d.kind)
		schema := kind.Schema()
		c := &Change{Address: addr, Kind: d.kind, Name: d.common.Name, DependsOn: d.common.DependsOn, Sensitive: d.common.Sensitive}
		r, ok := p.recorded[addr]
		if !ok {
			c.Action, c.After, c.AfterUnknown = Create, d.attrs, unknownOnCreate(d.kind)
			p.add(c)
			continue
		}
		c.ID = r.obj.ObjectID()
		c.Sensitive = union(c.Sensitive, state.SensitiveAttrs(r.obj))
		c.Before = kind.Attrs(r.obj, p.addressOf)
		c.OldDependsOn = oldDependencies(r.obj, p.addressOf)
		c.After = mergeComputed(schema, c.Before, d.attrs, d.lifecycle.IgnoreChanges)
		diff := schema.Compare(c.Before, d.attrs, d.lifecycle.IgnoreChanges)
		c.Changed = diff.Changed
		tainted, why := isTainted(r.obj)
		switch {
		case tainted:
			p.replace(c, d, ReasonTainted, "a previous attempt failed: "+why)
		case slices.Contains(p.opts.Replace, addr):
			p.replace(c, d, ReasonRequested, "replacement was requested with -replace")
		case len(diff.ForcesReplacement) > 0:
			c.ReplacePaths = diff.ForcesReplacement
			p.replace(c, d, ReasonCannotUpdate, strings.Join(diff.ForcesReplacement, ", ")+" cannot change in place")
		case len(diff.Shrinks) > 0:
			p.refuseShrink(c, d)
			c.Action = NoOp
		case !diff.Empty():
			c.Action = Update
			p.checkInPlace(c, d, r.obj)
		default:
			c.Action = NoOp
		}
		p.add(c)
	}
}

func (p *planner) replace(c *Change, d *desired, reason, detail string) {
	c.Action, c.Reason, c.Detail = Replace, reason, detail
	if d.lifecycle.CreateBeforeDestroy {
		c.Action = CreateThenDelete
	}
	c.After = d.attrs
	c.AfterUnknown = unknownOnCreate(d.kind)
}

// unknownOnCreate lists the attributes a new object learns on apply.
func unknownOnCreate(kind string) []string {
	switch kind {
	case "volume":
		return []string{"id", "status"}
	case "snapshot":
		return []string{"id", "size", "status"}
	case "backup":
		return []string{"id", "size", "stored", "status"}
	}
	return []string{"id"}
}

// mergeComputed is the desired attributes plus what slab or the backend
// set: computed attributes, backend defaults and ignored changes keep their
// recorded values.
func mergeComputed(schema *providers.Schema, before, want providers.Attrs, ignore []string) providers.Attrs {
	out := providers.Attrs{}
	for _, a := range schema.Attributes {
		v := want[a.Name]
		empty := providers.Equal(v, nil)
		if a.Rule == providers.Computed || slices.Contains(ignore, a.Name) ||
			(empty && (a.DefaultedByBackend || a.Rule == providers.CreateOnly)) {
			v = before[a.Name]
		}
		if v != nil {
			out[a.Name] = v
		}
	}
	return out
}

func (p *planner) refuseShrink(c *Change, d *desired) {
	from, to := fmt.Sprint(c.Before["size"]), fmt.Sprint(d.attrs["size"])
	if slices.Contains(c.Sensitive, "size") {
		from, to = "(sensitive)", "(sensitive)"
	}
	rng := d.common.Range("size")
	outside := ""
	for _, dr := range p.drift {
		if dr.Address == c.Address && dr.Action == Update {
			outside = " It was resized outside of slab (" + dr.Detail + "); set size = " + from + " to accept that."
		}
	}
	p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Subject: &rng,
		Summary: "Volume size cannot shrink",
		Detail: fmt.Sprintf("%s is %s GiB and the configuration asks for %s GiB. Shrinking a volume loses data, so slab only grows volumes in place.%s "+
			"Keep the size at %s or more, or, to destroy this volume and its data and create a new smaller one, run with -replace='%s'.",
			c.Address, from, to, outside, from, c.Address)})
}

// hiddenReasons replaces scheduler reasons that would quote sensitive
// values.
const hiddenReasons = "The request's size, zone or type specs come from sensitive values, so the per-pool reasons (which quote them) are not shown. Run slab schedule with the same figures to see them."

// schedulerDetail is a scheduler failure's detail, unless it would quote
// sensitive values.
func schedulerDetail(d *desired, detail string) string {
	if d.secretRequest {
		return hiddenReasons
	}
	return detail
}

// deleteUndesired plans the deletion of every recorded object that has no
// configuration (or all of them, for destroy), and of deposed objects.
func (p *planner) deleteUndesired(deposed []recordedObject) {
	for _, addr := range providers.SortedKeys(p.recorded) {
		if _, ok := p.desired[addr]; ok {
			continue
		}
		p.add(p.deletion(p.recorded[addr], p.deleteReason(addr)))
	}
	for _, r := range deposed {
		c := p.deletion(r, ReasonNoResourceConfig)
		c.Detail = "left behind by an interrupted replacement (deposed object " + r.obj.ObjectID() + ")"
		p.add(c)
	}
}

func (p *planner) deletion(r recordedObject, reason string) *Change {
	kind, _ := providers.KindOf(r.kind)
	c := &Change{Address: r.obj.ObjectAddress(), Kind: r.kind, Name: state.NameOf(r.obj), Action: Delete, Reason: reason,
		ID: r.obj.ObjectID(), Before: kind.Attrs(r.obj, p.addressOf), OldDependsOn: oldDependencies(r.obj, p.addressOf),
		Sensitive: state.SensitiveAttrs(r.obj)}
	return c
}

func (p *planner) deleteReason(addr string) string {
	if p.opts.Destroy {
		return ReasonDestroyRequested
	}
	block, key, hasKey := strings.Cut(addr, "[")
	if hasKey && p.blocks[block] {
		if strings.HasPrefix(key, `"`) {
			return ReasonEachKey
		}
		return ReasonCountIndex
	}
	return ReasonNoResourceConfig
}

// cascadeReplacements: a volume that is replaced or deleted takes its
// recorded snapshots with it first; snapshots still configured are made
// again from the new volume.
func (p *planner) cascadeReplacements() {
	for _, c := range append([]*Change(nil), p.changes...) {
		if c.Kind != "volume" || !c.Deletes() {
			continue
		}
		for _, s := range p.refreshed.Snapshots {
			if s.VolumeID != c.ID {
				continue
			}
			sc := p.byAddr[s.Address]
			if sc == nil || sc.ID != s.ID || sc.Deletes() {
				continue
			}
			d := p.desired[s.Address]
			p.replace(sc, d, ReasonDependencyReplaced, c.Address+" is replaced, and a snapshot belongs to one volume")
		}
	}
}

// checkPreventDestroy refuses plans that would destroy a protected object.
func (p *planner) checkPreventDestroy(cfg *config.Config) {
	protected := map[string]*config.Common{}
	for _, v := range cfg.Volumes {
		if v.Lifecycle.PreventDestroy {
			protected[v.Address] = &v.Common
		}
	}
	for _, s := range cfg.Snapshots {
		if s.Lifecycle.PreventDestroy {
			protected[s.Address] = &s.Common
		}
	}
	for _, c := range p.changes {
		common, ok := protected[c.Address]
		if !ok || !c.Deletes() {
			continue
		}
		rng := common.DeclRange
		p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Subject: &rng,
			Summary: "Instance cannot be destroyed",
			Detail: fmt.Sprintf("%s has lifecycle.prevent_destroy set, but the plan would %s it (%s). "+
				"To allow this, remove prevent_destroy from its lifecycle block first; otherwise change the plan so it keeps the object.",
				c.Address, strings.ReplaceAll(string(c.Action), "-", " "), reasonText(c))})
	}
}

func reasonText(c *Change) string {
	if c.Detail != "" {
		return c.Detail
	}
	return strings.ReplaceAll(c.Reason, "_", " ")
}
