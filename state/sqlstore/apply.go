package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/slab-storage/slab/state"
)

// Apply records one step in one transaction. The serial bump runs first:
// it is a write, so on SQLite the transaction holds the write lock from its
// first statement, and on PostgreSQL the stack row's lock serializes
// concurrent Applies to one stack, which keeps history seq order equal to
// serial order.
func (s *Store) Apply(ctx context.Context, stack string, w state.Write) (int64, error) {
	if err := checkStack(stack); err != nil {
		return 0, err
	}
	t, row, ev, err := prepareWrite(stack, w)
	if err != nil {
		return 0, fmt.Errorf("state: apply to stack %q: %w", stack, err)
	}
	serial, err := s.apply(ctx, t, row, w.Delete, ev)
	if err != nil {
		return 0, fmt.Errorf("state: apply %s %q to stack %q: %w", ev.Kind, ev.ObjectID, stack, err)
	}
	return serial, nil
}

// prepareWrite validates w and returns the table, the row to upsert (nil
// for a delete) and the event with its blanks filled from the object.
func prepareWrite(stack string, w state.Write) (table, any, state.Event, error) {
	ev := w.Event
	ev.Stack = stack
	var (
		t   table
		row any
		err error
	)
	switch {
	case (w.Put == nil) == (w.Delete == nil):
		return t, nil, ev, errors.New("a write needs exactly one of Put or Delete")
	case w.Put != nil:
		if t, row, err = toRow(stack, w.Put); err != nil {
			return t, nil, ev, err
		}
		ev.Kind = cmp.Or(ev.Kind, t.kind)
		ev.ObjectID = cmp.Or(ev.ObjectID, w.Put.ObjectID())
		ev.Address = cmp.Or(ev.Address, w.Put.ObjectAddress())
	default:
		var ok bool
		if t, ok = tableFor(w.Delete.Kind); !ok {
			return t, nil, ev, fmt.Errorf("cannot delete object of unknown kind %q", w.Delete.Kind)
		}
		if w.Delete.ID == "" {
			return t, nil, ev, fmt.Errorf("delete of %s has no ID", t.kind)
		}
		ev.Kind = cmp.Or(ev.Kind, t.kind)
		ev.ObjectID = cmp.Or(ev.ObjectID, w.Delete.ID)
	}
	return t, row, ev, nil
}

func (s *Store) apply(ctx context.Context, t table, row any, del *state.Ref, ev state.Event) (serial int64, err error) {
	now := time.Now().UTC()
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if serial, err = s.bump(ctx, tx, ev.Stack, now); err != nil {
		return 0, err
	}
	if row != nil {
		if ev.Action == "" {
			var n int
			if err = tx.StmtxContext(ctx, s.st.exists[t.kind]).GetContext(ctx, &n, ev.Stack, ev.ObjectID); err != nil {
				return 0, err
			}
			ev.Action = "create"
			if n > 0 {
				ev.Action = "update"
			}
		}
		if _, err = tx.NamedStmtContext(ctx, s.st.upsert[t.kind]).ExecContext(ctx, row); err != nil {
			return 0, err
		}
	} else {
		var addr string
		err = tx.StmtxContext(ctx, s.st.remove[t.kind]).QueryRowxContext(ctx, ev.Stack, del.ID).Scan(&addr)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
		ev.Address = cmp.Or(ev.Address, addr)
		ev.Action = cmp.Or(ev.Action, "delete")
	}
	if _, err = tx.StmtxContext(ctx, s.st.insertEvent).ExecContext(ctx, ev.Stack, serial, string(ev.Kind),
		ev.ObjectID, ev.Address, ev.Action, ev.Detail, ev.Who, dbTime(now)); err != nil {
		return 0, err
	}
	if err = tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return serial, nil
}

// bump increments the stack's serial, creating the stack on its first
// write so that callers need not call Stack first.
func (s *Store) bump(ctx context.Context, tx *sqlx.Tx, stack string, now time.Time) (int64, error) {
	var serial int64
	err := tx.StmtxContext(ctx, s.st.bumpSerial).QueryRowxContext(ctx, dbTime(now), stack).Scan(&serial)
	if !errors.Is(err, sql.ErrNoRows) {
		return serial, err
	}
	if _, err := tx.StmtxContext(ctx, s.st.insertStack).ExecContext(ctx, stack, uuid.NewString(), dbTime(now), dbTime(now)); err != nil {
		return 0, fmt.Errorf("create stack: %w", err)
	}
	err = tx.StmtxContext(ctx, s.st.bumpSerial).QueryRowxContext(ctx, dbTime(now), stack).Scan(&serial)
	return serial, err
}
