//go:build linux

package file

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/drivers/file/filetest"
)

// These tests need a reflink-capable filesystem: as root they loop-mount a
// fresh XFS image (filetest.MountXFS fails if xfsprogs is missing); as a
// normal user they are skipped.

func TestXFSReflink(t *testing.T) {
	t.Parallel()
	mnt := filetest.MountXFS(t, filetest.MinXFSSize, true)
	t.Run("snapshots and clones share blocks with their source", func(t *testing.T) {
		runCopySuite(t, openPool(t, filepath.Join(mnt, "auto"), nil), true)
	})
	t.Run("reflink always works where the filesystem can", func(t *testing.T) {
		runCopySuite(t, openPool(t, filepath.Join(mnt, "always"), map[string]string{"reflink": "always"}), true)
	})
	t.Run("reflink never makes independent sparse copies", func(t *testing.T) {
		runCopySuite(t, openPool(t, filepath.Join(mnt, "never"), map[string]string{"reflink": "never"}), false)
	})
	t.Run("SharedExtents reports exactly the cloned blocks", func(t *testing.T) {
		dir := filepath.Join(mnt, "fiemap")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		checkSharedExtentsOfAClone(t, dir)
	})
}

func TestXFSWithoutReflink(t *testing.T) {
	t.Parallel()
	mnt := filetest.MountXFS(t, filetest.MinXFSSize, false)
	t.Run("auto falls back to a sparse copy", func(t *testing.T) {
		runCopySuite(t, openPool(t, filepath.Join(mnt, "auto"), nil), false)
	})
	t.Run("always refuses to copy", func(t *testing.T) {
		p := openPool(t, filepath.Join(mnt, "always"), map[string]string{"reflink": "always"})
		mustCreate(t, p, "v1", 1)
		_, err := p.CloneVolume(t.Context(), drivers.CloneVolumeRequest{ID: "c1", SourceID: "v1", SizeGiB: 1})
		wantDriverError(t, err, drivers.Failed, "clone volume c1", "reflink (FICLONE) is not supported")
		if got := tree(t, p.volDir); !equalStrings(got, []string{".", "volume-v1"}) {
			t.Errorf("volumes after a refused clone = %v", got)
		}
	})
}

// TestXFSOutOfSpace fills a 512 MiB filesystem: running out of space is
// RetryElsewhere (another pool may have room) and leaves nothing behind.
func TestXFSOutOfSpace(t *testing.T) {
	t.Parallel()
	mnt := filetest.MountXFS(t, filetest.MinXFSSize, true)
	p := openPool(t, filepath.Join(mnt, "pool"), map[string]string{"reflink": "never"})
	ctx := t.Context()

	_, err := p.CreateVolume(ctx, drivers.CreateVolumeRequest{ID: "thick", SizeGiB: 1, Thick: true})
	wantDriverError(t, err, drivers.RetryElsewhere, "create volume thick: fallocate ", "no space left on device")

	// Thin volumes larger than the filesystem are fine until written.
	v := mustCreate(t, p, "thin", 1)
	chunk := bytes.Repeat([]byte{0xa5}, 1<<20)
	f, err := os.OpenFile(v.ProviderLocation, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range int64(300) { // more than half the free space
		if _, err := f.WriteAt(chunk, i<<20); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	_, err = p.CreateSnapshot(ctx, drivers.CreateSnapshotRequest{ID: "snap", VolumeID: "thin"})
	wantDriverError(t, err, drivers.RetryElsewhere, "create snapshot snap", "no space left on device")

	if got := tree(t, p.Path()); !equalStrings(got, []string{".", "snapshots", "snapshots/volume-thin", "volumes", "volumes/volume-thin"}) {
		t.Errorf("pool after failed creates = %v (temp files must be removed)", got)
	}
	st, err := p.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.TotalVolumes != 1 || st.TotalCapacityGB.GiB > 0.5 {
		t.Errorf("stats = %+v, want 1 volume on a < 0.5 GiB filesystem", st)
	}
}
