package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slab-storage/slab/drivers"
	_ "github.com/slab-storage/slab/drivers/file"
)

const twoPools = `
backend "good" {
  driver            = "file"
  availability_zone = "az1"
  pool "p" {
    path = "pools/good"
  }
}

backend "broken" {
  driver            = "file"
  availability_zone = "az2"
  pool "p" {
    path = "pools/broken"
  }
}

volume "ok" {
  count             = 3
  size              = 1
  availability_zone = "az1"
}

volume "doomed" {
  size              = 1
  availability_zone = "az2"
}

snapshot "of-doomed" {
  volume = volume.doomed
}
`

// readOnly makes dir read-only for everyone, root included: a read-only
// bind mount as root, a plain chmod otherwise. It returns the undo.
func readOnly(t *testing.T, dir string) func() {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		return func() { os.Chmod(dir, 0o755) }
	}
	run := func(args ...string) {
		if out, err := exec.Command("mount", args...).CombinedOutput(); err != nil {
			t.Fatalf("mount %v: %v: %s", args, err, out)
		}
	}
	run("--bind", dir, dir)
	run("-o", "remount,ro,bind", dir)
	undone := false
	undo := func() {
		if !undone {
			undone = true
			if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
				t.Errorf("umount %s: %v: %s", dir, err, out)
			}
		}
	}
	t.Cleanup(undo)
	return undo
}

func TestFailedCreateIsRecordedAndTheRerunConverges(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", twoPools)
	// Lay out the broken pool, then make it read-only: stats and listing
	// still work, creating a volume fails with the OS's message.
	broken := filepath.Join(dir, "pools", "broken")
	pool, err := drivers.Open("file", drivers.PoolConfig{Backend: "broken", Name: "p", Path: broken})
	if err != nil {
		t.Fatal(err)
	}
	pool.Close()
	undo := readOnly(t, broken)

	r := mustSlab(t, dir, 1, "apply", "-auto-approve", "-parallelism", "2")
	if !strings.Contains(r.stderr, "volume.doomed") || !strings.Contains(r.stderr, "read-only file system") && !strings.Contains(r.stderr, "permission denied") {
		t.Fatalf("the failure does not name the volume and the OS error:\n%s", r)
	}
	if !strings.Contains(r.stdout, "snapshot.of-doomed: skipped (volume.doomed failed)") {
		t.Errorf("the dependent snapshot was not skipped:\n%s", r)
	}
	rec, hist := readState(t, dir, "default")
	doomed := volumeAt(t, rec, "volume.doomed")
	if doomed.Status != "error" || !strings.Contains(doomed.StatusReason, "create volume") {
		t.Errorf("doomed volume recorded as %q (%q), want error with the driver's message", doomed.Status, doomed.StatusReason)
	}
	for i := range 3 {
		v := volumeAt(t, rec, "volume.ok["+string(rune('0'+i))+"]")
		if v.Status != "available" || fileSize(t, v.ProviderLocation) != gib {
			t.Errorf("%s: status %s, file size %d; independent work should have finished", v.Address, v.Status, fileSize(t, v.ProviderLocation))
		}
	}
	if len(rec.Snapshots) != 0 {
		t.Errorf("the skipped snapshot was recorded: %+v", rec.Snapshots)
	}
	var errorEvents int
	for _, e := range hist {
		if e.Address == "volume.doomed" && strings.HasPrefix(e.Detail, "error") {
			errorEvents++
		}
	}
	if errorEvents != 1 {
		t.Errorf("history has %d error events for volume.doomed, want 1", errorEvents)
	}

	// Once the pool is writable again, the next apply replaces the failed
	// volume, makes the snapshot, and a plan after that is empty.
	undo()
	r = mustSlab(t, dir, 0, "plan")
	if !strings.Contains(r.stdout, "# volume.doomed is tainted, so must be replaced") {
		t.Fatalf("the failed volume is not planned for replacement:\n%s", r)
	}
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
	rec, _ = readState(t, dir, "default")
	if v := volumeAt(t, rec, "volume.doomed"); v.Status != "available" || len(rec.Snapshots) != 1 || len(rec.Volumes) != 4 {
		t.Errorf("did not converge: doomed %s, %d snapshots, %d volumes", v.Status, len(rec.Snapshots), len(rec.Volumes))
	}
}

func TestVolumeDeletedOutsideSlabIsReportedAsDrift(t *testing.T) {
	dir := quickstart(t)
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	rec, _ := readState(t, dir, "quickstart")
	web := volumeAt(t, rec, `volume.app["web"]`)
	if err := os.Remove(web.ProviderLocation); err != nil {
		t.Fatal(err)
	}
	r := mustSlab(t, dir, 2, "plan", "-detailed-exitcode")
	for _, want := range []string{"Objects have changed outside of slab", `# volume.app["web"] has been deleted`, `# volume.app["web"] will be created`} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("drift plan lacks %q:\n%s", want, r)
		}
	}
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
}

func TestAFailedCreateIsRescheduledToTheNextBestPool(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", `
backend "x" {
  driver            = "file"
  availability_zone = "az1"
  pool "a" {
    path = "pools/a"
  }
}

backend "y" {
  driver            = "file"
  availability_zone = "az2"
  pool "b" {
    path = "pools/b"
  }
}

volume "v" {
  size = 1
}
`)
	// Both pools report the same stats, so the tie goes to x#a by name;
	// x#a cannot be written. The volume names no zone, so it may go to
	// y#b in another zone, and must then record that zone.
	broken := filepath.Join(dir, "pools", "a")
	pool, err := drivers.Open("file", drivers.PoolConfig{Backend: "x", Name: "a", Path: broken})
	if err != nil {
		t.Fatal(err)
	}
	pool.Close()
	readOnly(t, broken)

	r := mustSlab(t, dir, 0, "plan")
	if !strings.Contains(r.stdout, "# placement: x#a") {
		t.Fatalf("expected the plan to pick x#a first:\n%s", r)
	}
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	rec, hist := readState(t, dir, "default")
	if v := volumeAt(t, rec, "volume.v"); v.Pool != "y#b" || v.Status != "available" || v.AvailabilityZone != "az2" {
		t.Fatalf("volume on %s in %s (%s), want rescheduled to y#b in az2 and available", v.Pool, v.AvailabilityZone, v.Status)
	}
	var attempts []string
	for _, e := range hist {
		if e.Address == "volume.v" && (e.Action == "reschedule" || strings.Contains(e.Detail, "attempt")) {
			attempts = append(attempts, e.Detail)
		}
	}
	if len(attempts) != 2 || !strings.Contains(attempts[0], "attempt 1 on x#a failed") || !strings.Contains(attempts[1], "attempt 2 of 3") {
		t.Errorf("history does not record each attempt: %q", attempts)
	}
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
}
