package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/slab-storage/slab/state"
)

func testLocks(t *testing.T, fresh Fresh) {
	s, another := fresh(t)
	ctx := context.Background()

	lock := func(t *testing.T, s state.Store, stack, who string) state.Lock {
		t.Helper()
		l, err := s.Lock(ctx, stack, who, "apply", 0)
		if err != nil {
			t.Fatalf("Lock(%s): %v", who, err)
		}
		return l
	}

	t.Run("a lock records who, what, when and a fresh ID", func(t *testing.T) {
		before := time.Now()
		l := lock(t, s, "lk-fields", "alice@host")
		if l.ID == "" || l.Stack != "lk-fields" || l.Who != "alice@host" || l.Operation != "apply" ||
			l.CreatedAt.Before(before.Add(-time.Second)) {
			t.Errorf("lock = %+v", l)
		}
		if err := s.Unlock(ctx, "lk-fields", l.ID); err != nil {
			t.Fatal(err)
		}
		if l2 := lock(t, s, "lk-fields", "alice@host"); l2.ID == l.ID {
			t.Errorf("relocking reused ID %s", l.ID)
		}
	})

	t.Run("a second Lock gets a LockedError naming the holder", func(t *testing.T) {
		held := lock(t, s, "lk-held", "alice")
		for name, h := range map[string]state.Store{"same handle": s, "another handle": another()} {
			_, err := h.Lock(ctx, "lk-held", "bob", "plan", 0)
			var le *state.LockedError
			if !errors.As(err, &le) {
				t.Fatalf("%s: err = %v, want *LockedError", name, err)
			}
			if diff := cmp.Diff(held, le.Holder); diff != "" {
				t.Errorf("%s: holder (-want +got):\n%s", name, diff)
			}
		}
	})

	t.Run("LockWith records Info and the LockedError shows it", func(t *testing.T) {
		want := state.Lock{Stack: "lk-info", Who: "ci@runner-7", Operation: "apply",
			Info: "slab 0.1.0: slab apply -auto-approve plan.bin", ID: "ignored"}
		held, err := s.LockWith(ctx, want, 0)
		if err != nil {
			t.Fatal(err)
		}
		if held.ID == "" || held.ID == want.ID || held.CreatedAt.IsZero() {
			t.Errorf("lock = %+v, want a fresh ID and a time", held)
		}
		want.ID, want.CreatedAt = held.ID, held.CreatedAt
		if diff := cmp.Diff(want, held); diff != "" {
			t.Errorf("lock (-want +got):\n%s", diff)
		}
		_, err = another().LockWith(ctx, state.Lock{Stack: "lk-info", Who: "bob", Operation: "plan"}, 0)
		var le *state.LockedError
		if !errors.As(err, &le) {
			t.Fatalf("err = %v, want *LockedError", err)
		}
		if diff := cmp.Diff(held, le.Holder); diff != "" {
			t.Errorf("holder (-want +got):\n%s", diff)
		}
		for _, part := range []string{held.Who, held.Operation, held.ID, held.Info, held.CreatedAt.Format(time.RFC3339)} {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("error %q does not name %q", err, part)
			}
		}
	})

	t.Run("a lock on one stack does not block another stack", func(t *testing.T) {
		lock(t, s, "lk-iso-a", "alice")
		lock(t, s, "lk-iso-b", "bob")
	})

	t.Run("a Lock with a timeout gives up with a LockedError when it elapses", func(t *testing.T) {
		lock(t, s, "lk-timeout", "alice")
		start := time.Now()
		_, err := s.Lock(ctx, "lk-timeout", "bob", "apply", 150*time.Millisecond)
		var le *state.LockedError
		if !errors.As(err, &le) || le.Holder.Who != "alice" {
			t.Fatalf("err = %v, want LockedError held by alice", err)
		}
		if waited := time.Since(start); waited < 150*time.Millisecond {
			t.Errorf("gave up after %v, before the timeout", waited)
		}
	})

	t.Run("a Lock with a timeout succeeds once the holder unlocks", func(t *testing.T) {
		held := lock(t, s, "lk-wait", "alice")
		other := another()
		go func() {
			time.Sleep(200 * time.Millisecond)
			if err := other.Unlock(ctx, "lk-wait", held.ID); err != nil {
				t.Errorf("Unlock: %v", err)
			}
		}()
		l, err := s.Lock(ctx, "lk-wait", "bob", "apply", 30*time.Second)
		if err != nil || l.Who != "bob" {
			t.Fatalf("Lock = %+v, %v; want bob's lock", l, err)
		}
	})

	t.Run("waiting for a lock leaves the store usable for others", func(t *testing.T) {
		lock(t, s, "lk-busy", "alice")
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { _, err := s.Lock(ctx, "lk-busy", "bob", "apply", time.Minute); done <- err }()
		// Meanwhile the same handle still reads and writes.
		mustApply(t, s, "lk-busy-other", put(fixtureVolume(1)))
		mustRead(t, s, "lk-busy-other")
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("waiter err = %v, want context.Canceled", err)
		}
	})

	t.Run("cancelling the context stops the wait and names the holder", func(t *testing.T) {
		lock(t, s, "lk-cancel", "alice")
		ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := s.Lock(ctx, "lk-cancel", "bob", "apply", time.Minute)
		var le *state.LockedError
		if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &le) || le.Holder.Who != "alice" {
			t.Fatalf("err = %v, want DeadlineExceeded and a LockedError held by alice", err)
		}
		if waited := time.Since(start); waited > 30*time.Second {
			t.Errorf("waited %v after the context ended", waited)
		}
	})

	t.Run("Unlock with the wrong ID is ErrNoLock and keeps the lock", func(t *testing.T) {
		held := lock(t, s, "lk-wrong", "alice")
		if err := s.Unlock(ctx, "lk-wrong", "not-the-id"); !errors.Is(err, state.ErrNoLock) {
			t.Errorf("Unlock(wrong id) = %v, want ErrNoLock", err)
		}
		if err := s.Unlock(ctx, "lk-other-stack", held.ID); !errors.Is(err, state.ErrNoLock) {
			t.Errorf("Unlock(other stack) = %v, want ErrNoLock", err)
		}
		if _, err := s.Lock(ctx, "lk-wrong", "bob", "apply", 0); err == nil {
			t.Error("the lock was released by a wrong Unlock")
		}
		if err := s.Unlock(ctx, "lk-wrong", held.ID); err != nil {
			t.Errorf("Unlock(right id) = %v", err)
		}
		if err := s.Unlock(ctx, "lk-wrong", held.ID); !errors.Is(err, state.ErrNoLock) {
			t.Errorf("second Unlock = %v, want ErrNoLock", err)
		}
	})

	t.Run("ForceUnlock breaks another holder's lock by ID", func(t *testing.T) {
		held := lock(t, s, "lk-force", "crashed-ci")
		operator := another()
		_, err := operator.Lock(ctx, "lk-force", "operator", "apply", 0)
		var le *state.LockedError
		if !errors.As(err, &le) {
			t.Fatalf("Lock = %v, want LockedError", err)
		}
		if err := operator.ForceUnlock(ctx, "lk-force", "wrong"); !errors.Is(err, state.ErrNoLock) {
			t.Errorf("ForceUnlock(wrong id) = %v, want ErrNoLock", err)
		}
		if err := operator.ForceUnlock(ctx, "lk-force", le.Holder.ID); err != nil {
			t.Fatalf("ForceUnlock: %v", err)
		}
		lock(t, s, "lk-force", "operator")
		if err := s.Unlock(ctx, "lk-force", held.ID); !errors.Is(err, state.ErrNoLock) {
			t.Errorf("the broken holder's Unlock = %v, want ErrNoLock", err)
		}
	})

	t.Run("many contenders each get the lock exactly once", func(t *testing.T) {
		const n = 8
		inside := make(chan int, n)
		errs := make(chan error, n)
		handles := []state.Store{s, another()}
		for i := range n {
			go func() {
				h := handles[i%2]
				l, err := h.Lock(ctx, "lk-many", "w", "apply", 30*time.Second)
				if err != nil {
					errs <- err
					return
				}
				inside <- i
				time.Sleep(10 * time.Millisecond)
				if len(inside) > 1 {
					errs <- errors.New("two holders at once")
					return
				}
				<-inside
				errs <- h.Unlock(ctx, "lk-many", l.ID)
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
	})
}
