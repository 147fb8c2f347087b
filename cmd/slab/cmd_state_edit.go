package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slab-storage/slab/state"
)

// addressParts splits `volume.db["a"]` into its kind and block label.
func addressParts(addr string) (kind, name string, ok bool) {
	kind, rest, ok := strings.Cut(addr, ".")
	if !ok || rest == "" {
		return "", "", false
	}
	name, _, _ = strings.Cut(rest, "[")
	switch state.Kind(kind) {
	case state.KindVolume, state.KindSnapshot, state.KindVolumeType, state.KindQoS:
		return kind, name, name != ""
	}
	return "", "", false
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
		return c.errorf("Invalid address\nslab state mv takes two object addresses, e.g. slab state mv volume.old 'volume.db[\"a\"]'.")
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
		moved := renamed(objs[len(objs)-1], to, toName)
		writes := []state.Write{{Put: moved, Event: state.Event{Action: "move", Detail: "moved from " + from, Who: whoAmI()}}}
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
		fmt.Fprintf(c.stdout, "Move %q to %q\nSuccessfully moved 1 object.\n", from, to)
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
