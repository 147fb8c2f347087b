// Package drivers owns the backend contract: what slab asks of a storage
// pool (stats, create, delete, extend, snapshot, clone, list) as typed
// requests and results, with classified errors (failed / may be in
// progress / retry elsewhere), and the registry drivers add themselves to.
//
// Invariants:
//   - A driver addresses objects only by slab-generated IDs that pass
//     ValidID; it never sees config addresses, user-chosen names or paths
//     other than the pool's own declared location.
//   - Every Pool method is idempotent for re-driven applies: create of an ID
//     that already exists as requested succeeds, delete of a missing ID
//     succeeds.
//   - Stats use Cinder's get_volume_stats keys, so the scheduler reads them
//     exactly as Cinder's filters and weighers do.
//
// Optional interfaces a pool may also implement, found by type assertion:
// Manager (adopt existing objects) and BackupPool (point-in-time backup
// images and restore targets, used by the backup engine in
// drivers/backup, which also owns backup repositories).
//
// Each implementation lives in its own sub-package (drivers/file, …).
package drivers
