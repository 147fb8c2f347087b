//go:build linux

package file

import (
	"context"
	"errors"

	"github.com/slab-storage/slab/drivers"
)

var _ drivers.BackupPool = (*Pool)(nil)

var errNotYet = errors.New("not implemented yet")

// OpenBackupImage implements drivers.BackupPool.
func (p *Pool) OpenBackupImage(ctx context.Context, req drivers.BackupImageRequest) (drivers.BackupImage, error) {
	return nil, errNotYet
}

// OpenRestoreTarget implements drivers.BackupPool.
func (p *Pool) OpenRestoreTarget(ctx context.Context, volumeID string) (drivers.RestoreTarget, error) {
	return nil, errNotYet
}

// DropBackupImage implements drivers.BackupPool.
func (p *Pool) DropBackupImage(ctx context.Context, volumeID, backupID string) error {
	return errNotYet
}
