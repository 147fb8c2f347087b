package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite"
)

func mapFS(files ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for i := 0; i < len(files); i += 2 {
		fsys[files[i]] = &fstest.MapFile{Data: []byte(files[i+1])}
	}
	return fsys
}

func TestLoadMigrations(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fsys     fstest.MapFS
		versions []int64
		wantErr  string
	}{
		{"files numbered 1..N load in version order",
			mapFS("0002_b.sql", "B", "0001_a.sql", "A", "0010_j.sql", "J", "0003_c.sql", "C", "0004_d.sql", "D",
				"0005_e.sql", "E", "0006_f.sql", "F", "0007_g.sql", "G", "0008_h.sql", "H", "0009_i.sql", "I"),
			[]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, ""},
		{"files that are not .sql are ignored", mapFS("0001_a.sql", "A", "README.md", "x"), []int64{1}, ""},
		{"a gap in the numbers is refused", mapFS("0001_a.sql", "A", "0003_c.sql", "C"), nil, "expected version 2"},
		{"a duplicate number is refused", mapFS("0001_a.sql", "A", "0001_b.sql", "B"), nil, "expected version 2"},
		{"numbering that does not start at 1 is refused", mapFS("0002_b.sql", "B"), nil, "expected version 1"},
		{"a name without a number is refused", mapFS("init.sql", "A"), nil, "NNNN_description.sql"},
		{"no migrations at all is refused", mapFS(), nil, "no migrations"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := loadMigrations(tc.fsys)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, m := range ms {
				got = append(got, m.version)
			}
			if diff := cmp.Diff(tc.versions, got); diff != "" {
				t.Errorf("versions (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("the embedded migrations of every dialect load, equally many", func(t *testing.T) {
		lite, err := loadMigrations(SQLite.Migrations)
		if err != nil {
			t.Fatal(err)
		}
		pg, err := loadMigrations(Postgres.Migrations)
		if err != nil {
			t.Fatal(err)
		}
		// A version exists in both or in neither: a store opened by one
		// dialect and a schema version written by the other must mean the
		// same tables.
		if len(lite) != len(pg) {
			t.Errorf("%d SQLite migrations, %d PostgreSQL migrations", len(lite), len(pg))
		}
	})
}

func testDB(t *testing.T, path string) *sqlx.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return sqlx.NewDb(db, "sqlite3")
}

func tablesIn(t *testing.T, db *sqlx.DB) []string {
	t.Helper()
	var names []string
	if err := db.Select(&names, `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 't%' ORDER BY name`); err != nil {
		t.Fatal(err)
	}
	return names
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	v1 := mapFS("0001_a.sql", "CREATE TABLE t1 (x INTEGER);")
	v2 := mapFS("0001_a.sql", "CREATE TABLE t1 (x INTEGER);", "0002_b.sql", "CREATE TABLE t2 (x INTEGER); INSERT INTO t1 VALUES (1);")
	v3 := mapFS("0001_a.sql", "CREATE TABLE t1 (x INTEGER);", "0002_b.sql", "CREATE TABLE t2 (x INTEGER); INSERT INTO t1 VALUES (1);",
		"0003_c.sql", "CREATE TABLE t3 (x INTEGER);")
	load := func(t *testing.T, fsys fstest.MapFS) []migration {
		ms, err := loadMigrations(fsys)
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}

	t.Run("a fresh database gets every migration and reopening adds only new ones", func(t *testing.T) {
		db := testDB(t, filepath.Join(t.TempDir(), "m.db"))
		for _, fsys := range []fstest.MapFS{v2, v2, v3, v3} {
			if err := migrate(ctx, db, SQLite, load(t, fsys)); err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff([]string{"t1", "t2", "t3"}, tablesIn(t, db)); diff != "" {
			t.Errorf("tables (-want +got):\n%s", diff)
		}
		var rows int
		if err := db.Get(&rows, `SELECT COUNT(*) FROM t1`); err != nil || rows != 1 {
			t.Errorf("migration 2 ran %d times (%v), want once", rows, err)
		}
	})

	t.Run("a database newer than the binary is refused", func(t *testing.T) {
		db := testDB(t, filepath.Join(t.TempDir(), "m.db"))
		if err := migrate(ctx, db, SQLite, load(t, v3)); err != nil {
			t.Fatal(err)
		}
		err := migrate(ctx, db, SQLite, load(t, v1))
		want := "state store schema version 3 is newer than this slab (1); upgrade slab"
		if err == nil || err.Error() != want {
			t.Errorf("err = %v, want %q", err, want)
		}
	})

	t.Run("a failing migration leaves the schema at the last whole version", func(t *testing.T) {
		db := testDB(t, filepath.Join(t.TempDir(), "m.db"))
		bad := mapFS("0001_a.sql", "CREATE TABLE t1 (x INTEGER);",
			"0002_b.sql", "CREATE TABLE t2 (x INTEGER); CREATE TABLE t1 (x INTEGER);")
		err := migrate(ctx, db, SQLite, load(t, bad))
		if err == nil || !strings.Contains(err.Error(), "0002_b.sql") {
			t.Fatalf("err = %v, want it to name 0002_b.sql", err)
		}
		if v, err := schemaVersion(ctx, db); err != nil || v != 1 {
			t.Errorf("schema version = %d (%v), want 1", v, err)
		}
		if diff := cmp.Diff([]string{"t1"}, tablesIn(t, db)); diff != "" {
			t.Errorf("half of migration 2 stayed (-want +got):\n%s", diff)
		}
	})

	t.Run("processes migrating a fresh database at once all succeed", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "m.db")
		dbs := []*sqlx.DB{testDB(t, path), testDB(t, path), testDB(t, path), testDB(t, path)}
		var wg sync.WaitGroup
		errs := make([]error, len(dbs))
		for i, db := range dbs {
			wg.Go(func() { errs[i] = migrate(ctx, db, SQLite, load(t, v3)) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("migrator %d: %v", i, err)
			}
		}
		var rows int
		if err := dbs[0].Get(&rows, `SELECT COUNT(*) FROM t1`); err != nil || rows != 1 {
			t.Errorf("migration 2 ran %d times (%v), want once", rows, err)
		}
	})
}
