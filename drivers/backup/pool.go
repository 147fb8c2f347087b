package backup

import (
	"context"
	"fmt"

	"github.com/slab-storage/slab/drivers"
)

// BackupVolume takes backup req of a volume of pool, in the order that
// keeps every invariant: the pool snapshots the volume, the snapshot is
// backed up, and only once the manifest is stored is the snapshot kept for
// the next incremental. With a parent of another size it returns a
// *NeedsFullError and takes nothing; the caller decides to go full. If
// only keeping the snapshot fails, the backup is complete: the manifest
// is returned with the error.
func BackupVolume(ctx context.Context, pool drivers.BackupPool, repo Repository, req Request, opts Options) (*Manifest, Stats, error) {
	// What the backup reads from the repository is read while the pool
	// takes the snapshot; a backup that cannot be taken stops the snapshot.
	openCtx, stopOpen := context.WithCancel(ctx)
	defer stopOpen()
	type prepared struct {
		b   *backupRun
		err error
	}
	prep := make(chan prepared, 1)
	go func() {
		b, err := prepare(ctx, repo, req, opts)
		if err != nil {
			stopOpen()
		}
		prep <- prepared{b, err}
	}()
	img, err := pool.OpenBackupImage(openCtx, drivers.BackupImageRequest{VolumeID: req.VolumeID, BackupID: req.ID, ParentBackupID: req.ParentID})
	p := <-prep
	if err == nil {
		defer img.Close()
	}
	if p.err != nil {
		return nil, Stats{}, p.err
	}
	if err == nil {
		err = p.b.attach(img)
	}
	if err != nil {
		return nil, Stats{}, err
	}
	m, err := p.b.run(ctx)
	if err != nil {
		return nil, p.b.stats, fmt.Errorf("backup %s: %w", req.ID, err)
	}
	// The backup is complete; a snapshot not kept only costs the next
	// incremental a full read.
	if err := img.Keep(ctx); err != nil {
		return m, p.b.stats, fmt.Errorf("backup %s is complete, but keeping its snapshot for the next incremental failed: %w", req.ID, err)
	}
	return m, p.b.stats, nil
}

// RestoreVolume restores backup id into volumeID of pool and makes the
// data durable. On error the volume holds partial data and must not be
// made available.
func RestoreVolume(ctx context.Context, pool drivers.BackupPool, volumeID string, repo Repository, id string, progress Progress) (Stats, error) {
	dst, err := pool.OpenRestoreTarget(ctx, volumeID)
	if err != nil {
		return Stats{}, err
	}
	st, err := Restore(ctx, repo, id, dst, progress)
	if err == nil {
		if err = dst.Sync(); err != nil {
			err = fmt.Errorf("restore backup %s: syncing volume %s: %w", id, volumeID, err)
		}
	}
	if cerr := dst.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("restore backup %s: closing volume %s: %w", id, volumeID, cerr)
	}
	return st, err
}
