package providers

import (
	"context"
	"fmt"
	"time"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/state"
)

// Env is what a kind needs from the applier to carry out one change.
type Env interface {
	// Pool returns the open driver pool with the scheduler name "backend#pool".
	Pool(name string) (drivers.Pool, error)
	// Record writes one step to the state store at once (one transaction)
	// and makes the object visible to Resolve.
	Record(ctx context.Context, w state.Write) error
	// Resolve returns the recorded object at a config address, including
	// objects created earlier in this apply.
	Resolve(address string) (state.Object, bool)
	// Lookup returns a recorded object by kind and ID (a replaced object
	// and its replacement share an address, never an ID).
	Lookup(kind state.Kind, id string) (state.Object, bool)
	// Reschedule returns the next pool for a create that failed on the
	// pools attempted so far, and that pool's availability zone, or ""
	// when there is none (no alternative passes the scheduler's filters
	// now, or the volume was not placed by the scheduler).
	Reschedule(address string, attempted []string) (pool, zone string)
	// NewID returns a fresh object ID that drivers accept.
	NewID() string
	Now() time.Time
}

// Op is one change handed to a kind: the plan's decision, resolved.
type Op struct {
	Address string
	Name    string
	// ID is the recorded object's ID (update, delete); empty for create.
	ID     string
	Before Attrs
	After  Attrs
	// Changed lists the attributes an update changes.
	Changed []string
	// Pool is the placement of a create ("backend#pool").
	Pool string
	// Thick asks the driver for fully allocated space (provisioning:type).
	Thick bool
	// Sensitive names attributes whose values views must hide; it is
	// recorded with the object.
	Sensitive []string
}

// Kind is one resource kind: its schema, how recorded objects read as
// attributes, and how each change is carried out through drivers and
// recorded in state.
type Kind interface {
	Schema() *Schema
	// Attrs reads a recorded object as attributes; addressOf maps the IDs
	// it refers to (types, volumes, …) back to config addresses.
	Attrs(obj state.Object, addressOf func(id string) string) Attrs
	Create(ctx context.Context, env Env, op Op) error
	Update(ctx context.Context, env Env, op Op) error
	Delete(ctx context.Context, env Env, op Op) error
}

var kinds = map[string]Kind{
	"qos":         qosKind{},
	"volume_type": volumeTypeKind{},
	"volume":      volumeKind{},
	"snapshot":    snapshotKind{},
	"backup":      backupKind{},
}

// KindOf returns the kind with that name.
func KindOf(kind string) (Kind, error) {
	k, ok := kinds[kind]
	if !ok {
		return nil, fmt.Errorf("unknown resource kind %q", kind)
	}
	return k, nil
}

// resolveID returns the recorded ID at address, or an error that names it.
func resolveID(env Env, address string) (string, error) {
	if address == "" {
		return "", nil
	}
	obj, ok := env.Resolve(address)
	if !ok {
		return "", fmt.Errorf("%s is not recorded (was it created?)", address)
	}
	return obj.ObjectID(), nil
}

func str(a Attrs, k string) string {
	s, _ := a[k].(string)
	return s
}

func num(a Attrs, k string) int {
	n, _ := a[k].(int64)
	return int(n)
}

func strMap(a Attrs, k string) map[string]string {
	m, _ := a[k].(map[string]string)
	if m == nil {
		return map[string]string{}
	}
	out := make(map[string]string, len(m))
	for key, v := range m {
		out[key] = v
	}
	return out
}

// mapOrNil keeps empty maps out of attributes so "unset" has one spelling.
func mapOrNil(m map[string]string) any {
	if len(m) == 0 {
		return nil
	}
	return m
}

func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
