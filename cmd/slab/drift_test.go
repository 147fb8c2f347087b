package main

import (
	"os"
	"strings"
	"testing"
)

func TestVolumesDeletedAndResizedByHandShowAsDriftWithTheirFix(t *testing.T) {
	dir, _ := lifecycleDir(t, `
volume "gone" {
  size = 1
}

volume "shrunk" {
  size = 2
}

volume "grown" {
  size = 1
}
`)
	rec, _ := readState(t, dir, "default")
	gone, shrunk, grown := volumeAt(t, rec, "volume.gone"), volumeAt(t, rec, "volume.shrunk"), volumeAt(t, rec, "volume.grown")
	if err := os.Remove(gone.ProviderLocation); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(shrunk.ProviderLocation, gib); err != nil {
		t.Fatal(err)
	}

	r := mustSlab(t, dir, 2, "plan", "-detailed-exitcode")
	wantAll(t, "the drift plan", r.stdout,
		"Objects have changed outside of slab",
		"# volume.gone has been deleted (the volume is no longer on pool local#p)",
		"# volume.shrunk has changed (size 2 → 1 GiB on the backend)",
		"# volume.gone will be created",
		"# volume.shrunk will be updated in-place", "~ size", "1 -> 2",
		"Plan: 1 to add, 1 to change, 0 to destroy.")

	// -refresh=false trusts the record: nothing to do.
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode", "-refresh=false")

	// refresh-only accepts the real world into the record, touching no pool.
	r = mustSlab(t, dir, 2, "plan", "-refresh-only", "-detailed-exitcode")
	wantAll(t, "the refresh-only plan", r.stdout, "This is a refresh-only plan")
	mustSlab(t, dir, 0, "apply", "-refresh-only", "-auto-approve")
	rec, _ = readState(t, dir, "default")
	if v := volumeAt(t, rec, "volume.shrunk"); v.SizeGiB != 1 || fileSize(t, v.ProviderLocation) != gib {
		t.Fatalf("refresh-only recorded %+v (file %d bytes)", v, fileSize(t, v.ProviderLocation))
	}
	for _, v := range rec.Volumes {
		if v.Address == "volume.gone" {
			t.Fatalf("refresh-only kept the deleted volume: %+v", v)
		}
	}

	// Growing by hand cannot be undone without losing data: the plan says
	// so and points at the fixes.
	if err := os.Truncate(grown.ProviderLocation, 3*gib); err != nil {
		t.Fatal(err)
	}
	r = mustSlab(t, dir, 1, "plan")
	wantAll(t, "a volume grown outside of slab", r.stderr, "Volume size cannot shrink", "volume.grown is 3 GiB and the configuration asks for 1 GiB",
		"It was resized outside of slab (size 1 → 3 GiB on the backend); set size = 3 to accept that.")

	// Converging: the plan's fixes are applied.
	mustSlab(t, dir, 0, "apply", "-refresh-only", "-auto-approve")
	editFile(t, dir+"/main.hcl", `volume "grown" {
  size = 1`, `volume "grown" {
  size = 3`)
	r = mustSlab(t, dir, 0, "apply", "-auto-approve")
	if !strings.Contains(r.stdout, "Resources: 1 added, 1 changed, 0 destroyed.") {
		t.Fatalf("converging apply:\n%s", r)
	}
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
}
