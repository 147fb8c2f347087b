package providers

import (
	"context"
	"fmt"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/state"
)

// StatusReverting is the volume's status during a revert, as Cinder's.
const StatusReverting = "reverting"

// revert makes volume v read as the snapshot at address, as Cinder's
// revert_to_snapshot: the planner has checked that it is the volume's
// latest snapshot and that the sizes match. An empty address only
// forgets the last revert.
func revert(ctx context.Context, env Env, v *state.Volume, address string) error {
	if address == "" {
		v.RevertedTo = ""
		return nil
	}
	obj, ok := env.Resolve(address)
	if !ok {
		return fmt.Errorf("%s is not recorded (was it created?)", address)
	}
	snap, ok := obj.(*state.Snapshot)
	if !ok || snap.VolumeID != v.ID {
		return fmt.Errorf("%s is not a snapshot of %s", address, v.Address)
	}
	pool, err := env.Pool(v.Pool)
	if err != nil {
		return err
	}
	rp, ok := pool.(drivers.RevertPool)
	if !ok {
		return fmt.Errorf("pool %s cannot revert volumes to snapshots", v.Pool)
	}
	v.Status, v.UpdatedAt = StatusReverting, env.Now()
	if err := env.Record(ctx, state.Write{Put: v, Event: state.Event{Action: "revert", Detail: "reverting to " + address + " (" + snap.ID + ")"}}); err != nil {
		return err
	}
	if _, err := rp.RevertVolumeToSnapshot(ctx, v.ID, snap.ID); err != nil {
		return recordFailure(ctx, env, v, StatusError, "revert", err)
	}
	v.RevertedTo = snap.ID
	return nil
}
