//go:build linux

package file

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/drivers/file/filetest"
)

func TestOpen(t *testing.T) {
	t.Parallel()
	t.Run("the registry opens a file pool and creates its directories", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "a", "b", "pool")
		pool, err := drivers.Open("file", testConfig(dir, nil))
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		if _, ok := pool.(*Pool); !ok {
			t.Fatalf("drivers.Open returned %T", pool)
		}
		for _, d := range []string{dir, filepath.Join(dir, "volumes"), filepath.Join(dir, "snapshots")} {
			fi, err := os.Stat(d)
			if err != nil {
				t.Fatal(err)
			}
			if !fi.IsDir() || fi.Mode().Perm() != 0o700 {
				t.Errorf("%s: mode %v, want a 0700 directory", d, fi.Mode())
			}
		}
	})
	bad := []struct {
		name string
		cfg  func(*drivers.PoolConfig)
		want string
	}{
		{"an empty path is refused", func(c *drivers.PoolConfig) { c.Path = "" }, "path is required"},
		{"an unknown option is refused", func(c *drivers.PoolConfig) { c.Options = map[string]string{"colour": "red"} }, `unknown option "colour"`},
		{"a bad reflink mode is refused", func(c *drivers.PoolConfig) { c.Options = map[string]string{"reflink": "maybe"} }, "option reflink must be"},
		{"a bad ratio is refused", func(c *drivers.PoolConfig) { c.MaxOverSubscriptionRatio = "lots" }, "max_over_subscription_ratio"},
		{"a bad reserved percentage is refused", func(c *drivers.PoolConfig) { c.ReservedPercentage = 101 }, "reserved_percentage"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(filepath.Join(t.TempDir(), "pool"), nil)
			tt.cfg(&cfg)
			_, err := Open(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "ssd#fast") {
				t.Errorf("Open = %v, want an error naming the pool and mentioning %q", err, tt.want)
			}
		})
	}
	t.Run("a pool whose volumes directory is not a directory is refused", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "volumes"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(testConfig(dir, nil)); err == nil || !strings.Contains(err.Error(), "not a directory") {
			t.Errorf("Open = %v, want a not-a-directory error", err)
		}
	})
	t.Run("a symlinked volumes directory is refused", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Symlink(t.TempDir(), filepath.Join(dir, "volumes")); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(testConfig(dir, nil)); err == nil || !strings.Contains(err.Error(), "not a directory") {
			t.Errorf("Open = %v, want a not-a-directory error", err)
		}
	})
}

// TestRelativePathGivesAbsoluteLocations may not run in parallel: it
// changes the working directory.
func TestRelativePathGivesAbsoluteLocations(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	p := openPool(t, "pool", nil)
	v := mustCreate(t, p, "v1", 1)
	if want := filepath.Join(dir, "pool", "volumes", "volume-v1"); v.ProviderLocation != want {
		t.Errorf("ProviderLocation = %q, want %q", v.ProviderLocation, want)
	}
}

// makeUnwritable makes new files in dir fail and returns the OS message to
// expect. Root ignores mode bits, so for root it sets the immutable
// attribute (chattr +i), which binds root too; others get mode 0500.
func makeUnwritable(t *testing.T, dir string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		return "permission denied"
	}
	const immutable = 0x10 // FS_IMMUTABLE_FL
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	flags, err := unix.IoctlGetInt(int(d.Fd()), unix.FS_IOC_GETFLAGS)
	if err == nil {
		err = unix.IoctlSetPointerInt(int(d.Fd()), unix.FS_IOC_SETFLAGS, flags|immutable)
	}
	if err != nil {
		t.Fatalf("cannot make %s immutable (%v): run this test on ext4, XFS or btrfs", dir, err)
	}
	t.Cleanup(func() {
		d, err := os.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if err := unix.IoctlSetPointerInt(int(d.Fd()), unix.FS_IOC_SETFLAGS, flags); err != nil {
			t.Errorf("clearing the immutable attribute of %s: %v", dir, err)
		}
	})
	return "operation not permitted"
}

// TestUnwritablePoolFailsWithTheOSMessage checks that a pool that refuses
// writes makes every mutating call a Failed error whose message (recorded
// by the planner as the status reason) names the operation, the file and
// the OS reason.
func TestUnwritablePoolFailsWithTheOSMessage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		prepare func(t *testing.T, p *Pool) string
	}{
		{"a volumes directory without write permission", func(t *testing.T, p *Pool) string {
			return makeUnwritable(t, p.volDir)
		}},
		{"a read-only filesystem", func(t *testing.T, p *Pool) string {
			filetest.ReadOnlyBind(t, p.Path())
			return "read-only file system"
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := tempPool(t)
			mustCreate(t, p, "existing", 1)
			reason := c.prepare(t, p)
			before := tree(t, p.Path())

			_, err := p.CreateVolume(t.Context(), drivers.CreateVolumeRequest{ID: "v1", SizeGiB: 1})
			wantDriverError(t, err, drivers.Failed, "create volume v1: open "+p.volDir+"/.tmp-volume-v1-", reason)
			_, err = p.CloneVolume(t.Context(), drivers.CloneVolumeRequest{ID: "v2", SourceID: "existing", SizeGiB: 1})
			wantDriverError(t, err, drivers.Failed, "clone volume v2: open ", reason)
			err = p.DeleteVolume(t.Context(), "existing")
			wantDriverError(t, err, drivers.Failed, "delete volume existing: unlink "+p.volumePath("existing"), reason)
			if after := tree(t, p.Path()); !equalStrings(after, before) {
				t.Errorf("pool changed: before %v, after %v", before, after)
			}
		})
	}
}

// TestListingIgnoresForeignFiles puts everything a crash, an operator or an
// attacker might leave in a pool and checks that only real objects count.
func TestListingIgnoresForeignFiles(t *testing.T) {
	t.Parallel()
	p := tempPool(t)
	mustCreate(t, p, "v1", 1)
	mustSnapshot(t, p, "s1", "v1")
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	junk := map[string]string{
		"volumes/.tmp-volume-v2-abcdef":            "file",
		"volumes/volume-BAD":                       "file",
		"volumes/notes.txt":                        "file",
		"volumes/volume-":                          "file",
		"volumes/volume-dir":                       "dir",
		"volumes/volume-link":                      "symlink",
		"snapshots/volume-v1/.tmp-snapshot-s2-abc": "file",
		"snapshots/volume-v1/snapshot-link":        "symlink",
		"snapshots/volume-v1/README":               "file",
		"snapshots/volume-X/snapshot-s3":           "file",
		"snapshots/stray/snapshot-s4":              "file",
	}
	for rel, kind := range junk {
		path := filepath.Join(p.Path(), rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		var err error
		switch kind {
		case "file":
			err = os.WriteFile(path, make([]byte, 4096), 0o600)
		case "dir":
			err = os.Mkdir(path, 0o700)
		case "symlink":
			err = os.Symlink(outside, path)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	vols, err := p.ListVolumes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if ids := volumeIDs(vols); !equalStrings(ids, []string{"v1"}) {
		t.Errorf("volumes = %v, want [v1]", ids)
	}
	snaps, err := p.ListSnapshots(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 1 || snaps[0].ID != "s1" || snaps[0].VolumeID != "v1" {
		t.Errorf("snapshots = %+v, want only s1 of v1", snaps)
	}
	st, err := p.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.TotalVolumes != 1 || st.ProvisionedCapacityGB != 2 || st.AllocatedCapacityGB != 1 {
		t.Errorf("stats count foreign files: volumes %d, provisioned %v, allocated %v",
			st.TotalVolumes, st.ProvisionedCapacityGB, st.AllocatedCapacityGB)
	}
	if err := p.DeleteVolume(t.Context(), "v1"); err == nil || !strings.Contains(err.Error(), "has 1 snapshot;") {
		t.Errorf("DeleteVolume = %v, want refusal counting only the real snapshot", err)
	}
	if _, err := p.CreateVolume(t.Context(), drivers.CreateVolumeRequest{ID: "link", SizeGiB: 1}); err == nil {
		t.Error("CreateVolume over a symlink succeeded")
	}
	if _, err := p.ExtendVolume(t.Context(), "link", 2); err == nil {
		t.Error("ExtendVolume through a symlink succeeded")
	}
	if fi, _ := os.Stat(outside); fi.Size() != 1 {
		t.Errorf("the symlink target was modified (size %d)", fi.Size())
	}
}

// TestCrashLeftoversAreHarmless simulates a crash mid-create: the temp file
// is invisible, the same ID can be created, and Open removes leftovers
// that no live process holds.
func TestCrashLeftoversAreHarmless(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "pool")
	p := openPool(t, dir, nil)
	mustCreate(t, p, "v1", 1)
	old := time.Now().Add(-time.Hour)
	leftover := func(rel string, age time.Time) string {
		path := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(path), 0o700)
		if err := os.WriteFile(path, []byte("half"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, age, age); err != nil {
			t.Fatal(err)
		}
		return path
	}
	stale := leftover("volumes/.tmp-volume-v2-000001", old)
	staleSnap := leftover("snapshots/volume-v1/.tmp-snapshot-s1-000001", old)
	fresh := leftover("volumes/.tmp-volume-v3-000002", time.Now())
	held := leftover("volumes/.tmp-volume-v4-000003", old)
	// A live creator holds its temp file locked.
	hf, err := os.Open(held)
	if err != nil {
		t.Fatal(err)
	}
	defer hf.Close()
	if err := unix.Flock(int(hf.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}

	vols, err := p.ListVolumes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if ids := volumeIDs(vols); !equalStrings(ids, []string{"v1"}) {
		t.Errorf("volumes = %v, want [v1]", ids)
	}
	v2 := mustCreate(t, p, "v2", 1)
	if v2.SizeBytes != oneGiB {
		t.Errorf("v2 = %+v", v2)
	}

	openPool(t, dir, nil)
	for path, want := range map[string]bool{stale: false, staleSnap: false, fresh: true, held: true} {
		_, err := os.Lstat(path)
		if exists := err == nil; exists != want {
			t.Errorf("%s exists = %v after Open, want %v", filepath.Base(path), exists, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "snapshots", "volume-v1")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty snapshot directory left after cleanup: %v", err)
	}
}

func TestReflinkAlwaysFailsWithoutReflink(t *testing.T) {
	t.Parallel()
	p := openPool(t, filepath.Join(t.TempDir(), "pool"), map[string]string{"reflink": "always"})
	if reflinks(t, p) {
		t.Skip("this filesystem reflinks; TestXFSWithoutReflink covers the refusal")
	}
	mustCreate(t, p, "v1", 1)
	_, err := p.CreateSnapshot(t.Context(), drivers.CreateSnapshotRequest{ID: "s1", VolumeID: "v1"})
	wantDriverError(t, err, drivers.Failed, "create snapshot s1", "reflink (FICLONE) is not supported", `reflink = "always"`)
	snaps, _ := p.ListSnapshots(t.Context())
	if len(snaps) != 0 {
		t.Errorf("a refused snapshot was listed: %+v", snaps)
	}
}
