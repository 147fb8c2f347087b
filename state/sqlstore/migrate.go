package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// migration is one numbered schema step.
type migration struct {
	version int64
	name    string
	sql     string
}

// loadMigrations reads NNNN_name.sql files and checks they number 1..N
// without gaps, so that a missing or duplicated file fails every open
// instead of leaving a hole in some databases' schemas.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", e.Name())
		}
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return int(a.version - b.version) })
	for i, m := range ms {
		if m.version != int64(i+1) {
			return nil, fmt.Errorf("migration %s: expected version %d (versions must run 1..N without gaps or duplicates)", m.name, i+1)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no migrations found")
	}
	return ms, nil
}

// migrate brings the schema up to the newest embedded version, one step
// per transaction: the step's SQL and its schema_migrations row commit
// together, so a crash leaves the schema at a whole version.
//
// Every transaction first takes the dialect's migration lock (SQLite: the
// write lock its IMMEDIATE transactions take at BEGIN) and only then reads
// the version, so when several processes open a fresh store at once each
// step runs exactly once and the others find it done. schema_migrations is
// created inside that transaction too: on PostgreSQL two unguarded CREATE
// TABLE IF NOT EXISTS can collide.
func migrate(ctx context.Context, db *sqlx.DB, d Dialect, ms []migration) error {
	for {
		done, err := migrateStep(ctx, db, d, ms)
		if err != nil || done {
			return err
		}
	}
}

// migrateStep applies the first migration the database lacks and reports
// done when it lacked none.
func migrateStep(ctx context.Context, db *sqlx.DB, d Dialect, ms []migration) (done bool, err error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("begin migration: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if d.MigrationLock != "" {
		if _, err := tx.ExecContext(ctx, d.MigrationLock); err != nil {
			return false, fmt.Errorf("take the migration lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT NOT NULL PRIMARY KEY,
		applied_at TEXT NOT NULL)`); err != nil {
		return false, fmt.Errorf("create schema_migrations: %w", err)
	}
	current, err := schemaVersion(ctx, tx)
	if err != nil {
		return false, err
	}
	known := ms[len(ms)-1].version
	if current > known {
		return false, fmt.Errorf("state store schema version %d is newer than this slab (%d); upgrade slab", current, known)
	}
	if current == known {
		return true, tx.Commit()
	}
	m := ms[current]
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`),
		m.version, formatTime(time.Now())); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %s: commit: %w", m.name, err)
	}
	return false, nil
}

func schemaVersion(ctx context.Context, q sqlx.QueryerContext) (int64, error) {
	var v int64
	if err := sqlx.GetContext(ctx, q, &v, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
