//go:build linux

package file

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/slab-storage/slab/drivers"
)

// CreateSnapshot makes a read-only point-in-time copy of a volume under
// snapshots/volume-<volume-id>/snapshot-<id>.
func (p *Pool) CreateSnapshot(ctx context.Context, req drivers.CreateSnapshotRequest) (drivers.Snapshot, error) {
	const op = opCreateSnapshot
	if err := checkIDs(op, req.ID, req.VolumeID); err != nil {
		return drivers.Snapshot{}, err
	}
	if err := ctx.Err(); err != nil {
		return drivers.Snapshot{}, classify(op, req.ID, err)
	}
	// The volume lock keeps extend/delete/other snapshots of this volume
	// from interleaving with the copy.
	defer p.locks.lock(snapKey(req.ID), volKey(req.VolumeID))()
	if s, ok, err := p.existingSnapshot(op, req); ok || err != nil {
		return s, err
	}
	src, err := openRegular(p.volumePath(req.VolumeID))
	if errors.Is(err, os.ErrNotExist) {
		return drivers.Snapshot{}, notFound(op, req.ID, "volume", req.VolumeID)
	}
	if err != nil {
		return drivers.Snapshot{}, classify(op, req.ID, err)
	}
	defer src.Close()

	parent := p.snapParent(req.VolumeID)
	if err := os.Mkdir(parent, 0o700); err == nil {
		if err := syncDir(p.snapDir); err != nil {
			return drivers.Snapshot{}, classify(op, req.ID, err)
		}
	} else if !errors.Is(err, os.ErrExist) {
		return drivers.Snapshot{}, classify(op, req.ID, err)
	}
	t, err := newPending(parent, "snapshot", req.ID)
	if err != nil {
		return drivers.Snapshot{}, classify(op, req.ID, err)
	}
	defer t.abort()
	if _, err := p.copyData(ctx, t.f, src); err != nil {
		return drivers.Snapshot{}, classify(op, req.ID, err)
	}
	path := p.snapshotPath(req.VolumeID, req.ID)
	if err := t.commit(path, 0o400); err != nil {
		if errors.Is(err, errExists) {
			if s, ok, err := p.existingSnapshot(op, req); ok || err != nil {
				return s, err
			}
		}
		return drivers.Snapshot{}, classify(op, req.ID, err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return drivers.Snapshot{}, classify(op, req.ID, &os.PathError{Op: "lstat", Path: path, Err: err})
	}
	return drivers.Snapshot{ID: req.ID, VolumeID: req.VolumeID, SizeBytes: st.Size, ProviderLocation: path}, nil
}

// existingSnapshot reports ok when the snapshot already exists for the
// requested volume, and a Failed error when it exists for another one.
func (p *Pool) existingSnapshot(op string, req drivers.CreateSnapshotRequest) (drivers.Snapshot, bool, error) {
	vid, path, found, err := p.findSnapshot(req.ID)
	if err != nil || !found {
		return drivers.Snapshot{}, false, classify(op, req.ID, err)
	}
	if vid != req.VolumeID {
		return drivers.Snapshot{}, false, failed(op, req.ID, "snapshot %s already exists for volume %s", req.ID, vid)
	}
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return drivers.Snapshot{}, false, classify(op, req.ID, &os.PathError{Op: "lstat", Path: path, Err: err})
	}
	return drivers.Snapshot{ID: req.ID, VolumeID: vid, SizeBytes: st.Size, ProviderLocation: path}, true, nil
}

// DeleteSnapshot removes a snapshot and, when it was the last one, its
// volume's snapshot directory. A missing snapshot is already deleted.
func (p *Pool) DeleteSnapshot(ctx context.Context, id string) error {
	const op = opDeleteSnapshot
	if err := checkIDs(op, id); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return classify(op, id, err)
	}
	defer p.locks.lock(snapKey(id))()
	vid, path, found, err := p.findSnapshot(id)
	if err != nil {
		return classify(op, id, err)
	}
	if !found {
		return nil
	}
	// Taking the volume lock after the snapshot lock keeps the global
	// order ("s:" before "v:"); it stops a concurrent CreateSnapshot from
	// using the directory we may remove.
	defer p.locks.lock(volKey(vid))()
	if err := unix.Unlink(path); err != nil && !errors.Is(err, unix.ENOENT) {
		return classify(op, id, &os.PathError{Op: "unlink", Path: path, Err: err})
	}
	parent := filepath.Dir(path)
	if err := unix.Rmdir(parent); err == nil {
		return classify(op, id, afterChange(syncDir(p.snapDir)))
	}
	return classify(op, id, afterChange(syncDir(parent)))
}

// findSnapshot finds snapshot id in any volume's snapshot directory: one
// ReadDir of snapshots/ and one lstat per volume that has snapshots.
func (p *Pool) findSnapshot(id string) (volumeID, path string, found bool, err error) {
	ents, err := os.ReadDir(p.snapDir)
	if err != nil {
		return "", "", false, err
	}
	name := snapshotPrefix + id
	for _, e := range ents {
		vid, ok := parseName(e.Name(), volumePrefix)
		if !ok || !e.IsDir() {
			continue
		}
		path := filepath.Join(p.snapDir, e.Name(), name)
		var st unix.Stat_t
		err := unix.Lstat(path, &st)
		if errors.Is(err, unix.ENOENT) {
			continue
		}
		if err != nil {
			return "", "", false, &os.PathError{Op: "lstat", Path: path, Err: err}
		}
		if st.Mode&unix.S_IFMT == unix.S_IFREG {
			return vid, path, true, nil
		}
	}
	return "", "", false, nil
}

// countSnapshots counts the snapshots of one volume.
func (p *Pool) countSnapshots(volumeID string) (int, error) {
	n := 0
	err := scanDir(p.snapParent(volumeID), snapshotPrefix, func(string, string, *unix.Stat_t) { n++ })
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	return n, err
}
