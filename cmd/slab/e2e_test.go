package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// quickstart copies examples/quickstart into a fresh directory.
func quickstart(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	copyDir(t, filepath.Join("..", "..", "examples", "quickstart"), dir)
	return dir
}

func TestQuickstartLifecycleThroughTheBinary(t *testing.T) {
	dir := quickstart(t)
	cfg := filepath.Join(dir, "main.hcl")

	// The first apply creates everything and prints the outputs.
	r := mustSlab(t, dir, 0, "apply", "-auto-approve")
	for _, want := range []string{"Plan: 6 to add, 0 to change, 0 to destroy.", "Apply complete! Resources: 6 added, 0 changed, 0 destroyed.", "db_copy_pool = \"local#default\""} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("apply output lacks %q:\n%s", want, r)
		}
	}
	rec, _ := readState(t, dir, "quickstart")
	if len(rec.Volumes) != 3 || len(rec.Snapshots) != 1 || len(rec.VolumeTypes) != 1 || len(rec.QoS) != 1 {
		t.Fatalf("recorded %d volumes, %d snapshots, %d types, %d qos; want 3, 1, 1, 1", len(rec.Volumes), len(rec.Snapshots), len(rec.VolumeTypes), len(rec.QoS))
	}
	web := volumeAt(t, rec, `volume.app["web"]`)
	copyVol := volumeAt(t, rec, "volume.db-copy")
	if got := fileSize(t, web.ProviderLocation); got != 2*gib {
		t.Errorf("web volume file is %d bytes, want 2 GiB", got)
	}
	if got := fileSize(t, copyVol.ProviderLocation); got != 3*gib {
		t.Errorf("db-copy volume file is %d bytes, want 3 GiB (made from a 2 GiB snapshot, then extended)", got)
	}
	if !strings.HasPrefix(web.ProviderLocation, filepath.Join(dir, "pools", "default")+string(filepath.Separator)) {
		t.Errorf("volume file %s is outside the pool directory", web.ProviderLocation)
	}
	if fi, err := os.Stat(filepath.Join(dir, DefaultStatePath)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode = %v (err %v), want 0600", fi.Mode().Perm(), err)
	}

	// A second plan finds nothing to do, after refreshing from the pool.
	r = mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
	if !strings.Contains(r.stdout, "No changes.") {
		t.Fatalf("re-plan is not empty:\n%s", r)
	}

	// Growing a volume is an in-place extend.
	editFile(t, cfg, "size        = 2", "size        = 4")
	r = mustSlab(t, dir, 2, "plan", "-detailed-exitcode")
	for _, want := range []string{`# volume.app["db"] will be updated in-place`, "~ size", "2 -> 4", "Plan: 0 to add, 2 to change, 0 to destroy."} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("extend plan lacks %q:\n%s", want, r)
		}
	}
	mustSlab(t, dir, 0, "apply", "--auto-approve")
	if got := fileSize(t, web.ProviderLocation); got != 4*gib {
		t.Errorf("after extend the web volume file is %d bytes, want 4 GiB", got)
	}

	// Shrinking is refused with a diagnostic that points at the size.
	before, hist := readState(t, dir, "quickstart")
	editFile(t, cfg, "size        = 4", "size        = 1")
	r = mustSlab(t, dir, 1, "apply", "-auto-approve")
	if !strings.Contains(r.stderr, "main.hcl:45:17: Volume size cannot shrink") || !strings.Contains(r.stderr, "-replace") {
		t.Fatalf("shrink was not refused with a located diagnostic and a hint:\n%s", r)
	}
	after, hist2 := readState(t, dir, "quickstart")
	if after.Stack.Serial != before.Stack.Serial || len(hist2) != len(hist) {
		t.Errorf("a refused plan changed the state: serial %d → %d", before.Stack.Serial, after.Stack.Serial)
	}
	if got := fileSize(t, web.ProviderLocation); got != 4*gib {
		t.Errorf("a refused shrink changed the file to %d bytes", got)
	}
	editFile(t, cfg, "size        = 1", "size        = 4")

	// Removing a volume from the configuration destroys it and its file.
	editFile(t, cfg, `default     = ["web", "db"]`, `default     = ["db"]`)
	r = mustSlab(t, dir, 0, "plan")
	for _, want := range []string{`# volume.app["web"] will be destroyed (destroys data)`, `  - volume "app" {`, "Plan: 0 to add, 0 to change, 1 to destroy.",
		`Warning: this plan destroys the data of 1 object: volume.app["web"]`} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("removal plan lacks %q:\n%s", want, r)
		}
	}
	// Unattended, destroying data needs consent; refused, it touches nothing.
	r = mustSlab(t, dir, 1, "apply", "-auto-approve")
	if !strings.Contains(r.stderr, "This plan destroys data") || !strings.Contains(r.stderr, "-allow-data-loss") {
		t.Fatalf("the unattended data-destroying apply was not refused clearly:\n%s", r)
	}
	if got := fileSize(t, web.ProviderLocation); got == -1 {
		t.Fatal("the refused apply deleted the volume's file")
	}
	mustSlab(t, dir, 0, "apply", "-auto-approve", "-allow-data-loss")
	if got := fileSize(t, web.ProviderLocation); got != -1 {
		t.Errorf("the removed volume's file still exists (%d bytes)", got)
	}

	// Destroy leaves nothing recorded and no volume or snapshot files.
	r = mustSlab(t, dir, 0, "destroy", "-auto-approve")
	if !strings.Contains(r.stdout, "Destroy complete! Resources: 5 destroyed.") {
		t.Fatalf("destroy output:\n%s", r)
	}
	rec, _ = readState(t, dir, "quickstart")
	if n := len(rec.Volumes) + len(rec.Snapshots) + len(rec.VolumeTypes) + len(rec.QoS); n != 0 {
		t.Errorf("%d objects still recorded after destroy", n)
	}
	var left []string
	filepath.Walk(filepath.Join(dir, "pools"), func(path string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			left = append(left, path)
		}
		return nil
	})
	if len(left) != 0 {
		t.Errorf("files left in the pool after destroy: %v", left)
	}
}

func TestApplyAsksForConfirmation(t *testing.T) {
	dir := quickstart(t)
	r := slabWithInput(t, dir, "no\n", "apply")
	if r.code != 1 || !strings.Contains(r.stderr, "Apply cancelled.") {
		t.Fatalf("answering no did not cancel:\n%s", r)
	}
	if rec, _ := readState(t, dir, "quickstart"); len(rec.Volumes) != 0 {
		t.Fatalf("a cancelled apply created %d volumes", len(rec.Volumes))
	}
	r = slabWithInput(t, dir, "yes\n", "apply")
	if r.code != 0 || !strings.Contains(r.stdout, "Only 'yes' will be accepted") {
		t.Fatalf("answering yes did not apply:\n%s", r)
	}
}

func TestSavedPlanIsRefusedWhenStale(t *testing.T) {
	dir := quickstart(t)
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	editFile(t, filepath.Join(dir, "main.hcl"), "size   = 3", "size   = 5")
	r := mustSlab(t, dir, 2, "plan", "-out", "grow.plan", "-detailed-exitcode")
	if !strings.Contains(r.stdout, "slab apply grow.plan") {
		t.Fatalf("plan -out does not say how to apply it:\n%s", r)
	}

	// Something else is applied first: the saved plan is now stale.
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	r = mustSlab(t, dir, 1, "apply", "grow.plan")
	if !strings.Contains(r.stderr, "Saved plan is stale") || !strings.Contains(r.stderr, "serial") {
		t.Fatalf("stale plan not refused by serial:\n%s", r)
	}

	// A fresh saved plan applies without a prompt.
	editFile(t, filepath.Join(dir, "main.hcl"), "size   = 5", "size   = 6")
	mustSlab(t, dir, 0, "plan", "-out", "grow.plan")
	r = mustSlab(t, dir, 0, "apply", "grow.plan")
	if strings.Contains(r.stdout, "Enter a value") {
		t.Errorf("applying a saved plan prompted:\n%s", r)
	}
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")

	// A new stack lineage (the store was replaced) also makes it stale.
	editFile(t, filepath.Join(dir, "main.hcl"), "size   = 6", "size   = 7")
	mustSlab(t, dir, 0, "plan", "-out", "grow.plan")
	if err := os.RemoveAll(filepath.Join(dir, ".slab")); err != nil {
		t.Fatal(err)
	}
	r = mustSlab(t, dir, 1, "apply", "grow.plan")
	if !strings.Contains(r.stderr, "Saved plan is stale") || !strings.Contains(r.stderr, "lineage") {
		t.Fatalf("stale plan not refused by lineage:\n%s", r)
	}
}

func TestGarbagePlanFileIsAClearError(t *testing.T) {
	dir := quickstart(t)
	writeFile(t, dir, "junk.plan", "this is not a plan")
	r := mustSlab(t, dir, 1, "apply", "junk.plan")
	if !strings.Contains(r.stderr, "is not a saved slab plan") {
		t.Fatalf("garbage plan file:\n%s", r)
	}
	writeFile(t, dir, "broken.plan", "slab-plan\n{\"format_version\": 1, \"changes\": [")
	r = mustSlab(t, dir, 1, "show", "broken.plan")
	if !strings.Contains(r.stderr, "damaged slab plan") {
		t.Fatalf("damaged plan file:\n%s", r)
	}
}

func TestSavedPlanAppliesOnlyToTheStoreItWasMadeAgainst(t *testing.T) {
	dir := quickstart(t)
	mustSlab(t, dir, 0, "plan", "-out", "p.plan")
	r := mustSlab(t, dir, 1, "apply", "-state", "other.db", "p.plan")
	if !strings.Contains(r.stderr, "Saved plan is for another state store") {
		t.Fatalf("plan applied to another store:\n%s", r)
	}
	mustSlab(t, dir, 0, "apply", "p.plan")
}
