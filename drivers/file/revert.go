//go:build linux

package file

import (
	"context"
	"os"

	"golang.org/x/sys/unix"

	"github.com/slab-storage/slab/drivers"
)

const opRevertVolume = "revert volume"

var _ drivers.RevertPool = (*Pool)(nil)

// RevertVolumeToSnapshot makes the volume read as the snapshot: the
// snapshot is copied (reflinked where the filesystem can) to a temp file
// that then replaces the volume file in one rename, so a crash leaves
// either the old data or the snapshot's, never a mix.
func (p *Pool) RevertVolumeToSnapshot(ctx context.Context, volumeID, snapshotID string) (drivers.Volume, error) {
	const op = opRevertVolume
	if err := checkIDs(op, volumeID, snapshotID); err != nil {
		return drivers.Volume{}, err
	}
	defer p.locks.lock(snapKey(snapshotID), volKey(volumeID))()
	if err := ctx.Err(); err != nil {
		return drivers.Volume{}, classify(op, volumeID, err)
	}
	owner, snapPath, found, err := p.findSnapshot(snapshotID)
	if err != nil {
		return drivers.Volume{}, classify(op, volumeID, err)
	}
	if !found {
		return drivers.Volume{}, notFound(op, volumeID, "snapshot", snapshotID)
	}
	if owner != volumeID {
		return drivers.Volume{}, failed(op, volumeID, "snapshot %s belongs to volume %s, not to this volume", snapshotID, owner)
	}
	volPath := p.volumePath(volumeID)
	var vst unix.Stat_t
	if err := unix.Lstat(volPath, &vst); err != nil {
		if err == unix.ENOENT {
			return drivers.Volume{}, notFound(op, volumeID, "volume", volumeID)
		}
		return drivers.Volume{}, classify(op, volumeID, &os.PathError{Op: "lstat", Path: volPath, Err: err})
	}
	src, err := openRegular(snapPath)
	if err != nil {
		return drivers.Volume{}, classify(op, volumeID, err)
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return drivers.Volume{}, classify(op, volumeID, err)
	}
	if fi.Size() != vst.Size {
		return drivers.Volume{}, failed(op, volumeID,
			"the volume is %d bytes and snapshot %s %d bytes; a revert needs equal sizes (as Cinder's)", vst.Size, snapshotID, fi.Size())
	}
	t, err := newPending(p.volDir, "volume", volumeID)
	if err != nil {
		return drivers.Volume{}, classify(op, volumeID, err)
	}
	defer t.abort()
	if _, err := p.copyData(ctx, t.f, src); err != nil {
		return drivers.Volume{}, classify(op, volumeID, err)
	}
	if err := t.f.Truncate(fi.Size()); err != nil {
		return drivers.Volume{}, classify(op, volumeID, err)
	}
	if err := t.f.Sync(); err != nil {
		return drivers.Volume{}, classify(op, volumeID, err)
	}
	if err := os.Rename(t.f.Name(), volPath); err != nil {
		return drivers.Volume{}, classify(op, volumeID, err)
	}
	t.done = true
	t.f.Close()
	if err := syncDir(p.volDir); err != nil {
		return drivers.Volume{}, classify(op, volumeID, afterChange(err))
	}
	var st unix.Stat_t
	if err := unix.Lstat(volPath, &st); err != nil {
		return drivers.Volume{}, classify(op, volumeID, &os.PathError{Op: "lstat", Path: volPath, Err: err})
	}
	return volumeFromStat(volumeID, volPath, &st), nil
}
