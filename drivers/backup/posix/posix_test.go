//go:build linux

package posix

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/slab-storage/slab/drivers/backup"
)

func TestRepo(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	r, err := Open(filepath.Join(parent, "nested", "repo"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	t.Run("objects round trip and replace", func(t *testing.T) {
		for _, data := range [][]byte{[]byte("one"), []byte("second version")} {
			if err := r.Put(ctx, "b1", "chunk-00000001", data); err != nil {
				t.Fatal(err)
			}
			got, err := r.Get(ctx, "b1", "chunk-00000001")
			if err != nil || string(got) != string(data) {
				t.Fatalf("Get = %q, %v; want %q", got, err, data)
			}
		}
		fi, err := os.Stat(filepath.Join(r.Path(), "backup-b1", "chunk-00000001"))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("object file: %v %v, want mode 0600", fi, err)
		}
	})
	t.Run("objects are read into the caller's buffer when they fit", func(t *testing.T) {
		if err := r.Put(ctx, "b-read", "chunk-00000001", []byte("nine bytes")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 0, 64)
		got, err := r.ReadObject(ctx, "b-read", "chunk-00000001", buf)
		if err != nil || string(got) != "nine bytes" || &got[0] != &buf[:1][0] {
			t.Errorf("ReadObject into a large enough buffer = %q, %v (own memory: %v)", got, err, err == nil && &got[0] != &buf[:1][0])
		}
		small := make([]byte, 0, 4)
		got, err = r.ReadObject(ctx, "b-read", "chunk-00000001", small)
		if err != nil || string(got) != "nine bytes" {
			t.Errorf("ReadObject into a small buffer = %q, %v", got, err)
		}
		if _, err := r.ReadObject(ctx, "b-read", "chunk-00000002", buf); !errors.Is(err, backup.ErrObjectNotFound) {
			t.Errorf("ReadObject of a missing object: %v, want ErrObjectNotFound", err)
		}
		if err := r.Delete(ctx, "b-read", "chunk-00000001"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("large objects round trip whether or not they can be written directly", func(t *testing.T) {
		// Page-aligned memory, as the engine's buffers are.
		mem, err := unix.Mmap(-1, 0, 4<<20, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Munmap(mem)
		for i := range mem {
			mem[i] = byte(i * 7 / 4096)
		}
		for _, c := range []struct {
			name   string
			data   []byte
			direct bool
		}{
			{"chunk-00000002", mem[:2<<20], true},
			{"chunk-00000003", mem[100 : 100+2<<20], false}, // memory not aligned
			{"chunk-00000004", mem[:2<<20+100], false},      // length not aligned
		} {
			if got := directOK(c.data); got != c.direct {
				t.Errorf("%s: directOK = %v, want %v", c.name, got, c.direct)
			}
			if err := r.Put(ctx, "large", c.name, c.data); err != nil {
				t.Fatal(err)
			}
			got, err := r.Get(ctx, "large", c.name)
			if err != nil || !slices.Equal(got, c.data) {
				t.Fatalf("%s: Get = %d bytes, %v; want the %d bytes put", c.name, len(got), err, len(c.data))
			}
			if err := r.Delete(ctx, "large", c.name); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("a missing object is ErrObjectNotFound", func(t *testing.T) {
		_, err := r.Get(ctx, "b1", "manifest")
		if !errors.Is(err, backup.ErrObjectNotFound) {
			t.Errorf("Get(missing) = %v", err)
		}
	})
	t.Run("hostile ids and names are refused before any path is built", func(t *testing.T) {
		for _, c := range []struct{ id, name string }{
			{"../b1", "x"}, {"b1/../../x", "x"}, {"", "x"}, {"B1", "x"},
			{"b1", "../manifest"}, {"b1", "a/b"}, {"b1", ".tmp-x"}, {"b1", ""},
		} {
			if err := r.Put(ctx, c.id, c.name, []byte("x")); err == nil {
				t.Errorf("Put(%q, %q) succeeded", c.id, c.name)
			}
			if _, err := r.Get(ctx, c.id, c.name); err == nil || errors.Is(err, backup.ErrObjectNotFound) {
				t.Errorf("Get(%q, %q) = %v, want an invalid-name error", c.id, c.name, err)
			}
			if err := r.Delete(ctx, c.id, c.name); err == nil {
				t.Errorf("Delete(%q, %q) succeeded", c.id, c.name)
			}
		}
		ents, _ := os.ReadDir(parent)
		if len(ents) != 1 || ents[0].Name() != "nested" {
			t.Errorf("entries beside the repository: %v", ents)
		}
	})
	t.Run("temp files and foreign entries are not listed", func(t *testing.T) {
		dir := filepath.Join(r.Path(), "backup-b1")
		for _, n := range []string{".tmp-manifest-abc", "UPPER"} {
			if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Symlink("/etc/passwd", filepath.Join(dir, "link")); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(r.Path(), "not-a-backup"), 0o700); err != nil {
			t.Fatal(err)
		}
		names, err := r.Objects(ctx, "b1")
		if err != nil || !slices.Equal(names, []string{"chunk-00000001"}) {
			t.Errorf("Objects = %v, %v", names, err)
		}
		if _, err := r.Get(ctx, "b1", "link"); err == nil {
			t.Error("Get followed a symlink")
		}
		ids, err := r.Backups(ctx)
		if err != nil || !slices.Equal(ids, []string{"b1"}) {
			t.Errorf("Backups = %v, %v", ids, err)
		}
		os.Remove(filepath.Join(dir, "link"))
		os.Remove(filepath.Join(dir, "UPPER"))
	})
	t.Run("Open removes stale temp files only", func(t *testing.T) {
		dir := filepath.Join(r.Path(), "backup-b1")
		old, fresh := filepath.Join(dir, ".tmp-chunk-00000002-old"), filepath.Join(dir, ".tmp-chunk-00000003-new")
		for _, p := range []string{old, fresh} {
			if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		past := time.Now().Add(-2 * time.Hour)
		if err := os.Chtimes(old, past, past); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(r.Path()); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("stale temp file survived Open: %v", err)
		}
		if _, err := os.Stat(fresh); err != nil {
			t.Errorf("a fresh temp file (a live writer's) was removed: %v", err)
		}
	})
	t.Run("deleting the last object removes the backup's directory", func(t *testing.T) {
		// The fresh temp file of the previous step stands for a live
		// writer: it keeps the directory until it is gone.
		if err := r.Delete(ctx, "b1", "chunk-00000001"); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(r.Path(), "backup-b1")); err != nil {
			t.Fatalf("backup directory with a live writer's temp file: %v", err)
		}
		for _, n := range []string{".tmp-chunk-00000003-new", ".tmp-manifest-abc"} {
			if err := os.Remove(filepath.Join(r.Path(), "backup-b1", n)); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.Put(ctx, "b1", "chunk-00000001", []byte("x")); err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second delete finds nothing: still fine
			if err := r.Delete(ctx, "b1", "chunk-00000001"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := os.Stat(filepath.Join(r.Path(), "backup-b1")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("backup directory after its last object went: %v", err)
		}
	})
	t.Run("a file where the repository should be is refused", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "file")
		os.WriteFile(p, nil, 0o600)
		if _, err := Open(p); err == nil {
			t.Error("Open(file) succeeded")
		}
		if _, err := Open(""); err == nil {
			t.Error("Open(\"\") succeeded")
		}
	})
}

func TestRegistered(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "r")
	r, err := backup.OpenRepository("posix", backup.RepositoryConfig{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	if r.(*Repo).Path() != dir {
		t.Errorf("path = %s", r.(*Repo).Path())
	}
	if _, err := backup.OpenRepository("posix", backup.RepositoryConfig{Path: dir, Options: map[string]string{"region": "x"}}); err == nil {
		t.Error("unknown option accepted")
	}
	if _, err := backup.OpenRepository("s4", backup.RepositoryConfig{Path: dir}); err == nil || !slices.Contains(backup.RepositoryDrivers(), "posix") {
		t.Errorf("unknown driver: %v; drivers %v", err, backup.RepositoryDrivers())
	}
}

func TestOpeningARepositoryLeavesTheFreshDirectoryOfABackupInProgress(t *testing.T) {
	root := t.TempDir()
	fresh := filepath.Join(root, "backup-in-progress")
	old := filepath.Join(root, "backup-abandoned")
	for _, dir := range []string{fresh, old} {
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-2 * staleAge)
	if err := os.Chtimes(old, long, long); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(root); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("opening the repository removed a backup's fresh directory: %v", err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("an empty directory abandoned long ago is still there: %v", err)
	}
}

func TestStagedObjectsAreWholeUnderTheirNamesAndSettleTogether(t *testing.T) {
	r, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, name := range []string{"chunk-00000001", "chunk-00000002"} {
		if err := r.Stage(ctx, "b1", name, []byte("data of "+name)); err != nil {
			t.Fatal(err)
		}
	}
	names, err := r.Objects(ctx, "b1")
	if err != nil || !slices.Equal(names, []string{"chunk-00000001", "chunk-00000002"}) {
		t.Fatalf("objects after staging = %v, %v", names, err)
	}
	if err := r.Settle(ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	if got, err := r.Get(ctx, "b1", "chunk-00000002"); err != nil || string(got) != "data of chunk-00000002" {
		t.Fatalf("staged object reads %q, %v", got, err)
	}
	if len(r.staged) != 0 {
		t.Fatalf("settled objects are still pending: %v", r.staged)
	}
	if err := r.Settle(ctx, "nothing-staged"); err != nil {
		t.Fatalf("settling a backup with nothing staged: %v", err)
	}
	if err := r.Stage(ctx, "../escape", "chunk-00000001", nil); err == nil {
		t.Fatal("a hostile id was staged")
	}
}
