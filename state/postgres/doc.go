// Package postgres opens the shared state store: a PostgreSQL database
// through lib/pq, served by the generic implementation in state/sqlstore
// with its Postgres dialect, so that SQLite and PostgreSQL run the same
// queries and pass the same conformance suite.
//
// It owns how the database is reached, not what is in it:
//   - A pool of at most 8 connections. Nothing holds a connection while
//     waiting: Apply is one short transaction, and a Lock waiter polls
//     with autocommit statements, backing off from 50 ms to 1 s.
//   - Every new connection must complete its handshake within the DSN's
//     connect_timeout, 30 s when it sets none; Open also returns when its
//     context ends.
//   - Opening migrates inside a transaction that first takes a PostgreSQL
//     advisory lock (pg_advisory_xact_lock), so processes opening a fresh
//     database at once migrate it exactly once.
//   - The stack lock is the locks row, taken by one INSERT ... ON CONFLICT
//     DO NOTHING RETURNING: the primary key admits one holder across every
//     connection, pool and process. A holder that dies keeps its row until
//     force-unlock, exactly as on SQLite; the lock is never tied to a
//     session, which a pooled connection would not keep.
//   - Apply bumps stacks.serial with UPDATE ... RETURNING first, so the
//     stack row's lock orders concurrent Applies to one stack: serials
//     have no gaps or repeats and history follows serial order.
//   - A password in the DSN (URL userinfo, ?password=, or password= in
//     key=value form) never appears in an error Open or the store returns:
//     messages name the DSN with the password masked, and every error is
//     scrubbed of it, whatever its source.
//
// Tests run against a real server: package pgtest starts one, or uses
// SLAB_TEST_POSTGRES.
package postgres
