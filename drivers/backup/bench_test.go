//go:build linux

package backup_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/drivers/backup"
	"github.com/slab-storage/slab/drivers/backup/posix"
	"github.com/slab-storage/slab/drivers/file/filetest"
)

// BenchmarkBackup measures, on a 4 GiB volume holding 2 GiB of random
// data on a loop-mounted XFS with reflink (warm cache):
//   - raw-read: a sequential read of the volume file (like dd bs=1M);
//   - full/<compression>: a full backup, also as a percentage of the raw
//     read's throughput measured just before it (target ≥ 70% for zstd);
//   - incremental-1pct: an incremental after 1% of the data changed, also
//     as how many times faster than the full zstd backup (target ≥ 20×);
//   - restore: restoring the full backup into a new volume.
//
// Throughputs are of the volume's size (4 GiB per operation). The
// repository is a directory on the root filesystem, fsynced as always;
// BENCH_REPO=/dev/shm/x puts it in memory instead, to measure the engine
// without the disk (the directory is removed afterwards).
func BenchmarkBackup(b *testing.B) {
	const (
		volSize  = 4 << 30
		dataSize = 2 << 30
		run      = 64 << 20
	)
	mnt := filetest.MountXFS(b, 3*volSize, true)
	e := newEnv(b, filepath.Join(mnt, "pool"), nil, backup.Options{Compression: backup.Zstd})
	vol := e.createVolume(b, "v", volSize>>30)
	// 2 GiB of random data in 64 MiB runs, every other run left a hole.
	rng := rand.New(rand.NewChaCha8([32]byte{1}))
	buf := make([]byte, run)
	for off := int64(0); off < dataSize*2; off += 2 * run {
		fillRandom(rng, buf)
		writeAt(b, vol, off, buf)
	}
	rawRead := func() time.Duration {
		f := open(b, vol)
		defer f.Close()
		start := time.Now()
		rb := make([]byte, 1<<20)
		for {
			_, err := f.Read(rb)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	rawRead() // warm the cache
	if d := os.Getenv("BENCH_REPO"); d != "" {
		r, err := posix.Open(d)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(d) })
		e.repo = r
	}

	b.Run("raw-read", func(b *testing.B) {
		b.SetBytes(volSize)
		for b.Loop() {
			rawRead()
		}
	})

	var fullPerOp time.Duration
	seq := 0
	for _, comp := range []backup.Compression{backup.Zstd, backup.None} {
		b.Run("full/"+string(comp), func(b *testing.B) {
			e.opts.Compression = comp
			b.SetBytes(volSize)
			var raw, took time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				seq++
				id := fmt.Sprintf("full-%d", seq)
				raw += rawRead()
				b.StartTimer()
				start := time.Now()
				e.takeBackup(b, "v", id, "")
				took += time.Since(start)
				b.StopTimer()
				if err := backup.Delete(b.Context(), e.repo, id); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(100*raw.Seconds()/took.Seconds(), "%-of-raw-read")
			if comp == backup.Zstd {
				fullPerOp = took / time.Duration(b.N)
			}
		})
	}

	// Sub-benchmarks run more than once: the chain goes on across runs,
	// each incremental chaining to the previous one, whose image is kept.
	parent := ""
	ensureBase := func(b *testing.B) {
		if parent == "" {
			e.opts.Compression = backup.Zstd
			e.takeBackup(b, "v", "base", "")
			parent = "base"
		}
		b.ResetTimer()
	}
	b.Run("incremental-1pct", func(b *testing.B) {
		ensureBase(b)
		var took time.Duration
		var st backup.Stats
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			// 1% of the data: 655 random 32 KiB blocks in the data runs.
			for range dataSize / 100 / blockSize {
				off := rng.Int64N(dataSize*2/run)/2*2*run + rng.Int64N(run/blockSize)*blockSize
				fillRandom(rng, buf[:blockSize])
				writeAt(b, vol, off, buf[:blockSize])
			}
			seq++
			id := fmt.Sprintf("inc-%d", seq)
			b.StartTimer()
			start := time.Now()
			_, st = e.takeBackup(b, "v", id, parent)
			took += time.Since(start)
			parent = id
		}
		if st.Path != backup.PathShared || st.BytesSkipped == 0 {
			b.Fatalf("incremental took path %s, want %s", st.Path, backup.PathShared)
		}
		if fullPerOp > 0 {
			b.ReportMetric(fullPerOp.Seconds()/(took.Seconds()/float64(b.N)), "x-faster-than-full")
		}
		b.ReportMetric(float64(st.BytesRead)/(1<<20), "MiB-read/op")
	})

	b.Run("restore", func(b *testing.B) {
		ensureBase(b)
		b.SetBytes(volSize)
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			seq++
			id := fmt.Sprintf("r-%d", seq)
			if _, err := e.pool.CreateVolume(b.Context(), drivers.CreateVolumeRequest{ID: id, SizeGiB: volSize >> 30}); err != nil {
				b.Fatal(err)
			}
			dst, err := e.pool.OpenRestoreTarget(b.Context(), id)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			_, err = backup.Restore(b.Context(), e.repo, "base", dst, nil)
			if err == nil {
				err = dst.Sync()
			}
			b.StopTimer()
			dst.Close()
			if err != nil {
				b.Fatal(err)
			}
			if err := e.pool.DeleteVolume(b.Context(), id); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})
}

func fillRandom(rng *rand.Rand, b []byte) {
	for i := 0; i+8 <= len(b); i += 8 {
		v := rng.Uint64()
		b[i], b[i+1], b[i+2], b[i+3], b[i+4], b[i+5], b[i+6], b[i+7] =
			byte(v), byte(v>>8), byte(v>>16), byte(v>>24), byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56)
	}
}
