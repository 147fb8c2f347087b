package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/slab-storage/slab/state"
)

// ignoreSeq compares events without seq, which each store numbers itself.
var ignoreSeq = cmpopts.IgnoreFields(state.Event{}, "Seq")

// populate records a stack with every kind, updates, deletes and events
// with fields of their own, so that a copy that drops or rewrites any of
// it differs.
func populate(t testing.TB, s state.Store, stack string) {
	t.Helper()
	for i := 1; i <= 3; i++ {
		for _, o := range []state.Object{fixturePool(i), fixtureQoS(i), fixtureVolumeType(i), fixtureVolume(i), fixtureSnapshot(i), fixtureBackup(i)} {
			mustApply(t, s, stack, put(o))
		}
	}
	mustApply(t, s, stack, del(state.KindBackup, fixtureBackup(3).ID))
	mustApply(t, s, stack, put(fixtureVolume(1))) // an update
	mustApply(t, s, stack, del(state.KindSnapshot, fixtureSnapshot(2).ID))
	w := put(fixtureVolume(4))
	w.Event = state.Event{Kind: "backup", ObjectID: "bk-1", Address: "backup.nightly", Action: "error",
		Detail: "repository unreachable:\n\t\"nas\" ✗", Who: "ci@runner (pid 7)"}
	mustApply(t, s, stack, w)
}

func mustDump(t testing.TB, s state.Store, stack string) *state.Dump {
	t.Helper()
	d, err := s.Dump(context.Background(), stack)
	if err != nil {
		t.Fatalf("Dump: %v", err)
	}
	return d
}

func mustRestore(t testing.TB, s state.Store, d *state.Dump, force bool) {
	t.Helper()
	if err := s.Restore(context.Background(), d, force); err != nil {
		t.Fatalf("Restore: %v", err)
	}
}

// checkSameStack fails unless the two dumps record the same stack: equal
// row, objects and history but for seq, and equal checksums.
func checkSameStack(t *testing.T, want, got *state.Dump) {
	t.Helper()
	if diff := cmp.Diff(want.Stack, got.Stack); diff != "" {
		t.Errorf("stack (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.State, got.State); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.History, got.History, ignoreSeq); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if want.Checksum() != got.Checksum() {
		t.Errorf("checksum %s, want %s", got.Checksum(), want.Checksum())
	}
}

func testDump(t *testing.T, fresh Fresh) {
	ctx := context.Background()
	src, _ := fresh(t)
	populate(t, src, "dump")
	d := mustDump(t, src, "dump")

	t.Run("a dump is the stack, its objects and its history in one view", func(t *testing.T) {
		if diff := cmp.Diff(mustRead(t, src, "dump"), d.State); diff != "" {
			t.Errorf("state (-Read +Dump):\n%s", diff)
		}
		if diff := cmp.Diff(mustHistory(t, src, "dump", 0), d.History); diff != "" {
			t.Errorf("history (-History +Dump):\n%s", diff)
		}
		if d.Stack != d.State.Stack || d.Stack.Serial != int64(len(d.History)) {
			t.Errorf("stack %+v, state's %+v, %d events; want one stack at serial = events", d.Stack, d.State.Stack, len(d.History))
		}
	})

	t.Run("a restored stack dumps back identical but for seq", func(t *testing.T) {
		dst, _ := fresh(t)
		mustApply(t, dst, "other", put(fixtureVolume(9))) // so the target's seq differ
		mustRestore(t, dst, d, false)
		got := mustDump(t, dst, "dump")
		checkSameStack(t, d, got)
		for i := 1; i < len(got.History); i++ {
			if got.History[i].Seq <= got.History[i-1].Seq {
				t.Fatalf("restored events out of order: seq %d after %d", got.History[i].Seq, got.History[i-1].Seq)
			}
		}
		// The copy goes on where the source left off.
		if serial := mustApply(t, dst, "dump", put(fixtureVolume(5))); serial != d.Stack.Serial+1 {
			t.Errorf("first Apply after Restore = serial %d, want %d", serial, d.Stack.Serial+1)
		}
		if st := mustStack(t, dst, "dump"); st.Lineage != d.Stack.Lineage {
			t.Errorf("lineage %s, want the dump's %s", st.Lineage, d.Stack.Lineage)
		}
		if len(mustRead(t, dst, "other").Volumes) != 1 {
			t.Error("Restore touched another stack")
		}
	})

	t.Run("a restore onto a stack that exists but holds nothing takes the dump's lineage", func(t *testing.T) {
		dst, _ := fresh(t)
		mustStack(t, dst, "dump") // as slab init or a plan leaves it
		mustRestore(t, dst, d, false)
		checkSameStack(t, d, mustDump(t, dst, "dump"))
	})

	t.Run("an empty stack round-trips", func(t *testing.T) {
		mustStack(t, src, "dump-empty")
		empty := mustDump(t, src, "dump-empty")
		dst, _ := fresh(t)
		mustRestore(t, dst, empty, false)
		checkSameStack(t, empty, mustDump(t, dst, "dump-empty"))
	})

	t.Run("dumping a stack never recorded is ErrNoStack and creates nothing", func(t *testing.T) {
		if _, err := src.Dump(ctx, "dump-none"); !errors.Is(err, state.ErrNoStack) {
			t.Fatalf("Dump = %v, want ErrNoStack", err)
		}
		names, err := src.Stacks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if n == "dump-none" {
				t.Error("Dump created the stack")
			}
		}
	})

	t.Run("Stacks lists every stack sorted byte-wise", func(t *testing.T) {
		s, _ := fresh(t)
		for _, n := range []string{"b", "a-2", "B", "a"} {
			mustStack(t, s, n)
		}
		mustApply(t, s, "c", put(fixtureQoS(1)))
		names, err := s.Stacks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"B", "a", "a-2", "b", "c"}, names); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, dst state.Store)
		objects int
		history int
	}{
		{"a target stack with objects is refused unless forced", func(t *testing.T, dst state.Store) {
			mustApply(t, dst, "dump", put(fixtureVolume(7)))
			mustApply(t, dst, "dump", put(fixtureQoS(7)))
		}, 2, 2},
		{"a target stack with only history is refused unless forced", func(t *testing.T, dst state.Store) {
			mustApply(t, dst, "dump", put(fixtureVolume(7)))
			mustApply(t, dst, "dump", del(state.KindVolume, fixtureVolume(7).ID))
		}, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst, _ := fresh(t)
			tc.prepare(t, dst)
			lock, err := dst.Lock(ctx, "dump", "someone", "apply", 0)
			if err != nil {
				t.Fatal(err)
			}
			before := mustDump(t, dst, "dump")
			err = dst.Restore(ctx, d, false)
			var ne *state.NotEmptyError
			if !errors.As(err, &ne) {
				t.Fatalf("Restore = %v, want *NotEmptyError", err)
			}
			want := state.NotEmptyError{Stack: before.Stack, Objects: tc.objects, History: tc.history}
			if diff := cmp.Diff(want, *ne); diff != "" {
				t.Errorf("NotEmptyError (-want +got):\n%s", diff)
			}
			checkSameStack(t, before, mustDump(t, dst, "dump"))

			mustRestore(t, dst, d, true)
			checkSameStack(t, d, mustDump(t, dst, "dump"))
			// The lock went with the state it guarded.
			if err := dst.Unlock(ctx, "dump", lock.ID); !errors.Is(err, state.ErrNoLock) {
				t.Errorf("Unlock of the lock held before the forced restore = %v, want ErrNoLock", err)
			}
		})
	}

	t.Run("an empty target stack whose lock is held is refused unless forced", func(t *testing.T) {
		dst, _ := fresh(t)
		held, err := dst.Lock(ctx, "dump", "someone", "apply", 0)
		if err != nil {
			t.Fatal(err)
		}
		var le *state.LockedError
		if err := dst.Restore(ctx, d, false); !errors.As(err, &le) || le.Holder.ID != held.ID {
			t.Fatalf("Restore = %v, want *LockedError naming lock %s", err, held.ID)
		}
		mustRestore(t, dst, d, true)
		checkSameStack(t, d, mustDump(t, dst, "dump"))
	})

	noID := fixtureVolume(1)
	noID.ID = ""
	bad := *d
	bad.State = &state.State{Stack: d.Stack, Volumes: []*state.Volume{fixtureVolume(1), noID}}
	for _, tc := range []struct {
		name string
		d    *state.Dump
	}{
		{"a nil dump is refused", nil},
		{"a dump without state is refused", &state.Dump{Stack: d.Stack}},
		{"a dump without lineage is refused", &state.Dump{Stack: state.Stack{Name: "dump"}, State: &state.State{}}},
		{"a dump whose state names another stack is refused",
			&state.Dump{Stack: d.Stack, State: &state.State{Stack: state.Stack{Name: "x", Lineage: "y"}}}},
		{"a dump with an object without ID is refused and writes nothing", &bad},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst, _ := fresh(t)
			if err := dst.Restore(ctx, tc.d, true); err == nil {
				t.Fatal("Restore succeeded")
			}
			if names, err := dst.Stacks(ctx); err != nil || len(names) != 0 {
				t.Errorf("a refused restore left stacks %v (%v)", names, err)
			}
		})
	}

	t.Run("restored events keep their own times", func(t *testing.T) {
		dst, _ := fresh(t)
		old := *d
		old.History = append([]state.Event(nil), d.History...)
		old.History[0].CreatedAt = time.Date(2001, 2, 3, 4, 5, 6, 7, time.UTC)
		mustRestore(t, dst, &old, false)
		got := mustDump(t, dst, "dump")
		if !got.History[0].CreatedAt.Equal(old.History[0].CreatedAt) || len(got.History) != len(d.History) {
			t.Errorf("first event at %v with %d events; want %v and %d", got.History[0].CreatedAt,
				len(got.History), old.History[0].CreatedAt, len(d.History))
		}
	})
}
