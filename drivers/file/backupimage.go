//go:build linux

package file

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/slab-storage/slab/drivers"
)

// Backup images live beside volumes and snapshots:
//
//	<path>/backup-images/volume-<volume-id>/image-<backup-id>
//
// An image is a reflink snapshot taken for a backup. The newest one of
// each volume is kept so that the next incremental finds unchanged data
// by comparing block maps; on filesystems without reflink an image is a
// full copy, so none is kept there.
const (
	backupImagesDir = "backup-images"
	imagePrefix     = "image-"
	opBackupImage   = "open backup image"
	opRestoreTarget = "open restore target"
	opDropImage     = "drop backup image"
)

var _ drivers.BackupPool = (*Pool)(nil)

func (p *Pool) imageParent(volumeID string) string {
	return filepath.Join(p.root, backupImagesDir, volumePrefix+volumeID)
}

func (p *Pool) imagePath(volumeID, backupID string) string {
	return filepath.Join(p.imageParent(volumeID), imagePrefix+backupID)
}

// OpenBackupImage implements drivers.BackupPool: it snapshots the volume
// (reflink, or a sparse copy) into a temp file under backup-images.
func (p *Pool) OpenBackupImage(ctx context.Context, req drivers.BackupImageRequest) (drivers.BackupImage, error) {
	const op = opBackupImage
	ids := []string{req.VolumeID, req.BackupID}
	if req.ParentBackupID != "" {
		ids = append(ids, req.ParentBackupID)
	}
	if err := checkIDs(op, ids...); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, classify(op, req.BackupID, err)
	}
	// The volume lock keeps extend/delete from interleaving with the copy.
	unlock := p.locks.lock(volKey(req.VolumeID))
	defer unlock()
	src, err := openRegular(p.volumePath(req.VolumeID))
	if errors.Is(err, os.ErrNotExist) {
		return nil, notFound(op, req.BackupID, "volume", req.VolumeID)
	}
	if err != nil {
		return nil, classify(op, req.BackupID, err)
	}
	defer src.Close()
	dir := p.imageParent(req.VolumeID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, classify(op, req.BackupID, err)
	}
	t, err := newPending(dir, "image", req.BackupID)
	if err != nil {
		return nil, classify(op, req.BackupID, err)
	}
	img := &backupImage{p: p, t: t, volumeID: req.VolumeID, backupID: req.BackupID}
	if req.ParentBackupID != "" && p.reflink != reflinkNever {
		// The parent's image is mapped while the volume is cloned: that
		// map is most of what Changed costs besides the clone.
		img.parentPath = p.imagePath(req.VolumeID, req.ParentBackupID)
		img.parentMap = make(chan mapResult, 1)
		go func() { img.parentMap <- readParentMap(img.parentPath) }()
	}
	img.reflinked, err = p.copyData(ctx, t.f, src)
	if err == nil {
		var fi os.FileInfo
		if fi, err = t.f.Stat(); err == nil {
			img.size = fi.Size()
		}
	}
	if err != nil {
		img.Close()
		return nil, classify(op, req.BackupID, err)
	}
	return img, nil
}

// readParentMap maps a parent's kept image, if it is a regular file.
func readParentMap(path string) mapResult {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return mapResult{err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return mapResult{err: &os.PathError{Op: "map", Path: path, Err: unix.EINVAL}}
	}
	return readFileMap(path)
}

// backupImage is an open backup image; its file stays a temp file until
// Keep, so a crash never leaves a kept image of an unfinished backup.
type backupImage struct {
	p                  *Pool
	mu                 sync.Mutex
	t                  *pending
	size               int64
	reflinked, kept    bool
	volumeID, backupID string
	parentPath         string
	// parentMap delivers the parent image's block map, read once in the
	// background; nil without a parent or reflink.
	parentMap chan mapResult
	parent    *mapResult
}

func (im *backupImage) ReadAt(b []byte, off int64) (int, error) { return im.t.f.ReadAt(b, off) }

func (im *backupImage) Size() int64 { return im.size }

// File is the image's file, for the backup engine to map: it is a private
// temp file that nothing else writes or truncates.
func (im *backupImage) File() *os.File { return im.t.f }

func (im *backupImage) Allocated() ([]drivers.Extent, error) {
	var out []drivers.Extent
	err := walkData(im.t.f, im.size, func(off, n int64) error {
		out = append(out, drivers.Extent{Offset: off, Length: n})
		return nil
	})
	return out, err
}

// Changed compares block maps with the image kept for the parent backup;
// it cannot tell without reflink or without that image.
func (im *backupImage) Changed() ([]drivers.Extent, bool, error) {
	if !im.reflinked || im.parentMap == nil {
		return nil, false, nil
	}
	im.mu.Lock()
	if im.parent == nil {
		r := <-im.parentMap
		im.parent = &r
	}
	parent := *im.parent
	im.mu.Unlock()
	if parent.err != nil || parent.size != im.size {
		return nil, false, nil // no usable image: the engine hashes instead
	}
	cur, err := fileMap(im.t.f.Name())
	if err == nil {
		var ch []Extent
		if ch, err = changedBetween(cur, parent); err == nil {
			out := make([]drivers.Extent, len(ch))
			for i, e := range ch {
				out[i] = drivers.Extent(e)
			}
			return out, true, nil
		}
	}
	if errors.Is(err, unix.EOPNOTSUPP) {
		return nil, false, nil
	}
	return nil, false, err
}

// Keep publishes the image as image-<backup-id> and drops the volume's
// other kept images. Without reflink the copy is dropped instead.
func (im *backupImage) Keep(ctx context.Context) error {
	const op = opBackupImage
	im.mu.Lock()
	defer im.mu.Unlock()
	if im.kept || !im.reflinked {
		return nil
	}
	defer im.p.locks.lock(volKey(im.volumeID))()
	final := im.p.imagePath(im.volumeID, im.backupID)
	_ = unix.Unlink(final) // a retaken backup replaces its image
	if err := im.t.commit(final, 0o400); err != nil {
		return classify(op, im.backupID, err)
	}
	im.kept = true
	ents, err := os.ReadDir(filepath.Dir(final))
	if err != nil {
		return classify(op, im.backupID, err)
	}
	for _, e := range ents {
		if id, ok := parseName(e.Name(), imagePrefix); ok && id != im.backupID {
			_ = unix.Unlink(filepath.Join(filepath.Dir(final), e.Name()))
		}
	}
	return nil
}

func (im *backupImage) Close() error {
	im.mu.Lock()
	defer im.mu.Unlock()
	im.t.abort()
	if im.parentMap != nil && im.parent == nil {
		r := <-im.parentMap // the reader has finished with the parent's file
		im.parent = &r
	}
	return nil
}

// DropBackupImage implements drivers.BackupPool.
func (p *Pool) DropBackupImage(ctx context.Context, volumeID, backupID string) error {
	const op = opDropImage
	if err := checkIDs(op, volumeID, backupID); err != nil {
		return err
	}
	defer p.locks.lock(volKey(volumeID))()
	path := p.imagePath(volumeID, backupID)
	if err := unix.Unlink(path); err != nil && !errors.Is(err, unix.ENOENT) {
		return classify(op, backupID, &os.PathError{Op: "unlink", Path: path, Err: err})
	}
	_ = unix.Rmdir(filepath.Dir(path))
	return nil
}

// dropImages removes every kept image of a volume (the volume is gone).
func (p *Pool) dropImages(volumeID string) {
	dir := p.imageParent(volumeID)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if _, ok := parseName(e.Name(), imagePrefix); ok {
			_ = unix.Unlink(filepath.Join(dir, e.Name()))
		}
	}
	_ = unix.Rmdir(dir)
}

// imageDirs lists the per-volume image directories, for stale temp
// cleanup.
func (p *Pool) imageDirs() []string {
	root := filepath.Join(p.root, backupImagesDir)
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if _, ok := parseName(e.Name(), volumePrefix); ok && e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, filepath.Join(root, e.Name()))
		}
	}
	return out
}

// OpenRestoreTarget implements drivers.BackupPool. The volume's lock is
// held until Close, so no snapshot or extend sees a half-restored volume.
func (p *Pool) OpenRestoreTarget(ctx context.Context, volumeID string) (drivers.RestoreTarget, error) {
	const op = opRestoreTarget
	if err := checkIDs(op, volumeID); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, classify(op, volumeID, err)
	}
	unlock := p.locks.lock(volKey(volumeID))
	path := p.volumePath(volumeID)
	f, err := os.OpenFile(path, os.O_RDWR|unix.O_NOFOLLOW, 0)
	if errors.Is(err, os.ErrNotExist) {
		unlock()
		return nil, notFound(op, volumeID, "volume", volumeID)
	}
	if err != nil {
		unlock()
		return nil, classify(op, volumeID, err)
	}
	st, err := fstat(f)
	if err == nil && st.Mode&unix.S_IFMT != unix.S_IFREG {
		err = &os.PathError{Op: "open", Path: path, Err: errors.New("not a regular file")}
	}
	if err != nil {
		f.Close()
		unlock()
		return nil, classify(op, volumeID, err)
	}
	return &restoreTarget{f: f, size: st.Size, unlock: unlock}, nil
}

type restoreTarget struct {
	f      *os.File
	size   int64
	once   sync.Once
	unlock func()
}

func (r *restoreTarget) WriteAt(b []byte, off int64) (int, error) { return r.f.WriteAt(b, off) }

func (r *restoreTarget) Size() int64 { return r.size }

// PunchHole deallocates the range; where the filesystem cannot punch, it
// writes zeros over the data extents in the range only.
func (r *restoreTarget) PunchHole(off, n int64) error {
	err := unix.Fallocate(int(r.f.Fd()), unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, off, n)
	if err == nil {
		return nil
	}
	if !errors.Is(err, unix.EOPNOTSUPP) {
		return &os.PathError{Op: "punch hole", Path: r.f.Name(), Err: err}
	}
	zeros := make([]byte, min(n, copyBufSize))
	return walkDataFrom(r.f, off, off+n, func(d, l int64) error {
		from, to := max(d, off), min(d+l, off+n)
		for from < to {
			k := min(int64(len(zeros)), to-from)
			if _, err := r.f.WriteAt(zeros[:k], from); err != nil {
				return err
			}
			from += k
		}
		return nil
	})
}

func (r *restoreTarget) Sync() error { return r.f.Sync() }

func (r *restoreTarget) Close() error {
	err := r.f.Close()
	r.once.Do(r.unlock)
	return err
}
