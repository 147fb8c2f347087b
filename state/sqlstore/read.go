package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/slab-storage/slab/state"
)

// Read returns the stack's objects from one read transaction, so the
// serial and the rows are one consistent view. A stack that does not exist
// yet is created (as Stack does) and read as empty, so a plan always has a
// lineage to stale-check against.
func (s *Store) Read(ctx context.Context, stack string) (*state.State, error) {
	if err := checkStack(stack); err != nil {
		return nil, err
	}
	out, err := s.read(ctx, stack)
	if err == nil && out == nil {
		// Create it, then read again rather than return the created stack:
		// another writer may have recorded objects in between.
		if _, err := s.Stack(ctx, stack); err != nil {
			return nil, err
		}
		if out, err = s.read(ctx, stack); err == nil && out == nil {
			err = errors.New("stack vanished after creation")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("state: read stack %q: %w", stack, err)
	}
	return out, nil
}

func emptyState(st state.Stack) *state.State {
	return &state.State{Stack: st, Pools: []*state.Pool{}, QoS: []*state.QoS{},
		VolumeTypes: []*state.VolumeType{}, Volumes: []*state.Volume{}, Snapshots: []*state.Snapshot{},
		Backups: []*state.Backup{}}
}

// read returns nil, nil when the stack does not exist. The transaction is
// over before it returns: on SQLite there is one connection, and Stack
// needs it.
func (s *Store) read(ctx context.Context, stack string) (*state.State, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	out, err := s.readTx(ctx, tx, stack)
	if err != nil || out == nil {
		return nil, err
	}
	return out, tx.Commit()
}

// beginRead starts a read-only transaction that sees one snapshot.
// Repeatable read: on PostgreSQL the default (read committed) would give
// each SELECT its own snapshot. SQLite's transactions are serializable
// whatever is asked.
func (s *Store) beginRead(ctx context.Context) (*sqlx.Tx, error) {
	return s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
}

// readTx reads the stack's row and objects inside tx; nil, nil when the
// stack does not exist.
func (s *Store) readTx(ctx context.Context, tx *sqlx.Tx, stack string) (*state.State, error) {
	var sr stackRow
	err := tx.StmtxContext(ctx, s.st.getStack).GetContext(ctx, &sr, stack)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := emptyState(state.Stack{Name: sr.Name, Lineage: sr.Lineage, Serial: sr.Serial})
	if out.Pools, err = readKind(ctx, tx, s.st.selectKind[state.KindPool], stack, (*poolRow).object); err != nil {
		return nil, err
	}
	if out.QoS, err = readKind(ctx, tx, s.st.selectKind[state.KindQoS], stack, (*qosRow).object); err != nil {
		return nil, err
	}
	if out.VolumeTypes, err = readKind(ctx, tx, s.st.selectKind[state.KindVolumeType], stack, (*volumeTypeRow).object); err != nil {
		return nil, err
	}
	if out.Volumes, err = readKind(ctx, tx, s.st.selectKind[state.KindVolume], stack, (*volumeRow).object); err != nil {
		return nil, err
	}
	if out.Snapshots, err = readKind(ctx, tx, s.st.selectKind[state.KindSnapshot], stack, (*snapshotRow).object); err != nil {
		return nil, err
	}
	if out.Backups, err = readKind(ctx, tx, s.st.selectKind[state.KindBackup], stack, (*backupRow).object); err != nil {
		return nil, err
	}
	return out, nil
}

// readKind selects one kind's rows and converts them, ordered by address
// then id byte-wise. The SQL already orders them; the Go check makes the
// order independent of a PostgreSQL collation and costs one pass when the
// database agreed.
func readKind[R any, O state.Object](ctx context.Context, tx *sqlx.Tx, stmt *sqlx.Stmt, stack string, conv func(*R) O) ([]O, error) {
	// Pointers: sqlx allocates each row anyway, and growing a slice of
	// pointers copies far less than growing a slice of wide row structs.
	var rows []*R
	if err := tx.StmtxContext(ctx, stmt).SelectContext(ctx, &rows, stack); err != nil {
		return nil, err
	}
	out := make([]O, len(rows))
	for i, r := range rows {
		out[i] = conv(r)
	}
	if !slices.IsSortedFunc(out, compareObjects[O]) {
		slices.SortFunc(out, compareObjects[O])
	}
	return out, nil
}

func compareObjects[O state.Object](a, b O) int {
	if c := strings.Compare(a.ObjectAddress(), b.ObjectAddress()); c != 0 {
		return c
	}
	return strings.Compare(a.ObjectID(), b.ObjectID())
}
