package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slab-storage/slab/state/sqlite"
)

func TestALockedStackRefusesWritersUntilUnlocked(t *testing.T) {
	dir := quickstart(t)
	mustSlab(t, dir, 0, "init")
	store, err := sqlite.Open(filepath.Join(dir, DefaultStatePath))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	held, err := store.Lock(ctx, "quickstart", "a crashed apply", "apply", 0)
	if err != nil {
		t.Fatal(err)
	}

	r := mustSlab(t, dir, 1, "apply", "-auto-approve")
	for _, want := range []string{"Error acquiring the state lock", "a crashed apply", "slab force-unlock " + held.ID} {
		if !strings.Contains(r.stderr, want) {
			t.Fatalf("lock refusal lacks %q:\n%s", want, r)
		}
	}
	if rec, _ := readState(t, dir, "quickstart"); len(rec.Volumes) != 0 {
		t.Fatal("a refused apply created volumes")
	}

	// -lock-timeout waits for a holder that lets go.
	go func() {
		time.Sleep(300 * time.Millisecond)
		store.Unlock(ctx, "quickstart", held.ID)
	}()
	mustSlab(t, dir, 0, "plan", "-lock-timeout", "10s")

	// force-unlock breaks a lock nobody will release.
	stuck, err := store.Lock(ctx, "quickstart", "another crash", "apply", 0)
	if err != nil {
		t.Fatal(err)
	}
	mustSlab(t, dir, 1, "plan")
	r = mustSlab(t, dir, 0, "force-unlock", "-force", stuck.ID)
	if !strings.Contains(r.stdout, "successfully unlocked") {
		t.Fatal(r)
	}
	mustSlab(t, dir, 0, "apply", "-auto-approve")
}

func TestAReaderThatGoesAwayLeavesNoLockBehind(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", volumesConfig("", 600, false))
	// head exits after one byte; the plan (far more than a pipe buffer)
	// keeps being written into a closed pipe.
	out, err := exec.Command("sh", "-c", slabBin+" -chdir="+dir+" plan | head -c 1").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	mustSlab(t, dir, 0, "apply", "-auto-approve")
}
