package sqlstore

import (
	"embed"
	"io/fs"
)

// Dialect is what differs between the databases the store runs on. The
// queries themselves are shared (ON CONFLICT, RETURNING and sqlx.Rebind
// cover both SQLite and PostgreSQL); only the schema DDL differs, for
// example how the history sequence is generated.
type Dialect struct {
	// Name identifies the dialect in errors ("sqlite", "postgres").
	Name string
	// Migrations holds the numbered NNNN_name.sql files at its root.
	Migrations fs.FS
}

//go:embed migrations
var migrationFiles embed.FS

// SQLite is the dialect of modernc.org/sqlite.
var SQLite = Dialect{Name: "sqlite", Migrations: mustSub("migrations/sqlite")}

func mustSub(dir string) fs.FS {
	sub, err := fs.Sub(migrationFiles, dir)
	if err != nil {
		panic(err) // only on a malformed constant path
	}
	return sub
}
