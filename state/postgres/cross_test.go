package postgres_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/postgres/pgtest"
	"github.com/slab-storage/slab/state/sqlite"
)

// crossObjects are values where a store could quietly differ: JSON stats
// laid out unusually (jsonb would reorder and respace them), times with
// nanoseconds and zones, zero times, text that sorts differently by
// locale, escapes and non-ASCII in maps, empty versus nil.
func crossObjects() []state.Object {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.FixedZone("X", -7*3600-1800))
	return []state.Object{
		&state.Pool{ID: "b#p", Address: `pool.p["b"]`, Backend: "b", Name: "p", Driver: "file",
			Stats:     json.RawMessage(`{"z": 1, "a": [1e3, 2.50, -0], "nested": {"b": true, "a": null}}`),
			UpdatedAt: t0},
		&state.Pool{ID: "b#q", Address: `pool.p["q"]`, Backend: "b", Name: "q", Driver: "file"},
		&state.QoS{ID: "q1", Address: "qos.gold", Name: "gold", Consumer: "both",
			Specs: map[string]string{"total_iops_sec": "100", "ÄÖ": "ü"}, Sensitive: []string{"specs"},
			CreatedAt: t0, UpdatedAt: t0.Add(time.Nanosecond)},
		&state.VolumeType{ID: "t1", Address: "volume_type.gold", Name: "gold", ExtraSpecs: map[string]string{},
			QoSID: "q1", CreatedAt: t0},
		&state.Volume{ID: "v-B", Address: `volume.db["B"]`, Name: "B", Pool: "b#p", SizeGiB: 1 << 40,
			Status: "error", StatusReason: "driver said:\n\t\"no\" \\ ✗", Metadata: map[string]string{
				"quote\"": "back\\slash", "tab": "\t", "html": "<&>", "emoji": "🧊", "": "empty key"},
			Sensitive: []string{"metadata"}, CreatedAt: t0, UpdatedAt: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		&state.Volume{ID: "v-a", Address: `volume.db["a"]`, Name: "a", Pool: "b#p", SizeGiB: 1},
		&state.Volume{ID: "v-ä", Address: `volume.db["ä"]`, Name: "ä", Pool: "b#p", SizeGiB: 2,
			Metadata: map[string]string{}, CreatedAt: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)},
		&state.Volume{ID: "v-Z", Address: `volume.db["Z"]`, Name: "Z", Pool: "b#p", SizeGiB: 3},
		&state.Snapshot{ID: "s1", Address: "snapshot.s", Name: "s", VolumeID: "v-a", Pool: "b#p", SizeGiB: 1,
			Status: "available", Metadata: nil, ProviderLocation: "/srv/x y/s1.raw", CreatedAt: t0},
	}
}

func TestSQLiteAndPostgresReadBackTheSameObjects(t *testing.T) {
	ctx := context.Background()
	lite, err := sqlite.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lite.Close() })
	pg := openDSN(t, pgtest.DSN(t))

	var got [2]*state.State
	var hist [2][]state.Event
	for i, s := range []state.Store{lite, pg} {
		for _, o := range crossObjects() {
			if _, err := s.Apply(ctx, "x", state.Write{Put: o, Event: state.Event{Who: "ci", Detail: "ünïcode ✓"}}); err != nil {
				t.Fatalf("store %d: Apply %s: %v", i, o.ObjectID(), err)
			}
		}
		if _, err := s.Apply(ctx, "x", state.Write{Delete: &state.Ref{Kind: state.KindVolume, ID: "v-Z"}}); err != nil {
			t.Fatal(err)
		}
		got[i] = mustRead(t, s, "x")
		if hist[i], err = s.History(ctx, "x", 0); err != nil {
			t.Fatal(err)
		}
	}
	// Lineages are random per store; everything else must agree.
	if diff := cmp.Diff(got[0], got[1], cmpopts.IgnoreFields(state.Stack{}, "Lineage")); diff != "" {
		t.Errorf("Read (-sqlite +postgres):\n%s", diff)
	}
	if diff := cmp.Diff(hist[0], hist[1], cmpopts.IgnoreFields(state.Event{}, "CreatedAt")); diff != "" {
		t.Errorf("History (-sqlite +postgres):\n%s", diff)
	}
	// And both equal what was written, bar the documented normalisations
	// (nil maps read back empty, times in UTC).
	norm := cmp.Options{
		cmpopts.EquateEmpty(),
		cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
	}
	var want []state.Object
	for _, o := range crossObjects() {
		if o.ObjectID() != "v-Z" {
			want = append(want, o)
		}
	}
	if diff := cmp.Diff(want, got[1].Objects(), norm); diff != "" {
		t.Errorf("PostgreSQL vs what was written (-want +got):\n%s", diff)
	}
	// Stats are kept byte for byte, not normalised as jsonb would.
	if s := string(got[1].Pools[0].Stats); s != string(crossObjects()[0].(*state.Pool).Stats) {
		t.Errorf("stats = %s", s)
	}
}

func TestAStackMovesFromSQLiteToPostgresAndBackUnchanged(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var stores [3]state.Store // SQLite → PostgreSQL → another SQLite
	for i, path := range []string{"a.db", "", "b.db"} {
		if path == "" {
			stores[i] = openDSN(t, pgtest.DSN(t))
			continue
		}
		s, err := sqlite.Open(filepath.Join(dir, path))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		stores[i] = s
	}
	for _, o := range crossObjects() {
		if _, err := stores[0].Apply(ctx, "x", state.Write{Put: o, Event: state.Event{Who: "ci", Detail: "ünïcode ✓"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := stores[0].Apply(ctx, "x", state.Write{Delete: &state.Ref{Kind: state.KindVolume, ID: "v-Z"}}); err != nil {
		t.Fatal(err)
	}
	dumps := make([]*state.Dump, len(stores))
	for i, s := range stores {
		if i > 0 {
			if err := s.Restore(ctx, dumps[i-1], false); err != nil {
				t.Fatalf("Restore into store %d: %v", i, err)
			}
		}
		d, err := s.Dump(ctx, "x")
		if err != nil {
			t.Fatal(err)
		}
		dumps[i] = d
	}
	for i := 1; i < len(dumps); i++ {
		if diff := cmp.Diff(dumps[0].State, dumps[i].State); diff != "" {
			t.Errorf("objects in store %d (-source +copy):\n%s", i, diff)
		}
		if diff := cmp.Diff(dumps[0].History, dumps[i].History, cmpopts.IgnoreFields(state.Event{}, "Seq")); diff != "" {
			t.Errorf("history in store %d (-source +copy):\n%s", i, diff)
		}
		if dumps[i].Checksum() != dumps[0].Checksum() {
			t.Errorf("store %d checksum %s, source %s", i, dumps[i].Checksum(), dumps[0].Checksum())
		}
	}
}

func TestPostgresRefusesTextItCannotStoreRatherThanAlterIt(t *testing.T) {
	// PostgreSQL text holds neither NUL nor invalid UTF-8, which SQLite
	// stores as given: the Apply must fail whole, not store a variant.
	pg := openDSN(t, pgtest.DSN(t))
	ctx := context.Background()
	for _, bad := range []string{"nul\x00byte", "bad\xffutf8"} {
		_, err := pg.Apply(ctx, "x", state.Write{Put: &state.Volume{ID: "v", Description: bad}})
		if err == nil {
			t.Errorf("Apply of %q succeeded", bad)
		}
	}
	if st := mustRead(t, pg, "x"); st.Stack.Serial != 0 || len(st.Volumes) != 0 {
		t.Errorf("a refused Apply left serial %d and %d volumes", st.Stack.Serial, len(st.Volumes))
	}
}

// The two 0001 migrations must describe one schema, or the shared queries
// would behave differently: same tables, columns (order, nullability,
// presence of a default) and indexes (name, table, columns).
func TestPostgresSchemaMatchesSQLite(t *testing.T) {
	dir := t.TempDir()
	lite, err := sqlite.Open(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	_ = lite.Close()
	liteDB, err := sqlx.Open("sqlite", filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer liteDB.Close()
	dsn := pgtest.DSN(t)
	openDSN(t, dsn)
	pgDB := rawDB(t, dsn)

	type column struct {
		Table, Name      string
		NotNull, Default bool
	}
	type index struct{ Name, Table, Columns string }
	var liteCols, pgCols []column
	var liteIdx, pgIdx []index

	var tables []string
	if err := liteDB.Select(&tables, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`); err != nil {
		t.Fatal(err)
	}
	for _, tbl := range tables {
		rows, err := liteDB.Queryx(`SELECT name, "notnull" OR pk > 0, dflt_value IS NOT NULL FROM pragma_table_info(?) ORDER BY cid`, tbl)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			c := column{Table: tbl}
			if err := rows.Scan(&c.Name, &c.NotNull, &c.Default); err != nil {
				t.Fatal(err)
			}
			liteCols = append(liteCols, c)
		}
		_ = rows.Close()
		var idx []struct{ Name, Cols string }
		if err := liteDB.Select(&idx, `SELECT il.name AS name, (SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno)) AS cols
			FROM pragma_index_list(?) il WHERE il.origin = 'c' ORDER BY il.name`, tbl); err != nil {
			t.Fatal(err)
		}
		for _, i := range idx {
			liteIdx = append(liteIdx, index{i.Name, tbl, i.Cols})
		}
	}

	rows, err := pgDB.Queryx(`SELECT table_name, column_name, is_nullable = 'NO', column_default IS NOT NULL OR is_identity = 'YES'
		FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.Table, &c.Name, &c.NotNull, &c.Default); err != nil {
			t.Fatal(err)
		}
		pgCols = append(pgCols, c)
	}
	_ = rows.Close()
	if err := pgDB.Select(&pgIdx, `SELECT i.relname AS name, t.relname AS table,
			string_agg(a.attname, ',' ORDER BY k.n) AS columns
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class t ON t.oid = x.indrelid
		JOIN pg_namespace ns ON ns.oid = t.relnamespace AND ns.nspname = current_schema()
		CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
		JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
		WHERE NOT x.indisprimary
		GROUP BY i.relname, t.relname ORDER BY t.relname, i.relname`); err != nil {
		t.Fatal(err)
	}
	// SQLite's AUTOINCREMENT seq has no default clause; PostgreSQL's
	// identity column counts as one. Both generate the value.
	for i, c := range liteCols {
		if c.Table == "history" && c.Name == "seq" {
			liteCols[i].Default = true
		}
	}
	if diff := cmp.Diff(liteCols, pgCols); diff != "" {
		t.Errorf("columns (-sqlite +postgres):\n%s", diff)
	}
	sortIdx := cmpopts.SortSlices(func(a, b index) bool { return a.Table+a.Name < b.Table+b.Name })
	if diff := cmp.Diff(liteIdx, pgIdx, sortIdx); diff != "" {
		t.Errorf("indexes (-sqlite +postgres):\n%s", diff)
	}
	if len(pgCols) == 0 || len(pgIdx) == 0 {
		t.Error("no PostgreSQL columns or indexes found: the catalog queries are wrong")
	}
}
