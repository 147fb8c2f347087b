package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/sqlstore"
)

// Pool limits. Every Apply is one short transaction and a lock waiter
// holds no connection between tries, so a handful of connections serves
// the applier's default parallelism of 10; keeping the number small
// matters more, since many CI jobs share one server's max_connections.
const (
	maxOpenConns = 8
	// Idle connections are kept (up to the maximum) so that an apply does
	// not reconnect between steps, but not for long: a reconcile loop that
	// sleeps for minutes should not hold server slots.
	connMaxIdleTime = 5 * time.Minute
	// A bounded lifetime moves connections to a new primary after a
	// failover behind the same address.
	connMaxLifetime = 30 * time.Minute
	// defaultConnectTimeout is connect_timeout when the DSN sets none.
	// lib/pq honours a context while dialling but not during the server's
	// handshake, and the pool dials again long after Open: without a
	// bound, a server that accepts but never answers would hang any call
	// for good. A mistyped host fails within it too, rather than after the
	// kernel's TCP retries.
	defaultConnectTimeout = 30 * time.Second
)

// IsDSN reports whether a state location names a PostgreSQL server (a
// postgres:// URL, or a libpq key=value string with a host or dbname)
// rather than a SQLite file, for the commands and tools that take either.
func IsDSN(loc string) bool {
	return isURL(loc) || strings.Contains(loc, "host=") || strings.Contains(loc, "dbname=")
}

// Open connects to the PostgreSQL server named by dsn (a postgres:// URL
// or libpq key=value string; lib/pq also reads the PG* environment
// variables), migrates the database to the newest schema and returns the
// store. The password never appears in an error Open or the store returns.
func Open(ctx context.Context, dsn string) (state.Store, error) {
	if dsn == "" {
		return nil, errors.New("open state store: empty PostgreSQL connection string")
	}
	r := newRedactor(dsn)
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		return nil, r.Error(fmt.Errorf("open state store %s: %w", r.dsn, r.ParseError(err)))
	}
	s, err := open(ctx, cfg)
	if err != nil {
		return nil, r.Error(fmt.Errorf("open state store %s: %w", r.dsn, err))
	}
	return &store{s: s, r: r}, nil
}

func open(ctx context.Context, cfg pq.Config) (*sqlstore.Store, error) {
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	connector, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxOpenConns)
	db.SetConnMaxIdleTime(connMaxIdleTime)
	db.SetConnMaxLifetime(connMaxLifetime)
	if err := ping(ctx, db); err != nil {
		return nil, err
	}
	s, err := sqlstore.New(ctx, sqlx.NewDb(db, "postgres"), sqlstore.Postgres)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// ping makes the first connection, returning when ctx ends even if lib/pq
// is still waiting for the server's handshake (which it does not cancel);
// the abandoned attempt ends within connect_timeout and closes db. On
// error db is closed.
func ping(ctx context.Context, db *sql.DB) error {
	done := make(chan error, 1)
	go func() {
		err := db.PingContext(ctx)
		if err != nil {
			_ = db.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		go func() {
			if <-done == nil {
				_ = db.Close()
			}
		}()
		return ctx.Err()
	}
}

// store is the shared SQL store with every error passed through the
// redactor. The queries never see the DSN, but connection errors come
// from lib/pq at any call (a pooled connection is redialled after a
// server restart), so the guarantee is kept at the boundary rather than
// argued call by call.
type store struct {
	s *sqlstore.Store
	r *redactor
}

var _ state.Store = (*store)(nil)

func (s *store) Stack(ctx context.Context, name string) (state.Stack, error) {
	st, err := s.s.Stack(ctx, name)
	return st, s.r.Error(err)
}

func (s *store) Read(ctx context.Context, stack string) (*state.State, error) {
	st, err := s.s.Read(ctx, stack)
	return st, s.r.Error(err)
}

func (s *store) Apply(ctx context.Context, stack string, w state.Write) (int64, error) {
	serial, err := s.s.Apply(ctx, stack, w)
	return serial, s.r.Error(err)
}

func (s *store) History(ctx context.Context, stack string, limit int) ([]state.Event, error) {
	evs, err := s.s.History(ctx, stack, limit)
	return evs, s.r.Error(err)
}

func (s *store) Lock(ctx context.Context, stack, who, operation string, timeout time.Duration) (state.Lock, error) {
	l, err := s.s.Lock(ctx, stack, who, operation, timeout)
	return l, s.r.Error(err)
}

func (s *store) LockWith(ctx context.Context, want state.Lock, timeout time.Duration) (state.Lock, error) {
	l, err := s.s.LockWith(ctx, want, timeout)
	return l, s.r.Error(err)
}

func (s *store) Unlock(ctx context.Context, stack, id string) error {
	return s.r.Error(s.s.Unlock(ctx, stack, id))
}

func (s *store) ForceUnlock(ctx context.Context, stack, id string) error {
	return s.r.Error(s.s.ForceUnlock(ctx, stack, id))
}

func (s *store) Stacks(ctx context.Context) ([]string, error) {
	names, err := s.s.Stacks(ctx)
	return names, s.r.Error(err)
}

func (s *store) Dump(ctx context.Context, stack string) (*state.Dump, error) {
	d, err := s.s.Dump(ctx, stack)
	return d, s.r.Error(err)
}

func (s *store) Restore(ctx context.Context, d *state.Dump, force bool) error {
	return s.r.Error(s.s.Restore(ctx, d, force))
}

func (s *store) Close() error { return s.r.Error(s.s.Close()) }
