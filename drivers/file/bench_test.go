//go:build linux

package file

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/slab-storage/slab/drivers"
)

// benchPool is a pool holding n sparse 1 GiB volumes and a snapshot of
// every tenth. Files are made directly (no fsync per create), since only
// listing is measured.
func benchPool(b *testing.B, n int) *Pool {
	b.Helper()
	p := openPool(b, filepath.Join(b.TempDir(), "pool"), nil)
	for i := range n {
		id := fmt.Sprintf("vol-%06d", i)
		paths := []string{p.volumePath(id)}
		if i%10 == 0 {
			if err := os.Mkdir(p.snapParent(id), 0o700); err != nil {
				b.Fatal(err)
			}
			paths = append(paths, p.snapshotPath(id, "snap-"+id))
		}
		for _, path := range paths {
			f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
			if err != nil {
				b.Fatal(err)
			}
			if err := f.Truncate(oneGiB); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	}
	return p
}

func BenchmarkListVolumes10k(b *testing.B) {
	p := benchPool(b, 10_000)
	for b.Loop() {
		vols, err := p.ListVolumes(b.Context())
		if err != nil || len(vols) != 10_000 {
			b.Fatalf("%d volumes, %v", len(vols), err)
		}
	}
}

func BenchmarkListSnapshots10k(b *testing.B) {
	p := benchPool(b, 10_000)
	for b.Loop() {
		snaps, err := p.ListSnapshots(b.Context())
		if err != nil || len(snaps) != 1_000 {
			b.Fatalf("%d snapshots, %v", len(snaps), err)
		}
	}
}

func BenchmarkStats10k(b *testing.B) {
	p := benchPool(b, 10_000)
	for b.Loop() {
		st, err := p.Stats(b.Context())
		if err != nil || st.TotalVolumes != 10_000 || st.ProvisionedCapacityGB != 11_000 {
			b.Fatalf("%+v, %v", st, err)
		}
	}
}

// BenchmarkCreateDeleteVolume is the cost of one durable create (temp
// file, fsync, rename, directory fsync) plus its delete.
func BenchmarkCreateDeleteVolume(b *testing.B) {
	p := openPool(b, filepath.Join(b.TempDir(), "pool"), nil)
	for b.Loop() {
		if _, err := p.CreateVolume(b.Context(), drivers.CreateVolumeRequest{ID: "v", SizeGiB: 1}); err != nil {
			b.Fatal(err)
		}
		if err := p.DeleteVolume(b.Context(), "v"); err != nil {
			b.Fatal(err)
		}
	}
}
