package drivers

import (
	"context"
	"fmt"
	"io"
)

// Extent is a byte range of a volume: [Offset, Offset+Length).
type Extent struct {
	Offset int64 `json:"offset"`
	Length int64 `json:"length"`
}

// End is the first byte after the extent.
func (e Extent) End() int64 { return e.Offset + e.Length }

func (e Extent) String() string { return fmt.Sprintf("[%d,+%d)", e.Offset, e.Length) }

// BackupImageRequest asks a pool for a point-in-time image of a volume to
// back up.
type BackupImageRequest struct {
	VolumeID string
	// BackupID names the image (and the snapshot behind it) so that the
	// next incremental can find it again.
	BackupID string
	// ParentBackupID is the backup the new one chains to, or "". When the
	// pool still keeps the image that backup was read from, Changed can
	// answer from shared extents.
	ParentBackupID string
}

// BackupImage is a read-only, point-in-time image of a volume: writes to
// the volume after it was opened are not seen.
type BackupImage interface {
	io.ReaderAt
	// Size is the volume's size in bytes when the image was taken.
	Size() int64
	// Allocated lists the ranges that hold data, sorted and disjoint;
	// everything else reads as zeros.
	Allocated() ([]Extent, error)
	// Changed lists, sorted and disjoint, the ranges that may differ from
	// the image the parent backup was read from; everything else is known
	// to be identical. ok is false when the pool cannot tell (no parent,
	// parent image not kept, no shared extents), and the caller compares
	// content instead.
	Changed() (ranges []Extent, ok bool, err error)
	// Keep keeps this image for the next incremental once the backup is
	// committed, and drops images kept for earlier backups of the volume.
	// Pools that gain nothing from a kept image may drop it anyway.
	Keep(ctx context.Context) error
	// Close releases the image; an image that was not kept is dropped.
	Close() error
}

// RestoreTarget is a volume opened for writing a restore into.
type RestoreTarget interface {
	io.WriterAt
	// Size is the volume's size in bytes.
	Size() int64
	// PunchHole makes [off, off+length) read as zeros and, where the
	// backend can, releases its space.
	PunchHole(off, length int64) error
	// Sync makes the written data durable.
	Sync() error
	Close() error
}

// BackupPool is implemented by pools whose volumes can be backed up and
// restored (the file driver's pools do).
type BackupPool interface {
	// OpenBackupImage snapshots the volume and opens the snapshot.
	OpenBackupImage(ctx context.Context, req BackupImageRequest) (BackupImage, error)
	// OpenRestoreTarget opens an existing volume for a restore.
	OpenRestoreTarget(ctx context.Context, volumeID string) (RestoreTarget, error)
	// DropBackupImage removes the image kept for a backup, if any; a
	// missing one is already dropped.
	DropBackupImage(ctx context.Context, volumeID, backupID string) error
}
