package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/slab-storage/slab/state"
)

func TestStateRmForgetsWithoutTouchingThePool(t *testing.T) {
	dir := quickstart(t)
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	rec, _ := readState(t, dir, "quickstart")
	web := volumeAt(t, rec, `volume.app["web"]`)

	// A volume with a snapshot cannot be forgotten alone.
	r := mustSlab(t, dir, 1, "state", "rm", `volume.app["db"]`)
	if !strings.Contains(r.stderr, "snapshot.db-initial") {
		t.Fatalf("rm of a volume with a snapshot:\n%s", r)
	}
	r = mustSlab(t, dir, 0, "state", "rm", `volume.app["web"]`)
	if !strings.Contains(r.stdout, `Removed volume.app["web"]`) {
		t.Fatal(r)
	}
	if fileSize(t, web.ProviderLocation) != 2*gib {
		t.Error("state rm touched the pool")
	}
	if strings.Contains(mustSlab(t, dir, 0, "state", "list").stdout, `volume.app["web"]`) {
		t.Error("the forgotten volume is still listed")
	}
	// The configuration still declares it, so the next plan makes a new one.
	r = mustSlab(t, dir, 2, "plan", "-detailed-exitcode")
	if !strings.Contains(r.stdout, `# volume.app["web"] will be created`) {
		t.Fatalf("plan after rm:\n%s", r)
	}
	mustSlab(t, dir, 1, "state", "rm", "volume.nope")
}

func TestStateMvRenamesAndTheNextPlanFollowsTheNewAddress(t *testing.T) {
	dir := quickstart(t)
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	cfg := dir + "/main.hcl"
	// Rename the snapshot block in the configuration and in the state.
	raw, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.ReplaceAll(string(raw), "db-initial", "db-first")), 0o644)
	r := mustSlab(t, dir, 0, "state", "mv", "snapshot.db-initial", "snapshot.db-first")
	if !strings.Contains(r.stdout, "Successfully moved 1 object(s)") {
		t.Fatal(r)
	}
	// The volume made from the snapshot follows it: nothing to replace.
	r = mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
	if !strings.Contains(r.stdout, "No changes.") {
		t.Fatalf("plan after mv:\n%s", r)
	}
	mustSlab(t, dir, 1, "state", "mv", "snapshot.db-first", `volume.app["web"]`) // another kind
	mustSlab(t, dir, 1, "state", "mv", `volume.app["db"]`, `volume.app["web"]`)  // taken
}

func TestStateHistoryListsEveryStepWithWho(t *testing.T) {
	dir := quickstart(t)
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	r := mustSlab(t, dir, 0, "state", "history", "-json", "volume.db-copy")
	var events []state.Event
	if err := json.Unmarshal([]byte(r.stdout), &events); err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].Action != "create" || !strings.HasPrefix(events[1].Detail, "available") {
		t.Fatalf("history of volume.db-copy = %+v, want its two create steps", events)
	}
	for _, e := range events {
		if e.Who == "" || e.Serial == 0 {
			t.Errorf("event without who or serial: %+v", e)
		}
	}
	r = mustSlab(t, dir, 0, "state", "history", "-n", "3")
	if lines := strings.Count(strings.TrimSpace(r.stdout), "\n"); lines != 3 {
		t.Errorf("history -n 3 printed %d rows:\n%s", lines, r.stdout)
	}
}
