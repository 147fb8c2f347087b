package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/slab-storage/slab/state"
)

// Stacks returns every stack's name. They are sorted in Go: on PostgreSQL
// ORDER BY would follow the database's collation, not byte order.
func (s *Store) Stacks(ctx context.Context) ([]string, error) {
	var names []string
	if err := s.db.SelectContext(ctx, &names, `SELECT name FROM stacks`); err != nil {
		return nil, fmt.Errorf("state: list stacks: %w", err)
	}
	slices.Sort(names)
	return names, nil
}

// Dump reads the stack, its objects and its history in one read
// transaction, so that the history ends at the serial the objects show.
func (s *Store) Dump(ctx context.Context, stack string) (*state.Dump, error) {
	if err := checkStack(stack); err != nil {
		return nil, err
	}
	d, err := s.dump(ctx, stack)
	if err != nil {
		return nil, fmt.Errorf("state: dump stack %q: %w", stack, err)
	}
	return d, nil
}

func (s *Store) dump(ctx context.Context, stack string) (*state.Dump, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	st, err := s.readTx(ctx, tx, stack)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, state.ErrNoStack
	}
	var rows []eventRow
	if err := tx.StmtxContext(ctx, s.st.history).SelectContext(ctx, &rows, stack); err != nil {
		return nil, err
	}
	return &state.Dump{Stack: st.Stack, State: st, History: events(rows)}, tx.Commit()
}

// restoreRows is a dump converted and checked before the transaction
// starts, so that a bad dump touches nothing.
type restoreRows struct {
	stack   state.Stack
	objects []step // t and row set
	history []state.Event
}

func prepareRestore(d *state.Dump) (restoreRows, error) {
	var r restoreRows
	switch {
	case d == nil || d.State == nil:
		return r, errors.New("the dump holds no state")
	case d.Stack.Lineage == "":
		return r, errors.New("the dump's stack has no lineage")
	case d.State.Stack != (state.Stack{}) && d.State.Stack != d.Stack:
		return r, fmt.Errorf("the dump's state is of stack %+v but its stack row is %+v", d.State.Stack, d.Stack)
	}
	r.stack = d.Stack
	for _, o := range d.State.Objects() {
		t, row, err := toRow(d.Stack.Name, o)
		if err != nil {
			return r, err
		}
		r.objects = append(r.objects, step{t: t, id: o.ObjectID(), row: row})
	}
	r.history = make([]state.Event, len(d.History))
	for i, e := range d.History {
		e.Stack = d.Stack.Name
		r.history[i] = e
	}
	return r, nil
}

// Restore writes a dump in one transaction (see state.Store). Its first
// write takes the stack row, as Apply's serial bump does: on PostgreSQL
// a concurrent Apply to the stack waits for the restore to commit instead
// of slipping in between the emptiness check and the copy, and on SQLite
// the transaction holds the write lock from its start anyway.
func (s *Store) Restore(ctx context.Context, d *state.Dump, force bool) error {
	name := ""
	if d != nil {
		name = d.Stack.Name
	}
	if err := checkStack(name); err != nil {
		return err
	}
	r, err := prepareRestore(d)
	if err != nil {
		return fmt.Errorf("state: restore stack %q: %w", name, err)
	}
	if err := s.restore(ctx, r, force); err != nil {
		// These name the stack and what holds it already.
		var notEmpty *state.NotEmptyError
		var locked *state.LockedError
		if errors.As(err, &notEmpty) || errors.As(err, &locked) {
			return err
		}
		return fmt.Errorf("state: restore stack %q: %w", name, err)
	}
	return nil
}

func (s *Store) restore(ctx context.Context, r restoreRows, force bool) (err error) {
	name := r.stack.Name
	now := dbTime(time.Now().UTC())
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	exec := func(q string, args ...any) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(q), args...)
		return err
	}
	// Create the row when missing (with the dump's lineage), then take it.
	if _, err = tx.StmtxContext(ctx, s.st.insertStack).ExecContext(ctx, name, r.stack.Lineage, now, now); err != nil {
		return fmt.Errorf("create stack: %w", err)
	}
	var cur stackRow
	if err = tx.GetContext(ctx, &cur, tx.Rebind(`UPDATE stacks SET updated_at = ? WHERE name = ? RETURNING name, lineage, serial`), now, name); err != nil {
		return err
	}
	if !force {
		if err = s.checkEmpty(ctx, tx, cur); err != nil {
			return err
		}
	}
	// Clear the stack, lock included (unless forced there is nothing to
	// clear: checkEmpty found nothing). Whoever held the lock was working
	// on the state a forced restore replaces.
	for _, t := range tables {
		if err = exec(`DELETE FROM `+t.name+` WHERE stack = ?`, name); err != nil {
			return err
		}
	}
	for _, q := range []string{`DELETE FROM history WHERE stack = ?`, `DELETE FROM locks WHERE stack = ?`} {
		if err = exec(q, name); err != nil {
			return err
		}
	}
	if err = exec(`UPDATE stacks SET lineage = ?, serial = ? WHERE name = ?`, r.stack.Lineage, r.stack.Serial, name); err != nil {
		return err
	}
	for _, o := range r.objects {
		if _, err = tx.NamedStmtContext(ctx, s.st.upsert[o.t.kind]).ExecContext(ctx, o.row); err != nil {
			return fmt.Errorf("%s %q: %w", o.t.kind, o.id, err)
		}
	}
	insertEvent := tx.StmtxContext(ctx, s.st.insertEvent)
	for _, e := range r.history {
		if _, err = insertEvent.ExecContext(ctx, name, e.Serial, string(e.Kind), e.ObjectID, e.Address, e.Action,
			e.Detail, e.Who, dbTime(e.CreatedAt)); err != nil {
			return fmt.Errorf("history event of serial %d: %w", e.Serial, err)
		}
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// checkEmpty refuses a stack that holds objects or history, or whose lock
// is held: a restore would replace what it holds, or what its lock holder
// is about to write.
func (s *Store) checkEmpty(ctx context.Context, tx *sqlx.Tx, cur stackRow) error {
	name := cur.Name
	objects := 0
	for _, t := range tables {
		var n int
		if err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT COUNT(*) FROM `+t.name+` WHERE stack = ?`), name); err != nil {
			return err
		}
		objects += n
	}
	var history int
	if err := tx.GetContext(ctx, &history, tx.Rebind(`SELECT COUNT(*) FROM history WHERE stack = ?`), name); err != nil {
		return err
	}
	if objects > 0 || history > 0 {
		return &state.NotEmptyError{Stack: state.Stack{Name: name, Lineage: cur.Lineage, Serial: cur.Serial},
			Objects: objects, History: history}
	}
	var holder lockRow
	err := tx.StmtxContext(ctx, s.st.getLock).GetContext(ctx, &holder, name)
	switch {
	case err == nil:
		return &state.LockedError{Holder: holder.lock()}
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	return nil
}
