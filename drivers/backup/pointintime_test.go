//go:build linux

package backup_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/drivers/backup"
	"github.com/slab-storage/slab/drivers/file/filetest"
)

// TestWritesDuringBackup: a volume written to while it is backed up still
// yields the image of the moment the backup started.
func TestWritesDuringBackup(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		poolDir  func(t *testing.T) string
		poolOpts map[string]string
	}{
		{"on XFS the image is a reflink snapshot", func(t *testing.T) string {
			return filepath.Join(filetest.MountXFS(t, filetest.MinXFSSize, true), "pool")
		}, nil},
		{"on the root filesystem the image is a copy", func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "pool")
		}, map[string]string{"reflink": "never"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.poolDir(t), tt.poolOpts, backup.Options{ChunkSize: 128 << 10, Workers: 2})
			rng := rand.New(rand.NewPCG(17, 18))
			vol := e.createVolume(t, "v", 1)
			writeAt(t, vol, 0, filler(rng, 4<<20, false))
			ref := e.clone(t, "v", "ref")

			img, err := e.pool.OpenBackupImage(t.Context(), drivers.BackupImageRequest{VolumeID: "v", BackupID: "b1"})
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			// A writer rewrites the volume for as long as the backup runs.
			var stop atomic.Bool
			var wg sync.WaitGroup
			var writes atomic.Int64
			wg.Add(1)
			go func() {
				defer wg.Done()
				f, err := os.OpenFile(vol, os.O_WRONLY, 0)
				if err != nil {
					t.Error(err)
					return
				}
				defer f.Close()
				junk := filler(rand.New(rand.NewPCG(19, 20)), blockSize, false)
				for i := int64(0); !stop.Load() || writes.Load() == 0; i++ {
					if _, err := f.WriteAt(junk, (i%128)*blockSize); err != nil {
						t.Error(err)
						return
					}
					writes.Add(1)
				}
			}()
			_, _, err = backup.Backup(t.Context(), e.repo, img, backup.Request{ID: "b1", VolumeID: "v"}, e.opts)
			stop.Store(true)
			wg.Wait()
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := e.restore(t, "b1", "r", 1)
			if err != nil {
				t.Fatal(err)
			}
			sameVolume(t, got, ref)
			t.Logf("%d writes to the volume during the backup", writes.Load())
		})
	}
}
