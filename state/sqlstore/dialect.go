package sqlstore

import (
	"embed"
	"io/fs"
	"time"
)

// Dialect is what differs between the databases the store runs on. The
// queries themselves are shared (ON CONFLICT, RETURNING and sqlx.Rebind
// cover both SQLite and PostgreSQL); what differs is the schema DDL (for
// example how the history sequence is generated), how concurrent
// migrators are kept apart, and how patiently a lock waiter polls.
type Dialect struct {
	// Name identifies the dialect in errors ("sqlite", "postgres").
	Name string
	// Migrations holds the numbered NNNN_name.sql files at its root.
	Migrations fs.FS
	// MigrationLock, when set, is the first statement of every migration
	// transaction: it must block until no other migrator is inside one.
	// SQLite needs none, its write transactions already exclude each
	// other (the sqlite package begins them IMMEDIATE).
	MigrationLock string
	// LockPollMax caps the interval between a lock waiter's tries, which
	// starts at lockPollMin and doubles. A cap equal to lockPollMin polls
	// at a fixed rate.
	LockPollMax time.Duration
}

//go:embed migrations
var migrationFiles embed.FS

// SQLite is the dialect of modernc.org/sqlite. Its lock waiters poll every
// 50 ms: the database is a local file, a try costs microseconds, and a
// waiter should notice a released lock at once.
var SQLite = Dialect{Name: "sqlite", Migrations: mustSub("migrations/sqlite"), LockPollMax: lockPollMin}

// Postgres is the dialect of PostgreSQL through lib/pq.
//
// Migrations take a transaction-scoped advisory lock: without it two
// processes opening a fresh database at once would both see version 0,
// and CREATE TABLE IF NOT EXISTS itself is not safe against a concurrent
// creator (it can fail on the catalog's unique index). The lock is
// released by the commit or rollback, so a migrator that dies cannot
// leave it behind.
//
// Lock waiters back off to one poll a second: every try is a round trip
// to a shared server that many CI jobs may be waiting on.
var Postgres = Dialect{
	Name:          "postgres",
	Migrations:    mustSub("migrations/postgres"),
	MigrationLock: `SELECT pg_advisory_xact_lock(` + migrationLockKey + `)`,
	LockPollMax:   time.Second,
}

// migrationLockKey is the advisory lock key of slab's migrations: a fixed
// arbitrary 64-bit number ("slab" in ASCII, then 1), so that it cannot
// collide with keys another application on the same database derives from
// small integers or table OIDs.
const migrationLockKey = "1936482658000001"

func mustSub(dir string) fs.FS {
	sub, err := fs.Sub(migrationFiles, dir)
	if err != nil {
		panic(err) // only on a malformed constant path
	}
	return sub
}
