// Package location decides where a stack's state store is and opens it,
// for every front end (the slab CLI and the Terraform provider) alike.
//
// Invariants:
//   - Precedence is fixed: an explicit location (the CLI's -state flag,
//     the provider's state argument), then SLAB_STATE, then the slab
//     block's state, then SQLite at .slab/state.db in the configuration
//     directory.
//   - A location is a PostgreSQL DSN or a SQLite path (optionally
//     sqlite://); relative paths are relative to the configuration
//     directory.
//   - Display never shows a password.
package location
