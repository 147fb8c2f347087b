//go:build linux

package file

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/slab-storage/slab/drivers"
)

// scattered are the offsets the copy tests write 4 KiB blocks at, spread
// over a 1 GiB volume (first block, a few in the middle, the last one).
var scattered = []int64{0, 3 * blk, 300<<20 + blk, 777 << 20, oneGiB - blk}

// TestSnapshotsAndClonesOnRootFS runs the copy suite where the test's temp
// directory lives; on ext4 that is the sparse-copy path.
func TestSnapshotsAndClonesOnRootFS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() + "/pool"
	p := openPool(t, dir, nil)
	// Whether this filesystem reflinks decides what the suite expects.
	runCopySuite(t, p, reflinks(t, p))
}

// reflinks reports whether FICLONE works in the pool's filesystem, probing
// with two scratch files next to (not inside) the pool's object tree.
func reflinks(t *testing.T, p *Pool) bool {
	t.Helper()
	src, dst := p.Path()+"/probe-src", p.Path()+"/probe-dst"
	defer os.Remove(src)
	defer os.Remove(dst)
	if err := os.WriteFile(src, randomBlock(t), 0o600); err != nil {
		t.Fatal(err)
	}
	return cloneFile(t, src, dst)
}

// runCopySuite checks snapshots, clones and volumes from snapshots on p.
// wantShared says whether copies must share blocks with their source
// (reflink) or must not (sparse copy).
func runCopySuite(t *testing.T, p *Pool, wantShared bool) {
	ctx := t.Context()
	vol := mustCreate(t, p, "vol", 1)
	blocks := map[int64][]byte{}
	for _, off := range scattered {
		blocks[off] = randomBlock(t)
		writeAt(t, vol.ProviderLocation, off, blocks[off])
	}
	written := int64(len(scattered)) * blk

	// checkCopy asserts path holds exactly the blocks written before the
	// copy, stays sparse, and shares blocks with its source iff wantShared.
	checkCopy := func(t *testing.T, path string) {
		t.Helper()
		for off, want := range blocks {
			if !bytes.Equal(readAt(t, path, off, blk), want) {
				t.Errorf("%s: block at %d differs from the volume's at copy time", path, off)
			}
		}
		exts, err := AllocatedExtents(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := ExtentBytes(exts); got != written {
			t.Errorf("%s: %d data bytes in %v, want the %d written (holes must stay holes)", path, got, exts, written)
		}
		if a := allocatedBytes(t, path); a > 1<<20 {
			t.Errorf("%s: allocated %d bytes for %d bytes of data", path, a, written)
		}
		shared, err := SharedExtents(path)
		if err != nil {
			t.Fatal(err)
		}
		if wantShared && ExtentBytes(shared) < written {
			t.Errorf("%s: shared extents %v cover %d bytes, want all %d data bytes shared (reflink)", path, shared, ExtentBytes(shared), written)
		}
		if !wantShared && len(shared) > 0 {
			t.Errorf("%s: shared extents %v, want none (independent copy)", path, shared)
		}
	}

	snap := mustSnapshot(t, p, "snap", "vol")
	t.Run("a snapshot holds the volume's content at snapshot time", func(t *testing.T) {
		if snap.VolumeID != "vol" || snap.SizeBytes != oneGiB || snap.ProviderLocation != p.snapshotPath("vol", "snap") {
			t.Errorf("snapshot = %+v", snap)
		}
		sameContent(t, snap.ProviderLocation, vol.ProviderLocation)
		checkCopy(t, snap.ProviderLocation)
		fi, err := os.Stat(snap.ProviderLocation)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o400 {
			t.Errorf("snapshot mode = %v, want 0400 (read-only)", fi.Mode().Perm())
		}
	})

	t.Run("re-creating a snapshot returns it; the same ID on another volume fails", func(t *testing.T) {
		again := mustSnapshot(t, p, "snap", "vol")
		if again != snap {
			t.Errorf("got %+v, want %+v", again, snap)
		}
		mustCreate(t, p, "other", 1)
		_, err := p.CreateSnapshot(ctx, drivers.CreateSnapshotRequest{ID: "snap", VolumeID: "other"})
		wantDriverError(t, err, drivers.Failed, "snapshot snap already exists for volume vol")
		if err := p.DeleteVolume(ctx, "other"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a snapshot of a missing volume is not found", func(t *testing.T) {
		_, err := p.CreateSnapshot(ctx, drivers.CreateSnapshotRequest{ID: "s9", VolumeID: "ghost"})
		wantDriverError(t, err, drivers.Failed, "create snapshot s9: volume ghost not found")
		if !errors.Is(err, drivers.ErrNotFound) {
			t.Error("error does not wrap ErrNotFound")
		}
	})

	t.Run("a clone equals its source and may be larger", func(t *testing.T) {
		c, err := p.CloneVolume(ctx, drivers.CloneVolumeRequest{ID: "clone", SourceID: "vol", SizeGiB: 1})
		if err != nil {
			t.Fatal(err)
		}
		sameContent(t, c.ProviderLocation, vol.ProviderLocation)
		checkCopy(t, c.ProviderLocation)

		big, err := p.CloneVolume(ctx, drivers.CloneVolumeRequest{ID: "clone-big", SourceID: "vol", SizeGiB: 3})
		if err != nil {
			t.Fatal(err)
		}
		if big.SizeBytes != 3*oneGiB || fileSize(t, big.ProviderLocation) != 3*oneGiB {
			t.Errorf("clone-big is %d bytes, want 3 GiB", big.SizeBytes)
		}
		checkCopy(t, big.ProviderLocation)
		if !bytes.Equal(readAt(t, big.ProviderLocation, 2*oneGiB, blk), make([]byte, blk)) {
			t.Error("the extension of a clone must read as zeros")
		}
	})

	t.Run("a volume from a snapshot equals the snapshot and may be larger", func(t *testing.T) {
		v, err := p.CreateVolumeFromSnapshot(ctx, drivers.CreateFromSnapshotRequest{ID: "from-snap", SnapshotID: "snap", SizeGiB: 2})
		if err != nil {
			t.Fatal(err)
		}
		if v.SizeBytes != 2*oneGiB {
			t.Errorf("size = %d, want 2 GiB", v.SizeBytes)
		}
		checkCopy(t, v.ProviderLocation)
		fi, err := os.Stat(v.ProviderLocation)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("a volume made from a read-only snapshot has mode %v, want 0600", fi.Mode().Perm())
		}
		again, err := p.CreateVolumeFromSnapshot(ctx, drivers.CreateFromSnapshotRequest{ID: "from-snap", SnapshotID: "snap", SizeGiB: 2})
		if err != nil || again != v {
			t.Errorf("re-create = %+v, %v; want %+v", again, err, v)
		}
	})

	t.Run("copies smaller than their source or from missing sources fail", func(t *testing.T) {
		mustCreate(t, p, "two", 2)
		_, err := p.CloneVolume(ctx, drivers.CloneVolumeRequest{ID: "small", SourceID: "two", SizeGiB: 1})
		wantDriverError(t, err, drivers.Failed, "clone volume small: requested size 1 GiB is smaller than the source volume two (2 GiB)")
		mustSnapshot(t, p, "two-snap", "two")
		_, err = p.CreateVolumeFromSnapshot(ctx, drivers.CreateFromSnapshotRequest{ID: "small", SnapshotID: "two-snap", SizeGiB: 1})
		wantDriverError(t, err, drivers.Failed, "smaller than the snapshot two-snap (2 GiB)")
		_, err = p.CloneVolume(ctx, drivers.CloneVolumeRequest{ID: "small", SourceID: "ghost", SizeGiB: 1})
		wantDriverError(t, err, drivers.Failed, "clone volume small: source volume ghost not found")
		_, err = p.CreateVolumeFromSnapshot(ctx, drivers.CreateFromSnapshotRequest{ID: "small", SnapshotID: "ghost", SizeGiB: 1})
		wantDriverError(t, err, drivers.Failed, "snapshot ghost not found")
		if !errors.Is(err, drivers.ErrNotFound) {
			t.Error("error does not wrap ErrNotFound")
		}
		_, err = p.CloneVolume(ctx, drivers.CloneVolumeRequest{ID: "two", SourceID: "two", SizeGiB: 2})
		wantDriverError(t, err, drivers.Failed, "cannot be cloned onto itself")
		if _, err := os.Lstat(p.volumePath("small")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a failed copy left a volume: %v", err)
		}
		if err := p.DeleteSnapshot(ctx, "two-snap"); err != nil {
			t.Fatal(err)
		}
		if err := p.DeleteVolume(ctx, "two"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("writing the volume later changes neither the snapshot nor the copies", func(t *testing.T) {
		newData := randomBlock(t)
		writeAt(t, vol.ProviderLocation, 0, newData)
		writeAt(t, vol.ProviderLocation, 500<<20, newData) // a former hole
		for _, path := range []string{snap.ProviderLocation, p.volumePath("clone"), p.volumePath("from-snap")} {
			checkCopy(t, path)
		}
		if !bytes.Equal(readAt(t, vol.ProviderLocation, 0, blk), newData) {
			t.Error("the volume did not take the new write")
		}
		if wantShared {
			// The rewritten block now has its own extent in the volume.
			shared, err := SharedExtents(vol.ProviderLocation)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range shared {
				if e.Offset == 0 {
					t.Errorf("block 0 is still shared after being rewritten: %v", shared)
				}
			}
		}
	})

	t.Run("snapshots list with their volume", func(t *testing.T) {
		mustSnapshot(t, p, "snap2", "clone")
		snaps, err := p.ListSnapshots(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []drivers.Snapshot{
			{ID: "snap2", VolumeID: "clone", SizeBytes: oneGiB, ProviderLocation: p.snapshotPath("clone", "snap2")},
			{ID: "snap", VolumeID: "vol", SizeBytes: oneGiB, ProviderLocation: p.snapshotPath("vol", "snap")},
		}
		if len(snaps) != len(want) {
			t.Fatalf("snapshots = %+v, want %+v", snaps, want)
		}
		for i := range want {
			if snaps[i] != want[i] {
				t.Errorf("snapshot %d = %+v, want %+v", i, snaps[i], want[i])
			}
		}
	})

	t.Run("everything deletes in dependency order", func(t *testing.T) {
		for _, s := range []string{"snap", "snap2"} {
			if err := p.DeleteSnapshot(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		for _, v := range []string{"vol", "clone", "clone-big", "from-snap"} {
			if err := p.DeleteVolume(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
		if got := tree(t, p.Path()); !equalStrings(got, []string{".", "snapshots", "volumes"}) {
			t.Errorf("pool tree after deleting everything = %v", got)
		}
	})
}
