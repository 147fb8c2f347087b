// Package state owns the catalog and the recorded state of every stack
// behind one interface, Store: stacks with lineage and serial, one row per
// recorded object (pools and their last stats, QoS specs, volume types,
// volumes, snapshots, backups with their chain parent and manifest
// location) with its config address, an append-only history, and
// one writer lock per stack.
//
// Invariants:
//   - Every Apply is one short transaction: the object row, its history
//     event and the serial bump commit together or not at all, so an apply
//     that crashes loses nothing it had recorded.
//   - History is append-only; nothing updates or deletes an event.
//   - Usage (capacity, quotas) is derived from the rows, never kept as a
//     counter.
//   - A stack moves between stores whole: Dump reads it in one read
//     transaction, Restore writes it in one transaction (keeping lineage,
//     serial and every event but its seq), and Dump.Checksum proves the
//     copy equal.
//
// Implementations live in sub-packages: state/sqlstore implements Store
// once over SQL (sqlx), state/sqlite opens the embedded default on it,
// state/postgres the shared PostgreSQL store, and state/storetest is the
// conformance suite every implementation runs.
package state
