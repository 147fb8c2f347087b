package main

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/slab-storage/slab/state"
)

// addressPattern is an instance address as the configuration writes it:
// kind.name, with an optional [index] or ["key"].
var addressPattern = regexp.MustCompile(`^(volume|snapshot|volume_type|qos)\.([a-z0-9][a-z0-9_-]*)(\[(0|[1-9][0-9]*|"(?:[^"\\]|\\.)*")\])?$`)

// addressParts splits `volume.db["a"]` into its kind and block label.
func addressParts(addr string) (kind, name string, ok bool) {
	m := addressPattern.FindStringSubmatch(addr)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// editState opens the store, takes the lock and reads the stack, for
// state rm and mv.
func (c *cli) editState(ctx context.Context, op string, timeout time.Duration, edit func(rec *state.State, store state.Store, stack string) int) int {
	cfg, ok := c.loadSettings()
	if !ok {
		return 1
	}
	st, ok := c.openStack(ctx, cfg, op, timeout)
	if !ok {
		return 1
	}
	defer st.close()
	rec, err := st.store.Read(ctx, st.name)
	if err != nil {
		return c.errorf("Cannot read the recorded state of stack %q\n%v", st.name, err)
	}
	return edit(rec, st.store, st.name)
}

// dependents lists the recorded objects that refer to obj.
func dependents(rec *state.State, obj state.Object) []state.Object {
	var out []state.Object
	id := obj.ObjectID()
	for _, o := range rec.Objects() {
		switch x := o.(type) {
		case *state.Snapshot:
			if x.VolumeID == id {
				out = append(out, o)
			}
		case *state.Volume:
			if x.TypeID == id {
				out = append(out, o)
			}
		case *state.VolumeType:
			if x.QoSID == id {
				out = append(out, o)
			}
		}
	}
	return out
}

func objectsAt(rec *state.State, addr string) []state.Object {
	var out []state.Object
	for _, o := range rec.Objects() {
		if o.ObjectAddress() == addr && o.ObjectKind() != state.KindPool {
			out = append(out, o)
		}
	}
	return out
}

func runStateRm(ctx context.Context, c *cli, args []string) int {
	fs := c.newFlags("state rm", "ADDRESS...")
	c.stateFlag(fs)
	lockTimeout := fs.Duration("lock-timeout", 0, "wait this long for the stack's lock")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 1
	}
	addrs := fs.Args()
	return c.editState(ctx, "state rm", *lockTimeout, func(rec *state.State, store state.Store, stack string) int {
		var forget []state.Object
		for _, addr := range addrs {
			objs := objectsAt(rec, addr)
			if len(objs) == 0 {
				return c.errorf("No object at %s in stack %q\nRun slab state list to see the recorded addresses.", addr, stack)
			}
			forget = append(forget, objs...)
		}
		for _, o := range forget {
			for _, d := range dependents(rec, o) {
				if !slices.Contains(addrs, d.ObjectAddress()) {
					return c.errorf("%s is used by %s\nForgetting it alone would leave %s pointing at an object slab no longer knows. Remove both: slab state rm '%s' '%s'",
						o.ObjectAddress(), d.ObjectAddress(), d.ObjectAddress(), o.ObjectAddress(), d.ObjectAddress())
				}
			}
		}
		for _, o := range forget {
			w := state.Write{Delete: &state.Ref{Kind: o.ObjectKind(), ID: o.ObjectID()},
				Event: state.Event{Action: "forget", Address: o.ObjectAddress(), Detail: "removed from the state; the pool still holds it", Who: whoAmI()}}
			if _, err := store.Apply(ctx, stack, w); err != nil {
				return c.errorf("Cannot remove %s\n%v", o.ObjectAddress(), err)
			}
			fmt.Fprintf(c.stdout, "Removed %s\n", o.ObjectAddress())
		}
		fmt.Fprintf(c.stdout, "Successfully removed %d object(s). The pools still hold them; slab import can adopt them again.\n", len(forget))
		return 0
	})
}

func runStateMv(ctx context.Context, c *cli, args []string) int {
	fs := c.newFlags("state mv", "FROM TO")
	c.stateFlag(fs)
	lockTimeout := fs.Duration("lock-timeout", 0, "wait this long for the stack's lock")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return 1
	}
	from, to := fs.Arg(0), fs.Arg(1)
	fromKind, _, ok1 := addressParts(from)
	toKind, toName, ok2 := addressParts(to)
	switch {
	case !ok1 || !ok2:
		return c.errorf("Invalid address\nslab state mv takes two object addresses as the configuration writes them: kind.name, kind.name[0] or kind.name[\"key\"], e.g. slab state mv volume.old 'volume.db[\"a\"]'.")
	case fromKind != toKind:
		return c.errorf("Cannot move a %s to a %s address\nAn object keeps its kind: move %s to another %s address.", fromKind, toKind, from, fromKind)
	}
	return c.editState(ctx, "state mv", *lockTimeout, func(rec *state.State, store state.Store, stack string) int {
		objs := objectsAt(rec, from)
		if len(objs) == 0 {
			return c.errorf("No object at %s in stack %q\nRun slab state list to see the recorded addresses.", from, stack)
		}
		if len(objectsAt(rec, to)) > 0 {
			return c.errorf("%s is already recorded\nMove it away first, or remove it with slab state rm.", to)
		}
		// Every object at the address moves, a deposed one left by an
		// interrupted replacement included.
		var writes []state.Write
		for _, o := range objs {
			writes = append(writes, state.Write{Put: renamed(o, to, toName), Event: state.Event{Action: "move", Detail: "moved from " + from, Who: whoAmI()}})
		}
		// Volumes made from the moved object name it by address.
		for _, v := range rec.Volumes {
			if v.SourceAddress == from {
				nv := *v
				nv.SourceAddress = to
				writes = append(writes, state.Write{Put: &nv, Event: state.Event{Action: "move", Detail: "source moved from " + from + " to " + to, Who: whoAmI()}})
			}
		}
		for _, w := range writes {
			if _, err := store.Apply(ctx, stack, w); err != nil {
				return c.errorf("Cannot move %s\n%v", from, err)
			}
		}
		fmt.Fprintf(c.stdout, "Move %q to %q\nSuccessfully moved %d object(s).\n", from, to, len(objs))
		return 0
	})
}

// renamed is a copy of o at a new address and block label.
func renamed(o state.Object, addr, name string) state.Object {
	c := state.Clone(o)
	switch x := c.(type) {
	case *state.Volume:
		x.Address, x.Name = addr, name
	case *state.Snapshot:
		x.Address, x.Name = addr, name
	case *state.VolumeType:
		x.Address, x.Name = addr, name
	case *state.QoS:
		x.Address, x.Name = addr, name
	}
	return c
}
