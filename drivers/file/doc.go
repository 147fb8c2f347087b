// Package file is slab's "file" driver: a pool is a directory on a local
// (or locally mounted) filesystem, a volume is a sparse raw file in it and
// a snapshot is a read-only point-in-time copy of a volume's file.
//
// On-disk layout under the pool's declared path (nothing else is created):
//
//	<path>/volumes/volume-<volume-id>                      raw volume, mode 0600
//	<path>/snapshots/volume-<volume-id>/snapshot-<snap-id>  snapshot, mode 0400
//	<path>/backup-images/volume-<volume-id>/image-<backup-id>  kept backup image, 0400
//	.../.tmp-<kind>-<id>-<random>                          work in progress
//
// The package owns that directory tree and nothing outside it.
//
// Invariants:
//   - Every name is built from a fixed prefix and an ID that passed
//     drivers.CheckID, so no request can name a path outside the pool.
//     Listing only reports regular files whose names parse back to a valid
//     ID; symlinks and foreign files are ignored and never followed.
//   - A file appears under its final name only when complete: it is written
//     as a dot-prefixed temp file in the same directory, fsynced, then
//     renamed (without replacing anything) and the directory fsynced. A
//     crash leaves at most a temp file, which listing and stats ignore and
//     Open removes once no process holds its lock and it is a minute old.
//   - A snapshot's volume is its parent directory's name, so ListSnapshots
//     needs no side database, and a volume is never deleted while that
//     directory holds snapshots.
//   - Operations on one ID are serialized by per-ID locks inside a Pool;
//     operations on different IDs run concurrently.
//
// Errors are *drivers.Error: out of space or quota is RetryElsewhere, a
// failure after a change was made but before it was durable is
// MayBeInProgress, anything else (permissions, read-only filesystem, bad
// request) is Failed with the OS message.
//
// Snapshots and clones use reflink (FICLONE) where the filesystem shares
// extents (XFS with reflink=1, btrfs) and otherwise a sparse-aware copy that
// reads only data extents. AllocatedExtents and SharedExtents expose
// SEEK_DATA/SEEK_HOLE and FIEMAP so backups can read only what matters.
// A backup reads a backup image: a snapshot taken under backup-images for
// that backup (drivers.BackupPool). On a reflink filesystem the image of
// a volume's newest backup is kept, and ChangedExtents compares the block
// maps of the next image and that one, so an incremental reads only what
// changed; deleting the volume drops its kept images.
// The pool option reflink = "auto" | "always" | "never" chooses between
// the two ("always" fails instead of copying, "never" always copies).
//
// The driver is Linux-only: its files carry a linux build tag, so on other
// systems the package is empty and registers nothing.
//
// Real-filesystem fixtures for tests (loop-mounted XFS with reflink, ext2
// without fallocate, read-only bind mounts) are in package filetest.
package file
