//go:build linux

package file

import (
	"bytes"
	"strings"
	"testing"

	"github.com/slab-storage/slab/drivers"
)

func TestRevertVolumeToSnapshot(t *testing.T) {
	t.Parallel()
	p := tempPool(t)
	ctx := t.Context()
	vol := mustCreate(t, p, "vol", 1)
	before := randomBlock(t)
	writeAt(t, vol.ProviderLocation, 5*blk, before)
	snap := mustSnapshot(t, p, "snap", "vol")
	allocAtSnapshot := allocatedBytes(t, snap.ProviderLocation)

	// Writes after the snapshot: one over the snapshotted block, one in a hole.
	writeAt(t, vol.ProviderLocation, 5*blk, randomBlock(t))
	writeAt(t, vol.ProviderLocation, 100*blk, randomBlock(t))

	got, err := p.RevertVolumeToSnapshot(ctx, "vol", "snap")
	if err != nil {
		t.Fatalf("revert: %v", err)
	}
	if got.SizeBytes != drivers.GiBBytes || got.ProviderLocation != vol.ProviderLocation {
		t.Errorf("reverted volume = %+v, want the same file at 1 GiB", got)
	}
	if !bytes.Equal(readAt(t, vol.ProviderLocation, 5*blk, blk), before) {
		t.Error("the block written before the snapshot does not read as it was")
	}
	if !bytes.Equal(readAt(t, vol.ProviderLocation, 100*blk, blk), make([]byte, blk)) {
		t.Error("a block written after the snapshot survived the revert")
	}
	if a := allocatedBytes(t, vol.ProviderLocation); a > allocAtSnapshot+blk {
		t.Errorf("reverted volume allocates %d bytes, the snapshot %d: holes were filled", a, allocAtSnapshot)
	}
	// The snapshot itself is untouched and can be reverted to again.
	if _, err := p.RevertVolumeToSnapshot(ctx, "vol", "snap"); err != nil {
		t.Errorf("second revert: %v", err)
	}
}

func TestRevertIsRefused(t *testing.T) {
	t.Parallel()
	p := tempPool(t)
	ctx := t.Context()
	mustCreate(t, p, "vol", 1)
	mustCreate(t, p, "other", 1)
	mustSnapshot(t, p, "snap", "vol")
	mustSnapshot(t, p, "other-snap", "other")
	if _, err := p.ExtendVolume(ctx, "vol", 2); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, volume, snapshot string
		want                   string // in the message
	}{
		{"when the volume grew since the snapshot", "vol", "snap", "needs equal sizes"},
		{"for a snapshot of another volume", "vol", "other-snap", "belongs to volume other"},
		{"for a snapshot that does not exist", "vol", "nope", "not found"},
		{"for an invalid id", "../vol", "snap", "invalid object id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.RevertVolumeToSnapshot(ctx, tc.volume, tc.snapshot)
			if err == nil || drivers.ClassOf(err) != drivers.Failed || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want a failure saying %q", err, tc.want)
			}
		})
	}
}
