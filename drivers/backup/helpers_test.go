//go:build linux

package backup_test

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/drivers/backup"
	"github.com/slab-storage/slab/drivers/backup/posix"
	"github.com/slab-storage/slab/drivers/file"
)

const blockSize = backup.HashBlockSize

// env is a file pool and a posix repository.
type env struct {
	pool *file.Pool
	repo *posix.Repo
	opts backup.Options
}

// newEnv opens a pool under poolDir (with pool options) and a repository
// in a fresh directory on the root filesystem.
func newEnv(t testing.TB, poolDir string, poolOpts map[string]string, opts backup.Options) *env {
	t.Helper()
	p, err := file.Open(drivers.PoolConfig{Backend: "b", Name: "p", Path: poolDir, Options: poolOpts})
	if err != nil {
		t.Fatal(err)
	}
	r, err := posix.Open(filepath.Join(t.TempDir(), "repo"))
	if err != nil {
		t.Fatal(err)
	}
	return &env{pool: p, repo: r, opts: opts}
}

func (e *env) createVolume(t testing.TB, id string, sizeGiB int) string {
	t.Helper()
	v, err := e.pool.CreateVolume(t.Context(), drivers.CreateVolumeRequest{ID: id, SizeGiB: sizeGiB})
	if err != nil {
		t.Fatal(err)
	}
	return v.ProviderLocation
}

// takeBackup backs volume vol up as id (incremental when parent is set)
// the way the planner does: open an image, back it up, keep the image.
func (e *env) takeBackup(t testing.TB, vol, id, parent string) (*backup.Manifest, backup.Stats) {
	t.Helper()
	m, st, err := e.backup(t.Context(), vol, id, parent)
	if err != nil {
		t.Fatalf("backup %s: %v", id, err)
	}
	return m, st
}

func (e *env) backup(ctx context.Context, vol, id, parent string) (*backup.Manifest, backup.Stats, error) {
	return backup.BackupVolume(ctx, e.pool, e.repo, backup.Request{ID: id, VolumeID: vol, ParentID: parent}, e.opts)
}

// restore restores backup id into a new volume and returns its path.
func (e *env) restore(t testing.TB, id, vol string, sizeGiB int) (string, backup.Stats, error) {
	t.Helper()
	path := e.createVolume(t, vol, sizeGiB)
	st, err := backup.RestoreVolume(t.Context(), e.pool, vol, e.repo, id, nil)
	return path, st, err
}

// clone keeps the volume's current content as a reference volume.
func (e *env) clone(t testing.TB, src, id string) string {
	t.Helper()
	v, err := e.pool.CloneVolume(t.Context(), drivers.CloneVolumeRequest{ID: id, SourceID: src})
	if err != nil {
		t.Fatal(err)
	}
	return v.ProviderLocation
}

// filler makes test data: random bytes, or compressible text when
// compressible is set, never a block of zeros.
func filler(rng *rand.Rand, n int, compressible bool) []byte {
	b := make([]byte, n)
	if compressible {
		line := []byte("slab backup test data, compressible and repetitive 0123456789\n")
		for i := range b {
			b[i] = line[i%len(line)]
		}
		b[rng.IntN(n)] = byte(rng.IntN(255) + 1)
		return b
	}
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	b[0] |= 1
	return b
}

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
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
}

func punchHole(t testing.TB, path string, off, n int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Fallocate(int(f.Fd()), unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, off, n); err != nil {
		t.Fatal(err)
	}
}

// sameVolume fails unless a and b have the same size, the same bytes and
// the same allocated ranges (holes stayed holes).
func sameVolume(t testing.TB, a, b string) {
	t.Helper()
	fa, fb := open(t, a), open(t, b)
	defer fa.Close()
	defer fb.Close()
	sa, sb := size(t, fa), size(t, fb)
	if sa != sb {
		t.Fatalf("%s is %d bytes, %s is %d", a, sa, b, sb)
	}
	ea, err := file.AllocatedExtents(a)
	if err != nil {
		t.Fatal(err)
	}
	eb, err := file.AllocatedExtents(b)
	if err != nil {
		t.Fatal(err)
	}
	// Outside both files' data everything reads as zeros, so comparing the
	// union of their data ranges compares every byte.
	ba, bb := make([]byte, 1<<20), make([]byte, 1<<20)
	for _, e := range append(slices.Clone(ea), eb...) {
		for off := e.Offset; off < e.Offset+e.Length; off += int64(len(ba)) {
			n := min(int64(len(ba)), e.Offset+e.Length-off)
			readFull(t, fa, ba[:n], off)
			readFull(t, fb, bb[:n], off)
			if !bytes.Equal(ba[:n], bb[:n]) {
				t.Fatalf("%s and %s differ in [%d,+%d)", a, b, off, n)
			}
		}
	}
	if !slices.Equal(ea, eb) {
		t.Errorf("allocated ranges differ (holes must stay holes):\n%s: %v\n%s: %v", a, ea, b, eb)
	}
	if aa, ab := allocated(t, a), allocated(t, b); aa != ab {
		t.Errorf("%s occupies %d bytes, %s occupies %d", a, aa, b, ab)
	}
}

func open(t testing.TB, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func size(t testing.TB, f *os.File) int64 {
	t.Helper()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func readFull(t testing.TB, f *os.File, b []byte, off int64) {
	t.Helper()
	if _, err := f.ReadAt(b, off); err != nil && err != io.EOF {
		t.Fatal(err)
	}
}

func allocated(t testing.TB, path string) int64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Blocks * 512
}

// wantErr fails unless err is set and mentions every substring.
func wantErr(t testing.TB, err error, substrs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", substrs)
	}
	for _, s := range substrs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}
