//go:build linux

package backup

import (
	"bytes"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/slab-storage/slab/drivers"
)

// fileSrc is a Source on a plain file; withFile makes it a fileSource.
type fileSrc struct {
	f    *os.File
	size int64
}

func (s *fileSrc) ReadAt(b []byte, off int64) (int, error) { return s.f.ReadAt(b, off) }
func (s *fileSrc) Size() int64                             { return s.size }
func (s *fileSrc) Changed() ([]drivers.Extent, bool, error) {
	return nil, false, nil
}

// Allocated says everything is data: the engine still finds the zeros.
func (s *fileSrc) Allocated() ([]drivers.Extent, error) {
	return []drivers.Extent{{Offset: 0, Length: s.size}}, nil
}

type mappableSrc struct{ *fileSrc }

func (s mappableSrc) File() *os.File { return s.f }

// TestReadPathsStoreTheSameObjects backs up one file through each way the
// engine reads (direct I/O, a mapping, ReadAt) with several workers, twice
// each: every backup stores the same manifest and objects, numbered in
// volume order, and restores the file.
func TestReadPathsStoreTheSameObjects(t *testing.T) {
	const chunk = 256 << 10
	// Random, compressible and zero chunks, and a tail shorter than a block.
	rng := rand.New(rand.NewPCG(1, 2))
	var data []byte
	for i := range 13 {
		c := make([]byte, chunk)
		switch i % 3 {
		case 0:
			for k := range c {
				c[k] = byte(rng.Uint32())
			}
		case 1:
			copy(c, bytes.Repeat([]byte("slab "), chunk/5))
		}
		data = append(data, c...)
	}
	data = append(data, bytes.Repeat([]byte{7}, 5000)...)
	path := filepath.Join(t.TempDir(), "vol")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	plain := &fileSrc{f: f, size: int64(len(data))}

	tests := []struct {
		name   string
		src    Source
		direct bool
	}{
		{"a file source is read with direct I/O", mappableSrc{plain}, true},
		{"a file source is mapped without direct I/O", mappableSrc{plain}, false},
		{"another source is read with ReadAt", plain, true},
	}
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var want *Manifest
	var wantObjs map[string][]byte
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func(v bool) { useDirectIO = v }(useDirectIO)
			useDirectIO = tt.direct
			for range 2 {
				repo := &memRepo{objs: map[string][]byte{}}
				m, _, err := Backup(t.Context(), repo, tt.src, Request{ID: "b1", VolumeID: "v1", Created: created},
					Options{ChunkSize: chunk, Compression: Zstd, Workers: 4})
				if err != nil {
					t.Fatal(err)
				}
				for i, o := range m.Objects {
					if o.Name != chunkName(i+1) {
						t.Fatalf("object %d is %s, want %s", i, o.Name, chunkName(i+1))
					}
				}
				if want == nil {
					want, wantObjs = m, repo.objs
				}
				if d := cmp.Diff(want, m); d != "" {
					t.Fatalf("manifest differs (-first +this):\n%s", d)
				}
				if !maps.EqualFunc(wantObjs, repo.objs, bytes.Equal) {
					t.Fatal("stored objects differ")
				}
				dst := &memVolume{b: make([]byte, len(data))}
				if _, err := Restore(t.Context(), repo, "b1", dst, nil); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(dst.b, data) {
					t.Fatal("restored bytes differ")
				}
			}
		})
	}
	if n := len(want.Objects); n != 10 {
		t.Errorf("%d objects, want 10 (one per chunk that is not zeros)", n)
	}
}
