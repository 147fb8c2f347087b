package drivers

import "context"

// RevertPool is implemented by pools that can revert a volume to one of
// its snapshots in place, as Cinder's revert_to_snapshot: the volume keeps
// its ID and size and reads as the snapshot did. Callers check that the
// snapshot is the volume's latest (the catalog knows the order); pools
// check that it belongs to the volume and that the sizes match.
type RevertPool interface {
	RevertVolumeToSnapshot(ctx context.Context, volumeID, snapshotID string) (Volume, error)
}
