package pgtest_test

import (
	"database/sql"
	"os"
	"testing"

	"github.com/slab-storage/slab/state/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func open(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestEachDSNIsItsOwnEmptyDatabase(t *testing.T) {
	a, b := open(t, pgtest.DSN(t)), open(t, pgtest.DSN(t))
	t.Logf("server started in %v", pgtest.StartupTime())
	if _, err := a.Exec(`CREATE TABLE only_in_a (x int)`); err != nil {
		t.Fatal(err)
	}
	var nameA, nameB string
	if err := a.QueryRow(`SELECT current_database()`).Scan(&nameA); err != nil {
		t.Fatal(err)
	}
	if err := b.QueryRow(`SELECT current_database()`).Scan(&nameB); err != nil {
		t.Fatal(err)
	}
	if nameA == nameB {
		t.Errorf("two DSNs name one database %s", nameA)
	}
	var n int
	if err := b.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("a fresh database has %d tables", n)
	}
}

func TestTheThrowawayServerListensOnLoopbackOnlyWithoutFsync(t *testing.T) {
	if os.Getenv(pgtest.EnvDSN) != "" {
		t.Skip("the server is " + pgtest.EnvDSN + "'s, not a throwaway one") // nothing of ours to check
	}
	db := open(t, pgtest.DSN(t))
	for setting, want := range map[string]string{"listen_addresses": "127.0.0.1", "fsync": "off", "server_encoding": "UTF8"} {
		var got string
		if err := db.QueryRow(`SELECT current_setting($1)`, setting).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}
}
