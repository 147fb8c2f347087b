package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/slab-storage/slab/state"
)

func testConcurrency(t *testing.T, fresh Fresh) {
	s, another := fresh(t)

	t.Run("10 writers of 100 Applies each end at serial 1000 with every event and object", func(t *testing.T) {
		checkConcurrentApplies(t, "conc-one-handle", []state.Store{s}, 10, 100)
	})

	t.Run("writers on two handles never lose or repeat a serial", func(t *testing.T) {
		checkConcurrentApplies(t, "conc-two-handles", []state.Store{s, another()}, 6, 50)
	})

	t.Run("a Read during writes is one consistent view", func(t *testing.T) {
		// Every Apply adds one volume, so a consistent view has exactly
		// serial volumes.
		writer := another()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; ctx.Err() == nil; i++ {
				if _, err := writer.Apply(ctx, "conc-view", put(fixtureVolume(i))); err != nil && ctx.Err() == nil {
					t.Errorf("Apply: %v", err)
					return
				}
			}
		}()
		for range 30 {
			st := mustRead(t, s, "conc-view")
			if int64(len(st.Volumes)) != st.Stack.Serial {
				t.Errorf("Read shows serial %d with %d volumes", st.Stack.Serial, len(st.Volumes))
			}
		}
		cancel()
		<-done
	})

	t.Run("concurrent creators of a stack agree on one lineage", func(t *testing.T) {
		handles := []state.Store{s, another()}
		lineages := make([]string, 16)
		var wg sync.WaitGroup
		for i := range lineages {
			wg.Go(func() {
				st, err := handles[i%2].Stack(context.Background(), "conc-create")
				if err != nil {
					t.Errorf("Stack: %v", err)
					return
				}
				lineages[i] = st.Lineage
			})
		}
		wg.Wait()
		if uniq := slices.Compact(slices.Sorted(slices.Values(lineages))); len(uniq) != 1 || uniq[0] == "" {
			t.Errorf("lineages = %v, want one", uniq)
		}
	})
}

// checkConcurrentApplies runs writers goroutines of n Applies each, spread
// over the handles, and checks the serials are exactly 1..writers*n, the
// history has one event per serial and every object is there.
func checkConcurrentApplies(t *testing.T, stack string, handles []state.Store, writers, n int) {
	total := writers * n
	serials := make([][]int64, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			h := handles[w%len(handles)]
			for i := range n {
				v := fixtureVolume(w*n + i)
				serial, err := h.Apply(context.Background(), stack, put(v))
				if err != nil {
					t.Errorf("writer %d Apply %d: %v", w, i, err)
					return
				}
				serials[w] = append(serials[w], serial)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	got := slices.Concat(serials...)
	slices.Sort(got)
	for i, s := range got {
		if s != int64(i+1) {
			t.Fatalf("returned serials are not 1..%d: at %d got %d", total, i, s)
		}
	}
	s := handles[0]
	st := mustRead(t, s, stack)
	if st.Stack.Serial != int64(total) || len(st.Volumes) != total {
		t.Errorf("serial %d with %d volumes, want %d of each", st.Stack.Serial, len(st.Volumes), total)
	}
	evs := mustHistory(t, s, stack, 0)
	if len(evs) != total {
		t.Fatalf("%d history events, want %d", len(evs), total)
	}
	for i, e := range evs {
		if e.Serial != int64(i+1) {
			t.Fatalf("event %d has serial %d, want %d", i, e.Serial, i+1)
		}
	}
	ids := map[string]bool{}
	for _, v := range st.Volumes {
		ids[v.ID] = true
	}
	for i := range total {
		if id := fixtureVolume(i).ID; !ids[id] {
			t.Errorf("volume %s missing", id)
		}
	}
}
