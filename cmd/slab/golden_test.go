package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlanOutputMatchesGoldenFiles(t *testing.T) {
	dir := quickstart(t)
	create := mustSlab(t, dir, 0, "plan")
	golden(t, "quickstart-create.txt", create.stdout, dir)
	createJSON := mustSlab(t, dir, 0, "plan", "-json")
	golden(t, "quickstart-create.json", createJSON.stdout, dir)

	mustSlab(t, dir, 0, "apply", "-auto-approve")
	cfg := filepath.Join(dir, "main.hcl")
	editFile(t, cfg, "size        = 2", "size        = 3")                          // extend in place
	editFile(t, cfg, `  size   = 3`, "  size   = 3\n  availability_zone = \"az2\"") // forces replacement (no pool in az2)
	r := mustSlab(t, dir, 1, "plan")
	if !strings.Contains(r.stderr, "No valid pool for volume.db-copy") || !strings.Contains(r.stderr, "local#default: AvailabilityZoneFilter") {
		t.Fatalf("placement failure does not explain each pool:\n%s", r)
	}
	editFile(t, cfg, "  availability_zone = \"az2\"", "  availability_zone = \"az1\"\n  description = \"copy\"")
	editFile(t, cfg, `default     = ["web", "db"]`, `default     = ["db"]`)
	update := mustSlab(t, dir, 0, "plan", "-replace", `volume.app["db"]`)
	golden(t, "quickstart-update.txt", update.stdout, dir)
	updateJSON := mustSlab(t, dir, 0, "plan", "-json", "-replace", `volume.app["db"]`)
	golden(t, "quickstart-update.json", updateJSON.stdout, dir)

	var doc struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions []string `json:"actions"`
			} `json:"change"`
			ActionReason string `json:"action_reason"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(updateJSON.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	actions := map[string]string{}
	for _, c := range doc.ResourceChanges {
		actions[c.Address] = strings.Join(c.Change.Actions, ",") + " " + c.ActionReason
	}
	// Applying it converges: the copy made from the replaced snapshot keeps
	// its data and is not replaced on the next plan.
	mustSlab(t, dir, 0, "apply", "-auto-approve", "-allow-data-loss", "-replace", `volume.app["db"]`)
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")

	for addr, want := range map[string]string{
		`volume.app["db"]`:    "delete,create replace_by_request",
		`volume.app["web"]`:   "delete delete_because_each_key",
		"volume.db-copy":      "update ",
		"snapshot.db-initial": "delete,create replace_because_dependency_replaced",
	} {
		if actions[addr] != want {
			t.Errorf("%s: actions %q, want %q", addr, actions[addr], want)
		}
	}
}

func TestShowAndStateCommandsReadTheRecord(t *testing.T) {
	dir := quickstart(t)
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	list := mustSlab(t, dir, 0, "state", "list")
	want := "qos.standard\nsnapshot.db-initial\nvolume.app[\"db\"]\nvolume.app[\"web\"]\nvolume.db-copy\nvolume_type.standard\n"
	if list.stdout != want {
		t.Errorf("state list:\n%s\nwant:\n%s", list.stdout, want)
	}
	show := mustSlab(t, dir, 0, "state", "show", `volume.app["db"]`)
	for _, w := range []string{`volume "app" {`, `size              = 2`, `type              = "volume_type.standard"`, `status            = "available"`} {
		if !strings.Contains(show.stdout, w) {
			t.Errorf("state show lacks %q:\n%s", w, show.stdout)
		}
	}
	mustSlab(t, dir, 1, "state", "show", "volume.nope")
	var doc map[string]any
	if err := json.Unmarshal([]byte(mustSlab(t, dir, 0, "show", "-json").stdout), &doc); err != nil {
		t.Fatalf("show -json is not JSON: %v", err)
	}
	if doc["stack"] != "quickstart" {
		t.Errorf("show -json stack = %v", doc["stack"])
	}
	out := mustSlab(t, dir, 0, "output", "db_copy_pool")
	if strings.TrimSpace(out.stdout) != `"local#default"` {
		t.Errorf("output db_copy_pool = %q", out.stdout)
	}
	mustSlab(t, dir, 0, "plan", "-out", "p.plan")
	shown := mustSlab(t, dir, 0, "show", "p.plan")
	if !strings.Contains(shown.stdout, "No changes.") {
		t.Errorf("show of an empty saved plan:\n%s", shown.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "p.plan")); err != nil {
		t.Fatal(err)
	}
}

func TestEveryExampleAppliesAndConverges(t *testing.T) {
	examples, err := filepath.Glob(filepath.Join("..", "..", "examples", "*"))
	if err != nil || len(examples) == 0 {
		t.Fatalf("no examples found (%v)", err)
	}
	for _, ex := range examples {
		if hcl, _ := filepath.Glob(filepath.Join(ex, "*.hcl")); len(hcl) == 0 {
			continue // examples/terraform: applied with OpenTofu by terraform-provider's tests
		}
		t.Run(filepath.Base(ex), func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, ex, dir)
			mustSlab(t, dir, 0, "validate")
			mustSlab(t, dir, 2, "plan", "-detailed-exitcode")
			mustSlab(t, dir, 0, "apply", "-auto-approve")
			mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
			mustSlab(t, dir, 0, "destroy", "-auto-approve")
			mustSlab(t, dir, 0, "plan", "-destroy", "-detailed-exitcode")
		})
	}
}
