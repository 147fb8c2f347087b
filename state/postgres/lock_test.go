package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/postgres/pgtest"
)

// Two Open calls are two pools of up to 8 connections each: a lock that
// lived in a session, or that was checked before it was inserted, would
// let two holders through here.
func TestLocksAcrossTwoPoolsAdmitExactlyOneHolder(t *testing.T) {
	dsn := pgtest.DSN(t)
	pools := []state.Store{openDSN(t, dsn), openDSN(t, dsn)}
	ctx := context.Background()

	t.Run("of many simultaneous tries exactly one wins", func(t *testing.T) {
		for round := range 20 {
			stack := fmt.Sprintf("race-%d", round)
			const n = 16
			start := make(chan struct{})
			var wg sync.WaitGroup
			var won atomic.Int32
			var holders []string
			var mu sync.Mutex
			for i := range n {
				wg.Go(func() {
					<-start
					l, err := pools[i%2].Lock(ctx, stack, fmt.Sprintf("w%d", i), "apply", 0)
					if _, locked := errors.AsType[*state.LockedError](err); err != nil && !locked {
						t.Errorf("Lock: %v", err)
					}
					if err == nil {
						won.Add(1)
						mu.Lock()
						holders = append(holders, l.Who)
						mu.Unlock()
					}
				})
			}
			close(start)
			wg.Wait()
			if won.Load() != 1 {
				t.Fatalf("round %d: %d winners %v, want exactly 1", round, won.Load(), holders)
			}
		}
	})

	t.Run("waiters on both pools take turns, one at a time, and all get it", func(t *testing.T) {
		const n = 6
		var inside, maxInside, done atomic.Int32
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				h := pools[i%2]
				l, err := h.Lock(ctx, "turns", fmt.Sprintf("w%d", i), "apply", time.Minute)
				if err != nil {
					t.Errorf("Lock: %v", err)
					return
				}
				now := inside.Add(1)
				for m := maxInside.Load(); now > m && !maxInside.CompareAndSwap(m, now); m = maxInside.Load() {
				}
				time.Sleep(5 * time.Millisecond)
				inside.Add(-1)
				if err := h.Unlock(ctx, "turns", l.ID); err != nil {
					t.Errorf("Unlock: %v", err)
				}
				done.Add(1)
			})
		}
		wg.Wait()
		if maxInside.Load() != 1 || done.Load() != n {
			t.Errorf("at most %d holders at once, %d of %d got the lock; want 1 and all", maxInside.Load(), done.Load(), n)
		}
	})

	t.Run("a waiter backs off and still gets the lock once it is released", func(t *testing.T) {
		held, err := pools[0].Lock(ctx, "backoff", "alice", "apply", 0)
		if err != nil {
			t.Fatal(err)
		}
		release := 2500 * time.Millisecond
		go func() {
			time.Sleep(release)
			_ = pools[0].Unlock(ctx, "backoff", held.ID)
		}()
		start := time.Now()
		if _, err := pools[1].Lock(ctx, "backoff", "bob", "apply", time.Minute); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited < release {
			t.Errorf("got the lock after %v, before it was released (%v)", waited, release)
		}
	})
}
