package main

import (
	"context"
	"fmt"

	"github.com/slab-storage/slab/cmd/slab/views"
	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/planner"
)

// runImport adopts one existing object into the recorded state, as
// Terraform's import command does: it records the object and changes
// nothing else; the next plan shows what the configuration would change.
func runImport(ctx context.Context, c *cli, args []string) int {
	fs := c.newFlags("import", "ADDRESS ID")
	c.stateFlag(fs)
	var f planFlags
	f.configFlags.register(fs)
	fs.DurationVar(&f.lockTimeout, "lock-timeout", 0, "wait this long for the stack's lock (e.g. 30s)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return 1
	}
	addr, id := fs.Arg(0), fs.Arg(1)
	cfg, ok := c.loadConfig(f.configFlags)
	if !ok {
		return 1
	}
	st, ok := c.openStack(ctx, cfg, "import", f.lockTimeout)
	if !ok {
		return 1
	}
	defer st.close()
	pools := planner.NewPoolSet(planner.PoolSpecs(cfg))
	defer pools.Close()
	f.refresh = true
	f.targets = stringList{addr}
	f.imports = []*config.Import{{To: addr, ID: id}}
	plan := c.makePlan(ctx, cfg, st, pools, &f)
	if plan == nil {
		return 1
	}
	ch := plan.Change(addr)
	if ch == nil || ch.Import == nil {
		return c.errorf("Nothing to import\n%s is already recorded with ID %s; slab state show %s shows it.", addr, id, addr)
	}
	// Only the import itself: the configuration's changes are for a plan
	// that can be reviewed.
	only := *ch
	only.Action, only.DependsOn = planner.NoOp, nil
	plan.Changes = []*planner.Change{&only}
	res, err := planner.Apply(ctx, plan, planner.ApplyOptions{
		Store: st.store, Pools: pools, Parallelism: 1, Hooks: views.NewApplyHooks(c.stdout, false), Who: whoAmI(),
	})
	if res == nil {
		return c.applyError(err)
	}
	if len(res.Failed) > 0 {
		return c.errorf("Import failed\n%v", res.Failed[0].Err)
	}
	if err != nil {
		return c.errorf("%v", err)
	}
	fmt.Fprintf(c.stdout, "\nImport successful!\n\n%s is now recorded as %s %s. Run slab plan to see whether the configuration changes it.\n",
		addr, ch.Kind, ch.Import.ID)
	return 0
}
