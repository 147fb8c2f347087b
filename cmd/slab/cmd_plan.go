package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/slab-storage/slab/cmd/slab/views"
	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/planner"
	"github.com/slab-storage/slab/state"
)

// planFlags are shared by plan, apply and destroy.
type planFlags struct {
	configFlags
	refresh     bool
	refreshOnly bool
	destroy     bool
	replace     stringList
	targets     stringList
	imports     []*config.Import // slab import
	lockTimeout time.Duration
	json        bool
}

func (f *planFlags) register(fs *flag.FlagSet) {
	f.configFlags.register(fs)
	fs.BoolVar(&f.refresh, "refresh", true, "ask the pools what they hold before planning (-refresh=false skips it)")
	fs.BoolVar(&f.refreshOnly, "refresh-only", false, "plan only to record changes made outside of slab")
	fs.Var(&f.replace, "replace", "replace this object even if nothing changed (repeatable), e.g. -replace='volume.db[\"a\"]'")
	fs.Var(&f.targets, "target", "plan only this object (or block) and what it depends on (repeatable), e.g. -target=volume.db")
	fs.DurationVar(&f.lockTimeout, "lock-timeout", 0, "wait this long for the stack's lock (e.g. 30s)")
	fs.BoolVar(&f.json, "json", false, "machine-readable output")
}

// stack is an open store and the stack's lock, held for one command.
type stack struct {
	store   state.Store
	name    string
	release func()
}

func (s *stack) close() {
	if s.release != nil {
		s.release()
	}
	s.store.Close()
}

// openStack opens the store and takes the stack's lock.
func (c *cli) openStack(ctx context.Context, cfg *config.Config, operation string, timeout time.Duration) (*stack, bool) {
	store, err := c.openStore(cfg)
	if err != nil {
		c.errorf("Cannot open the state store\n%v", err)
		return nil, false
	}
	name := stackName(cfg)
	if _, err := store.Stack(ctx, name); err != nil {
		store.Close()
		c.errorf("Cannot read stack %q\n%v", name, err)
		return nil, false
	}
	release, ok := c.lock(ctx, store, name, operation, timeout)
	if !ok {
		store.Close()
		return nil, false
	}
	return &stack{store: store, name: name, release: release}, true
}

// foreignIDs maps the IDs every other stack of the store records to that
// stack: objects on a shared pool are neither unmanaged nor importable.
func foreignIDs(ctx context.Context, store state.Store, mine string) (map[string]string, error) {
	stacks, err := store.Stacks(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, name := range stacks {
		if name == mine {
			continue
		}
		rec, err := store.Read(ctx, name)
		if err != nil {
			return nil, err
		}
		for _, o := range rec.Objects() {
			out[o.ObjectID()] = name
		}
	}
	return out, nil
}

// makePlan refreshes and diffs; it prints diagnostics and returns nil on errors.
func (c *cli) makePlan(ctx context.Context, cfg *config.Config, st *stack, pools *planner.PoolSet, f *planFlags) *planner.Plan {
	rec, err := st.store.Read(ctx, st.name)
	if err != nil {
		c.errorf("Cannot read the recorded state of stack %q\n%v", st.name, err)
		return nil
	}
	// Other stacks' objects matter only when the pools are listed: for the
	// unmanaged report and imports.
	var foreign map[string]string
	if f.refresh || f.refreshOnly || len(f.imports) > 0 || len(cfg.Imports) > 0 {
		if foreign, err = foreignIDs(ctx, st.store, st.name); err != nil {
			c.errorf("Cannot read the other stacks of the state store\n%v", err)
			return nil
		}
	}
	plan, diags := planner.Make(ctx, cfg, rec, pools, planner.Options{
		Refresh: f.refresh || f.refreshOnly, RefreshOnly: f.refreshOnly, Destroy: f.destroy,
		Replace: f.replace, Targets: f.targets, Imports: f.imports, ForeignIDs: foreign, Version: version,
	})
	if len(diags) > 0 {
		c.printDiags(diags, cfg)
	}
	if diags.HasErrors() {
		return nil
	}
	return plan
}

func runPlan(ctx context.Context, c *cli, args []string) int {
	fs := c.newFlags("plan", "")
	c.stateFlag(fs)
	var f planFlags
	f.register(fs)
	fs.BoolVar(&f.destroy, "destroy", false, "plan to destroy everything the stack manages")
	out := fs.String("out", "", "save the plan to this file, for slab apply FILE")
	explain := fs.String("explain", "", "print how the scheduler placed this volume: every pool, why it was rejected or how it scored")
	detailed := fs.Bool("detailed-exitcode", false, "exit 0 when there are no changes, 2 when there are, 1 on errors")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	cfg, ok := c.loadConfig(f.configFlags)
	if !ok {
		return 1
	}
	st, ok := c.openStack(ctx, cfg, "plan", f.lockTimeout)
	if !ok {
		return 1
	}
	pools := planner.NewPoolSet(planner.PoolSpecs(cfg))
	plan := c.makePlan(ctx, cfg, st, pools, &f)
	// The plan is complete data now: release the lock and the pools before
	// writing anything, so a slow or vanished reader blocks no one.
	pools.Close()
	st.close()
	if plan == nil {
		return 1
	}
	plan.StateStore = c.storeIdentity(cfg)
	if f.json {
		if err := views.WritePlanJSON(c.stdout, plan); err != nil {
			return c.errorf("%v", err)
		}
	} else {
		views.WritePlan(c.stdout, plan)
	}
	if *explain != "" && !f.json {
		if code := c.explain(plan, *explain); code != 0 {
			return code
		}
	}
	if *out != "" {
		if err := planner.Save(c.path(*out), plan); err != nil {
			return c.errorf("Cannot save the plan\n%v", err)
		}
		if !f.json {
			fmt.Fprintf(c.stdout, "\nSaved the plan to: %s\n\nTo perform exactly these actions, run:\n    slab apply %s\n", *out, *out)
		}
	}
	if *detailed && plan.HasChanges() {
		return 2
	}
	return 0
}

func runApply(ctx context.Context, c *cli, args []string) int {
	return c.apply(ctx, "apply", args, false)
}

func runDestroy(ctx context.Context, c *cli, args []string) int {
	return c.apply(ctx, "destroy", args, true)
}

func (c *cli) apply(ctx context.Context, name string, args []string, destroy bool) int {
	argsUsage := "[PLANFILE]"
	if destroy {
		argsUsage = ""
	}
	fs := c.newFlags(name, argsUsage)
	c.stateFlag(fs)
	var f planFlags
	f.register(fs)
	autoApprove := fs.Bool("auto-approve", false, "skip the interactive confirmation")
	parallelism := fs.Int("parallelism", 10, "run at most this many steps at once")
	allowDataLoss := fs.Bool("allow-data-loss", false, "with -auto-approve, allow a plan that deletes or replaces volumes or snapshots holding data")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	f.destroy = destroy
	if fs.NArg() > 1 || (destroy && fs.NArg() > 0) {
		fs.Usage()
		return 1
	}
	if *parallelism < 1 {
		return c.errorf("-parallelism must be at least 1")
	}
	if fs.NArg() == 1 && (len(f.vars) > 0 || len(f.varFiles) > 0 || len(f.replace) > 0 || len(f.targets) > 0 || f.refreshOnly || !f.refresh) {
		return c.errorf("A saved plan cannot be changed\n-var, -var-file, -replace, -target and the refresh options shape a plan; the saved plan was made with its own. Make a new plan with them instead: slab plan -out FILE.")
	}
	if f.json && !*autoApprove && fs.NArg() == 0 {
		return c.errorf("-json needs -auto-approve or a saved plan\nslab cannot ask for confirmation while it writes JSON. Review the plan with slab plan -json -out FILE and apply FILE, or pass -auto-approve.")
	}
	load := func() (*config.Config, bool) { return c.loadConfig(f.configFlags) }
	if fs.NArg() == 1 {
		load = c.loadSettings
	}
	cfg, ok := load()
	if !ok {
		return 1
	}
	st, ok := c.openStack(ctx, cfg, name, f.lockTimeout)
	if !ok {
		return 1
	}
	defer st.close()

	var plan *planner.Plan
	var pools *planner.PoolSet
	if fs.NArg() == 1 {
		// A saved plan was reviewed already: no prompt, as in Terraform.
		var err error
		if plan, err = planner.Load(c.path(fs.Arg(0))); err != nil {
			return c.errorf("Cannot read the saved plan\n%v", err)
		}
		if plan.Stack != st.name {
			return c.errorf("Saved plan is for another stack\nThe plan was made for stack %q; this directory's configuration uses stack %q.", plan.Stack, st.name)
		}
		if plan.StateStore != "" && plan.StateStore != c.storeIdentity(cfg) {
			return c.errorf("Saved plan is for another state store\nThe plan was made against a different state store than the one this command uses (-state, SLAB_STATE or the slab block's state). Apply it against the store it was planned on, or make a new plan.")
		}
		if err := planner.CheckFresh(ctx, st.store, plan); err != nil {
			return c.applyError(err)
		}
		pools = planner.NewPoolSet(plan.Pools)
	} else {
		pools = planner.NewPoolSet(planner.PoolSpecs(cfg))
		if plan = c.makePlan(ctx, cfg, st, pools, &f); plan == nil {
			pools.Close()
			return 1
		}
		if !f.json {
			views.WritePlan(c.stdout, plan)
		}
		if lost := plan.DataLoss(); len(lost) > 0 && *autoApprove && !*allowDataLoss && !destroy {
			pools.Close()
			return c.refuseDataLoss(lost)
		}
		// Without changes there is nothing to approve; drift, if any, is
		// still recorded below.
		if plan.HasChanges() && !*autoApprove && !c.confirm(ctx, destroy) {
			pools.Close()
			fmt.Fprintln(c.stderr, "\nApply cancelled.")
			return 1
		}
	}
	defer pools.Close()
	hooks := views.NewApplyHooks(c.stdout, f.json)
	res, err := planner.Apply(ctx, plan, planner.ApplyOptions{
		Store: st.store, Pools: pools, Parallelism: *parallelism, Hooks: hooks, Who: whoAmI(),
		Progress: c.progress(),
	})
	if res == nil {
		return c.applyError(err)
	}
	code := c.finishApply(ctx, cfg, st, plan, res, f.json)
	if err != nil {
		code = c.errorf("%v", err)
	}
	return code
}

// refuseDataLoss stops an unattended apply that would destroy data no one
// reviewed.
func (c *cli) refuseDataLoss(addrs []string) int {
	return c.errorf("This plan destroys data, and nobody reviewed it\n"+
		"Applying it would delete or replace %s, losing the data they hold. An apply with -auto-approve does not destroy data unless you say so: "+
		"review the plan (slab plan -out FILE, then slab apply FILE), or pass -allow-data-loss if the pipeline is meant to do this.",
		strings.Join(addrs, ", "))
}

// explain prints the scheduler's reasoning for one address of the plan.
func (c *cli) explain(plan *planner.Plan, addr string) int {
	ch := plan.Change(addr)
	switch {
	case ch == nil:
		return c.errorf("No change for %s in this plan\nslab plan -explain takes the address of a volume the plan creates or replaces; run slab state list to see the recorded addresses.", addr)
	case ch.Placement == nil:
		pool, _ := ch.After["pool"].(string)
		return c.errorf("%s is not placed by this plan\nIt is %s and stays on pool %s; only volumes the plan creates or replaces go through the scheduler.", addr, ch.Action, pool)
	}
	fmt.Fprintln(c.stdout)
	switch pl := ch.Placement; {
	case pl.Secret:
		fmt.Fprintf(c.stdout, "%s goes to %s. The explanation is hidden because the request uses sensitive values.\n", addr, pl.Pool)
	case pl.Why != "" || pl.Explanation == nil:
		fmt.Fprintf(c.stdout, "%s goes to %s: %s.\n", addr, pl.Pool, pl.Why)
	default:
		views.WriteExplanation(c.stdout, pl.Explanation)
	}
	return 0
}

// confirm asks for "yes" on standard input.
func (c *cli) confirm(ctx context.Context, destroy bool) bool {
	question := "Do you want to perform these actions?\n  slab will perform the actions described above."
	if destroy {
		question = "Do you really want to destroy all volumes, snapshots, types and QoS specs of this stack?\n  There is no undo."
	}
	fmt.Fprintf(c.stdout, "\n%s\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ", question)
	return c.readYes(ctx)
}

// readYes reads one answer line from standard input; Ctrl-C while waiting
// answers no.
func (c *cli) readYes(ctx context.Context) bool {
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(c.stdin).ReadString('\n')
		answer <- line
	}()
	select {
	case line := <-answer:
		fmt.Fprintln(c.stdout)
		return strings.TrimSpace(line) == "yes"
	case <-ctx.Done():
		fmt.Fprintln(c.stdout)
		return false
	}
}

// finishApply reports failures, the summary and the outputs.
func (c *cli) finishApply(ctx context.Context, cfg *config.Config, st *stack, plan *planner.Plan, res *planner.Result, jsonOut bool) int {
	for _, e := range res.Failed {
		if !jsonOut {
			c.errorf("%s: %s failed\n%v", e.Address, e.Phase, e.Err)
		}
	}
	views.WriteApplySummary(c.stdout, plan, res, jsonOut)
	if res.Interrupted {
		if !jsonOut {
			fmt.Fprintf(c.stderr, "\nThe apply was interrupted: %d step(s) were not started. Every step that ran is recorded; run slab apply again to finish.\n", len(res.Skipped))
		}
		return 1
	}
	if len(res.Failed) > 0 {
		if !jsonOut {
			fmt.Fprintf(c.stderr, "\n%d step(s) failed and %d were skipped; what succeeded is recorded. Fix the cause and run slab apply again to converge.\n", len(res.Failed), len(res.Skipped))
		}
		return 1
	}
	if !jsonOut && !plan.Destroy {
		if code := c.printOutputs(ctx, cfg, st, "", false); code != 0 {
			return code
		}
	}
	return 0
}
