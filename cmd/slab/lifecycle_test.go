package main

import (
	"strings"
	"testing"
)

// onePool is a file pool in the test directory, for the lifecycle tests.
const onePool = `
backend "local" {
  driver            = "file"
  availability_zone = "az1"
  pool "p" {
    path = "pools/p"
  }
}
`

// lifecycleDir writes onePool plus body and applies it.
func lifecycleDir(t *testing.T, body string) (dir, cfg string) {
	t.Helper()
	dir = t.TempDir()
	writeFile(t, dir, "main.hcl", onePool+body)
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	return dir, dir + "/main.hcl"
}

func wantAll(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Fatalf("%s lacks %q:\n%s", what, w, out)
		}
	}
}

func TestPreventDestroyFailsAnyPlanThatWouldDestroyOrReplaceTheObject(t *testing.T) {
	dir, cfg := lifecycleDir(t, `
volume "precious" {
  size              = 1
  availability_zone = "az1"
  lifecycle {
    prevent_destroy = true
  }
}
`)
	rec, _ := readState(t, dir, "default")
	id := volumeAt(t, rec, "volume.precious").ID

	r := mustSlab(t, dir, 1, "plan", "-replace", "volume.precious")
	wantAll(t, "-replace of a protected volume", r.stderr, "Instance cannot be destroyed", "volume.precious", "prevent_destroy", "main.hcl:")

	editFile(t, cfg, `availability_zone = "az1"
  lifecycle`, `availability_zone = "az2"
  lifecycle`)
	r = mustSlab(t, dir, 1, "apply", "-auto-approve", "-allow-data-loss")
	wantAll(t, "a zone change of a protected volume", r.stderr, "Instance cannot be destroyed", "availability_zone cannot change in place")

	r = mustSlab(t, dir, 1, "destroy", "-auto-approve")
	wantAll(t, "destroy of a protected volume", r.stderr, "Instance cannot be destroyed", "volume.precious")
	rec, _ = readState(t, dir, "default")
	if v := volumeAt(t, rec, "volume.precious"); v.ID != id || fileSize(t, v.ProviderLocation) == -1 {
		t.Fatalf("the protected volume was touched: %+v", v)
	}
}

func TestIgnoreChangesLeavesTheNamedAttributesAsRecorded(t *testing.T) {
	dir, cfg := lifecycleDir(t, `
volume "v" {
  size     = 1
  metadata = { owner = "a" }
  lifecycle {
    ignore_changes = [metadata]
  }
}

volume "w" {
  size        = 1
  description = "first"
  lifecycle {
    ignore_changes = all
  }
}
`)
	editFile(t, cfg, `owner = "a"`, `owner = "b"`)
	editFile(t, cfg, `"first"`, `"second"`)
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")

	// Attributes not ignored still change.
	editFile(t, cfg, `size     = 1`, `size     = 2`)
	r := mustSlab(t, dir, 2, "plan", "-detailed-exitcode")
	wantAll(t, "a grown volume with ignored metadata", r.stdout, "# volume.v will be updated in-place", "~ size", "Plan: 0 to add, 1 to change, 0 to destroy.")
	if strings.Contains(r.stdout, `"b"`) {
		t.Fatalf("the ignored metadata shows in the plan:\n%s", r)
	}
}

func TestCreateBeforeDestroyMakesTheReplacementFirst(t *testing.T) {
	dir, _ := lifecycleDir(t, `
volume "v" {
  size = 1
  lifecycle {
    create_before_destroy = true
  }
}
`)
	rec, _ := readState(t, dir, "default")
	old := volumeAt(t, rec, "volume.v")

	r := mustSlab(t, dir, 0, "plan", "-replace", "volume.v")
	wantAll(t, "a create-before-destroy replacement", r.stdout, "# volume.v will be replaced, as requested (destroys data)", `+/- volume "v" {`, "Plan: 1 to add, 0 to change, 1 to destroy.")
	r = mustSlab(t, dir, 0, "apply", "-auto-approve", "-allow-data-loss", "-replace", "volume.v")
	created := strings.Index(r.stdout, "volume.v: Creation complete")
	destroyed := strings.Index(r.stdout, "volume.v: Destruction complete")
	if created < 0 || destroyed < 0 || created > destroyed {
		t.Fatalf("the replacement was not created before the old volume was destroyed:\n%s", r)
	}
	rec, _ = readState(t, dir, "default")
	if v := volumeAt(t, rec, "volume.v"); v.ID == old.ID || fileSize(t, old.ProviderLocation) != -1 || fileSize(t, v.ProviderLocation) == -1 {
		t.Fatalf("after the replacement: old %s (file %d), new %+v", old.ID, fileSize(t, old.ProviderLocation), v)
	}
}

func TestReplaceTriggeredByReplacesWhenTheWatchedObjectOrAttributeChanges(t *testing.T) {
	dir, cfg := lifecycleDir(t, `
volume "primary" {
  size        = 1
  description = "one"
}

volume "follower" {
  size = 1
  lifecycle {
    replace_triggered_by = [volume.primary.size]
  }
}

volume "watcher" {
  size = 1
  lifecycle {
    replace_triggered_by = [volume.primary]
  }
}
`)
	// Any update of volume.primary replaces the watcher; only a size change
	// replaces the follower.
	editFile(t, cfg, `"one"`, `"two"`)
	r := mustSlab(t, dir, 2, "plan", "-detailed-exitcode")
	wantAll(t, "a description change", r.stdout, "# volume.watcher will be replaced due to changes in replace_triggered_by", "volume.primary is updated", "Plan: 1 to add, 1 to change, 1 to destroy.")
	if strings.Contains(r.stdout, "volume.follower will") {
		t.Fatalf("a description change replaced the size follower:\n%s", r)
	}
	mustSlab(t, dir, 0, "apply", "-auto-approve", "-allow-data-loss")

	editFile(t, cfg, "size        = 1", "size        = 2")
	r = mustSlab(t, dir, 0, "plan", "-json")
	wantAll(t, "a size change", r.stdout, `"address": "volume.follower"`, `"action_reason": "replace_by_triggers"`, "replace_triggered_by: volume.primary.size changes")
	mustSlab(t, dir, 0, "apply", "-auto-approve", "-allow-data-loss")
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
}

func TestReplaceTriggeredByRejectsWhatItCannotWatch(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", onePool+`
volume "a" {
  size = 1
}

volume "b" {
  size = 1
  lifecycle {
    replace_triggered_by = [volume.a.colour]
  }
}
`)
	r := mustSlab(t, dir, 1, "validate")
	wantAll(t, "an unknown watched attribute", r.stderr, "main.hcl:17:29", "Invalid replace_triggered_by attribute", `"colour"`)
}

func TestTargetPlansOnlyTheTargetAndWhatItNeeds(t *testing.T) {
	dir, cfg := lifecycleDir(t, `
volume "existing" {
  size = 1
}
`)
	editFile(t, cfg, `volume "existing" {
  size = 1
}`, `volume "existing" {
  size = 2
}

volume_type "fast" {
  extra_specs = { "capabilities:disk" = "ssd" }
}

volume "wanted" {
  size = 1
}

volume "later" {
  size = 1
  type = volume_type.fast
}

volume "needs-type" {
  size = 1
  type = volume_type.standard
}

volume_type "standard" {
}
`)
	r := mustSlab(t, dir, 0, "plan", "-target", "volume.needs-type", "-target", "volume.wanted")
	wantAll(t, "a targeted plan", r.stdout, "# volume.needs-type will be created", "# volume.wanted will be created",
		"# volume_type.standard will be created", "Plan: 3 to add, 0 to change, 0 to destroy.")
	wantAll(t, "a targeted plan's warnings", r.stderr, "Resource targeting is in effect")
	for _, not := range []string{"volume.later", "volume_type.fast", "volume.existing"} {
		if strings.Contains(r.stdout, not) {
			t.Fatalf("the targeted plan includes %s:\n%s", not, r)
		}
	}
	mustSlab(t, dir, 0, "apply", "-auto-approve", "-target", "volume.wanted", "-target", "volume.needs-type")
	rec, _ := readState(t, dir, "default")
	if len(rec.Volumes) != 3 || len(rec.VolumeTypes) != 1 {
		t.Fatalf("after the targeted apply: %d volumes, %d types; want 3 and 1", len(rec.Volumes), len(rec.VolumeTypes))
	}
	r = mustSlab(t, dir, 1, "plan", "-target", "volume.nope")
	wantAll(t, "an unknown target", r.stderr, "Nothing to target at volume.nope")

	// The untargeted rest includes a volume no pool can take, which the
	// targeted plans never tried to place.
	r = mustSlab(t, dir, 1, "plan")
	wantAll(t, "the untargeted rest", r.stderr, "No valid pool for volume.later")
	editFile(t, cfg, "type = volume_type.fast\n", "")
	r = mustSlab(t, dir, 2, "plan", "-detailed-exitcode")
	wantAll(t, "the untargeted rest", r.stdout, "# volume.existing will be updated in-place", "# volume.later will be created", "Plan: 2 to add, 1 to change, 0 to destroy.")
}
