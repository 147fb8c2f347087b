// Package providers owns the resource kinds slab manages — volume,
// snapshot, volume_type, qos — : each kind's schema (which attribute
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
package providers
