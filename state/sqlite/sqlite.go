package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/sqlstore"
)

// busyTimeoutMS is how long a statement waits for another process's write
// transaction before failing with SQLITE_BUSY. Applies are short; ten
// seconds only runs out when a writer is stuck.
const busyTimeoutMS = 10000

// Open opens (creating when missing) the SQLite state store at path,
// migrates it to the newest schema and returns it. It returns the
// interface, not *sqlstore.Store, so that a failed Open assigned to a
// state.Store is a true nil rather than a typed nil.
func Open(path string) (state.Store, error) {
	if path == "" {
		return nil, errors.New("open state store: empty path")
	}
	s, err := open(context.Background(), path)
	if err != nil {
		return nil, fmt.Errorf("open state store %s: %w", path, err)
	}
	return s, nil
}

func open(ctx context.Context, path string) (*sqlstore.Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, err
	}
	if err := prepareFiles(abs); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, err
	}
	// SQLite has one writer; one connection serializes this process's
	// writers in database/sql's queue instead of in busy retries, and the
	// prepared statements are prepared once.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := connect(ctx, db); err != nil {
		_ = db.Close()
		return nil, explain(err)
	}
	// sqlx picks the placeholder style by driver name and does not know
	// modernc's "sqlite"; "sqlite3" has the same '?' style.
	s, err := sqlstore.New(ctx, sqlx.NewDb(db, "sqlite3"), sqlstore.SQLite)
	if err != nil {
		_ = db.Close()
		return nil, explain(err)
	}
	return s, nil
}

// connect makes the first connection, retrying while it is SQLITE_BUSY.
// Its pragmas switch a new file to WAL, which takes the file's exclusive
// lock; when two processes open a fresh file at once, SQLite fails one of
// them at once instead of calling the busy handler (both hold a shared
// lock in the rollback journal mode the file starts in, and waiting would
// deadlock). The other finishes within milliseconds, so a retry finds the
// file in WAL mode, whose pragma then needs no exclusive lock.
func connect(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(busyTimeoutMS * time.Millisecond)
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		err := db.PingContext(ctx)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// dsn builds a file: URI. Building it as a URL escapes '?', '#' and '%' in
// the path, which SQLite would otherwise read as URI syntax.
func dsn(abs string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	q.Add("_pragma", "journal_mode(WAL)")
	// NORMAL in WAL mode: a commit survives a crash of the process (the
	// record-as-you-go guarantee); only a power loss may drop the last
	// commits, and never corrupts the file.
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// BEGIN IMMEDIATE for write transactions: take the write lock up front,
	// where busy_timeout applies, rather than fail on a lock upgrade.
	// Read-only transactions stay deferred.
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}
	return u.String()
}

// prepareFiles creates the database file with mode 0600 before SQLite does
// (SQLite would use 0644 less umask) and takes group and other bits away
// from an existing one and from its WAL files, which SQLite creates with
// the main file's mode.
func prepareFiles(abs string) error {
	f, err := os.OpenFile(abs, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	info, err := f.Stat()
	_ = f.Close()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("not a regular file (%s)", info.Mode().Type())
	}
	for _, name := range []string{abs, abs + "-wal", abs + "-shm"} {
		info, err := os.Stat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			if err := os.Chmod(name, perm&^0o077); err != nil {
				return err
			}
		}
	}
	return nil
}

// explain turns SQLite's "file is not a database" into words an operator
// acts on; the caller adds the path.
func explain(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_NOTADB {
		return fmt.Errorf("not a SQLite database (wrong path, or the file is damaged): %w", err)
	}
	return err
}
