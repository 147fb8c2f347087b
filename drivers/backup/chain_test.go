package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/slab-storage/slab/drivers"
)

// memRepo is an in-memory Repository, for tests that rewrite a manifest
// (which needs this package's encoder).
type memRepo struct {
	mu   sync.Mutex
	objs map[string][]byte // "<id>/<name>"
}

func (r *memRepo) Put(_ context.Context, id, name string, data []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.objs[id+"/"+name] = bytes.Clone(data)
	return nil
}

func (r *memRepo) Get(_ context.Context, id, name string) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.objs[id+"/"+name]
	if !ok {
		return nil, ErrObjectNotFound
	}
	return bytes.Clone(b), nil
}

func (r *memRepo) Delete(_ context.Context, id, name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.objs, id+"/"+name)
	return nil
}

func (r *memRepo) Backups(context.Context) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := map[string]bool{}
	for k := range r.objs {
		id, _, _ := strings.Cut(k, "/")
		ids[id] = true
	}
	return slices.Sorted(maps.Keys(ids)), nil
}

func (r *memRepo) Objects(_ context.Context, id string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for k := range r.objs {
		if bid, name, _ := strings.Cut(k, "/"); bid == id {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out, nil
}

// memVolume is a fully allocated in-memory volume.
type memVolume struct{ b []byte }

func (v *memVolume) ReadAt(p []byte, off int64) (int, error) { return copy(p, v.b[off:]), nil }
func (v *memVolume) WriteAt(p []byte, off int64) (int, error) {
	return copy(v.b[off:], p), nil
}
func (v *memVolume) Size() int64 { return int64(len(v.b)) }
func (v *memVolume) Allocated() ([]drivers.Extent, error) {
	return []drivers.Extent{{Offset: 0, Length: int64(len(v.b))}}, nil
}
func (v *memVolume) Changed() ([]drivers.Extent, bool, error) { return nil, false, nil }
func (v *memVolume) PunchHole(off, n int64) error {
	clear(v.b[off : off+n])
	return nil
}

// TestInheritedBlocksAreCheckedAgainstTheNewestHashList: an incremental
// whose hash list disagrees with a block it inherits (its manifest
// otherwise intact) fails verify and restore, naming the parent's object.
func TestInheritedBlocksAreCheckedAgainstTheNewestHashList(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	repo := &memRepo{objs: map[string][]byte{}}
	vol := &memVolume{b: bytes.Repeat([]byte("0123456789abcdef"), 4*HashBlockSize/16)}
	opts := Options{Compression: None}
	m1, _, err := Backup(ctx, repo, vol, Request{ID: "b1", VolumeID: "v"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	vol.b[3*HashBlockSize] ^= 1
	m2, st, err := Backup(ctx, repo, vol, Request{ID: "b2", VolumeID: "v", ParentID: "b1"}, opts)
	if err != nil || st.DataBytes != HashBlockSize {
		t.Fatalf("incremental: %v, stats %+v", err, st)
	}

	// Rewrite b2's hash entry for block 0 (which b1 supplies) and re-seal
	// the hash list and manifest checksums, as a buggy writer would.
	hashes, _ := repo.Get(ctx, "b2", HashesName)
	bad := sha256.Sum256([]byte("not the data"))
	copy(hashes[:sha256.Size], bad[:])
	repo.Put(ctx, "b2", HashesName, hashes)
	m2.Hashes.SHA256, _ = treeSumOf(nil, hashes)
	enc, err := encodeManifest(m2)
	if err != nil {
		t.Fatal(err)
	}
	repo.Put(ctx, "b2", ManifestName, enc)

	want := "backup b1 is damaged: object " + m1.Objects[0].Name + ": block 0 does not match backup b2's hash list"
	if _, err := Verify(ctx, repo, "b2", nil); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("verify = %v, want %q", err, want)
	}
	dst := &memVolume{b: make([]byte, len(vol.b))}
	if _, err := Restore(ctx, repo, "b2", dst, nil); err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, ErrCorrupt) {
		t.Errorf("restore = %v, want %q", err, want)
	}
	if _, err := Verify(ctx, repo, "b1", nil); err != nil {
		t.Errorf("b1 itself is intact: %v", err)
	}
}
