package providers

import (
	"context"
	"fmt"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/state"
)

// Adoption says where an object to import lives: its pool and, for a file
// the pool does not manage yet, the name the driver knows it by.
type Adoption struct {
	Pool string
	Ref  string
}

// Importer is implemented by the kinds whose objects live on a backend, so
// that existing objects can be adopted (op.ID is the object's slab ID).
// The object is read from its pool and recorded as available; the
// configuration's other attributes are set by a following Update.
type Importer interface {
	Import(ctx context.Context, env Env, op Op, from Adoption) error
}

func (volumeKind) Import(ctx context.Context, env Env, op Op, from Adoption) error {
	pool, err := env.Pool(from.Pool)
	if err != nil {
		return err
	}
	var found drivers.Volume
	if from.Ref != "" {
		m, ok := pool.(drivers.Manager)
		if !ok {
			return fmt.Errorf("pool %s cannot adopt files", from.Pool)
		}
		if found, err = m.ManageVolume(ctx, from.Ref, op.ID); err != nil {
			return err
		}
	} else if found, err = findVolume(ctx, pool, op.ID); err != nil {
		return err
	}
	now := env.Now()
	v := &state.Volume{ID: op.ID, Address: op.Address, Name: op.Name, Pool: from.Pool, SizeGiB: found.SizeGiB(),
		Status: StatusAvailable, AvailabilityZone: str(op.Before, "availability_zone"), ProviderLocation: found.ProviderLocation,
		Sensitive: op.Sensitive, CreatedAt: now, UpdatedAt: now}
	detail := "adopted from pool " + from.Pool
	if from.Ref != "" {
		detail = fmt.Sprintf("adopted file %q of pool %s", from.Ref, from.Pool)
	}
	return env.Record(ctx, state.Write{Put: v, Event: state.Event{Action: "import", Detail: detail}})
}

func findVolume(ctx context.Context, pool drivers.Pool, id string) (drivers.Volume, error) {
	vols, err := pool.ListVolumes(ctx)
	if err != nil {
		return drivers.Volume{}, err
	}
	for _, v := range vols {
		if v.ID == id {
			return v, nil
		}
	}
	return drivers.Volume{}, fmt.Errorf("volume %s %w", id, drivers.ErrNotFound)
}

func (snapshotKind) Import(ctx context.Context, env Env, op Op, from Adoption) error {
	pool, err := env.Pool(from.Pool)
	if err != nil {
		return err
	}
	snaps, err := pool.ListSnapshots(ctx)
	if err != nil {
		return err
	}
	volumeID, err := resolveID(env, str(op.Before, "volume"))
	if err != nil {
		return err
	}
	for _, s := range snaps {
		if s.ID != op.ID {
			continue
		}
		if s.VolumeID != volumeID {
			return fmt.Errorf("snapshot %s belongs to volume %s, not %s", s.ID, s.VolumeID, volumeID)
		}
		now := env.Now()
		rec := &state.Snapshot{ID: s.ID, Address: op.Address, Name: op.Name, VolumeID: s.VolumeID, Pool: from.Pool,
			SizeGiB: s.SizeGiB(), Status: StatusAvailable, Sensitive: op.Sensitive, CreatedAt: now, UpdatedAt: now}
		return env.Record(ctx, state.Write{Put: rec, Event: state.Event{Action: "import", Detail: "adopted from pool " + from.Pool}})
	}
	return fmt.Errorf("snapshot %s %w", op.ID, drivers.ErrNotFound)
}
