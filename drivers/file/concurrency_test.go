//go:build linux

package file

import (
	"fmt"
	"sync"
	"testing"

	"github.com/slab-storage/slab/drivers"
)

// parallelism is what the applier uses by default (-parallelism 10).
const parallelism = 10

// run10 runs fn on parallelism goroutines and reports their errors.
func run10(t *testing.T, fn func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, parallelism)
	for i := range parallelism {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("goroutine %d: %v", i, err)
		}
	}
}

func TestConcurrentLifecycles(t *testing.T) {
	t.Parallel()
	p := tempPool(t)
	ctx := t.Context()
	run10(t, func(i int) error {
		v, s, c := fmt.Sprintf("v%d", i), fmt.Sprintf("s%d", i), fmt.Sprintf("c%d", i)
		vol, err := p.CreateVolume(ctx, drivers.CreateVolumeRequest{ID: v, SizeGiB: 1, Thick: i%3 == 0})
		if err != nil {
			return err
		}
		writeAt(t, vol.ProviderLocation, int64(i)*blk, randomBlock(t))
		if _, err := p.CreateSnapshot(ctx, drivers.CreateSnapshotRequest{ID: s, VolumeID: v}); err != nil {
			return err
		}
		if _, err := p.CreateVolumeFromSnapshot(ctx, drivers.CreateFromSnapshotRequest{ID: c, SnapshotID: s, SizeGiB: 2}); err != nil {
			return err
		}
		if _, err := p.ExtendVolume(ctx, v, 2); err != nil {
			return err
		}
		if _, err := p.ListVolumes(ctx); err != nil {
			return err
		}
		if _, err := p.ListSnapshots(ctx); err != nil {
			return err
		}
		if _, err := p.Stats(ctx); err != nil {
			return err
		}
		if err := p.DeleteSnapshot(ctx, s); err != nil {
			return err
		}
		if err := p.DeleteVolume(ctx, c); err != nil {
			return err
		}
		return p.DeleteVolume(ctx, v)
	})
	if got := tree(t, p.Path()); !equalStrings(got, []string{".", "snapshots", "volumes"}) {
		t.Errorf("pool tree after concurrent lifecycles = %v", got)
	}
}

// TestConcurrentSameID re-drives the same creates from every goroutine:
// all succeed and exactly one object results.
func TestConcurrentSameID(t *testing.T) {
	t.Parallel()
	p := tempPool(t)
	ctx := t.Context()
	run10(t, func(int) error {
		_, err := p.CreateVolume(ctx, drivers.CreateVolumeRequest{ID: "same", SizeGiB: 1})
		return err
	})
	run10(t, func(int) error {
		_, err := p.CreateSnapshot(ctx, drivers.CreateSnapshotRequest{ID: "same-snap", VolumeID: "same"})
		return err
	})
	run10(t, func(int) error {
		_, err := p.CloneVolume(ctx, drivers.CloneVolumeRequest{ID: "same-clone", SourceID: "same", SizeGiB: 1})
		return err
	})
	want := []string{".", "snapshots", "snapshots/volume-same", "snapshots/volume-same/snapshot-same-snap",
		"volumes", "volumes/volume-same", "volumes/volume-same-clone"}
	if got := tree(t, p.Path()); !equalStrings(got, want) {
		t.Errorf("pool tree = %v, want %v", got, want)
	}
	run10(t, func(int) error { return p.DeleteSnapshot(ctx, "same-snap") })
	run10(t, func(int) error { return p.DeleteVolume(ctx, "same") })
}

// TestConcurrentSnapshotsOfOneVolume races snapshot creates and deletes on
// one volume; the per-volume snapshot directory comes and goes under them.
func TestConcurrentSnapshotsOfOneVolume(t *testing.T) {
	t.Parallel()
	p := tempPool(t)
	ctx := t.Context()
	mustCreate(t, p, "vol", 1)
	run10(t, func(i int) error {
		id := fmt.Sprintf("s%d", i)
		for range 20 {
			if _, err := p.CreateSnapshot(ctx, drivers.CreateSnapshotRequest{ID: id, VolumeID: "vol"}); err != nil {
				return err
			}
			if err := p.DeleteSnapshot(ctx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err := p.DeleteVolume(ctx, "vol"); err != nil {
		t.Fatal(err)
	}
}
