package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slab-storage/slab/state"
)

// applyTwice starts the same command twice at once and returns both
// results and process IDs.
func applyTwice(t *testing.T, dir string, env []string, args ...string) ([2]result, [2]int) {
	t.Helper()
	a := startSlab(t, dir, env, args...)
	b := startSlab(t, dir, env, args...)
	a.start(t)
	b.start(t)
	return [2]result{a.wait(t), b.wait(t)}, [2]int{a.cmd.Process.Pid, b.cmd.Process.Pid}
}

// checkVolumes fails unless the stack records exactly n volumes and the
// pool holds exactly their files.
func checkVolumes(t *testing.T, dir, loc, stack string, n int) {
	t.Helper()
	rec, _ := readStateAt(t, loc, stack)
	if len(rec.Volumes) != n {
		t.Errorf("stack %s records %d volumes, want %d", stack, len(rec.Volumes), n)
	}
	files := volumeFiles(t, dir)
	if len(files) != n {
		t.Errorf("%d volume files on the pool, want %d", len(files), n)
	}
	for _, v := range rec.Volumes {
		if filepath.Base(v.ProviderLocation) != "volume-"+v.ID {
			t.Errorf("volume %s is at %s", v.Address, v.ProviderLocation)
		}
	}
}

func TestTwoAppliesOfOneStackTakeTurns(t *testing.T) {
	forEachStore(t, func(t *testing.T, loc string) {
		dir := t.TempDir()
		env := stateEnv(loc)
		// Enough volumes that the winner holds the lock for a while
		// (hundreds of milliseconds) after the loser has started.
		writeFile(t, dir, "main.hcl", volumesConfig("race", 200, false))

		// Without waiting, exactly one gets the lock; the other names it.
		rs, pids := applyTwice(t, dir, env, "apply", "-auto-approve", "-lock-timeout", "0")
		if (rs[0].code == 0) == (rs[1].code == 0) {
			t.Fatalf("want exactly one apply to succeed:\n--- first\n%s\n--- second\n%s", rs[0], rs[1])
		}
		loser, winnerPid := rs[0], pids[1]
		if rs[0].code == 0 {
			loser, winnerPid = rs[1], pids[0]
		}
		for _, want := range []string{"Error acquiring the state lock", `stack "race" is locked by`,
			fmt.Sprintf("(pid %d)", winnerPid), `operation "apply"`, "slab force-unlock "} {
			if loser.code != 1 || !strings.Contains(loser.stderr, want) {
				t.Fatalf("the loser does not say %q:\n%s", want, loser)
			}
		}
		checkVolumes(t, dir, loc, "race", 200)

		// Waiting, both succeed one after the other: the second plans
		// under the lock, after the first has recorded everything.
		writeFile(t, dir, "main.hcl", volumesConfig("race", 300, false))
		rs, _ = applyTwice(t, dir, env, "apply", "-auto-approve", "-lock-timeout", "2m")
		for _, r := range rs {
			if r.code != 0 {
				t.Fatalf("an apply with -lock-timeout failed:\n%s", r)
			}
		}
		added := "Apply complete! Resources: 100 added, 0 changed, 0 destroyed."
		noop := "No changes."
		if !(strings.Contains(rs[0].stdout, added) && strings.Contains(rs[1].stdout, noop) ||
			strings.Contains(rs[1].stdout, added) && strings.Contains(rs[0].stdout, noop)) {
			t.Fatalf("want one apply to add 100 volumes and the other to find no changes:\n--- first\n%s\n--- second\n%s", rs[0], rs[1])
		}
		checkVolumes(t, dir, loc, "race", 300)
	})
}

func TestStacksSharingAStoreDoNotBlockEachOther(t *testing.T) {
	forEachStore(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		env := stateEnv(loc)
		dirs := map[string]string{"alpha": t.TempDir(), "beta": t.TempDir()}
		for stack, dir := range dirs {
			writeFile(t, dir, "main.hcl", volumesConfig(stack, 50, false))
		}

		// Another writer holds alpha's lock: beta applies at once, alpha
		// is refused with the holder's name.
		store := openAt(t, loc)
		held, err := store.LockWith(ctx, state.Lock{Stack: "alpha", Who: "the test", Operation: "apply"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		mustSlabEnv(t, dirs["beta"], env, 0, "apply", "-auto-approve", "-lock-timeout", "0")
		r := mustSlabEnv(t, dirs["alpha"], env, 1, "apply", "-auto-approve", "-lock-timeout", "0")
		if !strings.Contains(r.stderr, "Error acquiring the state lock") || !strings.Contains(r.stderr, "the test") {
			t.Fatalf("alpha's refusal does not name the holder:\n%s", r)
		}
		if err := store.Unlock(ctx, "alpha", held.ID); err != nil {
			t.Fatal(err)
		}

		// Both at once, neither waiting: each holds only its own lock.
		for stack, dir := range dirs {
			writeFile(t, dir, "main.hcl", volumesConfig(stack, 150, false))
		}
		a := startSlab(t, dirs["alpha"], env, "apply", "-auto-approve", "-lock-timeout", "0").start(t)
		b := startSlab(t, dirs["beta"], env, "apply", "-auto-approve", "-lock-timeout", "0").start(t)
		for stack, r := range map[string]result{"alpha": a.wait(t), "beta": b.wait(t)} {
			if r.code != 0 {
				t.Errorf("the apply of %s failed:\n%s", stack, r)
			}
		}
		for stack, dir := range dirs {
			checkVolumes(t, dir, loc, stack, 150)
		}
		names, err := store.Stacks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(names) != "[alpha beta]" {
			t.Errorf("stacks = %v, want [alpha beta]", names)
		}
	})
}
