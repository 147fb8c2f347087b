//go:build linux

package file

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

// makeFile creates a size-byte sparse file with 4 KiB blocks written at offs.
func makeFile(t *testing.T, dir string, size int64, offs ...int64) string {
	t.Helper()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
	for _, off := range offs {
		writeAt(t, path, off, randomBlock(t))
	}
	return path
}

func TestAllocatedExtents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		size int64
		offs []int64
		want []Extent
	}{
		{"an empty file has no extents", 0, nil, nil},
		{"a sparse file without data has no extents", oneGiB, nil, nil},
		{"scattered blocks are separate extents", oneGiB, []int64{blk, 300 << 20, oneGiB - blk},
			[]Extent{{blk, blk}, {300 << 20, blk}, {oneGiB - blk, blk}}},
		{"adjacent blocks merge into one extent", 64 << 20, []int64{0, blk, 2 * blk},
			[]Extent{{0, 3 * blk}}},
		{"a fully written file is one extent", 4 * blk, []int64{0, blk, 2 * blk, 3 * blk},
			[]Extent{{0, 4 * blk}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := makeFile(t, t.TempDir(), tt.size, tt.offs...)
			got, err := AllocatedExtents(path)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("AllocatedExtents = %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("a missing file is an error", func(t *testing.T) {
		if _, err := AllocatedExtents(filepath.Join(t.TempDir(), "nope")); !os.IsNotExist(err) {
			t.Errorf("err = %v, want not-exist", err)
		}
	})
}

// TestSharedExtentsWithoutSharing covers FIEMAP on files that share
// nothing; the reflink case is in the XFS tests.
func TestSharedExtentsWithoutSharing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := makeFile(t, dir, oneGiB, 0, 200<<20)
	shared, err := SharedExtents(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(shared) != 0 {
		// Only a reflink filesystem could report sharing here, and only
		// for a cloned file, which this is not.
		t.Errorf("SharedExtents of a plain file = %v, want none", shared)
	}
	if _, err := SharedExtents(filepath.Join(dir, "nope")); !os.IsNotExist(err) {
		t.Errorf("err = %v, want not-exist", err)
	}
}

// TestSharedExtentsOfAClone proves the FIEMAP helper sees reflinked
// blocks, on any filesystem here that can clone (XFS in xfs_test.go).
func TestSharedExtentsOfAClone(t *testing.T) {
	t.Parallel()
	checkSharedExtentsOfAClone(t, t.TempDir())
}

// checkSharedExtentsOfAClone reflinks a file with three data blocks in dir
// and checks both files report exactly those blocks as shared.
func checkSharedExtentsOfAClone(t *testing.T, dir string) {
	t.Helper()
	src := makeFile(t, dir, 64<<20, 0, blk, 10<<20)
	dst := filepath.Join(dir, "clone")
	if !cloneFile(t, src, dst) {
		t.Skipf("the filesystem of %s cannot reflink; TestXFSReflink covers this", dir)
	}
	want := []Extent{{0, 2 * blk}, {10 << 20, blk}}
	for _, p := range []string{src, dst} {
		shared, err := SharedExtents(p)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(shared, want) {
			t.Errorf("SharedExtents(%s) = %v, want %v", p, shared, want)
		}
	}
	// Rewriting a block in the clone unshares it on both sides, once the
	// write reaches the disk: FIEMAP only flushes the file it maps.
	writeAt(t, dst, 0, randomBlock(t))
	syncFile(t, dst)
	want = []Extent{{blk, blk}, {10 << 20, blk}}
	for _, p := range []string{src, dst} {
		shared, err := SharedExtents(p)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(shared, want) {
			t.Errorf("after a rewrite, SharedExtents(%s) = %v, want %v", p, shared, want)
		}
	}
}

func syncFile(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
}

// cloneFile reflinks src to dst and reports whether the filesystem could.
func cloneFile(t *testing.T, src, dst string) bool {
	t.Helper()
	s, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err = unix.IoctlFileClone(int(d.Fd()), int(s.Fd()))
	if err != nil && !cloneUnsupported(err) {
		t.Fatal(err)
	}
	return err == nil
}

func TestExtentBytes(t *testing.T) {
	if got := ExtentBytes([]Extent{{0, 10}, {100, 5}}); got != 15 {
		t.Errorf("ExtentBytes = %d, want 15", got)
	}
	if got := appendMerged([]Extent{{0, 10}}, Extent{10, 5}); !reflect.DeepEqual(got, []Extent{{0, 15}}) {
		t.Errorf("appendMerged of touching extents = %v", got)
	}
	if got := appendMerged([]Extent{{0, 10}}, Extent{11, 5}); len(got) != 2 {
		t.Errorf("appendMerged of apart extents = %v", got)
	}
}
