package main

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/postgres"
	"github.com/slab-storage/slab/state/postgres/pgtest"
	"github.com/slab-storage/slab/state/sqlite"
)

// storeKinds are the state stores the end-to-end tests of shared state
// run against. fresh returns the location of a new, empty store: an
// absolute SQLite path, or a PostgreSQL DSN on pgtest's server.
var storeKinds = []struct {
	name  string
	fresh func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "shared", "state.db") }},
	{"postgres", func(t *testing.T) string { return pgtest.DSN(t) }},
}

// forEachStore runs body once per store kind, as a subtest, with the
// location of a fresh store.
func forEachStore(t *testing.T, body func(t *testing.T, loc string)) {
	for _, k := range storeKinds {
		t.Run(k.name, func(t *testing.T) { body(t, k.fresh(t)) })
	}
}

// stateEnv points slab at loc through SLAB_STATE.
func stateEnv(loc string) []string { return []string{"SLAB_STATE=" + loc} }

// openAt opens the store at loc (as slab's -state takes it) directly; the
// test closes it when it ends.
func openAt(t *testing.T, loc string) state.Store {
	t.Helper()
	var s state.Store
	var err error
	if postgres.IsDSN(loc) {
		s, err = postgres.Open(context.Background(), loc)
	} else {
		s, err = sqlite.Open(loc)
	}
	if err != nil {
		t.Fatalf("open %s: %v", loc, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// dsnPassword is the password of a pgtest DSN.
func dsnPassword(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	pw, ok := u.User.Password()
	if !ok || pw == "" {
		t.Fatalf("DSN %s has no password", postgres.Redact(dsn))
	}
	return pw
}

// volumesConfig declares n one-GiB volumes v000… (and a snapshot of each
// when snapshots) on a file pool in the directory, in the named stack
// ("" for the default).
func volumesConfig(stack string, n int, snapshots bool) string {
	var b strings.Builder
	if stack != "" {
		fmt.Fprintf(&b, "slab {\n  stack = %q\n}\n", stack)
	}
	b.WriteString("backend \"b\" {\n  driver = \"file\"\n  pool \"p\" {\n    path = \"pool\"\n    max_over_subscription_ratio = 1000\n  }\n}\n")
	for i := range n {
		fmt.Fprintf(&b, "volume \"v%03d\" {\n  size = 1\n}\n", i)
		if snapshots {
			fmt.Fprintf(&b, "snapshot \"s%03d\" {\n  volume = volume.v%03d\n}\n", i, i)
		}
	}
	return b.String()
}

// volumeFiles lists the volume files on the pool of a volumesConfig
// directory.
func volumeFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "pool", "volumes", "volume-*"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}
