package planner

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/drivers/backup"
	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// This file is the entry point for front ends that manage one object at a
// time, as the Terraform provider does: the object is planned with the
// same diff, change rules, scheduler and diagnostics as a whole
// configuration, and the other objects of the stack are left alone.

// Object is one object as such a front end declares it: the attributes a
// configuration block would give it, with references (type, source,
// volume, qos) spelled as the addresses of objects recorded in the same
// stack. A backup's repository is the address of a backup_repository
// block of the settings (ObjectOptions.Settings), as a block names it.
type Object struct {
	Kind  string // "qos", "volume_type", "volume", "snapshot", "backup"
	Name  string
	Attrs providers.Attrs
	// Hints are a volume's scheduler_hints: different_backend and
	// same_backend name volumes by address, query is a JsonFilter query.
	Hints map[string]cty.Value
}

// Address is the object's address in its stack: "volume.data".
func (o *Object) Address() string { return o.Kind + "." + o.Name }

// ObjectOptions control MakeObject.
type ObjectOptions struct {
	// Settings supplies the slab block (the scheduler pipeline) and the
	// backup repositories; nil means Cinder's defaults and none.
	Settings *config.Config
	// Refresh asks the pools what they hold first, so an object gone from
	// its pool is planned again, and records the object's drift on apply.
	Refresh   bool
	Scheduler Scheduler
	Version   string
	Now       func() time.Time
}

// MakeObject plans the change of the one object at address in the stack
// rec records: its creation, in-place update, replacement or (want nil)
// deletion. Only that object's change and drift are in the plan; the
// stack's other objects are read (for references, placement and
// capacity) and never changed. Errors are diagnostics, the same ones Make
// gives for the same object; a plan with errors is nil.
func MakeObject(ctx context.Context, rec *state.State, pools *PoolSet, address string, want *Object, opts ObjectOptions) (*Plan, hcl.Diagnostics) {
	settings := opts.Settings
	if settings == nil {
		settings = &config.Config{}
	}
	o := Options{Refresh: opts.Refresh, Scheduler: opts.Scheduler, Version: opts.Version, Now: opts.Now}
	if o.Now == nil {
		o.Now = time.Now
	}
	spec, diags := withScheduler(settings, &o)
	if diags.HasErrors() {
		return nil, diags
	}
	var d *desired
	if want != nil {
		if want.Address() != address {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Object does not match its address",
				Detail: fmt.Sprintf("%s was asked for, but the object describes %s.", address, want.Address())}}
		}
		if d, diags = desiredObject(rec, settings, want); diags.HasErrors() {
			return nil, diags
		}
	}
	p := &planner{cfg: settings, opts: o, spec: spec, byAddr: map[string]*Change{}}
	p.views = readPools(ctx, pools, o.Refresh)
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
	p.refreshed = rec
	var drift []*Drift
	if o.Refresh {
		var all []*Drift
		p.refreshed, all = refresh(rec, p.views, p.addressOf)
		for _, dr := range all {
			if dr.Address == address {
				drift = append(drift, dr)
			}
		}
		p.drift = drift
	}
	plan := &Plan{
		FormatVersion: FormatVersion, SlabVersion: o.Version, CreatedAt: o.Now().UTC(),
		Stack: rec.Stack.Name, Lineage: rec.Stack.Lineage, Serial: rec.Stack.Serial,
		Pools: poolSpecsOf(pools), Drift: drift, Scheduler: spec,
	}
	// Every recorded object stays visible (sources, hints and placement
	// read them); only the object at address is diffed.
	var deposed []recordedObject
	p.recorded, deposed = recordedByAddress(p.refreshed)
	p.desired, p.blocks = map[string]*desired{}, map[string]bool{}
	if d != nil {
		p.desired[address] = d
	}
	if r, ok := p.recorded[address]; ok {
		if v, isVol := r.obj.(*state.Volume); isVol && v.Status != providers.StatusError {
			if _, declared := pools.Spec(v.Pool); !declared {
				return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: fmt.Sprintf("Pool %s is no longer declared", v.Pool),
					Detail: fmt.Sprintf("%s lives on pool %s. Keep its backend and pool blocks until the volume is destroyed.", address, v.Pool)}}
			}
		}
	}
	p.diffDesired()
	if r, ok := p.recorded[address]; ok && d == nil {
		p.add(p.deletion(r, ReasonDestroyRequested))
	}
	for _, r := range deposed {
		if r.obj.ObjectAddress() == address {
			c := p.deletion(r, ReasonNoResourceConfig)
			c.Detail = "left behind by an interrupted replacement (deposed object " + r.obj.ObjectID() + ")"
			p.add(c)
		}
	}
	// Backups: the parent a new one chains to, the rule that no backup
	// goes while another chains to it, and that a restore fits.
	p.chooseParents(p.plannedBackups())
	p.checkBackupDeletions()
	p.checkRestoreSizes()
	p.place()
	if p.diags.HasErrors() {
		return nil, p.diags
	}
	if d != nil && d.kind == "volume" {
		for _, c := range p.changes {
			if c.Address == address && c.After != nil {
				setLimits(c.After, providers.QoSLimits(d.qosSpecs, sizeOf(c)))
			}
		}
	}
	markDataLoss(p.changes)
	sortChanges(p.changes)
	if _, err := buildGraph(p.changes); err != nil {
		return nil, append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Plan cannot be ordered", Detail: err.Error()})
	}
	plan.Changes = p.changes
	return plan, p.diags
}

// desiredObject reads a front end's object as the planner reads a block,
// resolving its references against the record.
func desiredObject(rec *state.State, settings *config.Config, want *Object) (*desired, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	fail := func(summary, detail string) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail})
	}
	kind, err := providers.KindOf(want.Kind)
	if err != nil {
		fail("Unknown resource kind", err.Error())
		return nil, diags
	}
	if !config.ValidName(want.Name) {
		fail("Invalid name", fmt.Sprintf("%q is not a valid %s name. %s", want.Name, want.Kind, config.NameRule))
		return nil, diags
	}
	attrs, err := kind.Schema().Normalize(want.Attrs)
	if err != nil {
		fail("Invalid attributes", err.Error())
		return nil, diags
	}
	byAddr := map[string]state.Object{}
	for _, o := range rec.Objects() {
		byAddr[o.ObjectAddress()] = o
	}
	ref := func(attr string, kind state.Kind) state.Object {
		addr, _ := attrs[attr].(string)
		if addr == "" {
			return nil
		}
		o, ok := byAddr[addr]
		if !ok || o.ObjectKind() != kind {
			fail("Reference to an unknown "+string(kind),
				fmt.Sprintf("%s of %s names %s, which is not recorded in stack %q. Create it first (in the same stack).", attr, want.Address(), addr, rec.Stack.Name))
			return nil
		}
		return o
	}
	d := &desired{kind: want.Kind, common: &config.Common{Address: want.Address(), Kind: want.Kind, Name: want.Name}, attrs: attrs}
	switch want.Kind {
	case "volume":
		if n, _ := attrs["size"].(int64); n < 1 {
			fail("Invalid volume size", fmt.Sprintf("%s asks for %d GiB; a volume holds at least 1 GiB.", want.Address(), n))
		}
		if t, ok := ref("type", state.KindVolumeType).(*state.VolumeType); ok {
			d.typeName, d.extraSpecs = t.Name, t.ExtraSpecs
			for _, q := range rec.QoS {
				if q.ID == t.QoSID {
					d.qosSpecs = q.Specs
				}
			}
		}
		if src, _ := attrs["source"].(string); src != "" {
			ref("source", state.Kind(providers.SourceKind(src)))
		}
		d.hints = want.Hints
	case "snapshot":
		ref("volume", state.KindVolume)
	case "volume_type":
		ref("qos", state.KindQoS)
	case "backup":
		ref("volume", state.KindVolume)
		repo, _ := attrs["repository"].(string)
		var names []string
		for _, r := range settings.BackupRepositories {
			names = append(names, r.Address)
		}
		if !slices.Contains(names, repo) {
			declared := "none is declared"
			if len(names) > 0 {
				declared = "declared: " + strings.Join(names, ", ")
			}
			fail("Reference to an unknown backup repository",
				fmt.Sprintf("repository of %s names %s, which no backup_repository block of the configuration declares (%s). Declare it beside the backend and pool blocks.", want.Address(), repo, declared))
			return nil, diags
		}
		repositoryAttrs(settings, repo, attrs)
	}
	return d, diags
}

// FindObject returns the object of that kind recorded with that ID.
func FindObject(rec *state.State, kind state.Kind, id string) (state.Object, bool) {
	for _, o := range rec.Objects() {
		if o.ObjectKind() == kind && o.ObjectID() == id {
			return o, true
		}
	}
	return nil, false
}

// ReadObject returns the object of that kind recorded with that ID,
// refreshed against its pool as a refreshing plan does: its size and
// status as the backend shows them, or found false when it is not
// recorded or its pool no longer holds it. Nothing is written.
func ReadObject(ctx context.Context, rec *state.State, pools *PoolSet, kind state.Kind, id string) (state.Object, bool, error) {
	obj, ok := FindObject(rec, kind, id)
	if !ok {
		return nil, false, nil
	}
	one := &state.State{Stack: rec.Stack, QoS: rec.QoS, VolumeTypes: rec.VolumeTypes}
	var pool string
	switch o := obj.(type) {
	case *state.Volume:
		one.Volumes, pool = []*state.Volume{o}, o.Pool
	case *state.Snapshot:
		one.Snapshots, pool = []*state.Snapshot{o}, o.Pool
	case *state.Backup:
		// As refresh: a backup whose manifest is gone from its readable
		// repository is gone.
		if backupGone(ctx, map[string]backup.Repository{}, o) {
			return nil, false, nil
		}
		return obj, true, nil
	default:
		return obj, true, nil
	}
	if _, declared := pools.Spec(pool); !declared {
		return obj, true, nil // as refresh: an undeclared pool is not read
	}
	view := readPool(ctx, pools, pool, true)
	if view.err != nil {
		return nil, false, view.err
	}
	refreshed, _ := refresh(one, map[string]*poolView{pool: view}, rec.AddressIndex())
	for _, o := range refreshed.Objects() {
		if o.ObjectKind() == kind && o.ObjectID() == id {
			return o, true, nil
		}
	}
	return nil, false, nil
}

// PoolStatus is one declared pool and what it reports.
type PoolStatus struct {
	Spec  PoolSpec
	Stats drivers.PoolStats
	Err   error
}

// ReadPoolStats asks every declared pool for its stats, in name order.
func ReadPoolStats(ctx context.Context, pools *PoolSet) []PoolStatus {
	views := readPools(ctx, pools, false)
	out := make([]PoolStatus, 0, len(views))
	for _, name := range pools.Names() {
		v := views[name]
		out = append(out, PoolStatus{Spec: v.spec, Stats: v.stats, Err: v.err})
	}
	return out
}

// VolumeQoSLimits are the limits the volume's type's QoS gives it at its
// recorded size, as plans show them.
func VolumeQoSLimits(rec *state.State, v *state.Volume) map[string]string {
	for _, t := range rec.VolumeTypes {
		if t.ID != v.TypeID || t.QoSID == "" {
			continue
		}
		for _, q := range rec.QoS {
			if q.ID == t.QoSID {
				return providers.QoSLimits(q.Specs, v.SizeGiB)
			}
		}
	}
	return nil
}

// RecordedAt returns the object a stack records at address: the newest
// one when an interrupted replacement left an older one there too.
func RecordedAt(rec *state.State, address string) (state.Object, bool) {
	current, _ := recordedByAddress(rec)
	r, ok := current[address]
	return r.obj, ok
}

// FailedCreate reports whether a recorded object is what a failed create
// left: the next plan makes it again.
func FailedCreate(o state.Object) bool {
	switch x := o.(type) {
	case *state.Volume:
		return isFailedCreate(x.Status)
	case *state.Snapshot:
		return isFailedCreate(x.Status)
	case *state.Backup:
		// An interrupted backup is taken again, as a failed one.
		return x.Status == BackupError || x.Status == BackupCreating
	}
	return false
}
