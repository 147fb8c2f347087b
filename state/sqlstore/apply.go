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
	st, err := prepareWrite(stack, w)
	if err != nil {
		return 0, fmt.Errorf("state: apply to stack %q: %w", stack, err)
	}
	serial, err := s.apply(ctx, st)
	if err != nil {
		return 0, fmt.Errorf("state: apply %s %q to stack %q: %w", st.t.kind, st.id, stack, err)
	}
	return serial, nil
}

// step is a validated Write.
type step struct {
	t   table
	id  string      // the object's ID (the event may name another)
	row any         // the row to upsert; nil for a delete
	ev  state.Event // blanks filled from the object
}

func prepareWrite(stack string, w state.Write) (step, error) {
	st := step{ev: w.Event}
	st.ev.Stack = stack
	var err error
	switch {
	case (w.Put == nil) == (w.Delete == nil):
		return st, errors.New("a write needs exactly one of Put or Delete")
	case w.Put != nil:
		if st.t, st.row, err = toRow(stack, w.Put); err != nil {
			return st, err
		}
		st.id = w.Put.ObjectID()
		st.ev.Address = cmp.Or(st.ev.Address, w.Put.ObjectAddress())
	default:
		var ok bool
		if st.t, ok = tableFor(w.Delete.Kind); !ok {
			return st, fmt.Errorf("cannot delete object of unknown kind %q", w.Delete.Kind)
		}
		if st.id = w.Delete.ID; st.id == "" {
			return st, fmt.Errorf("delete of %s has no ID", st.t.kind)
		}
	}
	st.ev.Kind = cmp.Or(st.ev.Kind, st.t.kind)
	st.ev.ObjectID = cmp.Or(st.ev.ObjectID, st.id)
	return st, nil
}

func (s *Store) apply(ctx context.Context, st step) (serial int64, err error) {
	t, ev := st.t, st.ev
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
	if st.row != nil {
		if ev.Action == "" {
			var n int
			if err = tx.StmtxContext(ctx, s.st.exists[t.kind]).GetContext(ctx, &n, ev.Stack, st.id); err != nil {
				return 0, err
			}
			ev.Action = "create"
			if n > 0 {
				ev.Action = "update"
			}
		}
		if _, err = tx.NamedStmtContext(ctx, s.st.upsert[t.kind]).ExecContext(ctx, st.row); err != nil {
			return 0, err
		}
	} else {
		var addr string
		err = tx.StmtxContext(ctx, s.st.remove[t.kind]).QueryRowxContext(ctx, ev.Stack, st.id).Scan(&addr)
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
