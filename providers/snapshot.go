package providers

import (
	"context"
	"fmt"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/state"
)

// SnapshotSchema: a snapshot belongs to one volume for life; description
// and metadata are catalog-only.
var SnapshotSchema = &Schema{Kind: "snapshot", Attributes: []Attribute{
	{Name: "id", Type: String, Rule: Computed},
	{Name: "volume", Type: String, Rule: ForcesReplacement},
	{Name: "description", Type: String, Rule: InPlace},
	{Name: "metadata", Type: StringMap, Rule: InPlace},
	{Name: "size", Type: Int, Rule: Computed},
	{Name: "pool", Type: String, Rule: Computed},
	{Name: "status", Type: String, Rule: Computed},
}}

type snapshotKind struct{}

func (snapshotKind) Schema() *Schema { return SnapshotSchema }

func (snapshotKind) Attrs(obj state.Object, addressOf func(string) string) Attrs {
	s := obj.(*state.Snapshot)
	return Attrs{
		"id":          s.ID,
		"volume":      addressOf(s.VolumeID),
		"description": nonEmpty(s.Description),
		"metadata":    mapOrNil(s.Metadata),
		"size":        int64(s.SizeGiB),
		"pool":        s.Pool,
		"status":      s.Status,
	}
}

func (snapshotKind) Create(ctx context.Context, env Env, op Op) error {
	volAddr := str(op.After, "volume")
	obj, ok := env.Resolve(volAddr)
	if !ok {
		return fmt.Errorf("%s is not recorded (was it created?)", volAddr)
	}
	vol := obj.(*state.Volume)
	pool, err := env.Pool(vol.Pool)
	if err != nil {
		return err
	}
	now := env.Now()
	s := &state.Snapshot{
		ID: env.NewID(), Address: op.Address, Name: op.Name, VolumeID: vol.ID, Pool: vol.Pool,
		SizeGiB: vol.SizeGiB, Status: StatusCreating,
		Description: str(op.After, "description"), Metadata: strMap(op.After, "metadata"),
		Sensitive: op.Sensitive, CreatedAt: now, UpdatedAt: now,
	}
	if err := env.Record(ctx, state.Write{Put: s, Event: state.Event{Action: "create", Detail: "creating from " + volAddr}}); err != nil {
		return err
	}
	got, err := pool.CreateSnapshot(ctx, drivers.CreateSnapshotRequest{ID: s.ID, VolumeID: vol.ID})
	if err != nil {
		return recordFailure(ctx, env, s, StatusError, "create", err)
	}
	s.Status, s.ProviderLocation, s.UpdatedAt = StatusAvailable, got.ProviderLocation, env.Now()
	return env.Record(ctx, state.Write{Put: s, Event: state.Event{Action: "create", Detail: "available"}})
}

func (snapshotKind) Update(ctx context.Context, env Env, op Op) error {
	obj, ok := env.Lookup(state.KindSnapshot, op.ID)
	if !ok {
		return fmt.Errorf("%s (%s) is not recorded", op.Address, op.ID)
	}
	cur := *obj.(*state.Snapshot)
	cur.Description = str(op.After, "description")
	cur.Metadata = strMap(op.After, "metadata")
	cur.Sensitive = op.Sensitive
	cur.UpdatedAt = env.Now()
	return env.Record(ctx, state.Write{Put: &cur, Event: state.Event{Action: "update", Detail: ChangeSummary(SnapshotSchema, op)}})
}

func (snapshotKind) Delete(ctx context.Context, env Env, op Op) error {
	obj, ok := env.Lookup(state.KindSnapshot, op.ID)
	if !ok {
		return nil
	}
	cur := *obj.(*state.Snapshot)
	s := &cur
	pool, err := env.Pool(s.Pool)
	if err != nil {
		return err
	}
	s.Status, s.UpdatedAt = StatusDeleting, env.Now()
	if err := env.Record(ctx, state.Write{Put: s, Event: state.Event{Action: "delete", Detail: "deleting"}}); err != nil {
		return err
	}
	if err := pool.DeleteSnapshot(ctx, s.ID); err != nil {
		return recordFailure(ctx, env, s, StatusErrorDeleting, "delete", err)
	}
	return env.Record(ctx, state.Write{Delete: &state.Ref{Kind: state.KindSnapshot, ID: s.ID}, Event: state.Event{Action: "delete", Address: s.Address}})
}
