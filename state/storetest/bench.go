package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/slab-storage/slab/state"
)

// benchVolume is a volume as an apply records it: every column set, a
// couple of plain metadata keys.
func benchVolume(i int) *state.Volume {
	now := time.Now()
	return &state.Volume{
		ID:               fmt.Sprintf("2f9c1e4a-0000-4000-8000-%012d", i),
		Address:          fmt.Sprintf(`volume.data["db-%d"]`, i),
		Name:             fmt.Sprintf("db-%d", i),
		Pool:             "file-a#ssd",
		SizeGiB:          100,
		Status:           "available",
		TypeID:           "8d2e4f6a-1111-4000-8000-000000000001",
		AvailabilityZone: "nova",
		Description:      "database volume",
		Metadata:         map[string]string{"owner": "team-storage", "env": "prod"},
		ProviderLocation: fmt.Sprintf("/srv/slab/ssd/volume-%d.raw", i),
		CreatedAt:        now,
		UpdatedAt:        now,
	}
}

// BenchApply measures one Apply that records a new, fully populated volume
// in a stack that already holds the earlier iterations' volumes.
func BenchApply(b *testing.B, s state.Store) {
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.Apply(ctx, "bench-apply", put(benchVolume(i))); err != nil {
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
		if _, err := s.Apply(ctx, stack, put(benchVolume(i))); err != nil {
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
