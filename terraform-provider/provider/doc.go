// Package provider is slab's Terraform / OpenTofu provider: a thin front
// end over the same engine as the slab CLI.
//
// It owns only the mapping between Terraform's schemas and slab's
// objects. Every decision comes from the engine: planner.MakeObject plans
// each resource's change (diff, change rules, scheduler, diagnostics),
// planner.Apply carries it out through providers and drivers and records
// it in the state store, planner.ReadObject refreshes it from its pool,
// and state/location finds the store with the CLI's precedence.
//
// Invariants:
//   - Every object lives in the provider's stack of the shared state store
//     at the address "<kind>.<name>", so the CLI lists it (slab state list)
//     and its scheduler counts it, and the provider's scheduler counts the
//     CLI's volumes (both read capacity from the same pools).
//   - Writes take the stack's lock, one object per plan, and are recorded
//     step by step as the CLI's are.
//   - A shrinking volume is refused at plan time, never replaced silently.
//   - Backup repositories are config_dir's backup_repository blocks, read
//     as the CLI reads them; slab_backup names one by its label, and the
//     engine records the repository's path with each backup.
package provider
