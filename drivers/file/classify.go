//go:build linux

package file

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/slab-storage/slab/drivers"
)

// Operation names used in errors; the planner shows them to operators.
const (
	opCreateVolume   = "create volume"
	opCreateFromSnap = "create volume from snapshot"
	opCloneVolume    = "clone volume"
	opExtendVolume   = "extend volume"
	opDeleteVolume   = "delete volume"
	opCreateSnapshot = "create snapshot"
	opDeleteSnapshot = "delete snapshot"
	opListVolumes    = "list volumes"
	opListSnapshots  = "list snapshots"
	opStats          = "stats"
)

// classify wraps an OS error as a *drivers.Error. Running out of space or
// quota is the pool's problem, not the request's, so the scheduler may try
// another pool (RetryElsewhere); everything else — permissions, read-only
// filesystems, I/O errors — is Failed and keeps the OS message, which the
// planner records as the object's status reason. A failure after the
// change was made (errMaybeDone) is MayBeInProgress.
func classify(op, id string, err error) error {
	if err == nil {
		return nil
	}
	var de *drivers.Error
	if errors.As(err, &de) {
		return err
	}
	class := drivers.Failed
	switch {
	case errors.Is(err, errMaybeDone):
		class = drivers.MayBeInProgress
	case errors.Is(err, unix.ENOSPC) || errors.Is(err, unix.EDQUOT):
		class = drivers.RetryElsewhere
	}
	return &drivers.Error{Class: class, Op: op, ID: id, Err: err}
}

// failed is a Failed error with a formatted message.
func failed(op, id, format string, args ...any) error {
	return &drivers.Error{Class: drivers.Failed, Op: op, ID: id, Err: fmt.Errorf(format, args...)}
}

// notFound is a Failed error wrapping drivers.ErrNotFound, e.g.
// "extend volume abc: volume abc not found".
func notFound(op, id, kind, objID string) error {
	return &drivers.Error{Class: drivers.Failed, Op: op, ID: id,
		Err: fmt.Errorf("%s %s %w", kind, objID, drivers.ErrNotFound)}
}

// checkIDs validates every ID a request names before any path is built.
func checkIDs(op string, ids ...string) error {
	for _, id := range ids {
		if err := drivers.CheckID(op, id); err != nil {
			return err
		}
	}
	return nil
}
