package backup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Repository stores a backup's objects under its ID: a flat name space
// per backup, with whole-object writes that become visible only once
// complete. The posix sub-package implements it on a directory; an
// object store maps it onto keys "<backup-id>/<name>".
type Repository interface {
	// Put stores data as the object name of backup id, atomically and
	// durably: after Put returns, a crash leaves the whole object; before,
	// nothing under name. An existing object is replaced.
	Put(ctx context.Context, id, name string, data []byte) error
	// Get returns a whole object; a missing one is an error wrapping
	// ErrObjectNotFound.
	Get(ctx context.Context, id, name string) ([]byte, error)
	// Delete removes an object durably; a missing one is already deleted.
	// Deleting a backup's last object removes the backup's place.
	Delete(ctx context.Context, id, name string) error
	// Backups lists the IDs that hold any object, sorted.
	Backups(ctx context.Context) ([]string, error)
	// Objects lists the names stored for backup id, sorted.
	Objects(ctx context.Context, id string) ([]string, error)
}

// ObjectReader is implemented by repositories that can read an object
// into a caller's buffer: restore and verify then reuse one buffer per
// worker instead of allocating every object anew (on a VM, fresh memory
// costs a page fault per 4 KiB, as much as the read). ReadObject returns
// the whole object in buf when it fits, else in new memory; a missing
// object is an error wrapping ErrObjectNotFound.
type ObjectReader interface {
	ReadObject(ctx context.Context, id, name string, buf []byte) ([]byte, error)
}

// Staging is implemented by repositories that can take a backup's data
// objects without making each one durable at once: Stage stores an object
// atomically (whole or absent under its name) but perhaps not durably yet;
// Settle makes every object staged for id durable. A backup stages its data
// objects and its hash list and settles them once before it writes the
// manifest, so a crash still never leaves a complete-looking backup, and
// the disk is flushed once per backup rather than once per object.
type Staging interface {
	Stage(ctx context.Context, id, name string, data []byte) error
	Settle(ctx context.Context, id string) error
}

// ErrObjectNotFound is wrapped by Repository.Get for a missing object.
var ErrObjectNotFound = errors.New("object not found")

// RepositoryConfig is what a repository driver needs to open one
// repository; it comes from a `backup_repository` block.
type RepositoryConfig struct {
	Path    string            // posix: the directory
	Options map[string]string // driver-specific settings
}

// RepositoryOpener opens one repository of a driver.
type RepositoryOpener func(cfg RepositoryConfig) (Repository, error)

var (
	repoMu      sync.RWMutex
	repoDrivers = map[string]RepositoryOpener{}
)

// RegisterRepository makes a repository driver available by name; driver
// packages call it from init.
func RegisterRepository(name string, open RepositoryOpener) {
	repoMu.Lock()
	defer repoMu.Unlock()
	if _, dup := repoDrivers[name]; dup {
		panic("backup: RegisterRepository called twice for " + name)
	}
	repoDrivers[name] = open
}

// RepositoryDrivers lists the registered repository drivers, sorted.
func RepositoryDrivers() []string {
	repoMu.RLock()
	defer repoMu.RUnlock()
	out := make([]string, 0, len(repoDrivers))
	for n := range repoDrivers {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// OpenRepository opens a repository with the named driver.
func OpenRepository(driver string, cfg RepositoryConfig) (Repository, error) {
	repoMu.RLock()
	open, ok := repoDrivers[driver]
	repoMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown backup repository driver %q (available: %v)", driver, RepositoryDrivers())
	}
	return open(cfg)
}

// Newest returns the newest backup of volumeID in backups (as List sorts
// them), the parent an incremental chains to, or nil.
func Newest(backups []*Manifest, volumeID string) *Manifest {
	for i := len(backups) - 1; i >= 0; i-- {
		if backups[i].VolumeID == volumeID {
			return backups[i]
		}
	}
	return nil
}
