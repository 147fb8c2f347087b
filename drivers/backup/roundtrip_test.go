//go:build linux

package backup_test

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/slab-storage/slab/drivers/backup"
	"github.com/slab-storage/slab/drivers/file"
	"github.com/slab-storage/slab/drivers/file/filetest"
)

// TestRoundTrip writes data at scattered offsets, backs it up full, then
// changes about 1% of the blocks and takes an incremental, changes more
// and takes another, and restores every point into new volumes, which
// must equal the volume at that point byte for byte, holes included.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		poolDir  func(t *testing.T) string
		poolOpts map[string]string
		opts     backup.Options
		wantPath string
	}{
		{
			name: "on XFS with reflink incrementals read only what shared extents show changed",
			poolDir: func(t *testing.T) string {
				return filepath.Join(filetest.MountXFS(t, filetest.MinXFSSize, true), "pool")
			},
			opts:     backup.Options{Compression: backup.Zstd, ChunkSize: 256 << 10},
			wantPath: backup.PathShared,
		},
		{
			name:     "on the root filesystem incrementals hash every block and compare",
			poolDir:  func(t *testing.T) string { return filepath.Join(t.TempDir(), "pool") },
			poolOpts: map[string]string{"reflink": "never"},
			opts:     backup.Options{Compression: backup.Gzip, ChunkSize: 1 << 20},
			wantPath: backup.PathHashed,
		},
		{
			name:     "uncompressed with the default chunk size",
			poolDir:  func(t *testing.T) string { return filepath.Join(t.TempDir(), "pool") },
			poolOpts: map[string]string{"reflink": "never"},
			opts:     backup.Options{Compression: backup.None},
			wantPath: backup.PathHashed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.poolDir(t), tt.poolOpts, tt.opts)
			rng := rand.New(rand.NewPCG(1, 2))
			vol := e.createVolume(t, "v", 1)

			// ~6 MiB in 24 runs of 1..16 blocks in the first 256 MiB, half
			// of them compressible; the second half of the volume stays empty.
			for range 24 {
				off := rng.Int64N(256<<20/blockSize) * blockSize
				writeAt(t, vol, off, filler(rng, (1+rng.IntN(16))*blockSize, rng.IntN(2) == 0))
			}
			m1, st1 := e.takeBackup(t, "v", "b1", "")
			ref1 := e.clone(t, "v", "ref1")
			if st1.Path != backup.PathFull || st1.BytesRead != dataBytes(t, vol) || st1.BytesSkipped != 0 {
				t.Errorf("full backup stats = %+v, want path %s reading exactly the %d allocated bytes", st1, backup.PathFull, dataBytes(t, vol))
			}
			checkCompression(t, m1, tt.opts.Compression)

			want2 := change(t, rng, vol, 0.01)
			_, st2 := e.takeBackup(t, "v", "b2", "b1")
			ref2 := e.clone(t, "v", "ref2")
			checkIncremental(t, st2, tt.wantPath, want2, dataBytes(t, vol))

			want3 := change(t, rng, vol, 0.05)
			m3, st3 := e.takeBackup(t, "v", "b3", "b2")
			ref3 := e.clone(t, "v", "ref3")
			checkIncremental(t, st3, tt.wantPath, want3, dataBytes(t, vol))
			if m3.ParentID != "b2" || !m3.Incremental() {
				t.Errorf("b3 parent = %q, want b2", m3.ParentID)
			}

			for _, p := range []struct{ id, vol, ref string }{{"b1", "r1", ref1}, {"b2", "r2", ref2}, {"b3", "r3", ref3}} {
				got, _, err := e.restore(t, p.id, p.vol, 1)
				if err != nil {
					t.Fatalf("restore %s: %v", p.id, err)
				}
				sameVolume(t, got, p.ref)
			}

			// Restoring into a volume that holds other data must also clear
			// what the backup does not have.
			r3 := filepath.Join(filepath.Dir(vol), "volume-r3")
			dst, err := e.pool.OpenRestoreTarget(t.Context(), "r3")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := backup.Restore(t.Context(), e.repo, "b1", dst, nil); err != nil {
				t.Fatalf("restore b1 over b3's data: %v", err)
			}
			dst.Close()
			sameVolume(t, r3, ref1)

			vst, err := backup.Verify(t.Context(), e.repo, "b3", nil)
			if err != nil {
				t.Fatalf("verify b3: %v", err)
			}
			if vst.Objects != m1Objects(t, e, "b1", "b2", "b3") {
				t.Errorf("verify checked %d objects, the chain has %d", vst.Objects, m1Objects(t, e, "b1", "b2", "b3"))
			}
			list, damaged, err := backup.List(t.Context(), e.repo)
			if err != nil || len(damaged) > 0 {
				t.Fatalf("List: %v %v", err, damaged)
			}
			var ids []string
			for _, m := range list {
				ids = append(ids, m.ID+"<"+m.ParentID)
			}
			if want := []string{"b1<", "b2<b1", "b3<b2"}; !slices.Equal(ids, want) {
				t.Errorf("List = %v, want %v", ids, want)
			}
		})
	}
}

// changed is what an incremental must find: data blocks rewritten or
// written into holes, and data blocks punched out.
type changed struct{ data, holes int64 }

// change rewrites a fraction of the volume's data blocks (at least one),
// writes one block into the empty second half and punches one data block.
func change(t *testing.T, rng *rand.Rand, vol string, fraction float64) changed {
	t.Helper()
	exts, err := file.AllocatedExtents(vol)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []int64
	for _, x := range exts {
		for off := x.Offset; off < x.Offset+x.Length; off += blockSize {
			blocks = append(blocks, off)
		}
	}
	rng.Shuffle(len(blocks), func(i, j int) { blocks[i], blocks[j] = blocks[j], blocks[i] })
	n := max(1, int(fraction*float64(len(blocks))))
	for _, off := range blocks[:n] {
		writeAt(t, vol, off, filler(rng, blockSize, false))
	}
	punchHole(t, vol, blocks[n], blockSize)
	writeAt(t, vol, 512<<20+rng.Int64N(512<<20/blockSize)*blockSize, filler(rng, blockSize, false))
	return changed{data: int64(n+1) * blockSize, holes: blockSize}
}

func checkIncremental(t *testing.T, st backup.Stats, wantPath string, want changed, allocated int64) {
	t.Helper()
	if st.Path != wantPath {
		t.Errorf("incremental took path %q, want %q (stats %+v)", st.Path, wantPath, st)
	}
	if st.DataBytes != want.data || st.HoleBytes != want.holes {
		t.Errorf("incremental stored %d data bytes and %d hole bytes, want %d and %d", st.DataBytes, st.HoleBytes, want.data, want.holes)
	}
	switch wantPath {
	case backup.PathShared:
		// Only ranges whose blocks moved are read: the changed blocks.
		if st.BytesRead > want.data || st.BytesSkipped < st.Size-8*want.data {
			t.Errorf("shared-extent incremental read %d bytes and skipped %d; want at most %d read, the rest skipped", st.BytesRead, st.BytesSkipped, want.data)
		}
	case backup.PathHashed:
		if st.BytesRead != allocated || st.BytesHashed != allocated || st.BytesSkipped != 0 {
			t.Errorf("hashing incremental read %d and hashed %d bytes, want all %d allocated bytes", st.BytesRead, st.BytesHashed, allocated)
		}
	}
}

// checkCompression fails unless, with compression on, compressible runs
// were compressed and random ones stored as they are.
func checkCompression(t *testing.T, m *backup.Manifest, c backup.Compression) {
	t.Helper()
	seen := map[backup.Compression]bool{}
	for _, o := range m.Objects {
		seen[o.Compression] = true
	}
	if !seen[backup.None] || (c != backup.None && !seen[c]) || len(seen) > 2 {
		t.Errorf("object compressions %v, want none (random data) and %s (text)", seen, c)
	}
}

// dataBytes is the allocated bytes of the file at path.
func dataBytes(t *testing.T, path string) int64 {
	t.Helper()
	exts, err := file.AllocatedExtents(path)
	if err != nil {
		t.Fatal(err)
	}
	return file.ExtentBytes(exts)
}

func m1Objects(t *testing.T, e *env, ids ...string) int {
	t.Helper()
	n := 0
	for _, id := range ids {
		m, err := backup.ReadManifest(t.Context(), e.repo, id)
		if err != nil {
			t.Fatal(err)
		}
		n += len(m.Objects)
	}
	return n
}
