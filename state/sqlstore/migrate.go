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

// migrate brings the schema up to the newest embedded version. Each step
// runs in its own transaction together with its schema_migrations row, so a
// crash leaves the schema at a whole version. The row is inserted first:
// when two processes open a fresh store at once, the loser's insert finds
// the row (after waiting for the winner's commit) and it skips the step.
func migrate(ctx context.Context, db *sqlx.DB, ms []migration) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT NOT NULL PRIMARY KEY,
		applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	current, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	known := ms[len(ms)-1].version
	if current > known {
		return fmt.Errorf("state store schema version %d is newer than this slab (%d); upgrade slab", current, known)
	}
	for _, m := range ms[current:] {
		if err := applyMigration(ctx, db, m); err != nil {
			return err
		}
	}
	return nil
}

func schemaVersion(ctx context.Context, db *sqlx.DB) (int64, error) {
	var v int64
	if err := db.GetContext(ctx, &v, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

func applyMigration(ctx context.Context, db *sqlx.DB, m migration) (err error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	res, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO schema_migrations (version, applied_at)
		VALUES (?, ?) ON CONFLICT (version) DO NOTHING`), m.version, formatTime(time.Now()))
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	} else if n == 0 {
		return tx.Rollback() // applied concurrently by another process
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: commit: %w", m.name, err)
	}
	return nil
}
