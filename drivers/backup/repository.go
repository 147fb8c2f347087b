package backup

import (
	"context"
	"errors"
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

// ErrObjectNotFound is wrapped by Repository.Get for a missing object.
var ErrObjectNotFound = errors.New("object not found")
