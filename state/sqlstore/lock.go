package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/slab-storage/slab/state"
)

// lockPollMin is the first interval between a waiting Lock's tries; it
// doubles up to the dialect's LockPollMax. Each try is one short
// autocommit statement and the wait happens between tries, so a waiter
// never holds a connection (SQLite runs on one) or a transaction open.
const lockPollMin = 50 * time.Millisecond

type lockRow struct {
	Stack     string `db:"stack"`
	ID        string `db:"id"`
	Who       string `db:"who"`
	Operation string `db:"operation"`
	Info      string `db:"info"`
	CreatedAt dbTime `db:"created_at"`
}

func (r lockRow) lock() state.Lock {
	return state.Lock{ID: r.ID, Stack: r.Stack, Who: r.Who, Operation: r.Operation, Info: r.Info,
		CreatedAt: time.Time(r.CreatedAt)}
}

// Lock takes the stack's writer lock with no Info.
func (s *Store) Lock(ctx context.Context, stack, who, operation string, timeout time.Duration) (state.Lock, error) {
	return s.LockWith(ctx, state.Lock{Stack: stack, Who: who, Operation: operation}, timeout)
}

// LockWith takes the stack's writer lock. The lock row's primary key is
// the stack, so at most one insert wins, across processes and, on
// PostgreSQL, across pooled connections and separate pools.
func (s *Store) LockWith(ctx context.Context, want state.Lock, timeout time.Duration) (state.Lock, error) {
	stack := want.Stack
	if err := checkStack(stack); err != nil {
		return state.Lock{}, err
	}
	deadline := time.Now().Add(timeout)
	poll := lockPollMin
	var locked *state.LockedError // the holder seen last, if any
	for {
		mine := lockRow{Stack: stack, ID: uuid.NewString(), Who: want.Who, Operation: want.Operation,
			Info: want.Info, CreatedAt: dbTime(time.Now().UTC())}
		holder, err := s.tryLock(ctx, mine)
		if err != nil {
			switch {
			case locked != nil && ctx.Err() != nil:
				// The wait ended during a retry: still say who held it.
				return state.Lock{}, fmt.Errorf("%w: %w", locked, ctx.Err())
			case ctx.Err() != nil:
				// The driver's own error ("canceling statement due to user
				// request") is only the cancellation seen from the server.
				return state.Lock{}, fmt.Errorf("state: lock stack %q: %w", stack, ctx.Err())
			}
			return state.Lock{}, fmt.Errorf("state: lock stack %q: %w", stack, err)
		}
		if holder == nil {
			return mine.lock(), nil
		}
		locked = &state.LockedError{Holder: holder.lock()}
		wait := time.Until(deadline)
		if wait <= 0 {
			return state.Lock{}, locked
		}
		timer := time.NewTimer(min(wait, poll))
		select {
		case <-ctx.Done():
			timer.Stop()
			// Both: callers can tell who held it and that they gave up.
			return state.Lock{}, fmt.Errorf("%w: %w", locked, ctx.Err())
		case <-timer.C:
		}
		poll = min(2*poll, s.pollMax)
	}
}

// tryLock inserts mine and returns nil when it won, else the holder.
func (s *Store) tryLock(ctx context.Context, mine lockRow) (*lockRow, error) {
	for {
		var id string
		err := s.st.insertLock.QueryRowxContext(ctx, mine.Stack, mine.ID, mine.Who, mine.Operation, mine.Info,
			mine.CreatedAt).Scan(&id)
		if err == nil {
			return nil, nil
		}
		if !errors.Is(err, sql.ErrNoRows) { // no row: the insert met a holder's row
			return nil, err
		}
		var holder lockRow
		err = s.st.getLock.GetContext(ctx, &holder, mine.Stack)
		if errors.Is(err, sql.ErrNoRows) {
			continue // released between our insert and this read: try again now
		}
		if err != nil {
			return nil, err
		}
		return &holder, nil
	}
}

// Unlock releases a lock the caller took; the ID must match, so a writer
// whose lock was broken cannot release its successor's.
func (s *Store) Unlock(ctx context.Context, stack, id string) error {
	return s.deleteLock(ctx, stack, id)
}

// ForceUnlock breaks a lock by ID whoever holds it (an operator's
// `slab force-unlock ID` after a crashed writer). It runs the same delete
// as Unlock; requiring the ID stops it from breaking a lock the operator
// has not seen.
func (s *Store) ForceUnlock(ctx context.Context, stack, id string) error {
	return s.deleteLock(ctx, stack, id)
}

func (s *Store) deleteLock(ctx context.Context, stack, id string) error {
	res, err := s.st.deleteLock.ExecContext(ctx, stack, id)
	if err != nil {
		return fmt.Errorf("state: unlock stack %q: %w", stack, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("state: unlock stack %q: %w", stack, err)
	}
	if n == 0 {
		return fmt.Errorf("state: unlock stack %q lock %s: %w", stack, id, state.ErrNoLock)
	}
	return nil
}
