package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestKillingAnApplyLosesNoRecordOfWhatItCreated(t *testing.T) {
	const n = 400
	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString("backend \"b\" {\n  driver = \"file\"\n  pool \"p\" {\n    path = \"pool\"\n    max_over_subscription_ratio = 1000\n  }\n}\n")
	for i := range n {
		fmt.Fprintf(&cfg, "volume \"v%03d\" {\n  size = 1\n}\nsnapshot \"s%03d\" {\n  volume = volume.v%03d\n}\n", i, i, i)
	}
	writeFile(t, dir, "main.hcl", cfg.String())
	volumes := filepath.Join(dir, "pool", "volumes")

	cmd := exec.Command(slabBin, "-chdir="+dir, "apply", "-auto-approve", "-parallelism", "4")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once it has made some volumes, well before it is done.
	deadline := time.Now().Add(60 * time.Second)
	for {
		entries, _ := os.ReadDir(volumes)
		if len(entries) >= 40 || time.Now().After(deadline) {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	// Every volume file on the pool is named by a recorded row.
	rec, _ := readState(t, dir, "default")
	recorded := map[string]bool{}
	for _, v := range rec.Volumes {
		recorded["volume-"+v.ID] = true
	}
	entries, err := os.ReadDir(volumes)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Snapshots) == n {
		t.Fatalf("the apply finished before it was killed; the test proves nothing")
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "volume-") && !recorded[e.Name()] {
			t.Errorf("%s exists on the pool but no row records it", e.Name())
		}
	}

	// The killed process left its lock; break it, as an operator would.
	r := mustSlab(t, dir, 1, "apply", "-auto-approve")
	id := regexp.MustCompile(`slab force-unlock (\S+)`).FindStringSubmatch(r.stderr)
	if id == nil {
		t.Fatalf("no lock ID in:\n%s", r)
	}
	mustSlab(t, dir, 0, "force-unlock", "-force", id[1])
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
	rec, _ = readState(t, dir, "default")
	if len(rec.Volumes) != n || len(rec.Snapshots) != n {
		t.Errorf("after the rerun: %d volumes and %d snapshots recorded, want %d each", len(rec.Volumes), len(rec.Snapshots), n)
	}
	// A temp file the killed process was writing may remain: the driver
	// never lists it and reclaims it later.
	files, _ := filepath.Glob(filepath.Join(volumes, "volume-*"))
	if len(files) != n {
		t.Errorf("%d volume files on the pool, want %d", len(files), n)
	}
}
