// Package storetest is the conformance suite for state.Store
// implementations: every backend (SQLite, PostgreSQL) runs the same Run and
// the same benchmarks against a real database, so they cannot drift apart
// in behaviour.
//
// It owns the executable definition of the Store contract: round-trips of
// every kind, upsert and delete, stack isolation, serial and history
// rules, concurrency, locks, and moving a stack between stores (Dump,
// Restore, Stacks). Tests compare with go-cmp and are named
// as sentences.
package storetest
