// Package sqlstore implements state.Store once, over database/sql through
// sqlx, for every SQL database slab supports: SQLite and PostgreSQL. A
// Dialect carries what differs: its name, its migration files (the same
// tables, columns and indexes in each), the statement that keeps
// concurrent migrators apart, and how far lock waiters back off.
//
// It owns the schema and the queries:
//   - stacks(name, lineage, serial); one table per kind (pools, qos,
//     volume_types, volumes, snapshots, backups) keyed by (stack, id) with a column
//     per field and JSON text for maps and stats; history(seq, …),
//     append-only; locks(stack, id, who, operation, info, created_at).
//   - Migrations are embedded NNNN_name.sql files numbered 1..N without
//     gaps, applied in order, each in a transaction (with its
//     schema_migrations row) that takes the dialect's migration lock
//     before it reads the version. A database newer than the binary is
//     refused.
//   - A stack lock is its locks row, taken by one INSERT ... ON CONFLICT
//     DO NOTHING RETURNING; waiters poll, never holding a connection.
//
// Invariants:
//   - Apply is one transaction: serial bump, object row and history event
//     commit together. The serial grows by exactly one per Apply and the
//     event carries it.
//   - Queries are written once with '?' placeholders and rebound per
//     driver; only ANSI SQL plus ON CONFLICT and RETURNING, which SQLite
//     and PostgreSQL share.
//   - Timestamps are fixed-width UTC text with nanoseconds: exact
//     round-trips on every dialect. Reads return UTC.
//   - Maps read back non-nil (a nil map is recorded as {}); empty pool
//     stats read back nil. Each kind reads back ordered by address, then ID.
//   - Reading or writing a stack that does not exist creates it, with a
//     new random lineage and serial 0 (Dump does not: it is ErrNoStack).
//   - Restore is one transaction that first takes the stack row, as
//     Apply's serial bump does, so an Apply to the same stack waits for it
//     rather than interleaving; restored events get new seqs in the
//     dump's order.
package sqlstore
