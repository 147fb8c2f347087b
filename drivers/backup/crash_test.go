//go:build linux

package backup_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/drivers/backup"
	"github.com/slab-storage/slab/drivers/backup/posix"
	"github.com/slab-storage/slab/drivers/file"
)

// crashEnv makes the test binary a backup process that stops mid-backup
// (after its first objects are stored) and waits to be killed.
const crashEnv = "SLAB_BACKUP_CRASH_CHILD"

func TestMain(m *testing.M) {
	if dirs := os.Getenv(crashEnv); dirs != "" {
		crashChild(dirs)
		return
	}
	os.Exit(m.Run())
}

// crashChild backs up volume v of the pool in dirs ("pool:repo") as
// backup "crash", announcing on stdout when objects are stored and then
// blocking forever.
func crashChild(dirs string) {
	poolDir, repoDir, _ := strings.Cut(dirs, ":")
	pool, err := file.Open(drivers.PoolConfig{Backend: "b", Name: "p", Path: poolDir, Options: map[string]string{"reflink": "never"}})
	if err != nil {
		panic(err)
	}
	repo, err := posix.Open(repoDir)
	if err != nil {
		panic(err)
	}
	e := &env{pool: pool, repo: repo, opts: backup.Options{
		ChunkSize: 64 << 10,
		Workers:   1,
		Progress: backup.ProgressFunc(func(done, total int64) {
			fmt.Println("stored", done, "of", total)
			for { // killed here: objects written, manifest not
				time.Sleep(time.Hour)
			}
		}),
	}}
	_, _, err = e.backup(context.Background(), "v", "crash", "")
	fmt.Println("backup finished:", err)
	os.Exit(1)
}

// TestCrashDuringBackup kills (SIGKILL) a process in the middle of a
// backup: the repository must hold no backup that looks complete, and
// taking the same backup again must succeed and restore exactly.
func TestCrashDuringBackup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	poolDir, repoDir := filepath.Join(dir, "pool"), filepath.Join(dir, "repo")
	e := newEnvAt(t, poolDir, repoDir)
	vol := e.createVolume(t, "v", 1)
	writeAt(t, vol, 0, filler(rand.New(rand.NewPCG(5, 6)), 4<<20, false))

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+poolDir+":"+repoDir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "stored ") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child said %q (%v), want progress", line, err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	objs, err := e.repo.Objects(t.Context(), "crash")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) == 0 || slices.Contains(objs, backup.ManifestName) {
		t.Fatalf("objects after the crash = %v, want some chunks and no manifest", objs)
	}
	if _, err := backup.ReadManifest(t.Context(), e.repo, "crash"); !errors.Is(err, backup.ErrNotFound) {
		t.Errorf("ReadManifest after the crash = %v, want ErrNotFound", err)
	}
	if list, _, err := backup.List(t.Context(), e.repo); err != nil || len(list) != 0 {
		t.Errorf("List after the crash = %v, %v; want nothing", list, err)
	}

	// A fresh process (the next apply) retakes the backup.
	e = newEnvAt(t, poolDir, repoDir)
	m, _ := e.takeBackup(t, "v", "crash", "")
	objs, err = e.repo.Objects(t.Context(), "crash")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{backup.HashesName, backup.ManifestName}
	for _, o := range m.Objects {
		want = append(want, o.Name)
	}
	slices.Sort(want)
	if !slices.Equal(objs, want) {
		t.Errorf("objects after the retake = %v, want exactly the manifest's %v (leftovers cleared)", objs, want)
	}
	got, _, err := e.restore(t, "crash", "r", 1)
	if err != nil {
		t.Fatal(err)
	}
	sameVolume(t, got, vol)
}

// newEnvAt opens the pool and repository at fixed paths.
func newEnvAt(t testing.TB, poolDir, repoDir string) *env {
	e := newEnv(t, poolDir, map[string]string{"reflink": "never"}, backup.Options{})
	r, err := posix.Open(repoDir)
	if err != nil {
		panic(err)
	}
	e.repo = r
	return e
}
