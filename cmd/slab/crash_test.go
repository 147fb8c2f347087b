package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestKillingAnApplyLosesNoRecordOfWhatItCreated(t *testing.T) {
	forEachStore(t, func(t *testing.T, loc string) {
		const n = 400
		dir := t.TempDir()
		writeFile(t, dir, "main.hcl", volumesConfig("", n, true))
		env := stateEnv(loc)

		p := startSlab(t, dir, env, "apply", "-auto-approve", "-parallelism", "4").start(t)
		// Kill it once it has made some volumes, well before it is done.
		deadline := time.Now().Add(60 * time.Second)
		for len(volumeFiles(t, dir)) < 40 && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
		}
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_ = p.cmd.Wait()

		// Every volume file on the pool is named by a recorded row.
		rec, _ := readStateAt(t, loc, "default")
		if len(rec.Snapshots) == n {
			t.Fatalf("the apply finished before it was killed; the test proves nothing")
		}
		recorded := map[string]bool{}
		for _, v := range rec.Volumes {
			recorded["volume-"+v.ID] = true
		}
		entries, err := os.ReadDir(filepath.Join(dir, "pool", "volumes"))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "volume-") && !recorded[e.Name()] {
				t.Errorf("%s exists on the pool but no row records it", e.Name())
			}
		}

		// The killed process left its lock; the next apply names it, and
		// breaking it, as an operator would, lets the apply converge.
		r := mustSlabEnv(t, dir, env, 1, "apply", "-auto-approve")
		id := regexp.MustCompile(`slab force-unlock (\S+)`).FindStringSubmatch(r.stderr)
		if id == nil || !strings.Contains(r.stderr, "Error acquiring the state lock") ||
			!strings.Contains(r.stderr, "lock ID "+id[1]) {
			t.Fatalf("the refusal does not name the lock:\n%s", r)
		}
		mustSlabEnv(t, dir, env, 0, "force-unlock", "-force", id[1])
		mustSlabEnv(t, dir, env, 0, "apply", "-auto-approve")
		mustSlabEnv(t, dir, env, 0, "plan", "-detailed-exitcode")
		rec, _ = readStateAt(t, loc, "default")
		if len(rec.Volumes) != n || len(rec.Snapshots) != n {
			t.Errorf("after the rerun: %d volumes and %d snapshots recorded, want %d each", len(rec.Volumes), len(rec.Snapshots), n)
		}
		// A temp file the killed process was writing may remain: the
		// driver never lists it and reclaims it later.
		if files := volumeFiles(t, dir); len(files) != n {
			t.Errorf("%d volume files on the pool, want %d", len(files), n)
		}
	})
}
