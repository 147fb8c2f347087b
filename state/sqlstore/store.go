package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/slab-storage/slab/state"
)

// Store is state.Store over a *sqlx.DB.
type Store struct {
	db        *sqlx.DB
	st        statements
	pollMax   time.Duration // Dialect.LockPollMax
	closeOnce sync.Once
	closeErr  error
}

var _ state.Store = (*Store)(nil)

// statements are prepared once: every Apply runs the same few, and on a
// pooled database database/sql re-prepares them per connection as needed.
type statements struct {
	getStack, insertStack, bumpSerial, insertEvent *sqlx.Stmt
	history, historyTail                           *sqlx.Stmt
	insertLock, getLock, deleteLock                *sqlx.Stmt

	upsert     map[state.Kind]*sqlx.NamedStmt
	remove     map[state.Kind]*sqlx.Stmt
	exists     map[state.Kind]*sqlx.Stmt
	selectKind map[state.Kind]*sqlx.Stmt
	all        []*sqlx.Stmt // for Close
	allNamed   []*sqlx.NamedStmt
}

const eventCols = "seq, stack, serial, kind, object_id, address, action, detail, who, created_at"

// New migrates db to the newest schema the dialect knows and returns a
// Store that owns db: Close closes it.
func New(ctx context.Context, db *sqlx.DB, d Dialect) (*Store, error) {
	ms, err := loadMigrations(d.Migrations)
	if err != nil {
		return nil, fmt.Errorf("%s migrations: %w", d.Name, err)
	}
	if err := migrate(ctx, db, d, ms); err != nil {
		return nil, err
	}
	s := &Store{db: db, pollMax: max(d.LockPollMax, lockPollMin)}
	if err := s.prepare(ctx); err != nil {
		s.closeStatements()
		return nil, err
	}
	return s, nil
}

func (s *Store) prepare(ctx context.Context) error {
	st := &s.st
	var errs []error
	p := func(q string) *sqlx.Stmt {
		stmt, err := s.db.PreparexContext(ctx, s.db.Rebind(q))
		if err != nil {
			errs = append(errs, fmt.Errorf("prepare %q: %w", q, err))
			return nil
		}
		st.all = append(st.all, stmt)
		return stmt
	}
	st.getStack = p(`SELECT name, lineage, serial FROM stacks WHERE name = ?`)
	st.insertStack = p(`INSERT INTO stacks (name, lineage, serial, created_at, updated_at)
		VALUES (?, ?, 0, ?, ?) ON CONFLICT (name) DO NOTHING`)
	st.bumpSerial = p(`UPDATE stacks SET serial = serial + 1, updated_at = ? WHERE name = ? RETURNING serial`)
	st.insertEvent = p(`INSERT INTO history (stack, serial, kind, object_id, address, action, detail, who, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	st.history = p(`SELECT ` + eventCols + ` FROM history WHERE stack = ? ORDER BY seq`)
	st.historyTail = p(`SELECT ` + eventCols + ` FROM (
		SELECT ` + eventCols + ` FROM history WHERE stack = ? ORDER BY seq DESC LIMIT ?) AS tail ORDER BY seq`)
	// One atomic statement decides who holds the lock: the primary key on
	// stack lets exactly one insert through, and RETURNING tells the
	// winner so, with no window between a check and an insert.
	st.insertLock = p(`INSERT INTO locks (stack, id, who, operation, info, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (stack) DO NOTHING RETURNING id`)
	st.getLock = p(`SELECT stack, id, who, operation, info, created_at FROM locks WHERE stack = ?`)
	st.deleteLock = p(`DELETE FROM locks WHERE stack = ? AND id = ?`)

	st.upsert = map[state.Kind]*sqlx.NamedStmt{}
	st.remove = map[state.Kind]*sqlx.Stmt{}
	st.exists = map[state.Kind]*sqlx.Stmt{}
	st.selectKind = map[state.Kind]*sqlx.Stmt{}
	for _, t := range tables {
		named, err := s.db.PrepareNamedContext(ctx, t.upsertSQL())
		if err != nil {
			errs = append(errs, fmt.Errorf("prepare upsert %s: %w", t.name, err))
		} else {
			st.allNamed = append(st.allNamed, named)
			st.upsert[t.kind] = named
		}
		st.remove[t.kind] = p(t.deleteSQL())
		st.exists[t.kind] = p(t.existsSQL())
		st.selectKind[t.kind] = p(t.selectSQL())
	}
	return errors.Join(errs...)
}

func (s *Store) closeStatements() {
	for _, stmt := range s.st.all {
		_ = stmt.Close()
	}
	for _, stmt := range s.st.allNamed {
		_ = stmt.Close()
	}
	// The fields stay set: a call after Close gets "statement is closed"
	// from database/sql instead of a nil dereference.
}

// Close releases the prepared statements and closes the database.
// Closing twice is harmless.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closeStatements()
		s.closeErr = s.db.Close()
	})
	return s.closeErr
}

type stackRow struct {
	Name    string `db:"name"`
	Lineage string `db:"lineage"`
	Serial  int64  `db:"serial"`
}

func checkStack(name string) error {
	if name == "" {
		return errors.New("state: stack name is empty")
	}
	return nil
}

// Stack reads the stack and only writes when it is missing. The insert
// ignores a conflict and the row is read back, so concurrent creators
// (threads or processes) all see the one lineage that won.
func (s *Store) Stack(ctx context.Context, name string) (state.Stack, error) {
	if err := checkStack(name); err != nil {
		return state.Stack{}, err
	}
	var r stackRow
	err := s.st.getStack.GetContext(ctx, &r, name)
	if errors.Is(err, sql.ErrNoRows) {
		now := dbTime(time.Now())
		if _, err = s.st.insertStack.ExecContext(ctx, name, uuid.NewString(), now, now); err != nil {
			return state.Stack{}, fmt.Errorf("state: create stack %q: %w", name, err)
		}
		err = s.st.getStack.GetContext(ctx, &r, name)
	}
	if err != nil {
		return state.Stack{}, fmt.Errorf("state: read stack %q: %w", name, err)
	}
	return state.Stack{Name: r.Name, Lineage: r.Lineage, Serial: r.Serial}, nil
}

type eventRow struct {
	Seq       int64  `db:"seq"`
	Stack     string `db:"stack"`
	Serial    int64  `db:"serial"`
	Kind      string `db:"kind"`
	ObjectID  string `db:"object_id"`
	Address   string `db:"address"`
	Action    string `db:"action"`
	Detail    string `db:"detail"`
	Who       string `db:"who"`
	CreatedAt dbTime `db:"created_at"`
}

// History returns events oldest first; with limit > 0 only the newest
// limit of them, still oldest first.
func (s *Store) History(ctx context.Context, stack string, limit int) ([]state.Event, error) {
	if err := checkStack(stack); err != nil {
		return nil, err
	}
	var rows []eventRow
	var err error
	if limit > 0 {
		err = s.st.historyTail.SelectContext(ctx, &rows, stack, limit)
	} else {
		err = s.st.history.SelectContext(ctx, &rows, stack)
	}
	if err != nil {
		return nil, fmt.Errorf("state: read history of stack %q: %w", stack, err)
	}
	return events(rows), nil
}

func events(rows []eventRow) []state.Event {
	out := make([]state.Event, len(rows))
	for i, r := range rows {
		out[i] = state.Event{Seq: r.Seq, Stack: r.Stack, Serial: r.Serial, Kind: state.Kind(r.Kind),
			ObjectID: r.ObjectID, Address: r.Address, Action: r.Action, Detail: r.Detail, Who: r.Who,
			CreatedAt: time.Time(r.CreatedAt)}
	}
	return out
}
