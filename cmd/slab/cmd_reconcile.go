package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/slab-storage/slab/cmd/slab/metrics"
	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/planner"
	"github.com/slab-storage/slab/state"
)

// reconcileOptions are slab reconcile's flags.
type reconcileOptions struct {
	configFlags
	interval       time.Duration
	backoffInitial time.Duration
	backoffMax     time.Duration
	lockTimeout    time.Duration
	autoApprove    bool
	allowDataLoss  bool
	once           bool
	dir            string
	metricsAddr    string
	parallelism    int
}

// resultConfigError ends the loop: only a change of the configuration can
// fix it, so retrying would only repeat the diagnostics.
const resultConfigError = "config_error"

func runReconcile(ctx context.Context, c *cli, args []string) int {
	fs := c.newFlags("reconcile", "")
	c.stateFlag(fs)
	var o reconcileOptions
	o.configFlags.register(fs)
	fs.DurationVar(&o.interval, "interval", 5*time.Minute, "time between the end of one run and the start of the next")
	fs.BoolVar(&o.autoApprove, "auto-approve", false, "apply each plan; without it reconcile only reports pending changes")
	fs.BoolVar(&o.allowDataLoss, "allow-data-loss", false, "with -auto-approve, apply plans that delete or replace volumes or snapshots holding data")
	fs.StringVar(&o.dir, "dir", "", "the configuration directory (default: the working directory, or -chdir)")
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "serve Prometheus metrics on this address at /metrics (e.g. :9464; port 0 picks one)")
	fs.DurationVar(&o.lockTimeout, "lock-timeout", 0, "wait this long for the stack's lock in each run (e.g. 30s)")
	fs.DurationVar(&o.backoffInitial, "backoff-initial", 10*time.Second, "wait after the first failed run; doubles with each further failure")
	fs.DurationVar(&o.backoffMax, "backoff-max", 10*time.Minute, "the longest wait after failed runs")
	fs.IntVar(&o.parallelism, "parallelism", 10, "run at most this many apply steps at once")
	fs.BoolVar(&o.once, "once", false, "run once and exit: 0 converged, 2 changes pending or refused, 1 failed")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	switch {
	case fs.NArg() > 0:
		fs.Usage()
		return 1
	case o.interval <= 0:
		return c.errorf("-interval must be positive")
	case o.backoffInitial <= 0 || o.backoffMax < o.backoffInitial:
		return c.errorf("-backoff-initial must be positive and at most -backoff-max")
	case o.parallelism < 1:
		return c.errorf("-parallelism must be at least 1")
	case o.allowDataLoss && !o.autoApprove:
		return c.errorf("-allow-data-loss needs -auto-approve\nWithout -auto-approve reconcile applies nothing, so there is no data loss to allow.")
	}
	if o.dir != "" {
		dir := c.path(o.dir)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return c.errorf("-dir=%s is not a directory", o.dir)
		}
		sub := *c
		sub.dir = dir
		c = &sub
	}
	r := &reconciler{c: c, opts: o, events: newEventLog(c.stdout), metrics: metrics.New()}
	return r.loop(ctx)
}

// reconciler is one slab reconcile process.
type reconciler struct {
	c       *cli
	opts    reconcileOptions
	events  *eventLog
	metrics *metrics.Reconcile
}

// outcome is what one run did.
type outcome struct {
	result string // a metrics.Result* or resultConfigError
	// stage and err say where and why a run failed.
	stage, err  string
	diagnostics []jsonDiagnostic
	drift       int
	applied     int
	failed      int
	skipped     int
	pending     int
	planTook    time.Duration
	applyTook   time.Duration
}

func (r *reconciler) loop(ctx context.Context) int {
	started := map[string]any{
		"version": version, "dir": r.c.dir, "interval_seconds": r.opts.interval.Seconds(),
		"auto_approve": r.opts.autoApprove, "allow_data_loss": r.opts.allowDataLoss,
	}
	if r.opts.metricsAddr != "" {
		// The server outlives the signal so that the last run's series can
		// still be scraped while the run finishes.
		srvCtx, stopServer := context.WithCancel(context.WithoutCancel(ctx))
		defer stopServer()
		addr, _, err := r.metrics.Serve(srvCtx, r.opts.metricsAddr)
		if err != nil {
			return r.c.errorf("Cannot serve metrics on %s\n%v", r.opts.metricsAddr, err)
		}
		started["metrics_addr"] = addr
	}
	r.events.emit("reconcile_started", 0, started)
	done, noticed := make(chan struct{}), make(chan struct{})
	defer close(done)
	go func() {
		defer close(noticed)
		select {
		case <-ctx.Done():
			r.events.emit("stop_requested", 0, nil)
		case <-done:
		}
	}()
	// stopped ends a clean stop; reconcile_stopped is always the last event.
	stopped := func(runs int) int {
		<-noticed
		r.events.emit("reconcile_stopped", 0, map[string]any{"runs": runs})
		return 0
	}

	failures := 0
	runs := 0
	for {
		runs++
		begin := time.Now()
		o := r.run(ctx, runs)
		took := time.Since(begin)
		if o.result != resultConfigError {
			r.metrics.Run(o.result, time.Now(), took)
		}
		wait := r.opts.interval
		if o.result == metrics.ResultFailed {
			failures++
			wait = backoff(r.opts.backoffInitial, r.opts.backoffMax, failures)
		} else {
			failures = 0
		}
		last := o.result == resultConfigError || r.opts.once || ctx.Err() != nil
		r.events.emit("run_finished", runs, o.fields(took, wait, last))
		switch {
		case o.result == resultConfigError:
			return 1
		case ctx.Err() != nil:
			return stopped(runs)
		case r.opts.once:
			return onceExitCode(o.result)
		}
		if !sleep(ctx, wait) {
			return stopped(runs)
		}
	}
}

func onceExitCode(result string) int {
	switch result {
	case metrics.ResultOK, metrics.ResultInterrupted:
		return 0
	case metrics.ResultPending, metrics.ResultRefused:
		return 2
	}
	return 1
}

// backoff is the wait after the n-th failed run in a row: initial,
// doubling, at most max.
func backoff(initial, max time.Duration, n int) time.Duration {
	d := initial
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

// sleep waits d; false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (o *outcome) fields(took, next time.Duration, last bool) map[string]any {
	f := map[string]any{
		"result": o.result, "drift": o.drift, "applied": o.applied, "failed": o.failed, "skipped": o.skipped,
		"pending": o.pending, "plan_seconds": o.planTook.Seconds(), "apply_seconds": o.applyTook.Seconds(),
		"duration_seconds": took.Seconds(),
	}
	if o.stage != "" {
		f["stage"] = o.stage
	}
	if o.err != "" {
		f["error"] = o.err
	}
	if len(o.diagnostics) > 0 {
		f["diagnostics"] = o.diagnostics
	}
	if !last {
		f["next_run_seconds"] = next.Seconds()
	}
	return f
}

// failed ends a run at a stage; the message also goes to standard error,
// as the CLI prints errors.
func (r *reconciler) failed(o *outcome, stage string, err error) outcome {
	o.result, o.stage, o.err = metrics.ResultFailed, stage, err.Error()
	r.metrics.Failure(stage, 1)
	if !errors.As(err, new(errPrinted)) {
		r.c.errorf("%v", err)
	}
	return *o
}

// run is one reconcile: load, lock, plan, apply when approved, unlock.
func (r *reconciler) run(ctx context.Context, n int) outcome {
	c := r.c
	r.events.emit("run_started", n, nil)
	var o outcome
	cfg, diags := config.Load(c.dir, c.loadOptions(r.opts.configFlags))
	if len(diags) > 0 {
		c.printDiags(diags, cfg)
	}
	if diags.HasErrors() {
		o.result, o.stage, o.err = resultConfigError, "config", "the configuration has errors"
		o.diagnostics = diagnosticsJSON(diags)
		return o
	}
	store, err := c.openStore(cfg)
	if err != nil {
		return r.failed(&o, "state", fmt.Errorf("Cannot open the state store\n%w", err))
	}
	defer store.Close()
	name := stackName(cfg)
	if _, err := store.Stack(ctx, name); err != nil {
		if ctx.Err() != nil {
			return r.interrupted(&o)
		}
		return r.failed(&o, "state", fmt.Errorf("Cannot read stack %q\n%w", name, err))
	}
	release, err := r.lock(ctx, store, name)
	if err != nil {
		if ctx.Err() != nil {
			return r.interrupted(&o)
		}
		return r.failed(&o, "lock", err)
	}
	defer release()

	pools := planner.NewPoolSet(planner.PoolSpecs(cfg))
	defer pools.Close()
	planStart := time.Now()
	plan, stage, err := r.plan(ctx, cfg, store, name, pools, &o)
	o.planTook = time.Since(planStart)
	switch {
	case ctx.Err() != nil && plan == nil:
		return r.interrupted(&o)
	case err != nil:
		return r.failed(&o, stage, err)
	}
	r.reportPlan(n, plan, &o)
	defer r.readCapacity(ctx, pools)

	if !r.opts.autoApprove || (!plan.HasChanges() && len(plan.Drift) == 0) {
		o.result = metrics.ResultOK
		if plan.HasChanges() {
			o.result = metrics.ResultPending
		}
		return o
	}
	// The same guard as apply -auto-approve: nobody reviews these plans.
	if lost := plan.DataLoss(); len(lost) > 0 && !r.opts.allowDataLoss {
		r.events.emit("apply_refused", n, map[string]any{
			"reason":    "the plan deletes or replaces objects holding data; pass -allow-data-loss to apply such plans unattended",
			"addresses": lost,
		})
		c.refuseDataLoss(lost)
		o.result = metrics.ResultRefused
		return o
	}
	applyStart := time.Now()
	res, err := planner.Apply(ctx, plan, planner.ApplyOptions{
		Store: store, Pools: pools, Parallelism: r.opts.parallelism, Who: whoAmI(),
		Hooks: newReconcileHooks(r.events, n, c.env),
	})
	o.applyTook = time.Since(applyStart)
	if res == nil {
		return r.failed(&o, "apply", err)
	}
	o.applied, o.failed, o.skipped = res.Applied, len(res.Failed), len(res.Skipped)
	o.pending = o.failed + o.skipped
	r.metrics.Applied(res.Applied)
	r.metrics.Pending(o.pending)
	for _, f := range res.Failed {
		c.errorf("%s: %s failed\n%v", f.Address, f.Phase, f.Err)
	}
	switch {
	case res.Interrupted:
		o.result = metrics.ResultInterrupted
	case len(res.Failed) > 0:
		o.result, o.stage, o.err = metrics.ResultFailed, "apply", fmt.Sprintf("%d step(s) failed", len(res.Failed))
		r.metrics.Failure("apply", len(res.Failed))
	case err != nil:
		return r.failed(&o, "apply", err)
	default:
		o.result = metrics.ResultOK
	}
	return o
}

func (r *reconciler) interrupted(o *outcome) outcome {
	o.result = metrics.ResultInterrupted
	return *o
}

// plan reads the record and makes a refreshed plan; stage names where an
// error came from. Diagnostics go to standard error and into o.
func (r *reconciler) plan(ctx context.Context, cfg *config.Config, store state.Store, name string, pools *planner.PoolSet, o *outcome) (*planner.Plan, string, error) {
	rec, err := store.Read(ctx, name)
	if err != nil {
		return nil, "state", fmt.Errorf("Cannot read the recorded state of stack %q\n%w", name, err)
	}
	foreign, err := foreignIDs(ctx, store, name)
	if err != nil {
		return nil, "state", fmt.Errorf("Cannot read the other stacks of the state store\n%w", err)
	}
	plan, diags := planner.Make(ctx, cfg, rec, pools, planner.Options{Refresh: true, ForeignIDs: foreign, Version: version})
	if ctx.Err() != nil && plan == nil {
		return nil, "", nil
	}
	if len(diags) > 0 {
		r.c.printDiags(diags, cfg)
	}
	if diags.HasErrors() {
		o.diagnostics = diagnosticsJSON(diags)
		// Printed above already: the caller must not print it again.
		return nil, "plan", errPrinted{diagSummary(diags)}
	}
	return plan, "", nil
}

// errPrinted is an error whose diagnostics are on standard error already.
type errPrinted struct{ msg string }

func (e errPrinted) Error() string { return e.msg }

// lock takes the stack's lock for one run; the returned function releases
// it.
func (r *reconciler) lock(ctx context.Context, store state.Store, stack string) (func(), error) {
	info := "slab " + version + ": " + commandSummary(os.Args)
	l, err := store.LockWith(ctx, state.Lock{Stack: stack, Who: whoAmI(), Operation: "reconcile", Info: info}, r.opts.lockTimeout)
	if err != nil {
		var locked *state.LockedError
		if errors.As(err, &locked) {
			return nil, fmt.Errorf("Error acquiring the state lock\n%w\nThe run is retried with back-off; raise -lock-timeout to wait longer.", err)
		}
		return nil, fmt.Errorf("Error acquiring the state lock\n%w", err)
	}
	return func() {
		if err := store.Unlock(context.WithoutCancel(ctx), stack, l.ID); err != nil {
			fmt.Fprintf(r.c.stderr, "Warning: releasing the state lock %s: %v\n", l.ID, err)
		}
	}, nil
}

// reportPlan emits the drift and plan events and sets the plan gauges.
func (r *reconciler) reportPlan(n int, plan *planner.Plan, o *outcome) {
	for _, d := range plan.Drift {
		r.events.emit("drift", n, map[string]any{"address": d.Address, "kind": d.Kind, "id": d.ID, "action": string(d.Action), "detail": d.Detail})
	}
	var changes []map[string]any
	for _, ch := range plan.Changes {
		if ch.Action == planner.NoOp && ch.Import == nil {
			continue
		}
		entry := map[string]any{"address": ch.Address, "kind": ch.Kind, "action": string(ch.Action)}
		if ch.Import != nil {
			entry["import"] = ch.Import.ID
			if ch.Action == planner.NoOp {
				entry["action"] = "import"
			}
		}
		if ch.Reason != "" {
			entry["reason"] = ch.Reason
		}
		changes = append(changes, entry)
	}
	s := plan.Summary()
	o.drift, o.pending = len(plan.Drift), len(changes)
	r.events.emit("plan", n, map[string]any{
		"stack": plan.Stack, "import": s.Import, "add": s.Add, "change": s.Change, "destroy": s.Destroy, "drift": len(plan.Drift),
		"changes": nonNil(changes), "destroys_data": nonNil(plan.DataLoss()),
	})
	r.metrics.Plan(o.drift, o.pending)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// readCapacity sets the pool gauges from what the pools report at the end
// of the run (after the apply, so that they include its volumes).
func (r *reconciler) readCapacity(ctx context.Context, pools *planner.PoolSet) {
	var caps []metrics.Capacity
	for _, name := range pools.Names() {
		pool, err := pools.Pool(name)
		if err != nil {
			continue
		}
		st, err := pool.Stats(context.WithoutCancel(ctx))
		if err != nil {
			continue
		}
		c := metrics.Capacity{Pool: name, Provisioned: st.ProvisionedCapacityGB, Allocated: st.AllocatedCapacityGB}
		c.Total, c.Free = capacityGiB(st.TotalCapacityGB.GiB, st.TotalCapacityGB.Infinite, st.TotalCapacityGB.Unknown),
			capacityGiB(st.FreeCapacityGB.GiB, st.FreeCapacityGB.Infinite, st.FreeCapacityGB.Unknown)
		caps = append(caps, c)
	}
	r.metrics.Pools(caps)
}

func capacityGiB(v float64, infinite, unknown bool) *float64 {
	switch {
	case unknown:
		return nil
	case infinite:
		return &metrics.Infinite
	}
	return &v
}
