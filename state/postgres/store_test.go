package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/postgres"
	"github.com/slab-storage/slab/state/postgres/pgtest"
	"github.com/slab-storage/slab/state/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// openDSN opens a store on dsn and closes it when the test ends.
func openDSN(tb testing.TB, dsn string) state.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// rawDB connects to dsn without the store, to look at what it wrote.
func rawDB(tb testing.TB, dsn string) *sqlx.DB {
	tb.Helper()
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (state.Store, func() state.Store) {
		dsn := pgtest.DSN(t)
		// another opens a second pool on the same database, as a second
		// process would.
		return openDSN(t, dsn), func() state.Store { return openDSN(t, dsn) }
	})
}

func TestOpeningAFreshDatabaseAtOnceMigratesItOnce(t *testing.T) {
	dsn := pgtest.DSN(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			s, err := postgres.Open(context.Background(), dsn)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
		}
	}
	var versions []int64
	if err := rawDB(t, dsn).Select(&versions, `SELECT version FROM schema_migrations ORDER BY version`); err != nil {
		t.Fatal(err)
	}
	if len(versions) != 1 || versions[0] != 1 {
		t.Errorf("schema_migrations = %v, want [1]", versions)
	}
}

func TestReopenKeepsDataAndRefusesANewerSchema(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s := openDSN(t, dsn)
	if _, err := s.Apply(ctx, "main", state.Write{Put: &state.Volume{ID: "v1", Address: "volume.a", SizeGiB: 3}}); err != nil {
		t.Fatal(err)
	}
	if st := mustRead(t, openDSN(t, dsn), "main"); len(st.Volumes) != 1 || st.Stack.Serial != 1 {
		t.Errorf("after reopen: serial %d, %d volumes; want 1 and 1", st.Stack.Serial, len(st.Volumes))
	}
	if _, err := rawDB(t, dsn).Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (7, 'x')`); err != nil {
		t.Fatal(err)
	}
	_, err := postgres.Open(ctx, dsn)
	if want := "state store schema version 7 is newer than this slab (1); upgrade slab"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Open = %v, want it to say %q", err, want)
	}
}

func mustRead(tb testing.TB, s state.Store, stack string) *state.State {
	tb.Helper()
	st, err := s.Read(context.Background(), stack)
	if err != nil {
		tb.Fatalf("Read: %v", err)
	}
	return st
}

func BenchmarkApply(b *testing.B) {
	storetest.BenchApply(b, openDSN(b, pgtest.DSN(b)))
}

func BenchmarkRead10k(b *testing.B) {
	storetest.BenchRead(b, openDSN(b, pgtest.DSN(b)), 10000)
}
