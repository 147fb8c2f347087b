//go:build linux

package backup_test

import (
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/drivers/backup"
	"github.com/slab-storage/slab/drivers/backup/posix"
	"github.com/slab-storage/slab/drivers/file/filetest"
)

// BenchmarkBackup measures, on a 4 GiB volume holding 2 GiB of random
// data on a loop-mounted XFS with reflink (warm cache):
//   - raw-read: a sequential read of the volume file (like dd bs=1M);
//   - floor/sha256 and floor/durable-write: hashing the 2 GiB of data in
//     32 KiB blocks on every CPU, and writing 2 GiB durably into the
//     repository's directory, which every full backup must do;
//   - full/<compression>: a full backup, also as a percentage of the raw
//     read's throughput measured just before it (target ≥ 70% for zstd);
//   - incremental-1pct: one incremental after 1% of the data changed
//     since a full backup, also as how many times faster than the full
//     zstd backup (target ≥ 20×);
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

	// What no full backup of this data can beat here: hashing its 2 GiB
	// (SHA-256 per 32 KiB block, on every CPU), and writing 2 GiB durably
	// into the repository's directory.
	b.Run("floor/sha256", func(b *testing.B) {
		b.SetBytes(volSize)
		for b.Loop() {
			hashAll(buf, dataSize)
		}
	})
	b.Run("floor/durable-write", func(b *testing.B) {
		b.SetBytes(volSize)
		for b.Loop() {
			durableWrite(b, e.repo.Path(), buf, dataSize)
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

	// Each iteration is one incremental after one 1% change: the volume is
	// a fresh reflink clone of v, backed up in full first (not timed), so
	// that neither the chain nor the extent count grows across iterations.
	b.Run("incremental-1pct", func(b *testing.B) {
		e.opts.Compression = backup.Zstd
		var took time.Duration
		var st backup.Stats
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			seq++
			id := fmt.Sprintf("c-%d", seq)
			c, err := e.pool.CloneVolume(b.Context(), drivers.CloneVolumeRequest{ID: id, SourceID: "v", SizeGiB: volSize >> 30})
			if err != nil {
				b.Fatal(err)
			}
			base, inc := id+"-full", id+"-inc"
			e.takeBackup(b, id, base, "")
			// 1% of the data: 655 random 32 KiB blocks in the data runs.
			for range dataSize / 100 / blockSize {
				off := rng.Int64N(dataSize*2/run)/2*2*run + rng.Int64N(run/blockSize)*blockSize
				fillRandom(rng, buf[:blockSize])
				writeAt(b, c.ProviderLocation, off, buf[:blockSize])
			}
			b.StartTimer()
			start := time.Now()
			_, st = e.takeBackup(b, id, inc, base)
			took += time.Since(start)
			b.StopTimer()
			for _, del := range []string{inc, base} {
				if err := backup.Delete(b.Context(), e.repo, del); err != nil {
					b.Fatal(err)
				}
			}
			if err := e.pool.DeleteVolume(b.Context(), id); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		if st.Path != backup.PathShared || st.BytesSkipped == 0 {
			b.Fatalf("incremental took path %s, want %s", st.Path, backup.PathShared)
		}
		if fullPerOp > 0 {
			b.ReportMetric(fullPerOp.Seconds()/(took.Seconds()/float64(b.N)), "x-faster-than-full")
		}
		b.ReportMetric(float64(st.BytesRead)/(1<<20), "MiB-read/op")
	})

	// The framework runs a sub-benchmark more than once; the backup to
	// restore is taken the first time.
	haveBase := false
	b.Run("restore", func(b *testing.B) {
		if !haveBase {
			b.StopTimer()
			e.opts.Compression = backup.Zstd
			e.takeBackup(b, "v", "base", "")
			haveBase = true
			b.StartTimer()
		}
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

// hashAll hashes n bytes (buf over and over) in 32 KiB blocks on every CPU.
func hashAll(buf []byte, n int64) {
	blocks := make(chan []byte, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for blk := range blocks {
				sha256.Sum256(blk)
			}
		}()
	}
	for off := int64(0); off < n; off += blockSize {
		i := off % int64(len(buf))
		blocks <- buf[i : i+blockSize]
	}
	close(blocks)
	wg.Wait()
}

// durableWrite writes n bytes (buf over and over) into new files in dir,
// one per CPU and one more, at once (as a backup writes its objects), with
// direct I/O where the filesystem has it, fsyncs and removes them.
func durableWrite(b *testing.B, dir string, buf []byte, n int64) {
	aligned, err := unix.Mmap(-1, 0, len(buf), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		b.Fatal(err)
	}
	defer unix.Munmap(aligned)
	copy(aligned, buf)
	writers := runtime.GOMAXPROCS(0) + 1
	per := n / int64(writers) / directAlign * directAlign
	errs := make(chan error, writers)
	for w := range writers {
		go func() {
			size := per
			if w == writers-1 {
				size = n - per*int64(writers-1)
			}
			errs <- writeFileDurably(filepath.Join(dir, fmt.Sprintf("write-floor-%d", w)), aligned, size)
		}()
	}
	for range writers {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
}

const directAlign = 4096

func writeFileDurably(path string, buf []byte, n int64) error {
	defer os.Remove(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|unix.O_DIRECT, 0o600)
	if err != nil { // no direct I/O (tmpfs)
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	for off := int64(0); off < n; off += int64(len(buf)) {
		if _, err := f.Write(buf[:min(int64(len(buf)), n-off)]); err != nil {
			return err
		}
	}
	return f.Sync()
}
