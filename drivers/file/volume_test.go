//go:build linux

package file

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/drivers/file/filetest"
)

func TestCreateVolume(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		req     drivers.CreateVolumeRequest
		minAllo int64 // allocated bytes at least
		maxAllo int64 // allocated bytes at most
	}{
		{"a sparse volume allocates almost nothing", drivers.CreateVolumeRequest{ID: "thin", SizeGiB: 2}, 0, 64 << 10},
		{"a thick volume allocates its whole size", drivers.CreateVolumeRequest{ID: "thick", SizeGiB: 1, Thick: true}, oneGiB, 2 * oneGiB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := tempPool(t)
			v, err := p.CreateVolume(t.Context(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			want := filepath.Join(p.Path(), "volumes", "volume-"+tt.req.ID)
			if v.ID != tt.req.ID || v.ProviderLocation != want || v.SizeBytes != int64(tt.req.SizeGiB)*oneGiB {
				t.Errorf("volume = %+v, want id %s at %s with %d GiB", v, tt.req.ID, want, tt.req.SizeGiB)
			}
			if v.SizeGiB() != tt.req.SizeGiB {
				t.Errorf("SizeGiB = %d", v.SizeGiB())
			}
			if got := allocatedBytes(t, want); got < tt.minAllo || got > tt.maxAllo {
				t.Errorf("allocated %d bytes, want %d..%d", got, tt.minAllo, tt.maxAllo)
			}
			if v.AllocatedBytes != allocatedBytes(t, want) {
				t.Errorf("AllocatedBytes = %d, st_blocks say %d", v.AllocatedBytes, allocatedBytes(t, want))
			}
			fi, err := os.Stat(want)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
			}
			if err := p.DeleteVolume(t.Context(), tt.req.ID); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCreateVolumeIsIdempotent(t *testing.T) {
	t.Parallel()
	p := tempPool(t)
	first := mustCreate(t, p, "v1", 1)
	data := randomBlock(t)
	writeAt(t, first.ProviderLocation, 0, data)

	t.Run("re-creating with the same size returns the existing volume untouched", func(t *testing.T) {
		again := mustCreate(t, p, "v1", 1)
		if again.ID != first.ID || again.SizeBytes != first.SizeBytes || again.ProviderLocation != first.ProviderLocation {
			t.Errorf("got %+v, want %+v", again, first)
		}
		if got := readAt(t, again.ProviderLocation, 0, blk); string(got) != string(data) {
			t.Error("re-create changed the volume's data")
		}
	})
	t.Run("re-creating with another size is a failure", func(t *testing.T) {
		_, err := p.CreateVolume(t.Context(), drivers.CreateVolumeRequest{ID: "v1", SizeGiB: 2})
		wantDriverError(t, err, drivers.Failed, "create volume v1", "already exists with size 1 GiB", "requested 2 GiB")
	})
	t.Run("a size below 1 GiB is a failure", func(t *testing.T) {
		_, err := p.CreateVolume(t.Context(), drivers.CreateVolumeRequest{ID: "v0", SizeGiB: 0})
		wantDriverError(t, err, drivers.Failed, "at least 1 GiB")
	})
	t.Run("a cancelled context creates nothing", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := p.CreateVolume(ctx, drivers.CreateVolumeRequest{ID: "never", SizeGiB: 1})
		wantDriverError(t, err, drivers.Failed, "context canceled")
		if _, err := os.Lstat(p.volumePath("never")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("volume file exists after a cancelled create: %v", err)
		}
	})
	vols, err := p.ListVolumes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if ids := volumeIDs(vols); !equalStrings(ids, []string{"v1"}) {
		t.Errorf("volumes = %v, want [v1]", ids)
	}
}

func TestExtendVolume(t *testing.T) {
	t.Parallel()
	p := tempPool(t)
	v := mustCreate(t, p, "v1", 1)
	data := randomBlock(t)
	writeAt(t, v.ProviderLocation, oneGiB-blk, data)

	got, err := p.ExtendVolume(t.Context(), "v1", 3)
	if err != nil {
		t.Fatal(err)
	}
	if got.SizeBytes != 3*oneGiB || got.ProviderLocation != v.ProviderLocation || got.ID != "v1" {
		t.Errorf("extended volume = %+v, want 3 GiB at %s", got, v.ProviderLocation)
	}
	if fileSize(t, v.ProviderLocation) != 3*oneGiB {
		t.Error("file was not extended")
	}
	if string(readAt(t, v.ProviderLocation, oneGiB-blk, blk)) != string(data) {
		t.Error("extend changed existing data")
	}
	if a := allocatedBytes(t, v.ProviderLocation); a > 1<<20 {
		t.Errorf("extend allocated %d bytes; the new range should stay sparse", a)
	}

	tests := []struct {
		name    string
		id      string
		size    int
		substrs []string
		nf      bool
	}{
		{"an equal size is refused as in Cinder", "v1", 3, []string{"extend volume v1", "new size must be greater than current size"}, false},
		{"a smaller size is refused", "v1", 2, []string{"new size must be greater than current size", "volume has 3 GiB"}, false},
		{"a missing volume is not found", "nope", 5, []string{"extend volume nope: volume nope not found"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.ExtendVolume(t.Context(), tt.id, tt.size)
			wantDriverError(t, err, drivers.Failed, tt.substrs...)
			if errors.Is(err, drivers.ErrNotFound) != tt.nf {
				t.Errorf("errors.Is(err, ErrNotFound) = %v, want %v", !tt.nf, tt.nf)
			}
		})
	}
	if fileSize(t, v.ProviderLocation) != 3*oneGiB {
		t.Error("a refused extend changed the size")
	}
}

func TestDeleteVolume(t *testing.T) {
	t.Parallel()
	p := tempPool(t)
	v := mustCreate(t, p, "v1", 1)
	mustSnapshot(t, p, "s1", "v1")
	mustSnapshot(t, p, "s2", "v1")

	t.Run("a volume with snapshots is refused", func(t *testing.T) {
		err := p.DeleteVolume(t.Context(), "v1")
		wantDriverError(t, err, drivers.Failed, "delete volume v1: volume v1 has 2 snapshots; delete them first")
		if _, err := os.Stat(v.ProviderLocation); err != nil {
			t.Errorf("volume gone after a refused delete: %v", err)
		}
	})
	t.Run("one snapshot left is still refused", func(t *testing.T) {
		if err := p.DeleteSnapshot(t.Context(), "s1"); err != nil {
			t.Fatal(err)
		}
		err := p.DeleteVolume(t.Context(), "v1")
		wantDriverError(t, err, drivers.Failed, "volume v1 has 1 snapshot; delete them first")
	})
	t.Run("without snapshots the volume and its snapshot directory go", func(t *testing.T) {
		if err := p.DeleteSnapshot(t.Context(), "s2"); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(p.snapParent("v1")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("snapshot directory left after its last snapshot was deleted: %v", err)
		}
		if err := p.DeleteVolume(t.Context(), "v1"); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(v.ProviderLocation); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("volume file still there: %v", err)
		}
	})
	t.Run("deleting a missing volume or snapshot succeeds", func(t *testing.T) {
		if err := p.DeleteVolume(t.Context(), "v1"); err != nil {
			t.Errorf("DeleteVolume(missing) = %v", err)
		}
		if err := p.DeleteSnapshot(t.Context(), "s1"); err != nil {
			t.Errorf("DeleteSnapshot(missing) = %v", err)
		}
	})
	if got := tree(t, p.Path()); !equalStrings(got, []string{".", "snapshots", "volumes"}) {
		t.Errorf("pool tree after deleting everything = %v", got)
	}
}

// TestThickWithoutFallocate uses ext2, whose files cannot be preallocated:
// a thick create fails saying so, while thin volumes and copies still work.
func TestThickWithoutFallocate(t *testing.T) {
	t.Parallel()
	mnt := filetest.MountExt2(t, 64<<20)
	p := openPool(t, filepath.Join(mnt, "pool"), nil)
	_, err := p.CreateVolume(t.Context(), drivers.CreateVolumeRequest{ID: "thick", SizeGiB: 1, Thick: true})
	wantDriverError(t, err, drivers.Failed, "create volume thick: thick provisioning needs fallocate", "does not support")
	if got := tree(t, p.volDir); !equalStrings(got, []string{"."}) {
		t.Errorf("volumes after a refused thick create = %v", got)
	}
	runCopySuite(t, p, false)
}
