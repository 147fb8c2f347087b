// Package posix is the "posix" backup repository: a directory, local or
// an NFS mount, holding one sub-directory per backup.
//
// Layout under the declared path:
//
//	<path>/backup-<backup-id>/<object>          manifest, hashes, chunk-NNNNNNNN
//	<path>/backup-<backup-id>/.tmp-<object>-<random>   object being written
//
// Invariants:
//   - Names are built from a backup ID that passed drivers.ValidID and an
//     object name of letters, digits and dashes, so nothing escapes path;
//     symlinks are never followed.
//   - An object appears under its name only when complete: written to a
//     temp name, then renamed. Put fsyncs it before the rename and the
//     directory after; Stage leaves both to Settle, which fsyncs every
//     object staged for a backup at once (the engine settles before it
//     writes the hash list and the manifest).
//   - Temp files are skipped by every listing; Open removes those older
//     than an hour (left by a crash).
//
// Large page-aligned objects (the engine's uncompressed chunks) are
// written with direct I/O, so a backup does not fill the host's page cache
// with data nobody reads soon; where the filesystem refuses direct I/O the
// object is written through the cache instead, with the same guarantees.
package posix
