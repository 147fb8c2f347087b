// Package sqlite opens the embedded default state store: one SQLite file
// (normally .slab/state.db) through the pure-Go modernc.org/sqlite driver,
// served by the generic implementation in state/sqlstore.
//
// It owns how that file is opened, not what is in it:
//   - The file and its -wal/-shm companions are readable by the owner only
//     (0600); a missing parent directory is created 0700.
//   - The connection runs in WAL mode with synchronous=NORMAL, so every
//     committed Apply survives a crash of the process, foreign keys on, and
//     a busy timeout for other processes' writers. Processes opening a
//     new file at once all succeed: the one SQLite refuses while another
//     switches the file to WAL retries within the busy timeout.
//   - One open connection: SQLite has one writer anyway, and queueing in
//     database/sql is cheaper than lock retries. Nothing holds that
//     connection while waiting (Lock polls between statements).
//   - A file that is not a SQLite database, or whose schema is newer than
//     this binary, is refused with an error naming the path; nothing is
//     written to it.
package sqlite
