package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/planner"
	"github.com/slab-storage/slab/state"
)

// client is one configured provider: the state store, the stack, the
// pools and the scheduler settings every resource uses.
type client struct {
	version     string
	store       state.Store
	stack       string
	pools       *planner.PoolSet
	settings    *config.Config
	lockTimeout time.Duration
	// mu keeps this process's writes in turn (Terraform runs up to ten
	// at once), so they queue here instead of polling the store's lock.
	mu sync.Mutex
}

func clientOf(data any, diags *diag.Diagnostics) *client {
	if data == nil {
		return nil
	}
	c, ok := data.(*client)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("got %T", data))
		return nil
	}
	return c
}

func (c *client) ready(diags *diag.Diagnostics) bool {
	if c == nil {
		diags.AddError("Provider not configured", "The slab provider's configuration depends on values not known yet; apply what they depend on first.")
		return false
	}
	return true
}

// read returns the stack's record.
func (c *client) read(ctx context.Context, diags *diag.Diagnostics) *state.State {
	rec, err := c.store.Read(ctx, c.stack)
	if err != nil {
		diags.AddError("Cannot read the state store", err.Error())
		return nil
	}
	return rec
}

// refresh reads the object of kind with id for a Read: from the record,
// refreshed against its pool or repository. When it is gone the resource
// leaves Terraform's state (the next plan makes it again) and ok is false,
// as it is after an error.
func (c *client) refresh(ctx context.Context, kind state.Kind, id, name string, resp *resource.ReadResponse) (obj state.Object, rec *state.State, ok bool) {
	if rec = c.read(ctx, &resp.Diagnostics); rec == nil || resp.Diagnostics.HasError() {
		return nil, nil, false
	}
	obj, found, err := planner.ReadObject(ctx, rec, c.pools, kind, id)
	if err != nil {
		resp.Diagnostics.AddError("Cannot refresh "+name, err.Error())
		return nil, nil, false
	}
	if !found {
		resp.State.RemoveResource(ctx)
		return nil, nil, false
	}
	return obj, rec, true
}

// check plans one object's change without applying it, for plan-time
// diagnostics and replacement decisions.
func (c *client) check(ctx context.Context, address string, want *planner.Object, diags *diag.Diagnostics) *planner.Change {
	rec := c.read(ctx, diags)
	if rec == nil {
		return nil
	}
	plan, hd := planner.MakeObject(ctx, rec, c.pools, address, want, planner.ObjectOptions{Settings: c.settings, Version: c.version})
	diags.Append(fromHCL(hd, "")...)
	if plan == nil {
		return nil
	}
	return plan.Change(address)
}

// apply plans and applies the change of the object at address (deleting
// it when want is nil) under the stack's lock, and returns the object
// recorded there afterwards (nil once deleted). create refuses an address
// that is taken.
func (c *client) apply(ctx context.Context, address string, want *planner.Object, create bool, diags *diag.Diagnostics) state.Object {
	c.mu.Lock()
	defer c.mu.Unlock()
	who := whoAmI()
	lock, err := c.store.LockWith(ctx, state.Lock{Stack: c.stack, Who: who, Operation: "apply",
		Info: "terraform-provider-slab " + c.version + ": " + address}, c.lockTimeout)
	if err != nil {
		var locked *state.LockedError
		if errors.As(err, &locked) {
			diags.AddError("Error acquiring the state lock", fmt.Sprintf("%v\nslab takes one writer per stack. Wait for that operation to finish, raise the provider's lock_timeout, or, if it crashed, break the lock with: slab force-unlock %s", err, locked.Holder.ID))
			return nil
		}
		diags.AddError("Error acquiring the state lock", err.Error())
		return nil
	}
	defer func() {
		if err := c.store.Unlock(context.WithoutCancel(ctx), c.stack, lock.ID); err != nil {
			diags.AddWarning("Cannot release the state lock", fmt.Sprintf("lock %s: %v", lock.ID, err))
		}
	}()
	rec := c.read(ctx, diags)
	if rec == nil {
		return nil
	}
	if create {
		// A failed create leaves an error record there; the engine makes
		// it again, as it does for the CLI.
		if o := current(rec, address); o != nil && !planner.FailedCreate(o) {
			diags.AddError("Object already exists", fmt.Sprintf("%s is already recorded in stack %q (id %s). Choose another name, or bring it under this resource with: terraform import <resource address> %s",
				address, c.stack, o.ObjectID(), o.ObjectID()))
			return nil
		}
	}
	plan, hd := planner.MakeObject(ctx, rec, c.pools, address, want, planner.ObjectOptions{Settings: c.settings, Refresh: true, Version: c.version})
	diags.Append(fromHCL(hd, "")...)
	if plan == nil {
		return nil
	}
	res, err := planner.Apply(ctx, plan, planner.ApplyOptions{Store: c.store, Pools: c.pools, Parallelism: 1, Who: who})
	if err != nil {
		diags.AddError("Apply failed", err.Error())
		return nil
	}
	for _, f := range res.Failed {
		diags.AddError(fmt.Sprintf("Cannot %s %s", f.Phase, f.Address), f.Err.Error())
	}
	if len(res.Failed) > 0 {
		return nil
	}
	after := c.read(ctx, diags)
	if after == nil {
		return nil
	}
	return current(after, address)
}

// current is the object recorded at address, nil when there is none.
func current(rec *state.State, address string) state.Object {
	o, _ := planner.RecordedAt(rec, address)
	return o
}

// whoAmI names this process in locks and history.
func whoAmI() string {
	host, _ := os.Hostname()
	user := os.Getenv("USER")
	if user == "" {
		user = fmt.Sprint(os.Getuid())
	}
	return fmt.Sprintf("%s@%s (terraform-provider-slab, pid %d)", user, host, os.Getpid())
}

// fromHCL turns the engine's diagnostics into Terraform's, with the file,
// line and column when they point into config_dir.
func fromHCL(hd hcl.Diagnostics, context string) diag.Diagnostics {
	var out diag.Diagnostics
	for _, d := range hd {
		detail := d.Detail
		if d.Subject != nil && d.Subject.Filename != "" {
			detail = fmt.Sprintf("%s:%d,%d: %s", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column, detail)
		}
		if context != "" {
			detail = strings.TrimSpace(detail + "\n(in " + context + ")")
		}
		if d.Severity == hcl.DiagError {
			out.AddError(d.Summary, detail)
		} else {
			out.AddWarning(d.Summary, detail)
		}
	}
	return out
}
