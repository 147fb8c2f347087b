package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Stack is one namespace in the catalog (like a Terraform workspace).
// Lineage is fixed at creation; Serial bumps on every recorded change.
type Stack struct {
	Name    string `json:"name"`
	Lineage string `json:"lineage"`
	Serial  int64  `json:"serial"`
}

// Kind names a kind of recorded object.
type Kind string

const (
	KindPool       Kind = "pool"
	KindQoS        Kind = "qos"
	KindVolumeType Kind = "volume_type"
	KindVolume     Kind = "volume"
	KindSnapshot   Kind = "snapshot"
)

// Object is implemented by every recorded object type.
type Object interface {
	ObjectKind() Kind
	ObjectID() string
	ObjectAddress() string
}

// Pool is a declared pool and its last reported stats.
type Pool struct {
	ID               string          `json:"id"` // "backend#pool"
	Address          string          `json:"address"`
	Backend          string          `json:"backend"`
	Name             string          `json:"name"`
	Driver           string          `json:"driver"`
	AvailabilityZone string          `json:"availability_zone"`
	Stats            json.RawMessage `json:"stats,omitempty"` // drivers.PoolStats as JSON
	UpdatedAt        time.Time       `json:"updated_at"`
}

// QoS is a recorded QoS spec.
type QoS struct {
	ID        string            `json:"id"`
	Address   string            `json:"address"`
	Name      string            `json:"name"`
	Consumer  string            `json:"consumer"`
	Specs     map[string]string `json:"specs"`
	Sensitive []string          `json:"sensitive,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// VolumeType is a recorded volume type.
type VolumeType struct {
	ID          string            `json:"id"`
	Address     string            `json:"address"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	ExtraSpecs  map[string]string `json:"extra_specs"`
	QoSID       string            `json:"qos_id,omitempty"`
	Sensitive   []string          `json:"sensitive,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// Volume is a recorded volume.
type Volume struct {
	ID               string `json:"id"`
	Address          string `json:"address"`
	Name             string `json:"name"`
	Pool             string `json:"pool"` // "backend#pool"
	SizeGiB          int    `json:"size"`
	Status           string `json:"status"`
	StatusReason     string `json:"status_reason,omitempty"` // the driver's message when Status is an error
	TypeID           string `json:"type_id,omitempty"`
	AvailabilityZone string `json:"availability_zone,omitempty"`
	SourceKind       string `json:"source_kind,omitempty"` // "", "snapshot", "volume", "backup"
	SourceID         string `json:"source_id,omitempty"`
	// SourceAddress is the source's config address when the volume was
	// made: the source may be replaced or deleted later without touching
	// the copy, so the address is kept rather than looked up by ID.
	SourceAddress string            `json:"source_address,omitempty"`
	Description   string            `json:"description,omitempty"`
	Metadata      map[string]string `json:"metadata,omitempty"`
	// Sensitive names the attributes whose values came from sensitive
	// variables: views never print them.
	Sensitive        []string `json:"sensitive,omitempty"`
	ProviderLocation string   `json:"provider_location,omitempty"`
	// RevertedTo is the ID of the snapshot the volume was last reverted
	// to (revert_to), so that a revert happens once.
	RevertedTo string    `json:"reverted_to,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Snapshot is a recorded snapshot.
type Snapshot struct {
	ID           string            `json:"id"`
	Address      string            `json:"address"`
	Name         string            `json:"name"`
	VolumeID     string            `json:"volume_id"`
	Pool         string            `json:"pool"`
	SizeGiB      int               `json:"size"`
	Status       string            `json:"status"`
	StatusReason string            `json:"status_reason,omitempty"`
	Description  string            `json:"description,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
	// Sensitive names the attributes whose values came from sensitive
	// variables: views never print them.
	Sensitive        []string  `json:"sensitive,omitempty"`
	ProviderLocation string    `json:"provider_location,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

func (o *Pool) ObjectKind() Kind            { return KindPool }
func (o *Pool) ObjectID() string            { return o.ID }
func (o *Pool) ObjectAddress() string       { return o.Address }
func (o *QoS) ObjectKind() Kind             { return KindQoS }
func (o *QoS) ObjectID() string             { return o.ID }
func (o *QoS) ObjectAddress() string        { return o.Address }
func (o *VolumeType) ObjectKind() Kind      { return KindVolumeType }
func (o *VolumeType) ObjectID() string      { return o.ID }
func (o *VolumeType) ObjectAddress() string { return o.Address }
func (o *Volume) ObjectKind() Kind          { return KindVolume }
func (o *Volume) ObjectID() string          { return o.ID }
func (o *Volume) ObjectAddress() string     { return o.Address }
func (o *Snapshot) ObjectKind() Kind        { return KindSnapshot }
func (o *Snapshot) ObjectID() string        { return o.ID }
func (o *Snapshot) ObjectAddress() string   { return o.Address }

// State is everything recorded for one stack, read in one consistent view.
type State struct {
	Stack       Stack         `json:"stack"`
	Pools       []*Pool       `json:"pools"`
	QoS         []*QoS        `json:"qos"`
	VolumeTypes []*VolumeType `json:"volume_types"`
	Volumes     []*Volume     `json:"volumes"`
	Snapshots   []*Snapshot   `json:"snapshots"`
	Backups     []*Backup     `json:"backups"`
}

// Objects returns every object, in a stable kind order.
func (s *State) Objects() []Object {
	var out []Object
	for _, o := range s.Pools {
		out = append(out, o)
	}
	for _, o := range s.QoS {
		out = append(out, o)
	}
	for _, o := range s.VolumeTypes {
		out = append(out, o)
	}
	for _, o := range s.Volumes {
		out = append(out, o)
	}
	for _, o := range s.Snapshots {
		out = append(out, o)
	}
	for _, o := range s.Backups {
		out = append(out, o)
	}
	return out
}

// Event is one history row: what happened to which object.
type Event struct {
	Seq       int64     `json:"seq"`
	Stack     string    `json:"stack"`
	Serial    int64     `json:"serial"`
	Kind      Kind      `json:"kind"`
	ObjectID  string    `json:"object_id"`
	Address   string    `json:"address"`
	Action    string    `json:"action"` // create, update, delete, error, …
	Detail    string    `json:"detail,omitempty"`
	Who       string    `json:"who,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Write is one recorded step: exactly one of Put or Delete, and the history
// event that explains it. It is applied in one transaction together with the
// stack's serial bump.
type Write struct {
	Put    Object
	Delete *Ref
	Event  Event // Kind, ObjectID and Address are filled from Put/Delete when empty
}

// Ref names an object by kind and ID.
type Ref struct {
	Kind Kind
	ID   string
}

// Lock is a held (or observed) stack lock.
type Lock struct {
	ID        string `json:"id"`
	Stack     string `json:"stack"`
	Who       string `json:"who"`
	Operation string `json:"operation"`
	// Info is free text for the operator who finds the lock held, such as
	// the slab version and command line of the holder. Nothing parses it.
	Info      string    `json:"info,omitempty"`
	CreatedAt time.Time `json:"created"`
}

// LockedError is returned when another writer holds the stack's lock.
type LockedError struct{ Holder Lock }

func (e *LockedError) Error() string {
	info := ""
	if e.Holder.Info != "" {
		info = fmt.Sprintf(", info %q", e.Holder.Info)
	}
	return fmt.Sprintf("stack %q is locked by %s (operation %q, since %s, lock ID %s%s)",
		e.Holder.Stack, e.Holder.Who, e.Holder.Operation, e.Holder.CreatedAt.Format(time.RFC3339), e.Holder.ID, info)
}

// ErrNoLock is returned by Unlock / ForceUnlock when no lock with that ID is held.
var ErrNoLock = errors.New("no such lock")

// Store is the catalog and recorded state. Implementations: state/sqlite
// (embedded default) and state/postgres (shared).
type Store interface {
	// Stack returns the named stack, creating it with a new lineage and
	// serial 0 when it does not exist yet.
	Stack(ctx context.Context, name string) (Stack, error)
	// Read returns everything recorded for the stack.
	Read(ctx context.Context, stack string) (*State, error)
	// Apply records one step in one transaction: upsert or delete the
	// object, append the history event, bump the stack serial. It returns
	// the new serial.
	Apply(ctx context.Context, stack string, w Write) (int64, error)
	// History returns the stack's events, oldest first; limit ≤ 0 means all.
	History(ctx context.Context, stack string, limit int) ([]Event, error)
	// Lock takes the stack's writer lock, waiting up to timeout (0: try
	// once). It returns *LockedError when another holder keeps it.
	Lock(ctx context.Context, stack, who, operation string, timeout time.Duration) (Lock, error)
	// LockWith is Lock with every field of the request: want.Stack, Who,
	// Operation and Info are recorded; its ID and CreatedAt are ignored
	// and filled in the returned lock.
	LockWith(ctx context.Context, want Lock, timeout time.Duration) (Lock, error)
	// Unlock releases a lock taken by Lock.
	Unlock(ctx context.Context, stack, id string) error
	// ForceUnlock breaks a lock by ID, whoever holds it.
	ForceUnlock(ctx context.Context, stack, id string) error
	// Stacks returns the names of every recorded stack, sorted.
	Stacks(ctx context.Context) ([]string, error)
	// Dump reads the stack row, every object and every history event in
	// one read transaction. A stack never recorded is ErrNoStack.
	Dump(ctx context.Context, stack string) (*Dump, error)
	// Restore writes a dump in one transaction: the stack row with the
	// dump's lineage and serial, its objects, and its history events with
	// their serial, kind, object, address, action, detail, who and time
	// (the store numbers their seq). A target stack that holds objects or
	// history is refused with *NotEmptyError, and one whose lock is held
	// with *LockedError, unless force: then its objects, history and lock
	// are deleted first.
	Restore(ctx context.Context, d *Dump, force bool) error
	Close() error
}
