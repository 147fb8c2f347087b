package storetest

import (
	"context"
	"testing"

	"github.com/slab-storage/slab/state"
)

// BenchApply measures one Apply that records a new, fully populated volume
// in a stack that already holds the earlier iterations' volumes.
func BenchApply(b *testing.B, s state.Store) {
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.Apply(ctx, "bench-apply", put(fixtureVolume(i))); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchRead measures Read of a stack holding n volumes (and a few objects
// of every other kind).
func BenchRead(b *testing.B, s state.Store, n int) {
	ctx := context.Background()
	const stack = "bench-read"
	for i := range n {
		if _, err := s.Apply(ctx, stack, put(fixtureVolume(i))); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 10 {
		for _, o := range []state.Object{fixturePool(i), fixtureQoS(i), fixtureVolumeType(i), fixtureSnapshot(i)} {
			if _, err := s.Apply(ctx, stack, put(o)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		st, err := s.Read(ctx, stack)
		if err != nil {
			b.Fatal(err)
		}
		if len(st.Volumes) != n {
			b.Fatalf("read %d volumes, want %d", len(st.Volumes), n)
		}
	}
}
