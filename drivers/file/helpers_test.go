//go:build linux

package file

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/slab-storage/slab/drivers"
)

const (
	oneGiB = drivers.GiBBytes
	blk    = 4096
)

// testConfig is a pool config on dir with the given options.
func testConfig(dir string, opts map[string]string) drivers.PoolConfig {
	return drivers.PoolConfig{
		Backend: "ssd", Name: "fast", Path: dir,
		ReservedPercentage: 5,
		Capabilities:       map[string]any{"disk": "ssd"},
		Options:            opts,
	}
}

// openPool opens a pool at dir, failing the test on error.
func openPool(t testing.TB, dir string, opts map[string]string) *Pool {
	t.Helper()
	p, err := Open(testConfig(dir, opts))
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// tempPool is a pool in a fresh directory on the root filesystem.
func tempPool(t testing.TB) *Pool {
	t.Helper()
	return openPool(t, filepath.Join(t.TempDir(), "pool"), nil)
}

func mustCreate(t testing.TB, p *Pool, id string, sizeGiB int) drivers.Volume {
	t.Helper()
	v, err := p.CreateVolume(t.Context(), drivers.CreateVolumeRequest{ID: id, SizeGiB: sizeGiB})
	if err != nil {
		t.Fatalf("CreateVolume(%s): %v", id, err)
	}
	return v
}

func mustSnapshot(t testing.TB, p *Pool, id, volumeID string) drivers.Snapshot {
	t.Helper()
	s, err := p.CreateSnapshot(t.Context(), drivers.CreateSnapshotRequest{ID: id, VolumeID: volumeID})
	if err != nil {
		t.Fatalf("CreateSnapshot(%s of %s): %v", id, volumeID, err)
	}
	return s
}

// randomBlock is blk bytes of random data (never all zeros).
func randomBlock(t testing.TB) []byte {
	b := make([]byte, blk)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	b[0] |= 1
	return b
}

// writeAt writes data into the file at path at off, as a guest would.
func writeAt(t testing.TB, path string, off int64, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(data, off); err != nil {
		t.Fatal(err)
	}
}

func readAt(t testing.TB, path string, off int64, n int) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, n)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatalf("read %s at %d: %v", path, off, err)
	}
	return b
}

// allocatedBytes is what the file occupies on disk (st_blocks × 512).
func allocatedBytes(t testing.TB, path string) int64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Blocks * 512
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// sameContent fails unless files a and b read identically. Outside the
// union of their data extents both read as zeros, so only those ranges are
// compared, which keeps GiB-sized sparse files cheap to check.
func sameContent(t testing.TB, a, b string) {
	t.Helper()
	if sa, sb := fileSize(t, a), fileSize(t, b); sa != sb {
		t.Fatalf("%s is %d bytes, %s is %d", a, sa, b, sb)
	}
	ea, err := AllocatedExtents(a)
	if err != nil {
		t.Fatal(err)
	}
	eb, err := AllocatedExtents(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range append(ea, eb...) {
		for off := e.Offset; off < e.Offset+e.Length; off += 1 << 20 {
			n := int(min(1<<20, e.Offset+e.Length-off))
			if !bytes.Equal(readAt(t, a, off, n), readAt(t, b, off, n)) {
				t.Fatalf("%s and %s differ in [%d,+%d)", a, b, off, n)
			}
		}
	}
}

// wantDriverError fails unless err is a *drivers.Error of class whose
// message contains every substring.
func wantDriverError(t testing.TB, err error, class drivers.Class, substrs ...string) {
	t.Helper()
	var de *drivers.Error
	if !errors.As(err, &de) {
		t.Fatalf("error = %v (%T), want a *drivers.Error", err, err)
	}
	if de.Class != class {
		t.Errorf("class = %v, want %v (error: %v)", de.Class, class, err)
	}
	for _, s := range substrs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}

// tree lists every path under root (relative, sorted), for checking that
// nothing was created where it should not be.
func tree(t testing.TB, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func volumeIDs(vols []drivers.Volume) []string {
	var ids []string
	for _, v := range vols {
		ids = append(ids, v.ID)
	}
	return ids
}

func equalStrings(a, b []string) bool { return slices.Equal(a, b) }
