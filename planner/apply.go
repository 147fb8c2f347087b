package planner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/planner/schedule"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// Hooks receive apply progress; views render them. Calls come from many
// goroutines at once.
type Hooks interface {
	Started(c *Change, phase Phase)
	Finished(c *Change, phase Phase, err error, elapsed time.Duration)
	Skipped(c *Change, phase Phase, because string)
}

// ApplyOptions control an apply. The caller holds the stack's lock.
type ApplyOptions struct {
	Store       state.Store
	Pools       *PoolSet
	Parallelism int // default 10
	Hooks       Hooks
	Now         func() time.Time
	NewID       func() string
	// Who names the operator in every history event (user@host).
	Who string
	// Progress, when set, returns a sink for the progress of a long step
	// (a backup or a restore) of the object at address; action is
	// "backing up" or "restoring". Nil sinks are allowed.
	Progress func(address, action string) func(done, total int64)
}

// StepError is one failed step.
type StepError struct {
	Address string
	Phase   Phase
	Err     error
}

func (e StepError) Error() string { return fmt.Sprintf("%s (%s): %v", e.Address, e.Phase, e.Err) }

// Result summarises an apply.
type Result struct {
	Applied int
	Failed  []StepError
	Skipped []string // addresses of steps not run
	// Interrupted: the context was cancelled (Ctrl-C); steps not started
	// are in Skipped.
	Interrupted bool
	Serial      int64
	Recorded    int // state writes made
}

// StalePlanError: the stack moved since the plan was made.
type StalePlanError struct {
	Stack                   string
	PlanLineage, NowLineage string
	PlanSerial, NowSerial   int64
}

func (e *StalePlanError) Error() string {
	if e.PlanLineage != e.NowLineage {
		return fmt.Sprintf("saved plan is stale: it was made for stack %q with lineage %s, but the stack's lineage is now %s; run slab plan again",
			e.Stack, e.PlanLineage, e.NowLineage)
	}
	return fmt.Sprintf("saved plan is stale: it was made at serial %d of stack %q, which is now at serial %d (something was applied since); run slab plan again",
		e.PlanSerial, e.Stack, e.NowSerial)
}

// CheckFresh refuses a plan whose stack has moved since it was made.
func CheckFresh(ctx context.Context, store state.Store, plan *Plan) error {
	cur, err := store.Stack(ctx, plan.Stack)
	if err != nil {
		return err
	}
	if cur.Lineage != plan.Lineage || cur.Serial != plan.Serial {
		return &StalePlanError{Stack: plan.Stack, PlanLineage: plan.Lineage, NowLineage: cur.Lineage, PlanSerial: plan.Serial, NowSerial: cur.Serial}
	}
	return nil
}

// Apply carries out the plan: it records drift, then walks the steps in
// dependency order with at most Parallelism at once. Each step records its
// object the moment its driver call returns. A failed step skips the steps
// that depend on it; independent steps still run.
func Apply(ctx context.Context, plan *Plan, opts ApplyOptions) (*Result, error) {
	if opts.Parallelism <= 0 {
		opts.Parallelism = 10
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewID == nil {
		opts.NewID = newID
	}
	if err := CheckFresh(ctx, opts.Store, plan); err != nil {
		return nil, err
	}
	g, err := buildGraph(plan.Changes)
	if err != nil {
		return nil, err
	}
	rec, err := opts.Store.Read(ctx, plan.Stack)
	if err != nil {
		return nil, err
	}
	env := newApplyEnv(plan, rec, opts)
	res := &Result{}
	if err := env.recordDrift(ctx, plan.Drift); err != nil {
		return nil, err
	}
	walk(ctx, g, opts, env, res)
	res.Interrupted = ctx.Err() != nil
	err = nil
	if res.Applied > 0 || len(res.Failed) > 0 {
		// What the steps did is recorded already; the pools' stats follow
		// even when the apply was interrupted.
		err = env.recordPools(context.WithoutCancel(ctx), plan.Pools)
	}
	res.Serial, res.Recorded = env.result()
	return res, err
}

func walk(ctx context.Context, g *graph, opts ApplyOptions, env *applyEnv, res *Result) {
	type outcome struct {
		done   chan struct{}
		failed string // address of the failed step behind a failure or skip
	}
	out := make(map[*node]*outcome, len(g.nodes))
	for _, n := range g.nodes {
		out[n] = &outcome{done: make(chan struct{})}
	}
	sem := make(chan struct{}, opts.Parallelism)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range g.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := out[n]
			defer close(o.done)
			for _, first := range n.after {
				<-out[first].done
				if f := out[first].failed; f != "" && o.failed == "" {
					o.failed = f
				}
			}
			skip := ""
			if o.failed != "" {
				skip = o.failed + " failed"
			} else if !acquire(ctx, sem) {
				skip, o.failed = "the apply was interrupted", n.change.Address
			}
			if skip != "" {
				mu.Lock()
				res.Skipped = append(res.Skipped, n.change.Address)
				mu.Unlock()
				if opts.Hooks != nil {
					opts.Hooks.Skipped(n.change, n.phase, skip)
				}
				return
			}
			start := time.Now()
			if opts.Hooks != nil {
				opts.Hooks.Started(n.change, n.phase)
			}
			// A step that started runs to its end even on Ctrl-C: half a
			// driver call would leave an error record for an object that
			// may well exist.
			err := runStep(context.WithoutCancel(ctx), env, n)
			if opts.Hooks != nil {
				opts.Hooks.Finished(n.change, n.phase, err, time.Since(start))
			}
			<-sem
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				o.failed = n.change.Address
				res.Failed = append(res.Failed, StepError{Address: n.change.Address, Phase: n.phase, Err: err})
				return
			}
			res.Applied++
		}()
	}
	wg.Wait()
}

// acquire takes a slot, or reports false once ctx is cancelled: an
// interrupted apply finishes the steps it started and starts no more.
func acquire(ctx context.Context, sem chan struct{}) bool {
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	if ctx.Err() != nil {
		<-sem
		return false
	}
	return true
}

func runStep(ctx context.Context, env *applyEnv, n *node) error {
	c := n.change
	kind, err := providers.KindOf(c.Kind)
	if err != nil {
		return err
	}
	op := providers.Op{Address: c.Address, Name: c.Name, ID: c.ID, Before: c.Before, After: c.After, Changed: c.Changed,
		Thick: c.Thick, Sensitive: c.Sensitive}
	if p := c.Placement; p != nil {
		op.Pool = p.Pool
	}
	if c.Import != nil && n.phase == PhaseApply {
		importer, ok := kind.(providers.Importer)
		if !ok {
			return fmt.Errorf("%s objects cannot be imported", c.Kind)
		}
		op.ID = c.Import.ID
		if err := importer.Import(ctx, env, op, providers.Adoption{Pool: c.Import.Pool, Ref: c.Import.Ref}); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		if c.Action == NoOp {
			return nil
		}
	}
	switch {
	case n.phase == PhaseDestroy:
		return kind.Delete(ctx, env, op)
	case c.Action == Update:
		return kind.Update(ctx, env, op)
	default:
		op.ID = ""
		return kind.Create(ctx, env, op)
	}
}

// applyEnv is the providers.Env of one apply: the store, the pools, and
// the record as it changes step by step.
type applyEnv struct {
	stack  string
	opts   ApplyOptions
	plan   *Plan
	sched  *schedule.Scheduler // nil: the plan's pipeline is unknown here, so no rescheduling
	mu     sync.RWMutex
	byAddr map[string]state.Object
	byID   map[state.Kind]map[string]state.Object
	serial int64
	writes int
}

func newApplyEnv(plan *Plan, rec *state.State, opts ApplyOptions) *applyEnv {
	e := &applyEnv{stack: plan.Stack, opts: opts, plan: plan, byAddr: map[string]state.Object{}, byID: map[state.Kind]map[string]state.Object{}, serial: rec.Stack.Serial}
	e.sched, _ = schedule.New(plan.Scheduler)
	for _, o := range rec.Objects() {
		e.remember(o)
	}
	return e
}

func (e *applyEnv) remember(o state.Object) {
	if e.byID[o.ObjectKind()] == nil {
		e.byID[o.ObjectKind()] = map[string]state.Object{}
	}
	e.byID[o.ObjectKind()][o.ObjectID()] = o
	// An address names the newest object there: while a replacement runs,
	// steps on the old object (deleting it) must not make it current again.
	if cur, ok := e.byAddr[o.ObjectAddress()]; o.ObjectAddress() != "" &&
		(!ok || cur.ObjectID() == o.ObjectID() || !state.CreatedAt(o).Before(state.CreatedAt(cur))) {
		e.byAddr[o.ObjectAddress()] = o
	}
}

func (e *applyEnv) Pool(name string) (drivers.Pool, error) { return e.opts.Pools.Pool(name) }

func (e *applyEnv) Record(ctx context.Context, w state.Write) error {
	if w.Event.Who == "" {
		w.Event.Who = e.opts.Who
	}
	// The record must survive an interrupted apply: write even when ctx
	// is cancelled, since the driver call already happened.
	serial, err := e.opts.Store.Apply(context.WithoutCancel(ctx), e.stack, w)
	if err != nil {
		return fmt.Errorf("recording %s: %w", describeWrite(w), err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.serial, e.writes = max(e.serial, serial), e.writes+1
	if w.Put != nil {
		e.remember(state.Clone(w.Put))
		return nil
	}
	ids := e.byID[w.Delete.Kind]
	if old, ok := ids[w.Delete.ID]; ok {
		delete(ids, w.Delete.ID)
		if cur, ok := e.byAddr[old.ObjectAddress()]; ok && cur.ObjectID() == w.Delete.ID {
			delete(e.byAddr, old.ObjectAddress())
		}
	}
	return nil
}

func describeWrite(w state.Write) string {
	if w.Put != nil {
		return string(w.Put.ObjectKind()) + " " + w.Put.ObjectID()
	}
	return string(w.Delete.Kind) + " " + w.Delete.ID + " deletion"
}

func (e *applyEnv) Resolve(address string) (state.Object, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	o, ok := e.byAddr[address]
	if !ok {
		return nil, false
	}
	return state.Clone(o), true
}

func (e *applyEnv) Lookup(kind state.Kind, id string) (state.Object, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	o, ok := e.byID[kind][id]
	if !ok {
		return nil, false
	}
	return state.Clone(o), true
}

func (e *applyEnv) result() (serial int64, writes int) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.serial, e.writes
}

// Reschedule picks the next pool for a failed create: the plan's ranking
// of the pools that passed, in order, skipping those attempted, the first
// that still passes every filter with the stats it reports now.
func (e *applyEnv) Reschedule(address string, attempted []string) (string, string) {
	c := e.plan.Change(address)
	if c == nil || c.Placement == nil || c.Placement.Explanation == nil || e.sched == nil {
		return "", ""
	}
	req := c.Placement.Explanation.Request
	for _, w := range c.Placement.Explanation.Ranked() {
		if slices.Contains(attempted, w.Pool) {
			continue
		}
		spec, ok := e.opts.Pools.Spec(w.Pool)
		if !ok {
			continue
		}
		pool, err := e.opts.Pools.Pool(w.Pool)
		if err != nil {
			continue
		}
		st, err := pool.Stats(context.Background())
		if err != nil {
			continue
		}
		ps := newPoolState(spec, st)
		ps.Volumes = e.volumesOn(w.Pool)
		if e.sched.Check(ps, &req) == nil {
			return w.Pool, spec.Config.AvailabilityZone
		}
	}
	return "", ""
}

// volumesOn lists the IDs and addresses of the volumes recorded on a pool,
// for the backend-affinity filters.
func (e *applyEnv) volumesOn(pool string) []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []string
	for _, o := range e.byID[state.KindVolume] {
		if v := o.(*state.Volume); v.Pool == pool {
			out = append(out, v.ID, v.Address)
		}
	}
	return out
}

func (e *applyEnv) NewID() string { return e.opts.NewID() }

// Progress implements providers.ProgressEnv.
func (e *applyEnv) Progress(address, action string) func(done, total int64) {
	if e.opts.Progress == nil {
		return nil
	}
	return e.opts.Progress(address, action)
}

func (e *applyEnv) Now() time.Time { return e.opts.Now().UTC() }

// recordDrift writes what refresh found before any step runs, so the
// record matches the backends the steps act on.
func (e *applyEnv) recordDrift(ctx context.Context, drift []*Drift) error {
	for _, d := range drift {
		kind := state.Kind(d.Kind)
		obj, ok := e.Lookup(kind, d.ID)
		if !ok {
			continue
		}
		ev := state.Event{Action: "refresh", Detail: d.Detail}
		var w state.Write
		if d.Action == Delete {
			w = state.Write{Delete: &state.Ref{Kind: kind, ID: d.ID}, Event: ev}
			w.Event.Address = obj.ObjectAddress()
		} else {
			settle(obj, d.After)
			w = state.Write{Put: obj, Event: ev}
		}
		if err := e.Record(ctx, w); err != nil {
			return err
		}
	}
	return nil
}

// settle copies the refreshed status and size onto a recorded object.
func settle(obj state.Object, after providers.Attrs) {
	status, _ := after["status"].(string)
	size, _ := after["size"].(int64)
	switch o := obj.(type) {
	case *state.Volume:
		o.Status, o.StatusReason, o.SizeGiB = status, "", int(size)
	case *state.Snapshot:
		o.Status, o.StatusReason = status, ""
	}
}

// recordPools records every declared pool with its latest stats.
func (e *applyEnv) recordPools(ctx context.Context, specs []PoolSpec) error {
	var errs []error
	for _, spec := range specs {
		name := spec.Config.FullName()
		pool, err := e.opts.Pools.Pool(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		st, err := pool.Stats(ctx)
		if err != nil {
			errs = append(errs, fmt.Errorf("pool %s stats: %w", name, err))
			continue
		}
		raw, err := json.Marshal(st)
		if err != nil {
			return err
		}
		rec := &state.Pool{ID: name, Address: "backend." + spec.Config.Backend, Backend: spec.Config.Backend, Name: spec.Config.Name,
			Driver: spec.Driver, AvailabilityZone: spec.Config.AvailabilityZone, Stats: raw, UpdatedAt: e.Now()}
		if err := e.Record(ctx, state.Write{Put: rec, Event: state.Event{Action: "stats"}}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
