// Package providers owns the resource kinds slab manages — volume,
// snapshot, volume_type, qos, backup — : each kind's schema (which attribute
// changes are in place, grow-only, create-only or force replacement), how a
// recorded object reads as plan attributes, and how each change is carried
// out through drivers and recorded in state. The CLI's planner and the
// Terraform provider both use these, so both make the same decisions.
//
// Invariants:
//   - A kind records an object before the driver call that creates it
//     (status creating) and again the moment the call returns, so a crash
//     never leaves a backend object that no row names.
//   - A failed driver call leaves the object recorded with an error status
//     and the driver's message; nothing is silently dropped.
//   - Kinds reach drivers only through Env with slab-generated IDs; config
//     addresses never reach a driver.
//   - Backups and restores go through the engine in drivers/backup: a
//     backup is recorded creating before any byte is read and the volume
//     shows backing-up meanwhile; a restore shows restoring-backup and
//     ends in error, never available, when any check fails. Revert
//     (revert.go) reaches pools through drivers.RevertPool.
package providers
