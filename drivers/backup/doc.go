// Package backup is slab's backup engine: it turns a point-in-time image
// of a volume into a chunked, checksummed, optionally compressed backup in
// a repository, chains incremental backups to a parent, restores a chain
// into a volume and verifies a chain without writing. The repository
// format is versioned and documented in docs/backup-format.md.
//
// The engine sees volumes only through small interfaces (Source, Target)
// that drivers.BackupImage and drivers.RestoreTarget satisfy, and
// repositories only through Repository (a flat object store per backup
// ID), which the posix sub-package implements on a directory and an
// object store could implement the same way; repository drivers register
// by name (OpenRepository). BackupVolume and RestoreVolume run the engine
// against a drivers.BackupPool in the order the invariants need (snapshot,
// back up, keep the snapshot only once committed; restore, then sync).
//
// A backup is a bounded pipeline: a reader cuts the volume into
// chunk-sized segments and a few workers each read one (with direct I/O
// from a file source), hash, compress and store it, so reading, hashing
// and writing overlap on every CPU while at most one chunk buffer per
// worker is held. Work too small for a chunk per worker (an incremental's
// changed blocks) is cut into smaller segments, at least 1 MiB, shared
// among twice as many workers, which mostly wait for the devices. The
// repository reads for an incremental (parent manifest and hash list) run
// while the pool takes the snapshot. Progress is reported as bytes done of a total; Meter
// turns that into a rate and an ETA for a renderer, without drawing
// anything. Which backups to take, keep or delete is the planner's
// policy, not the engine's.
//
// Invariants:
//   - A backup exists (is listed, restorable, a valid parent) only when
//     its manifest is stored, and the manifest is written last: after
//     every object and the hash list are durable. A crash leaves at most a
//     backup without a manifest, which Backup clears before retaking it.
//     Deleting removes the manifest first, so a half-deleted backup never
//     looks complete either.
//   - Backup IDs and volume IDs pass drivers.ValidID and object names are
//     generated here, so nothing read from a caller or a manifest can name
//     a path outside the backup's place in the repository.
//   - Every object carries a SHA-256 of its stored bytes and the manifest
//     carries a SHA-256 of itself; restore and verify check them before
//     using any byte, and a failure names the backup and the object.
//   - Ranges that read as zeros (holes, or 32 KiB blocks of zeros) are
//     recorded as holes, never stored, and restored as holes.
//   - The same image, chunk size and compression always give the same
//     objects: data objects are numbered from 1 in volume order, whichever
//     worker finishes first.
//   - An incremental backup covers exactly the volume size of its parent;
//     a volume whose size changed needs a full backup (ErrNeedsFull).
package backup
