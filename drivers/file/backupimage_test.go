//go:build linux

package file

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/drivers/file/filetest"
)

// TestBackupImages covers the driver side of backups on XFS with reflink:
// images are point in time, the newest one is kept, ChangedExtents finds
// exactly the rewritten blocks, and deleting the volume drops the images.
func TestBackupImages(t *testing.T) {
	t.Parallel()
	mnt := filetest.MountXFS(t, filetest.MinXFSSize, true)
	p := openPool(t, filepath.Join(mnt, "pool"), nil)
	ctx := t.Context()
	v := mustCreate(t, p, "v", 1)
	for _, off := range []int64{0, blk, 2 * blk, 100 << 20} {
		writeAt(t, v.ProviderLocation, off, randomBlock(t))
	}

	img1, err := p.OpenBackupImage(ctx, drivers.BackupImageRequest{VolumeID: "v", BackupID: "b1"})
	if err != nil {
		t.Fatal(err)
	}
	before := readAt(t, v.ProviderLocation, 0, blk)
	writeAt(t, v.ProviderLocation, 0, randomBlock(t)) // after the image: not in it
	got := make([]byte, blk)
	if _, err := img1.ReadAt(got, 0); err != nil || !bytes.Equal(got, before) {
		t.Fatalf("image saw a write made after it was taken (%v)", err)
	}
	alloc, err := img1.Allocated()
	if err != nil || !reflect.DeepEqual(alloc, []drivers.Extent{{Offset: 0, Length: 3 * blk}, {Offset: 100 << 20, Length: blk}}) {
		t.Errorf("Allocated = %v, %v", alloc, err)
	}
	if _, ok, err := img1.Changed(); ok || err != nil {
		t.Errorf("a full backup's image claims to know changes (%v)", err)
	}
	if err := img1.Keep(ctx); err != nil {
		t.Fatal(err)
	}
	img1.Close()

	// Since b1: block 0 rewritten (above), block at 200 MiB new, block at
	// 100 MiB punched.
	writeAt(t, v.ProviderLocation, 200<<20, randomBlock(t))
	punch(t, v.ProviderLocation, 100<<20, blk)
	img2, err := p.OpenBackupImage(ctx, drivers.BackupImageRequest{VolumeID: "v", BackupID: "b2", ParentBackupID: "b1"})
	if err != nil {
		t.Fatal(err)
	}
	ch, ok, err := img2.Changed()
	want := []drivers.Extent{{Offset: 0, Length: blk}, {Offset: 100 << 20, Length: blk}, {Offset: 200 << 20, Length: blk}}
	if err != nil || !ok || !reflect.DeepEqual(ch, want) {
		t.Errorf("Changed = %v, %v, %v; want %v", ch, ok, err, want)
	}
	if err := img2.Keep(ctx); err != nil {
		t.Fatal(err)
	}
	img2.Close()
	if got := tree(t, filepath.Join(p.Path(), backupImagesDir)); !equalStrings(got, []string{".", "volume-v", "volume-v/image-b2"}) {
		t.Errorf("kept images = %v, want only b2's", got)
	}

	// An image that is closed without Keep leaves nothing.
	img3, err := p.OpenBackupImage(ctx, drivers.BackupImageRequest{VolumeID: "v", BackupID: "b3", ParentBackupID: "gone"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := img3.Changed(); ok {
		t.Error("Changed claims to know changes against an image that is not kept")
	}
	img3.Close()
	if got := tree(t, filepath.Join(p.Path(), backupImagesDir)); !equalStrings(got, []string{".", "volume-v", "volume-v/image-b2"}) {
		t.Errorf("images after an abandoned backup = %v", got)
	}

	if err := p.DeleteVolume(ctx, "v"); err != nil {
		t.Fatal(err)
	}
	if got := tree(t, filepath.Join(p.Path(), backupImagesDir)); !equalStrings(got, []string{"."}) {
		t.Errorf("images after the volume was deleted = %v", got)
	}
	if _, err := p.OpenBackupImage(ctx, drivers.BackupImageRequest{VolumeID: "v", BackupID: "b4"}); err == nil {
		t.Error("image of a deleted volume opened")
	}
	wantDriverError(t, p.DropBackupImage(ctx, "v", "../../x"), drivers.Failed, "invalid object id")
}

// TestRestoreTargetPunchesWithoutFallocate: on ext2, which cannot punch
// holes, a hole is written as zeros over existing data only.
func TestRestoreTargetPunchesWithoutFallocate(t *testing.T) {
	t.Parallel()
	p := openPool(t, filepath.Join(filetest.MountExt2(t, 64<<20), "pool"), nil)
	v := mustCreate(t, p, "v", 1)
	writeAt(t, v.ProviderLocation, 4*blk, randomBlock(t))
	dst, err := p.OpenRestoreTarget(t.Context(), "v")
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if dst.Size() != oneGiB {
		t.Errorf("Size = %d", dst.Size())
	}
	if err := dst.PunchHole(0, 512<<20); err != nil {
		t.Fatal(err)
	}
	if got := readAt(t, v.ProviderLocation, 4*blk, blk); !bytes.Equal(got, make([]byte, blk)) {
		t.Error("punched range still holds data")
	}
	if a := allocatedBytes(t, v.ProviderLocation); a > 64<<10 {
		t.Errorf("punching wrote %d bytes of zeros; only the data block should be", a)
	}
}

func punch(t *testing.T, path string, off, n int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tg := &restoreTarget{f: f, unlock: func() {}}
	if err := tg.PunchHole(off, n); err != nil {
		t.Fatal(err)
	}
}
