//go:build linux

package backup_test

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/drivers/backup"
	"github.com/slab-storage/slab/drivers/file/filetest"
)

func TestCheckChunkSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   int64
		want int64
		err  string
	}{
		{"zero means the 64 MiB default", 0, 64 << 20, ""},
		{"a multiple of 32 KiB is kept", 96 << 10, 96 << 10, ""},
		{"one byte more than a block is refused", 32<<10 + 1, 0, "multiple of the 32 KiB hash block"},
		{"less than a block is refused", 4096, 0, "multiple of the 32 KiB hash block"},
		{"a negative size is refused", -32 << 10, 0, "positive"},
		{"more than 1 GiB is refused", 2 << 30, 0, "at most 1 GiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := backup.CheckChunkSize(tt.in)
			if tt.err != "" {
				wantErr(t, err, tt.err)
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("CheckChunkSize(%d) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
	if _, err := backup.ParseCompression("lz4"); err == nil || !strings.Contains(err.Error(), `"none", "zstd" or "gzip"`) {
		t.Errorf("ParseCompression(lz4) = %v", err)
	}
}

// TestBackupRefusals covers requests the engine must refuse without
// touching the repository outside the backup's own place.
func TestBackupRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, filepath.Join(t.TempDir(), "pool"), map[string]string{"reflink": "never"}, backup.Options{ChunkSize: 64 << 10})
	vol := e.createVolume(t, "v", 1)
	writeAt(t, vol, 0, filler(rand.New(rand.NewPCG(7, 8)), 256<<10, false))
	e.takeBackup(t, "v", "b1", "")
	img, err := e.pool.OpenBackupImage(t.Context(), drivers.BackupImageRequest{VolumeID: "v", BackupID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()

	for _, tt := range []struct {
		name string
		req  backup.Request
		opts backup.Options
		want string
	}{
		{"a backup id with a path separator", backup.Request{ID: "../escape", VolumeID: "v"}, backup.Options{}, `invalid object id "../escape"`},
		{"an absolute backup id", backup.Request{ID: "/etc/passwd", VolumeID: "v"}, backup.Options{}, "invalid object id"},
		{"an empty backup id", backup.Request{ID: "", VolumeID: "v"}, backup.Options{}, "invalid object id"},
		{"a hostile parent id", backup.Request{ID: "b2", VolumeID: "v", ParentID: "../b1"}, backup.Options{}, "invalid object id"},
		{"a hostile volume id", backup.Request{ID: "b2", VolumeID: "V/1"}, backup.Options{}, "invalid object id"},
		{"a backup that is its own parent", backup.Request{ID: "b2", VolumeID: "v", ParentID: "b2"}, backup.Options{}, "its own parent"},
		{"a chunk size that is not a multiple of 32 KiB", backup.Request{ID: "b2", VolumeID: "v"}, backup.Options{ChunkSize: 100000}, "multiple of the 32 KiB hash block"},
		{"an unknown compression", backup.Request{ID: "b2", VolumeID: "v"}, backup.Options{Compression: "lzma"}, "compression must be"},
		{"an id that is already a complete backup", backup.Request{ID: "b1", VolumeID: "v"}, backup.Options{}, "backup b1: backup already exists"},
		{"a missing parent", backup.Request{ID: "b2", VolumeID: "v", ParentID: "nope"}, backup.Options{}, "backup nope: backup not found"},
		{"a parent of another volume", backup.Request{ID: "b2", VolumeID: "w", ParentID: "b1"}, backup.Options{}, "parent b1 is a backup of volume v, not w"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := backup.Backup(t.Context(), e.repo, img, tt.req, tt.opts)
			wantErr(t, err, tt.want)
		})
	}
	ids, err := e.repo.Backups(t.Context())
	if err != nil || !slices.Equal(ids, []string{"b1"}) {
		t.Errorf("repository holds %v (%v) after refusals, want only b1", ids, err)
	}
	ents, _ := os.ReadDir(filepath.Dir(e.repo.Path()))
	for _, x := range ents {
		if x.Name() != "repo" {
			t.Errorf("something was created beside the repository: %s", x.Name())
		}
	}
}

// TestVolumeGrewNeedsFull: an incremental of a volume extended since its
// parent is refused with a value the planner turns into a full backup.
func TestVolumeGrewNeedsFull(t *testing.T) {
	t.Parallel()
	e := newEnv(t, filepath.Join(t.TempDir(), "pool"), map[string]string{"reflink": "never"}, backup.Options{})
	vol := e.createVolume(t, "v", 1)
	writeAt(t, vol, 0, filler(rand.New(rand.NewPCG(9, 10)), 64<<10, false))
	e.takeBackup(t, "v", "b1", "")
	if _, err := e.pool.ExtendVolume(t.Context(), "v", 2); err != nil {
		t.Fatal(err)
	}
	_, _, err := e.backup(t.Context(), "v", "b2", "b1")
	var nf *backup.NeedsFullError
	if !errors.As(err, &nf) || !errors.Is(err, backup.ErrNeedsFull) || !nf.Grew() {
		t.Fatalf("incremental of a grown volume = %v, want a NeedsFullError saying it grew", err)
	}
	wantErr(t, err, "backup b2", "its parent b1 was 1073741824 bytes", "needs a full backup")
	if objs, _ := e.repo.Objects(t.Context(), "b2"); len(objs) != 0 {
		t.Errorf("a refused incremental stored %v", objs)
	}
	// The full backup the planner takes instead works.
	m, _ := e.takeBackup(t, "v", "b2", "")
	if m.Size != 2<<30 || m.Incremental() {
		t.Errorf("full backup after growth: size %d incremental %v", m.Size, m.Incremental())
	}
}

// TestDeleteAndDependents: the engine exposes parent links so a caller
// can refuse to break a chain, and deletes the manifest first.
func TestDeleteAndDependents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, filepath.Join(t.TempDir(), "pool"), map[string]string{"reflink": "never"}, backup.Options{ChunkSize: 64 << 10})
	vol := e.createVolume(t, "v", 1)
	rng := rand.New(rand.NewPCG(11, 12))
	writeAt(t, vol, 0, filler(rng, 512<<10, false))
	e.takeBackup(t, "v", "b1", "")
	writeAt(t, vol, 0, filler(rng, 64<<10, false))
	e.takeBackup(t, "v", "b2", "b1")
	e.takeBackup(t, "v", "c1", "")

	list, _, err := backup.List(t.Context(), e.repo)
	if err != nil {
		t.Fatal(err)
	}
	if got := backup.Dependents(list, "b1"); !slices.Equal(got, []string{"b2"}) {
		t.Errorf("Dependents(b1) = %v, want [b2]", got)
	}
	if got := backup.Newest(list, "v"); got == nil || got.ID != "c1" {
		t.Errorf("Newest(v) = %v, want c1", got)
	}
	if got := backup.Newest(list, "w"); got != nil {
		t.Errorf("Newest(w) = %v, want none", got.ID)
	}
	if got := backup.Dependents(list, "b2"); len(got) != 0 {
		t.Errorf("Dependents(b2) = %v, want none", got)
	}
	chain, err := backup.Chain(t.Context(), e.repo, "b2")
	if err != nil || len(chain) != 2 || chain[0].ID != "b1" || chain[1].ID != "b2" {
		t.Fatalf("Chain(b2) = %v, %v", chain, err)
	}

	// A delete interrupted after the manifest leaves nothing that looks
	// complete; deleting again finishes it.
	if err := e.repo.Delete(t.Context(), "b2", backup.ManifestName); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.ReadManifest(t.Context(), e.repo, "b2"); !errors.Is(err, backup.ErrNotFound) {
		t.Errorf("half-deleted backup reads as %v, want ErrNotFound", err)
	}
	for _, id := range []string{"b2", "b2", "b1"} {
		if err := backup.Delete(t.Context(), e.repo, id); err != nil {
			t.Fatalf("Delete(%s): %v", id, err)
		}
	}
	ids, err := e.repo.Backups(t.Context())
	if err != nil || !slices.Equal(ids, []string{"c1"}) {
		t.Errorf("backups after deletes = %v (%v), want [c1]", ids, err)
	}
	if ents, _ := os.ReadDir(e.repo.Path()); len(ents) != 1 {
		t.Errorf("repository directory holds %d entries, want only c1's", len(ents))
	}
	wantErr(t, backup.Delete(t.Context(), e.repo, "../c1"), "invalid backup id")
}

// TestProgress: progress only grows and ends at the total, for backup,
// restore and verify.
func TestProgress(t *testing.T) {
	t.Parallel()
	var calls []int64
	var total int64
	rec := backup.ProgressFunc(func(done, tot int64) {
		if n := len(calls); n > 0 && done < calls[n-1] || tot != total && len(calls) > 0 {
			t.Errorf("progress went from %d to %d (total %d, was %d)", calls[n-1], done, tot, total)
		}
		calls, total = append(calls, done), tot
	})
	check := func(what string) {
		t.Helper()
		if len(calls) < 2 || calls[len(calls)-1] != total {
			t.Errorf("%s progress = %v of %d, want several steps ending at the total", what, calls, total)
		}
		calls = nil
	}
	e := newEnv(t, filepath.Join(t.TempDir(), "pool"), map[string]string{"reflink": "never"},
		backup.Options{ChunkSize: 1 << 20, Progress: rec, Workers: 3})
	vol := e.createVolume(t, "v", 1)
	writeAt(t, vol, 0, filler(rand.New(rand.NewPCG(13, 14)), 4<<20, false))
	e.takeBackup(t, "v", "b1", "")
	check("backup")
	path := e.createVolume(t, "r", 1)
	dst, err := e.pool.OpenRestoreTarget(t.Context(), "r")
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := backup.Restore(t.Context(), e.repo, "b1", dst, rec); err != nil {
		t.Fatal(err)
	}
	check("restore")
	sameVolume(t, path, vol)
	if _, err := backup.Verify(t.Context(), e.repo, "b1", rec); err != nil {
		t.Fatal(err)
	}
	check("verify")
}

// TestRestoreRefusals: a target smaller than the backup is refused before
// anything is written; a parent whose hash list is damaged cannot anchor
// an incremental.
func TestRestoreRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, filepath.Join(t.TempDir(), "pool"), map[string]string{"reflink": "never"}, backup.Options{})
	vol := e.createVolume(t, "v", 2)
	writeAt(t, vol, 1<<30, filler(rand.New(rand.NewPCG(15, 16)), 64<<10, false))
	e.takeBackup(t, "v", "b1", "")

	small := e.createVolume(t, "small", 1)
	dst, err := e.pool.OpenRestoreTarget(t.Context(), "small")
	if err != nil {
		t.Fatal(err)
	}
	_, err = backup.Restore(t.Context(), e.repo, "b1", dst, nil)
	dst.Close()
	wantErr(t, err, "restore backup b1", "the target volume is 1073741824 bytes, smaller than the backup's 2147483648")
	if a := allocated(t, small); a != 0 {
		t.Errorf("a refused restore wrote %d bytes", a)
	}
	_, err = backup.Restore(t.Context(), e.repo, "nope", dst, nil)
	if !errors.Is(err, backup.ErrNotFound) {
		t.Errorf("restore of a missing backup = %v, want ErrNotFound", err)
	}

	hashes := filepath.Join(e.repo.Path(), "backup-b1", backup.HashesName)
	b, err := os.ReadFile(hashes)
	if err != nil {
		t.Fatal(err)
	}
	b[0] ^= 1
	if err := os.WriteFile(hashes, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.backup(t.Context(), "v", "b2", "b1")
	wantErr(t, err, "backup b1 is damaged: object hashes: checksum mismatch")
}

// TestScatteredBlocksPackIntoOneObject: blocks changed here and there in
// one chunk, and zero blocks inside data, become one object and holes,
// and restore to the same bytes.
func TestScatteredBlocksPackIntoOneObject(t *testing.T) {
	t.Parallel()
	e := newEnv(t, filepath.Join(t.TempDir(), "pool"), map[string]string{"reflink": "never"}, backup.Options{ChunkSize: 1 << 20, Compression: backup.None})
	rng := rand.New(rand.NewPCG(21, 22))
	vol := e.createVolume(t, "v", 1)
	writeAt(t, vol, 0, filler(rng, 1<<20, false))
	writeAt(t, vol, 5*blockSize, make([]byte, blockSize)) // zeros inside data
	m1, _ := e.takeBackup(t, "v", "b1", "")
	if len(m1.Objects) != 1 || len(m1.Extents) != 4 || !m1.Extents[1].Hole || !m1.Extents[3].Hole {
		t.Errorf("full backup: %d objects, extents %+v; want one object around one hole, then the empty rest", len(m1.Objects), m1.Extents)
	}
	ref1 := e.clone(t, "v", "ref1")
	for _, blk := range []int64{3, 10, 11, 30} {
		writeAt(t, vol, blk*blockSize, filler(rng, blockSize, false))
	}
	writeAt(t, vol, 20*blockSize, make([]byte, blockSize))
	m2, st := e.takeBackup(t, "v", "b2", "b1")
	if len(m2.Objects) != 1 || st.DataBytes != 4*blockSize || st.HoleBytes != blockSize {
		t.Errorf("incremental: %d objects, stats %+v; want one object of 4 blocks and one hole", len(m2.Objects), st)
	}
	ref2 := e.clone(t, "v", "ref2")
	for _, c := range []struct{ id, ref string }{{"b1", ref1}, {"b2", ref2}} {
		got, _, err := e.restore(t, c.id, "r"+c.id, 1)
		if err != nil {
			t.Fatal(err)
		}
		// The zero blocks are holes in the restored volume, so compare
		// bytes only: allocation differs by design.
		sameBytes(t, got, c.ref)
	}
}

// TestSmallIncrementalIsSharedOut: an incremental whose changed data is a
// few MiB (found from shared extents on XFS) is stored as several objects
// of at least 1 MiB of changes each, so all workers read and write it at
// once, and it restores to the same bytes.
func TestSmallIncrementalIsSharedOut(t *testing.T) {
	t.Parallel()
	mnt := filetest.MountXFS(t, filetest.MinXFSSize, true)
	e := newEnv(t, filepath.Join(mnt, "pool"), nil, backup.Options{Compression: backup.Zstd, Workers: 2})
	rng := rand.New(rand.NewPCG(31, 32))
	vol := e.createVolume(t, "v", 1)
	writeAt(t, vol, 0, filler(rng, 64<<20, true))
	e.takeBackup(t, "v", "b1", "")
	// 128 scattered blocks, 4 MiB of changes: shared out four segments a
	// worker they would be 512 KiB, but segments are never cut below
	// 1 MiB, so four objects of 1 MiB.
	for i := range int64(128) {
		writeAt(t, vol, i*(512<<10)+blockSize, filler(rng, blockSize, i%2 == 0))
	}
	m, st := e.takeBackup(t, "v", "b2", "b1")
	if st.Path != backup.PathShared || st.DataBytes != 128*blockSize {
		t.Fatalf("incremental: path %s, %d data bytes; want %s, %d", st.Path, st.DataBytes, backup.PathShared, 128*blockSize)
	}
	if len(m.Objects) != 4 {
		t.Errorf("%d objects, want 4 of 1 MiB of changes each", len(m.Objects))
	}
	for _, o := range m.Objects {
		if o.Length != 1<<20 {
			t.Errorf("object %s holds %d bytes, want 1 MiB", o.Name, o.Length)
		}
	}
	ref := e.clone(t, "v", "ref")
	got, _, err := e.restore(t, "b2", "r", 1)
	if err != nil {
		t.Fatal(err)
	}
	sameBytes(t, got, ref)
}
