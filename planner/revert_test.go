//go:build linux

package planner

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestRevertToTheLatestSnapshot(t *testing.T) {
	const base = `
backend "b" {
  driver = "file"
  pool "p" { path = "pool" }
}
snapshot "s" { volume = volume.v }
`
	f := newFixture(t, base+`volume "v" { size = 1 }`)
	f.apply(f.mustPlan(Options{}))
	path := f.volumeAt("volume.v").ProviderLocation
	scribble(t, path, 0) // after the snapshot
	snapData, err := os.ReadFile(f.read().Snapshots[0].ProviderLocation)
	if err != nil {
		t.Fatal(err)
	}

	f.write(base + `volume "v" {
  size      = 1
  revert_to = snapshot.s
}`)
	p := f.mustPlan(Options{})
	c := p.Change("volume.v")
	if c == nil || c.Action != Update || !strings.Contains(c.Detail, "reverts to snapshot.s") || !c.DestroysData {
		t.Fatalf("volume.v change = %+v, want an update that reverts", c)
	}
	f.apply(p)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, snapData) {
		t.Error("the volume does not read as its snapshot after the revert")
	}
	if v := f.volumeAt("volume.v"); v.Status != "available" || v.RevertedTo != f.read().Snapshots[0].ID {
		t.Errorf("volume is %s, reverted to %q", v.Status, v.RevertedTo)
	}
	// Reverting happens once: the next plan changes nothing.
	if c := f.mustPlan(Options{}).Change("volume.v"); c == nil || c.Action != NoOp {
		t.Errorf("second plan: %+v, want no-op", c)
	}
}

func TestRevertIsRefusedAtPlanTime(t *testing.T) {
	const pool = `
backend "b" {
  driver = "file"
  pool "p" { path = "pool" }
}
`
	for _, tc := range []struct {
		name, first, second, want string
	}{
		{"while a newer snapshot is taken in the same plan",
			`volume "v" { size = 1 }
snapshot "old" { volume = volume.v }`,
			`volume "v" {
  size      = 1
  revert_to = snapshot.old
}
snapshot "old" { volume = volume.v }
snapshot "new" { volume = volume.v }`, "snapshot.new is taken in the same plan"},
		{"when the volume grows in the same plan",
			`volume "v" { size = 1 }
snapshot "s" { volume = volume.v }`,
			`volume "v" {
  size      = 2
  revert_to = snapshot.s
}
snapshot "s" { volume = volume.v }`, "needs equal sizes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, pool+tc.first)
			f.apply(f.mustPlan(Options{}))
			f.write(pool + tc.second)
			_, diags := f.plan(Options{})
			if !diags.HasErrors() || !strings.Contains(diags.Error(), tc.want) || diags[0].Subject == nil {
				t.Errorf("diags = %v, want an error at revert_to saying %q", diags, tc.want)
			}
		})
	}
	t.Run("to an older snapshot once a newer one exists", func(t *testing.T) {
		f := newFixture(t, pool+`volume "v" { size = 1 }
snapshot "old" { volume = volume.v }`)
		f.apply(f.mustPlan(Options{}))
		f.write(pool + `volume "v" { size = 1 }
snapshot "old" { volume = volume.v }
snapshot "new" {
  volume     = volume.v
  depends_on = [snapshot.old]
}`)
		f.apply(f.mustPlan(Options{}))
		f.write(pool + `volume "v" {
  size      = 1
  revert_to = snapshot.old
}
snapshot "old" { volume = volume.v }
snapshot "new" { volume = volume.v }`)
		_, diags := f.plan(Options{})
		if !diags.HasErrors() || !strings.Contains(diags.Error(), "latest snapshot, snapshot.new") {
			t.Errorf("diags = %v, want a refusal naming snapshot.new", diags)
		}
	})
}
