package location

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/postgres"
	"github.com/slab-storage/slab/state/sqlite"
)

// DefaultSQLitePath is the embedded default store, relative to the
// configuration directory.
const DefaultSQLitePath = ".slab/state.db"

// Resolve picks the state location: explicit, else SLAB_STATE from
// environ, else the slab block's state; "" means the SQLite default.
func Resolve(explicit string, environ []string, settings string) string {
	if explicit != "" {
		return explicit
	}
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "SLAB_STATE="); ok && v != "" {
			return v
		}
	}
	return settings
}

// SQLitePath is the file of a SQLite location ("" for the default),
// relative to dir.
func SQLitePath(dir, loc string) string {
	p := DefaultSQLitePath
	if loc != "" {
		p = strings.TrimPrefix(loc, "sqlite://")
	}
	if filepath.IsAbs(p) || dir == "" {
		return p
	}
	return filepath.Join(dir, p)
}

// Open opens the store at loc: a PostgreSQL DSN, or a SQLite path
// relative to dir ("" for the default).
func Open(ctx context.Context, dir, loc string) (state.Store, error) {
	if postgres.IsDSN(loc) {
		return postgres.Open(ctx, loc)
	}
	return sqlite.Open(SQLitePath(dir, loc))
}

// Display is a location fit for a message: a DSN with its password
// masked, a SQLite file by its path.
func Display(dir, loc string) string {
	if postgres.IsDSN(loc) {
		return postgres.Redact(loc)
	}
	return SQLitePath(dir, loc)
}
