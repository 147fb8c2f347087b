package providers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/state"
)

// Volume statuses, as Cinder's.
const (
	StatusCreating       = "creating"
	StatusAvailable      = "available"
	StatusExtending      = "extending"
	StatusRetyping       = "retyping"
	StatusDeleting       = "deleting"
	StatusError          = "error"
	StatusErrorDeleting  = "error_deleting"
	StatusErrorExtending = "error_extending"
)

// VolumeSchema: size grows in place and is refused smaller; a new
// availability zone or source means a new volume; type changes are retypes
// (the planner decides whether the current pool still fits the new type);
// metadata and description are catalog-only.
var VolumeSchema = &Schema{Kind: "volume", Attributes: []Attribute{
	{Name: "id", Type: String, Rule: Computed},
	{Name: "size", Type: Int, Rule: Grows},
	{Name: "type", Type: String, Rule: InPlace},
	{Name: "availability_zone", Type: String, Rule: ForcesReplacement, DefaultedByBackend: true},
	{Name: "source", Type: String, Rule: CreateOnly},
	{Name: "description", Type: String, Rule: InPlace},
	{Name: "metadata", Type: StringMap, Rule: InPlace},
	// revert_to names the snapshot the volume was last reverted to; naming
	// another one reverts the volume to it (revert.go).
	{Name: "revert_to", Type: String, Rule: InPlace},
	{Name: "pool", Type: String, Rule: Computed},
	{Name: "status", Type: String, Rule: Computed},
	// qos_limits are the type's QoS specs resolved for the volume's size
	// (per-GB keys become limits); the planner fills them in.
	{Name: "qos_limits", Type: StringMap, Rule: Computed},
}}

type volumeKind struct{}

func (volumeKind) Schema() *Schema { return VolumeSchema }

func (volumeKind) Attrs(obj state.Object, addressOf func(string) string) Attrs {
	v := obj.(*state.Volume)
	a := Attrs{
		"id":                v.ID,
		"size":              int64(v.SizeGiB),
		"availability_zone": nonEmpty(v.AvailabilityZone),
		"description":       nonEmpty(v.Description),
		"metadata":          mapOrNil(v.Metadata),
		"pool":              v.Pool,
		"status":            v.Status,
	}
	if v.TypeID != "" {
		a["type"] = addressOf(v.TypeID)
	}
	if v.RevertedTo != "" {
		a["revert_to"] = nonEmpty(addressOf(v.RevertedTo))
	}
	switch {
	case v.SourceAddress != "":
		a["source"] = v.SourceAddress
	case v.SourceID != "":
		a["source"] = addressOf(v.SourceID)
	}
	return a
}

// SourceKind returns "snapshot" or "volume" for a source address.
func SourceKind(address string) string {
	kind, _, _ := strings.Cut(address, ".")
	return kind
}

// MaxCreateAttempts is Cinder's scheduler_max_attempts: a create that
// fails on its pool is tried on the next best pool, three tries in all.
const MaxCreateAttempts = 3

func (volumeKind) Create(ctx context.Context, env Env, op Op) error {
	typeID, err := resolveID(env, str(op.After, "type"))
	if err != nil {
		return err
	}
	source := str(op.After, "source")
	sourceID, err := resolveID(env, source)
	if err != nil {
		return err
	}
	now := env.Now()
	v := &state.Volume{
		ID: env.NewID(), Address: op.Address, Name: op.Name, Pool: op.Pool,
		SizeGiB: num(op.After, "size"), Status: StatusCreating, TypeID: typeID,
		AvailabilityZone: str(op.After, "availability_zone"),
		Description:      str(op.After, "description"), Metadata: strMap(op.After, "metadata"),
		Sensitive: op.Sensitive, CreatedAt: now, UpdatedAt: now,
	}
	if source != "" {
		v.SourceKind, v.SourceID, v.SourceAddress = SourceKind(source), sourceID, source
	}
	var attempted []string
	for attempt := 1; ; attempt++ {
		got, err := createOn(ctx, env, v, op.Thick, attempt)
		if err == nil && v.SourceKind == "backup" {
			v.ProviderLocation = got.ProviderLocation
			return restoreNew(ctx, env, v)
		}
		if err == nil {
			v.Status, v.StatusReason, v.ProviderLocation, v.UpdatedAt = StatusAvailable, "", got.ProviderLocation, env.Now()
			return env.Record(ctx, state.Write{Put: v, Event: state.Event{Action: "create", Detail: "available on " + v.Pool}})
		}
		attempted = append(attempted, v.Pool)
		// An outcome that is unknown is never retried elsewhere: the first
		// pool may yet hold the volume. Volumes bound to a source's pool
		// have nowhere else to go.
		next, zone := "", ""
		if attempt < MaxCreateAttempts && drivers.ClassOf(err) != drivers.MayBeInProgress && v.SourceKind == "" {
			next, zone = env.Reschedule(op.Address, attempted)
		}
		if next == "" {
			if attempt > 1 {
				err = fmt.Errorf("%w (after %d attempts on %s)", err, attempt, strings.Join(attempted, ", "))
			}
			return recordFailure(ctx, env, v, StatusError, "create", err)
		}
		if rerr := env.Record(ctx, state.Write{Put: v, Event: state.Event{Action: "reschedule",
			Detail: fmt.Sprintf("attempt %d on %s failed: %v; trying %s", attempt, v.Pool, err, next)}}); rerr != nil {
			return rerr
		}
		// The scheduler only offers pools in a zone the volume may use, so
		// the volume takes the new pool's zone.
		v.Pool, v.AvailabilityZone = next, zone
	}
}

// createOn makes the volume on v.Pool. The row is written before the
// driver call, so a crash after the driver made the file still leaves a
// row that names it, and the next refresh settles it.
func createOn(ctx context.Context, env Env, v *state.Volume, thick bool, attempt int) (drivers.Volume, error) {
	pool, err := env.Pool(v.Pool)
	if err != nil {
		return drivers.Volume{}, err
	}
	v.Status, v.UpdatedAt = StatusCreating, env.Now()
	detail := "creating on " + v.Pool
	if attempt > 1 {
		detail = fmt.Sprintf("creating on %s (attempt %d of %d)", v.Pool, attempt, MaxCreateAttempts)
	}
	if err := env.Record(ctx, state.Write{Put: v, Event: state.Event{Action: "create", Detail: detail}}); err != nil {
		return drivers.Volume{}, err
	}
	switch v.SourceKind {
	case "":
		return pool.CreateVolume(ctx, drivers.CreateVolumeRequest{ID: v.ID, SizeGiB: v.SizeGiB, Thick: thick})
	case "snapshot":
		return pool.CreateVolumeFromSnapshot(ctx, drivers.CreateFromSnapshotRequest{ID: v.ID, SnapshotID: v.SourceID, SizeGiB: v.SizeGiB})
	case "volume":
		return pool.CloneVolume(ctx, drivers.CloneVolumeRequest{ID: v.ID, SourceID: v.SourceID, SizeGiB: v.SizeGiB})
	case "backup":
		// An empty volume first; RestoreInto writes the data.
		return pool.CreateVolume(ctx, drivers.CreateVolumeRequest{ID: v.ID, SizeGiB: v.SizeGiB, Thick: thick})
	}
	return drivers.Volume{}, fmt.Errorf("volumes from a %s are not supported yet", v.SourceKind)
}

func (volumeKind) Update(ctx context.Context, env Env, op Op) error {
	obj, ok := env.Lookup(state.KindVolume, op.ID)
	if !ok {
		return fmt.Errorf("%s (%s) is not recorded", op.Address, op.ID)
	}
	cur := *obj.(*state.Volume)
	v := &cur
	newSize := num(op.After, "size")
	// Resolve the new type first: a failure then changes nothing.
	typeID := v.TypeID
	if slices.Contains(op.Changed, "type") {
		var err error
		if typeID, err = resolveID(env, str(op.After, "type")); err != nil {
			return err
		}
	}
	if slices.Contains(op.Changed, "size") && newSize > v.SizeGiB {
		pool, err := env.Pool(v.Pool)
		if err != nil {
			return err
		}
		v.Status = StatusExtending
		detail := fmt.Sprintf("extending %d → %d GiB", v.SizeGiB, newSize)
		if slices.Contains(op.Sensitive, "size") {
			detail = "extending (sizes are sensitive)"
		}
		if err := env.Record(ctx, state.Write{Put: v, Event: state.Event{Action: "update", Detail: detail}}); err != nil {
			return err
		}
		if _, err := pool.ExtendVolume(ctx, v.ID, newSize); err != nil {
			return recordFailure(ctx, env, v, StatusErrorExtending, "update", err)
		}
		v.SizeGiB = newSize
	}
	if slices.Contains(op.Changed, "revert_to") {
		if err := revert(ctx, env, v, str(op.After, "revert_to")); err != nil {
			return err
		}
	}
	v.TypeID = typeID
	v.Description = str(op.After, "description")
	v.Metadata = strMap(op.After, "metadata")
	v.Sensitive = op.Sensitive
	v.Status, v.StatusReason, v.UpdatedAt = StatusAvailable, "", env.Now()
	return env.Record(ctx, state.Write{Put: v, Event: state.Event{Action: "update", Detail: ChangeSummary(VolumeSchema, op)}})
}

func (volumeKind) Delete(ctx context.Context, env Env, op Op) error {
	obj, ok := env.Lookup(state.KindVolume, op.ID)
	if !ok {
		return nil // already gone from the record
	}
	cur := *obj.(*state.Volume)
	v := &cur
	pool, err := env.Pool(v.Pool)
	if v.Status == StatusError {
		// A failed create left nothing, but a failed restore or revert
		// leaves a file: remove whatever the pool holds (deleting is
		// idempotent). A pool that is no longer declared holds nothing
		// slab can reach, so only the record goes.
		if err == nil {
			if err := pool.DeleteVolume(ctx, v.ID); err != nil {
				return recordFailure(ctx, env, v, StatusErrorDeleting, "delete", err)
			}
		}
		return env.Record(ctx, state.Write{Delete: &state.Ref{Kind: state.KindVolume, ID: v.ID}, Event: state.Event{Action: "delete", Address: v.Address, Detail: "after an error"}})
	}
	if err != nil {
		return err
	}
	v.Status, v.UpdatedAt = StatusDeleting, env.Now()
	if err := env.Record(ctx, state.Write{Put: v, Event: state.Event{Action: "delete", Detail: "deleting"}}); err != nil {
		return err
	}
	if err := pool.DeleteVolume(ctx, v.ID); err != nil {
		return recordFailure(ctx, env, v, StatusErrorDeleting, "delete", err)
	}
	return env.Record(ctx, state.Write{Delete: &state.Ref{Kind: state.KindVolume, ID: v.ID}, Event: state.Event{Action: "delete", Address: v.Address}})
}

// recordFailure keeps the driver's message on the object and returns it.
func recordFailure(ctx context.Context, env Env, obj state.Object, status, action string, cause error) error {
	switch o := obj.(type) {
	case *state.Volume:
		o.Status, o.StatusReason, o.UpdatedAt = status, cause.Error(), env.Now()
	case *state.Snapshot:
		o.Status, o.StatusReason, o.UpdatedAt = status, cause.Error(), env.Now()
	case *state.Backup:
		o.Status, o.StatusReason, o.UpdatedAt = status, cause.Error(), env.Now()
	}
	if err := env.Record(ctx, state.Write{Put: obj, Event: state.Event{Action: action, Detail: status + ": " + cause.Error()}}); err != nil {
		return fmt.Errorf("%w (and recording the failure failed: %v)", cause, err)
	}
	return cause
}
