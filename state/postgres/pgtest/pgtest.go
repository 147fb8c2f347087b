package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/slab-storage/slab/state/postgres/pgserver"
)

// EnvDSN names the environment variable that points the tests at an
// existing server instead of a throwaway one.
const EnvDSN = "SLAB_TEST_POSTGRES"

var (
	mainRunning atomic.Bool
	dbSeq       atomic.Int64

	setupOnce sync.Once
	cur       *cluster // nil until setup succeeded
	setupErr  error
)

// cluster is the server the databases are created on.
type cluster struct {
	admin   *sql.DB                // connected to the server's maintenance database
	dsnFor  func(db string) string // the DSN of database db on this server
	srv     *pgserver.Server       // the throwaway server; nil with EnvDSN
	started time.Duration          // how long starting it took
	drop    func(db string) error  // drops a database; nil when the server is thrown away whole
}

// Main runs the tests and then stops the throwaway server, if one was
// started, before it exits with the tests' status. Call it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is Main for a TestMain that has more to clean up after the tests:
// it returns their status instead of exiting.
func Run(m *testing.M) int {
	mainRunning.Store(true)
	code := m.Run()
	if cur != nil {
		_ = cur.admin.Close()
		if cur.srv != nil {
			if err := cur.srv.Stop(); err != nil {
				fmt.Fprintf(os.Stderr, "pgtest: stopping the test server: %v\n", err)
			}
		}
	}
	return code
}

// DSN returns the connection string of a new, empty database. See the
// package documentation for where it lives.
func DSN(tb testing.TB) string {
	tb.Helper()
	if !mainRunning.Load() {
		tb.Fatal("pgtest.DSN needs the test binary's TestMain to call pgtest.Main(m) or pgtest.Run(m), which stop the test server")
	}
	setupOnce.Do(func() { cur, setupErr = setup() })
	if setupErr != nil {
		tb.Fatalf("pgtest: %v", setupErr)
	}
	// The pid keeps two test binaries sharing one SLAB_TEST_POSTGRES
	// server apart; the sequence keeps this binary's calls apart.
	name := fmt.Sprintf("slab_test_%d_%d", os.Getpid(), dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := pgserver.CreateDatabase(ctx, cur.admin, name); err != nil {
		tb.Fatalf("pgtest: create database %s: %v", name, err)
	}
	if cur.drop != nil {
		// Registered before the caller opens stores, so it runs after they
		// are closed (cleanups run last-in first-out).
		tb.Cleanup(func() {
			if err := cur.drop(name); err != nil {
				tb.Logf("pgtest: drop database %s: %v", name, err)
			}
		})
	}
	return cur.dsnFor(name)
}

// StartupTime reports how long starting the throwaway server took (initdb
// included); zero when the tests use SLAB_TEST_POSTGRES or nothing has
// called DSN yet.
func StartupTime() time.Duration {
	if cur == nil {
		return 0
	}
	return cur.started
}

func setup() (*cluster, error) {
	if env := os.Getenv(EnvDSN); env != "" {
		return external(env)
	}
	start := time.Now()
	srv, err := pgserver.Start()
	if errors.Is(err, pgserver.ErrNotInstalled) {
		return nil, notInstalled(err)
	}
	if err != nil {
		return nil, err
	}
	admin, err := sql.Open("postgres", srv.DSN("postgres"))
	if err != nil {
		_ = srv.Stop()
		return nil, err
	}
	admin.SetMaxOpenConns(2)
	return &cluster{admin: admin, dsnFor: srv.DSN, srv: srv, started: time.Since(start)}, nil
}

// notInstalled adds the other way to run the tests to the error of
// missing server binaries.
func notInstalled(err error) error {
	return fmt.Errorf("%w, or set %s to the DSN of a server whose role may CREATE DATABASE", err, EnvDSN)
}

// external uses the server SLAB_TEST_POSTGRES points at. Its messages
// never quote the DSN: it may hold a real password.
func external(dsn string) (*cluster, error) {
	admin, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("%s is not a valid connection string", EnvDSN)
	}
	admin.SetMaxOpenConns(2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		_ = admin.Close()
		return nil, fmt.Errorf("connect to the server in %s: %v", EnvDSN, pqMessage(err))
	}
	dsnFor, err := withDatabase(dsn)
	if err != nil {
		_ = admin.Close()
		return nil, err
	}
	drop := func(name string) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// FORCE: a child process of a test may not have closed its
		// connections yet.
		_, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)")
		return err
	}
	return &cluster{admin: admin, dsnFor: dsnFor, drop: drop}, nil
}

// withDatabase returns a function that puts another database name into
// dsn, in either of lib/pq's forms.
func withDatabase(dsn string) (func(string) string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return nil, fmt.Errorf("%s is not a valid URL", EnvDSN)
		}
		return func(db string) string {
			c := *u
			c.Path, c.RawPath = "/"+db, ""
			return c.String()
		}, nil
	}
	// key=value: a later dbname overrides an earlier one.
	return func(db string) string { return dsn + " dbname=" + db }, nil
}

// pqMessage keeps a server error's message and code and drops the rest,
// so that nothing from the DSN can ride along.
func pqMessage(err error) string {
	if e, ok := err.(*pq.Error); ok {
		return fmt.Sprintf("%s (SQLSTATE %s)", e.Message, e.Code)
	}
	return err.Error()
}
