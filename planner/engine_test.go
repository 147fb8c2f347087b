package planner

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// engineFixture: a stack whose configuration made volume.cli, and a front
// end that manages volume.tf in the same stack one object at a time.
func engineFixture(t *testing.T) (*fixture, *PoolSet) {
	t.Helper()
	f := newFixture(t, twoEqualPools+`
backend "z" {
  driver            = "file"
  availability_zone = "az2"
  pool "p" {
    path = "pz"
  }
}
volume "cli" {
  size = 1
}
`)
	f.apply(f.mustPlan(Options{}))
	pools := NewPoolSet(PoolSpecs(f.config()))
	t.Cleanup(func() { pools.Close() })
	return f, pools
}

func makeObject(t *testing.T, f *fixture, pools *PoolSet, addr string, want *Object) (*Plan, string) {
	t.Helper()
	p, diags := MakeObject(context.Background(), f.read(), pools, addr, want, ObjectOptions{Refresh: true})
	if diags.HasErrors() {
		return nil, diags.Error()
	}
	return p, ""
}

func tfVolume(size int64, extra providers.Attrs) *Object {
	a := providers.Attrs{"size": size}
	for k, v := range extra {
		a[k] = v
	}
	return &Object{Kind: "volume", Name: "tf", Attrs: a}
}

func TestMakeObject(t *testing.T) {
	tests := []struct {
		name string
		// setup applies these objects first, in order.
		setup   []*Object
		address string
		want    *Object
		action  Action
		replace []string
		diag    string
	}{
		{name: "a new volume is placed and the stack's other objects are left alone",
			address: "volume.tf", want: tfVolume(1, nil), action: Create},
		{name: "growing is an in-place extend",
			setup: []*Object{tfVolume(1, nil)}, address: "volume.tf", want: tfVolume(2, nil), action: Update},
		{name: "shrinking is refused with the CLI's diagnostic",
			setup: []*Object{tfVolume(2, nil)}, address: "volume.tf", want: tfVolume(1, nil),
			diag: "Volume size cannot shrink; volume.tf is 2 GiB and the configuration asks for 1 GiB"},
		{name: "a new availability zone replaces the volume",
			setup: []*Object{tfVolume(1, nil)}, address: "volume.tf", want: tfVolume(1, providers.Attrs{"availability_zone": "az2"}),
			action: Replace, replace: []string{"availability_zone"}},
		{name: "the same attributes are no change",
			setup: []*Object{tfVolume(1, nil)}, address: "volume.tf", want: tfVolume(1, nil), action: NoOp},
		{name: "no object deletes only the one at the address",
			setup: []*Object{tfVolume(1, nil)}, address: "volume.tf", want: nil, action: Delete},
		{name: "a reference to an unrecorded type is refused",
			address: "volume.tf", want: tfVolume(1, providers.Attrs{"type": "volume_type.gold"}),
			diag: "type of volume.tf names volume_type.gold, which is not recorded"},
		{name: "a size below 1 GiB is refused",
			address: "volume.tf", want: tfVolume(0, nil), diag: "a volume holds at least 1 GiB"},
		{name: "an invalid name is refused",
			address: "volume.Bad", want: &Object{Kind: "volume", Name: "Bad", Attrs: providers.Attrs{"size": int64(1)}}, diag: "Invalid name"},
		{name: "a type the pool cannot take is refused with the filter's reason",
			setup: []*Object{
				{Kind: "volume_type", Name: "nvme", Attrs: providers.Attrs{"extra_specs": map[string]string{"capabilities:disk": "nvme"}}},
			},
			address: "volume.tf", want: tfVolume(1, providers.Attrs{"type": "volume_type.nvme"}),
			diag: "No valid pool for volume.tf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, pools := engineFixture(t)
			for _, o := range tt.setup {
				p, diag := makeObject(t, f, pools, o.Address(), o)
				if diag != "" {
					t.Fatalf("setup: %s", diag)
				}
				f.apply(p)
			}
			p, diag := makeObject(t, f, pools, tt.address, tt.want)
			if tt.diag != "" {
				for _, part := range strings.Split(tt.diag, "; ") {
					if !strings.Contains(diag, part) {
						t.Fatalf("diagnostics %q lack %q", diag, part)
					}
				}
				return
			}
			if diag != "" {
				t.Fatalf("diagnostics: %s", diag)
			}
			if len(p.Changes) != 1 || p.Changes[0].Address != tt.address {
				t.Fatalf("plan changes %v, want only %s", actions(p), tt.address)
			}
			c := p.Changes[0]
			if c.Action != tt.action || !slices.Equal(c.ReplacePaths, tt.replace) {
				t.Fatalf("%s: action %s replace %v, want %s %v", c.Address, c.Action, c.ReplacePaths, tt.action, tt.replace)
			}
			f.apply(p)
			rec := f.read()
			addrs := []string{}
			for _, v := range rec.Volumes {
				addrs = append(addrs, v.Address)
			}
			if !slices.Contains(addrs, "volume.cli") {
				t.Fatalf("volume.cli was touched: recorded volumes %v", addrs)
			}
			if (tt.action == Delete) == slices.Contains(addrs, "volume.tf") {
				t.Fatalf("after %s, recorded volumes are %v", tt.action, addrs)
			}
		})
	}
}

func TestReadObjectReportsAVolumeGoneFromItsPoolAsGone(t *testing.T) {
	f, pools := engineFixture(t)
	rec := f.read()
	v := rec.Volumes[0]
	obj, found, err := ReadObject(context.Background(), rec, pools, state.KindVolume, v.ID)
	if err != nil || !found || obj.(*state.Volume).Status != providers.StatusAvailable {
		t.Fatalf("ReadObject = %v, %v, %v; want the available volume", obj, found, err)
	}
	if err := os.Remove(v.ProviderLocation); err != nil {
		t.Fatal(err)
	}
	if _, found, err := ReadObject(context.Background(), rec, pools, state.KindVolume, v.ID); err != nil || found {
		t.Fatalf("after its file was removed: found %v, err %v", found, err)
	}
	if _, found, _ := ReadObject(context.Background(), rec, pools, state.KindVolume, "no-such-id"); found {
		t.Fatal("an unknown ID was found")
	}
}

func TestChangingASnapshotsDescriptionIsAnInPlaceUpdate(t *testing.T) {
	const base = twoEqualPools + `
volume "v" {
  size = 1
}
snapshot "s" {
  volume      = volume.v
  description = "DESC"
}
`
	f := newFixture(t, strings.ReplaceAll(base, "DESC", "first"))
	f.apply(f.mustPlan(Options{}))
	f.write(strings.ReplaceAll(base, "DESC", "second"))
	p := f.mustPlan(Options{})
	if got := actions(p)["snapshot.s"]; got != Update {
		t.Fatalf("snapshot.s: %s, want update", got)
	}
	f.apply(p)
	if d := f.read().Snapshots[0].Description; d != "second" {
		t.Fatalf("description %q", d)
	}
}
