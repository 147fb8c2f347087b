package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slab-storage/slab/state"
)

// migrateOptions are slab state migrate's flags after parsing.
type migrateOptions struct {
	force       bool
	lockTimeout time.Duration
	to          string // the target location, as given
}

// runStateMigrate copies stacks from the usual state store to another one,
// for example from the embedded SQLite file to a shared PostgreSQL
// database, and proves the copy equal before it reports success.
func runStateMigrate(ctx context.Context, c *cli, args []string) int {
	fs := c.newFlags("state migrate", "-to LOCATION")
	c.stateFlag(fs)
	var o migrateOptions
	fs.StringVar(&o.to, "to", "", "the target state store: a SQLite file path (relative to -chdir) or postgres://…")
	stackFlag := fs.String("stack", "", "migrate this stack instead of the configuration's")
	all := fs.Bool("all", false, "migrate every stack of the source store")
	fs.BoolVar(&o.force, "force", false, "replace a target stack that already holds state (and break its lock)")
	fs.DurationVar(&o.lockTimeout, "lock-timeout", 0, "wait this long for each source stack's lock")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	switch {
	case fs.NArg() > 0:
		fs.Usage()
		return 1
	case o.to == "":
		return c.errorf("slab state migrate needs -to LOCATION\nName the target state store: a SQLite file path or a postgres:// DSN, e.g. slab state migrate -to 'postgres://slab@db/slab'.")
	case *all && *stackFlag != "":
		return c.errorf("-stack and -all cannot be combined\nPass -stack NAME for one stack, or -all for every stack of the source store.")
	}
	cfg, ok := c.loadSettings()
	if !ok {
		return 1
	}
	from := c.stateLocation(cfg)
	if c.locationIdentity(from) == c.locationIdentity(o.to) {
		return c.errorf("The source and the target are the same state store\n%s is where the state already is. Name another store with -to, or another source with -state.", c.displayLocation(from))
	}
	src, err := c.openLocation(from)
	if err != nil {
		return c.errorf("Cannot open the source state store %s\n%v", c.displayLocation(from), err)
	}
	defer src.Close()
	dst, err := c.openLocation(o.to)
	if err != nil {
		return c.errorf("Cannot open the target state store %s\n%v", c.displayLocation(o.to), err)
	}
	defer dst.Close()

	stacks := []string{stackName(cfg)}
	switch {
	case *stackFlag != "":
		stacks = []string{*stackFlag}
	case *all:
		if stacks, err = src.Stacks(ctx); err != nil {
			return c.errorf("Cannot list the stacks of %s\n%v", c.displayLocation(from), err)
		}
		if len(stacks) == 0 {
			return c.errorf("The source state store %s holds no stacks", c.displayLocation(from))
		}
	}
	fmt.Fprintf(c.stdout, "Migrating %s from %s to %s.\n", plural(len(stacks), "stack"), c.displayLocation(from), c.displayLocation(o.to))
	for _, name := range stacks {
		if code := c.migrateStack(ctx, src, dst, name, o); code != 0 {
			return code
		}
	}
	return 0
}

// migrateStack copies one stack under its source lock, so that no apply
// writes to it between the dump and the end of the copy, then reads the
// copy back and compares it with the dump.
func (c *cli) migrateStack(ctx context.Context, src, dst state.Store, name string, o migrateOptions) int {
	release, ok := c.lock(ctx, src, name, "state migrate", o.lockTimeout)
	if !ok {
		return 1
	}
	defer release()
	d, err := src.Dump(ctx, name)
	if errors.Is(err, state.ErrNoStack) {
		return c.errorf("No stack %q in the source state store\nRun slab state migrate -all to copy every stack there, or -stack NAME to name one.", name)
	}
	if err != nil {
		return c.errorf("Cannot read stack %q from the source state store\n%v", name, err)
	}
	target := c.displayLocation(o.to)
	if err := dst.Restore(ctx, d, o.force); err != nil {
		var notEmpty *state.NotEmptyError
		var locked *state.LockedError
		switch {
		case errors.As(err, &notEmpty):
			return c.errorf("Stack %q already holds state in %s\nIt holds %d objects and %d history events there (serial %d, lineage %s), which the migration would replace. If that copy is not needed, pass -force to overwrite it.",
				name, target, notEmpty.Objects, notEmpty.History, notEmpty.Stack.Serial, notEmpty.Stack.Lineage)
		case errors.As(err, &locked):
			return c.errorf("Stack %q is locked in %s\n%v\nSomeone is working on that stack there. Wait for them to finish, or pass -force to replace the stack and break its lock.", name, target, err)
		}
		return c.errorf("Cannot write stack %q to %s\n%v\nNothing was written: the copy is one transaction.", name, target, err)
	}
	got, err := dst.Dump(ctx, name)
	if err != nil {
		return c.errorf("Cannot read stack %q back from %s\n%v\nThe copy was written but is not verified.", name, target, err)
	}
	if err := compareDumps(d, got); err != nil {
		return c.errorf("The copy of stack %q in %s differs from the source\n%v\nThe source is unchanged. Run the migration again with -force once nothing else writes to the target.", name, target, err)
	}
	sum := d.Checksum()
	fmt.Fprintf(c.stdout, "Migrated stack %q: %s, %s, serial %d, checksum %s…\n",
		name, plural(len(d.State.Objects()), "object"), plural(len(d.History), "history event"), d.Stack.Serial, sum[:12])
	return 0
}

// compareDumps says how a copy differs from its source: the counts, the
// stack row and the checksum over everything recorded.
func compareDumps(want, got *state.Dump) error {
	var diffs []string
	check := func(what string, w, g any) {
		if w != g {
			diffs = append(diffs, fmt.Sprintf("%s: source %v, copy %v", what, w, g))
		}
	}
	check("objects", len(want.State.Objects()), len(got.State.Objects()))
	check("history events", len(want.History), len(got.History))
	check("lineage", want.Stack.Lineage, got.Stack.Lineage)
	check("serial", want.Stack.Serial, got.Stack.Serial)
	check("checksum", want.Checksum(), got.Checksum())
	if len(diffs) == 0 {
		return nil
	}
	return errors.New(strings.Join(diffs, "\n"))
}

// plural is "1 stack", "2 stacks".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
