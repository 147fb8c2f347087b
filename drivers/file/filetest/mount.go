//go:build linux

package filetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// MinXFSSize is the smallest image mkfs.xfs accepts (300 MiB), rounded up.
const MinXFSSize = 512 << 20

// MountXFS creates a size-byte sparse image in tb.TempDir(), formats it
// as XFS (with reflink=1 when reflink is set), loop-mounts it and returns
// the mount point, which is unmounted in tb.Cleanup.
//
// Not root: the test is skipped, since only root can mount. Root without
// mkfs.xfs or a working loop mount: the test fails, so that a CI machine
// that should cover reflink cannot silently skip it.
func MountXFS(tb testing.TB, size int64, reflink bool) string {
	tb.Helper()
	return MountImage(tb, max(size, MinXFSSize), "mkfs.xfs",
		"install xfsprogs (`make deps`, or apt-get install -y xfsprogs)",
		"-q", "-m", "reflink="+strconv.Itoa(b2i(reflink)))
}

// MountExt2 mounts a fresh ext2 image: a filesystem without fallocate
// (ext2 files have no extents) and without reflink.
func MountExt2(tb testing.TB, size int64) string {
	tb.Helper()
	return MountImage(tb, size, "mkfs.ext2", "install e2fsprogs", "-q", "-F")
}

// MountImage formats a size-byte image in tb.TempDir() with the mkfs tool
// (args come before the image path), loop-mounts it and returns the mount
// point, unmounted in tb.Cleanup. hint says how to install the tool. Skips
// when not root; fails when root and something is missing.
func MountImage(tb testing.TB, size int64, mkfs, hint string, args ...string) string {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skipf("loop-mounting a %s image needs root; run the tests as root to cover it", mkfs)
	}
	mkfsPath := lookSbin(tb, mkfs, hint)
	mount := lookSbin(tb, "mount", "install mount (util-linux)")
	umount := lookSbin(tb, "umount", "install mount (util-linux)")

	dir := tb.TempDir()
	img := filepath.Join(dir, "fs.img")
	mnt := filepath.Join(dir, "mnt")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		tb.Fatal(err)
	}
	f, err := os.Create(img)
	if err != nil {
		tb.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		tb.Fatal(err)
	}
	f.Close()
	run(tb, mkfsPath, append(args, img)...)
	// "-o loop" lets mount pick a free loop device and auto-detach it on
	// unmount, so no loop device outlives the test.
	run(tb, mount, "-o", "loop", img, mnt)
	tb.Cleanup(func() {
		var out []byte
		var err error
		// A file still open by a just-finished goroutine can make the
		// filesystem busy for a moment.
		for range 20 {
			if out, err = exec.Command(umount, mnt).CombinedOutput(); err == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		tb.Errorf("umount %s: %v: %s (trying lazy unmount)", mnt, err, out)
		_ = exec.Command(umount, "-l", mnt).Run()
	})
	return mnt
}

// lookSbin finds a system tool, also in sbin directories that a non-login
// PATH may lack.
func lookSbin(tb testing.TB, name, hint string) string {
	tb.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"} {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	tb.Fatalf("%s not found: %s", name, hint)
	return ""
}

func run(tb testing.TB, name string, args ...string) {
	tb.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ReadOnlyBind bind-mounts dir onto itself read-only, so that writes under
// it fail with EROFS even for root, until tb.Cleanup unmounts it. Not
// root: the test is skipped.
func ReadOnlyBind(tb testing.TB, dir string) {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("a read-only bind mount needs root")
	}
	mount := lookSbin(tb, "mount", "install mount (util-linux)")
	umount := lookSbin(tb, "umount", "install mount (util-linux)")
	run(tb, mount, "--bind", dir, dir)
	tb.Cleanup(func() {
		if out, err := exec.Command(umount, dir).CombinedOutput(); err != nil {
			tb.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	run(tb, mount, "-o", "remount,ro,bind", dir)
}
