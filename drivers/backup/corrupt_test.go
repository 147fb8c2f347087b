//go:build linux

package backup_test

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/slab-storage/slab/drivers/backup"
	"github.com/slab-storage/slab/drivers/backup/posix"
)

// TestCorruption damages a repository in every way a disk or an operator
// can, and checks that restore and verify refuse it, naming the backup
// and the object, instead of writing wrong data.
func TestCorruption(t *testing.T) {
	t.Parallel()
	e := newEnv(t, filepath.Join(t.TempDir(), "pool"), map[string]string{"reflink": "never"},
		backup.Options{Compression: backup.Zstd, ChunkSize: 256 << 10})
	rng := rand.New(rand.NewPCG(3, 4))
	vol := e.createVolume(t, "v", 1)
	writeAt(t, vol, 0, filler(rng, 2<<20, false))
	writeAt(t, vol, 8<<20, filler(rng, 1<<20, true))
	b1, _ := e.takeBackup(t, "v", "b1", "")
	// b2 replaces b1's first object entirely and adds a block at 4 MiB.
	writeAt(t, vol, 0, filler(rng, 256<<10, false))
	writeAt(t, vol, 4<<20, filler(rng, blockSize, false))
	b2, _ := e.takeBackup(t, "v", "b2", "b1")
	ref2 := e.clone(t, "v", "ref2")

	b1First, b1Raw, b1Zstd, b2New := objectAt(t, b1, 0), objectAt(t, b1, 1<<20), objectAt(t, b1, 8<<20), objectAt(t, b2, 4<<20)
	if b1Zstd.Compression != backup.Zstd || b1Raw.Compression != backup.None {
		t.Fatalf("fixture: objects are %s and %s, want zstd text and raw random data", b1Zstd.Compression, b1Raw.Compression)
	}
	objPath := func(repo, id, name string) string { return filepath.Join(repo, "backup-"+id, name) }

	tests := []struct {
		name   string
		damage func(t *testing.T, repo string)
		// want are substrings of both errors; restoreOK means restore does
		// not need the damaged object and must still succeed.
		want      []string
		restoreOK bool
	}{
		{"a flipped bit in an object of the newest backup",
			func(t *testing.T, r string) { flipBit(t, objPath(r, "b2", b2New.Name), 7) },
			[]string{"backup b2 is damaged", "object " + b2New.Name, "checksum mismatch"}, false},
		{"a flipped bit in a compressed object of the parent",
			func(t *testing.T, r string) { flipBit(t, objPath(r, "b1", b1Zstd.Name), 100) },
			[]string{"backup b1 is damaged", "object " + b1Zstd.Name, "checksum mismatch"}, false},
		{"a truncated object",
			func(t *testing.T, r string) { truncate(t, objPath(r, "b1", b1Raw.Name), b1Raw.StoredLength/2) },
			[]string{"backup b1 is damaged", "object " + b1Raw.Name, "truncated"}, false},
		{"a deleted object",
			func(t *testing.T, r string) { remove(t, objPath(r, "b1", b1Raw.Name)) },
			[]string{"backup b1 is damaged", "object " + b1Raw.Name, "missing"}, false},
		{"a damaged manifest",
			func(t *testing.T, r string) { flipBit(t, objPath(r, "b1", "manifest"), 40) },
			[]string{"backup b1 is damaged", "object manifest", "damaged manifest"}, false},
		{"a truncated manifest",
			func(t *testing.T, r string) { truncate(t, objPath(r, "b2", "manifest"), 50) },
			[]string{"backup b2 is damaged", "object manifest", "truncated"}, false},
		{"a deleted hash list",
			func(t *testing.T, r string) { remove(t, objPath(r, "b2", "hashes")) },
			[]string{"backup b2 is damaged", "object hashes", "missing"}, false},
		{"a deleted parent",
			func(t *testing.T, r string) { remove(t, objPath(r, "b1", "manifest")) },
			[]string{"backup b2 is damaged", "parent backup b1 is missing"}, false},
		{"a flipped bit in an object a later backup replaced fails verify only",
			func(t *testing.T, r string) { flipBit(t, objPath(r, "b1", b1First.Name), 3) },
			[]string{"backup b1 is damaged", "object " + b1First.Name, "checksum mismatch"}, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "repo")
			if err := os.CopyFS(dir, os.DirFS(e.repo.Path())); err != nil {
				t.Fatal(err)
			}
			tt.damage(t, dir)
			repo, err := posix.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = backup.Verify(t.Context(), repo, "b2", nil)
			wantErr(t, err, tt.want...)
			if !errors.Is(err, backup.ErrCorrupt) {
				t.Errorf("verify error %v is not ErrCorrupt", err)
			}

			id := "r" + string(rune('a'+i))
			path := e.createVolume(t, id, 1)
			dst, err := e.pool.OpenRestoreTarget(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			_, err = backup.Restore(t.Context(), repo, "b2", dst, nil)
			if tt.restoreOK {
				if err != nil {
					t.Fatalf("restore: %v", err)
				}
				sameVolume(t, path, ref2)
				return
			}
			wantErr(t, err, tt.want...)
			if !errors.Is(err, backup.ErrCorrupt) {
				t.Errorf("restore error %v is not ErrCorrupt", err)
			}
		})
	}
}

// objectAt is the object of m holding offset off.
func objectAt(t *testing.T, m *backup.Manifest, off int64) *backup.ObjectRef {
	t.Helper()
	for _, e := range m.Extents {
		if e.Object != "" && e.Offset <= off && off < e.End() {
			for i := range m.Objects {
				if m.Objects[i].Name == e.Object {
					return &m.Objects[i]
				}
			}
		}
	}
	t.Fatalf("backup %s has no object at %d", m.ID, off)
	return nil
}

func flipBit(t *testing.T, path string, at int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[at%int64(len(b))] ^= 0x10
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func truncate(t *testing.T, path string, n int64) {
	t.Helper()
	if err := os.Truncate(path, n); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}
