//go:build linux

package file

import (
	"context"
	"errors"
	"os"

	"golang.org/x/sys/unix"

	"github.com/slab-storage/slab/drivers"
)

// CreateVolume creates an empty volume: a sparse file of SizeGiB, or a
// fully allocated one when Thick is set.
func (p *Pool) CreateVolume(ctx context.Context, req drivers.CreateVolumeRequest) (drivers.Volume, error) {
	const op = opCreateVolume
	if err := checkIDs(op, req.ID); err != nil {
		return drivers.Volume{}, err
	}
	if req.SizeGiB < 1 {
		return drivers.Volume{}, failed(op, req.ID, "size must be at least 1 GiB, got %d", req.SizeGiB)
	}
	if err := ctx.Err(); err != nil {
		return drivers.Volume{}, classify(op, req.ID, err)
	}
	defer p.locks.lock(volKey(req.ID))()

	size := int64(req.SizeGiB) * drivers.GiBBytes
	if v, ok, err := p.existingVolume(op, req.ID, size); ok || err != nil {
		return v, err
	}
	t, err := newPending(p.volDir, "volume", req.ID)
	if err != nil {
		return drivers.Volume{}, classify(op, req.ID, err)
	}
	defer t.abort()
	if err := t.f.Truncate(size); err != nil {
		return drivers.Volume{}, classify(op, req.ID, err)
	}
	if req.Thick {
		err := unix.Fallocate(int(t.f.Fd()), 0, 0, size)
		if errors.Is(err, unix.EOPNOTSUPP) {
			return drivers.Volume{}, failed(op, req.ID,
				"thick provisioning needs fallocate, which the filesystem of %s does not support", p.root)
		}
		if err != nil {
			return drivers.Volume{}, classify(op, req.ID, &os.PathError{Op: "fallocate", Path: t.f.Name(), Err: err})
		}
	}
	return p.commitVolume(op, req.ID, t, size)
}

// CreateVolumeFromSnapshot creates a volume holding a snapshot's data,
// extended to SizeGiB (0 means the snapshot's size).
func (p *Pool) CreateVolumeFromSnapshot(ctx context.Context, req drivers.CreateFromSnapshotRequest) (drivers.Volume, error) {
	const op = opCreateFromSnap
	if err := checkIDs(op, req.ID, req.SnapshotID); err != nil {
		return drivers.Volume{}, err
	}
	// The snapshot lock keeps it from being deleted while we copy it.
	defer p.locks.lock(snapKey(req.SnapshotID), volKey(req.ID))()
	_, path, found, err := p.findSnapshot(req.SnapshotID)
	if err != nil {
		return drivers.Volume{}, classify(op, req.ID, err)
	}
	if !found {
		return drivers.Volume{}, notFound(op, req.ID, "snapshot", req.SnapshotID)
	}
	return p.copyVolume(ctx, op, req.ID, "snapshot", req.SnapshotID, path, req.SizeGiB)
}

// CloneVolume creates a volume holding another volume's current data,
// extended to SizeGiB (0 means the source's size).
func (p *Pool) CloneVolume(ctx context.Context, req drivers.CloneVolumeRequest) (drivers.Volume, error) {
	const op = opCloneVolume
	if err := checkIDs(op, req.ID, req.SourceID); err != nil {
		return drivers.Volume{}, err
	}
	if req.ID == req.SourceID {
		return drivers.Volume{}, failed(op, req.ID, "a volume cannot be cloned onto itself")
	}
	defer p.locks.lock(volKey(req.ID), volKey(req.SourceID))()
	return p.copyVolume(ctx, op, req.ID, "source volume", req.SourceID, p.volumePath(req.SourceID), req.SizeGiB)
}

// copyVolume creates volume id as a copy of the file at srcPath. The
// caller holds the locks of id and of the source.
func (p *Pool) copyVolume(ctx context.Context, op, id, srcKind, srcID, srcPath string, sizeGiB int) (drivers.Volume, error) {
	if err := ctx.Err(); err != nil {
		return drivers.Volume{}, classify(op, id, err)
	}
	src, err := openRegular(srcPath)
	if errors.Is(err, os.ErrNotExist) {
		return drivers.Volume{}, notFound(op, id, srcKind, srcID)
	}
	if err != nil {
		return drivers.Volume{}, classify(op, id, err)
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return drivers.Volume{}, classify(op, id, err)
	}
	srcSize := fi.Size()
	srcGiB := drivers.Volume{SizeBytes: srcSize}.SizeGiB()
	if sizeGiB == 0 {
		sizeGiB = srcGiB
	}
	size := int64(sizeGiB) * drivers.GiBBytes
	if size < srcSize {
		return drivers.Volume{}, failed(op, id, "requested size %d GiB is smaller than the %s %s (%d GiB)",
			sizeGiB, srcKind, srcID, srcGiB)
	}
	if v, ok, err := p.existingVolume(op, id, size); ok || err != nil {
		return v, err
	}
	t, err := newPending(p.volDir, "volume", id)
	if err != nil {
		return drivers.Volume{}, classify(op, id, err)
	}
	defer t.abort()
	if _, err := p.copyData(ctx, t.f, src); err != nil {
		return drivers.Volume{}, classify(op, id, err)
	}
	if size > srcSize {
		if err := t.f.Truncate(size); err != nil {
			return drivers.Volume{}, classify(op, id, err)
		}
	}
	return p.commitVolume(op, id, t, size)
}

// ExtendVolume grows a volume to newSizeGiB by truncate; the new range is
// sparse, also for thick volumes (as Cinder's raw-file drivers do).
func (p *Pool) ExtendVolume(ctx context.Context, id string, newSizeGiB int) (drivers.Volume, error) {
	const op = opExtendVolume
	if err := checkIDs(op, id); err != nil {
		return drivers.Volume{}, err
	}
	if err := ctx.Err(); err != nil {
		return drivers.Volume{}, classify(op, id, err)
	}
	defer p.locks.lock(volKey(id))()
	path := p.volumePath(id)
	f, err := os.OpenFile(path, os.O_WRONLY|unix.O_NOFOLLOW, 0)
	if errors.Is(err, os.ErrNotExist) {
		return drivers.Volume{}, notFound(op, id, "volume", id)
	}
	if err != nil {
		return drivers.Volume{}, classify(op, id, err)
	}
	defer f.Close()
	st, err := fstat(f)
	if err != nil {
		return drivers.Volume{}, classify(op, id, err)
	}
	cur := drivers.Volume{SizeBytes: st.Size}
	newSize := int64(newSizeGiB) * drivers.GiBBytes
	if newSize <= st.Size {
		return drivers.Volume{}, failed(op, id, "new size must be greater than current size (requested %d GiB, volume has %d GiB)",
			newSizeGiB, cur.SizeGiB())
	}
	if err := f.Truncate(newSize); err != nil {
		return drivers.Volume{}, classify(op, id, err)
	}
	if err := f.Sync(); err != nil {
		return drivers.Volume{}, classify(op, id, afterChange(err))
	}
	if st, err = fstat(f); err != nil {
		return drivers.Volume{}, classify(op, id, err)
	}
	return volumeFromStat(id, path, &st), nil
}

// DeleteVolume removes a volume; a missing one is already deleted. A
// volume with snapshots is refused, as Cinder's VolumeIsBusy.
func (p *Pool) DeleteVolume(ctx context.Context, id string) error {
	const op = opDeleteVolume
	if err := checkIDs(op, id); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return classify(op, id, err)
	}
	defer p.locks.lock(volKey(id))()
	n, err := p.countSnapshots(id)
	if err != nil {
		return classify(op, id, err)
	}
	if n > 0 {
		noun := "snapshots"
		if n == 1 {
			noun = "snapshot"
		}
		return failed(op, id, "volume %s has %d %s; delete them first", id, n, noun)
	}
	path := p.volumePath(id)
	if err := unix.Unlink(path); err != nil && !errors.Is(err, unix.ENOENT) {
		return classify(op, id, &os.PathError{Op: "unlink", Path: path, Err: err})
	}
	// A crash between a snapshot's removal and its directory's can leave an
	// empty per-volume directory; it goes with the volume.
	_ = unix.Rmdir(p.snapParent(id))
	// Backup images kept for the volume's next incremental go with it.
	p.dropImages(id)
	return classify(op, id, afterChange(syncDir(p.volDir)))
}

// existingVolume looks for volume id. It reports ok when the volume exists
// with exactly size bytes (an idempotent re-create), and a Failed error
// when something else holds the name.
func (p *Pool) existingVolume(op, id string, size int64) (drivers.Volume, bool, error) {
	path := p.volumePath(id)
	var st unix.Stat_t
	err := unix.Lstat(path, &st)
	if errors.Is(err, unix.ENOENT) {
		return drivers.Volume{}, false, nil
	}
	if err != nil {
		return drivers.Volume{}, false, classify(op, id, &os.PathError{Op: "lstat", Path: path, Err: err})
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return drivers.Volume{}, false, failed(op, id, "%s exists and is not a regular file", path)
	}
	v := volumeFromStat(id, path, &st)
	if st.Size != size {
		return drivers.Volume{}, false, failed(op, id, "volume %s already exists with size %d GiB, not the requested %d GiB",
			id, v.SizeGiB(), size/drivers.GiBBytes)
	}
	return v, true, nil
}

// commitVolume publishes a finished temp file as volume id.
func (p *Pool) commitVolume(op, id string, t *pending, size int64) (drivers.Volume, error) {
	path := p.volumePath(id)
	if err := t.commit(path, 0o600); err != nil {
		if errors.Is(err, errExists) {
			// Another process created it meanwhile: same rules as a re-create.
			v, ok, err := p.existingVolume(op, id, size)
			if ok || err != nil {
				return v, err
			}
		}
		return drivers.Volume{}, classify(op, id, err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return drivers.Volume{}, classify(op, id, &os.PathError{Op: "lstat", Path: path, Err: err})
	}
	return volumeFromStat(id, path, &st), nil
}

func volumeFromStat(id, path string, st *unix.Stat_t) drivers.Volume {
	return drivers.Volume{ID: id, SizeBytes: st.Size, AllocatedBytes: st.Blocks * 512, ProviderLocation: path}
}

// openRegular opens path read-only, refusing symlinks and non-files.
func openRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &os.PathError{Op: "open", Path: path, Err: errors.New("not a regular file")}
	}
	return f, nil
}

func fstat(f *os.File) (unix.Stat_t, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return st, &os.PathError{Op: "fstat", Path: f.Name(), Err: err}
	}
	return st, nil
}
