package state

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Dump is everything recorded for one stack, read in one consistent view:
// what moves a stack from one store to another (slab state migrate).
// Stack is the stack row and equals State.Stack; History is oldest first.
type Dump struct {
	Stack   Stack   `json:"stack"`
	State   *State  `json:"state"`
	History []Event `json:"history"`
}

// ErrNoStack is returned (wrapped) by Dump for a stack the store has never
// recorded: unlike Read, Dump does not create it, so that a mistyped name
// fails instead of copying an empty stack.
var ErrNoStack = errors.New("no such stack")

// NotEmptyError is returned by Restore when the target stack already holds
// objects or history and force was not given: restoring would replace
// them.
type NotEmptyError struct {
	Stack   Stack // the target's stack row
	Objects int
	History int
}

func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("stack %q already holds %d objects and %d history events (serial %d, lineage %s)",
		e.Stack.Name, e.Objects, e.History, e.Stack.Serial, e.Stack.Lineage)
}

// Checksum is the SHA-256 (hex) of the dump's canonical JSON: the stack
// row, every object sorted by kind, address and ID, and the history in
// order without seq. Two stores holding the same stack give the same
// checksum whatever their row order or history sequence numbers, which is
// what a migration verifies.
//
// Canonical means that values a store cannot tell apart hash alike: times
// are taken in UTC (the stores keep the instant, not the zone), nil maps
// as empty ones (the stores record both as {}), and pool stats as compact
// JSON (encoding/json compacts them; their key order is kept).
func (d *Dump) Checksum() string {
	type kindObject struct {
		Kind   Kind   `json:"kind"`
		Object Object `json:"object"`
	}
	c := struct {
		Stack   Stack        `json:"stack"`
		Objects []kindObject `json:"objects"`
		History []Event      `json:"history"`
	}{Stack: d.Stack, Objects: []kindObject{}, History: make([]Event, len(d.History))}
	if d.State != nil {
		for _, o := range d.State.Objects() {
			c.Objects = append(c.Objects, kindObject{o.ObjectKind(), canonicalObject(o)})
		}
	}
	slices.SortStableFunc(c.Objects, func(a, b kindObject) int {
		return cmp.Or(strings.Compare(string(a.Kind), string(b.Kind)),
			strings.Compare(a.Object.ObjectAddress(), b.Object.ObjectAddress()),
			strings.Compare(a.Object.ObjectID(), b.Object.ObjectID()))
	})
	for i, e := range d.History {
		e.Seq = 0 // the target numbers its own events
		e.CreatedAt = e.CreatedAt.UTC()
		c.History[i] = e
	}
	b, err := json.Marshal(c)
	if err != nil {
		// Only pool stats that are not JSON can fail, and no store
		// records those; hash the error so that such a dump matches none.
		b = []byte(err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// canonicalObject is a copy of o with times in UTC and nil maps empty.
func canonicalObject(o Object) Object {
	utc := func(t *time.Time) { *t = t.UTC() }
	c := Clone(o)
	switch x := c.(type) {
	case *Pool:
		utc(&x.UpdatedAt)
		if len(x.Stats) == 0 {
			x.Stats = nil
		}
	case *QoS:
		utc(&x.CreatedAt)
		utc(&x.UpdatedAt)
		x.Specs = nonNil(x.Specs)
	case *VolumeType:
		utc(&x.CreatedAt)
		utc(&x.UpdatedAt)
		x.ExtraSpecs = nonNil(x.ExtraSpecs)
	case *Volume:
		utc(&x.CreatedAt)
		utc(&x.UpdatedAt)
		x.Metadata = nonNil(x.Metadata)
	case *Snapshot:
		utc(&x.CreatedAt)
		utc(&x.UpdatedAt)
		x.Metadata = nonNil(x.Metadata)
	case *Backup:
		utc(&x.CreatedAt)
		utc(&x.UpdatedAt)
	}
	return c
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
