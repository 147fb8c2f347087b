package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/slab-storage/slab/state"
)

func testRoundTrip(t *testing.T, fresh Fresh) {
	s, _ := fresh(t)
	ctx := context.Background()

	// wantState is State with every slice present: Read never returns nil
	// slices, so JSON shows [] rather than null.
	wantState := func(st state.Stack) *state.State {
		return &state.State{Stack: st, Pools: []*state.Pool{}, QoS: []*state.QoS{},
			VolumeTypes: []*state.VolumeType{}, Volumes: []*state.Volume{}, Snapshots: []*state.Snapshot{},
			Backups: []*state.Backup{}}
	}

	for _, tc := range []struct {
		name string
		put  state.Object
		want func(*state.State, state.Object) // adds the object where Read should show it
	}{
		{"a pool with stats reads back equal", fixturePool(1),
			func(s *state.State, o state.Object) { s.Pools = append(s.Pools, o.(*state.Pool)) }},
		{"a QoS spec reads back equal", fixtureQoS(1),
			func(s *state.State, o state.Object) { s.QoS = append(s.QoS, o.(*state.QoS)) }},
		{"a volume type reads back equal", fixtureVolumeType(1),
			func(s *state.State, o state.Object) { s.VolumeTypes = append(s.VolumeTypes, o.(*state.VolumeType)) }},
		{"a volume with every field set reads back equal", fixtureVolume(1),
			func(s *state.State, o state.Object) { s.Volumes = append(s.Volumes, o.(*state.Volume)) }},
		{"a snapshot reads back equal", fixtureSnapshot(1),
			func(s *state.State, o state.Object) { s.Snapshots = append(s.Snapshots, o.(*state.Snapshot)) }},
		{"an incremental backup reads back equal with its chain and manifest", fixtureBackup(1),
			func(s *state.State, o state.Object) { s.Backups = append(s.Backups, o.(*state.Backup)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stack := "rt-" + string(tc.put.ObjectKind())
			serial := mustApply(t, s, stack, put(tc.put))
			want := wantState(state.Stack{Name: stack, Lineage: mustStack(t, s, stack).Lineage, Serial: serial})
			tc.want(want, tc.put)
			if diff := cmp.Diff(want, mustRead(t, s, stack)); diff != "" {
				t.Errorf("Read after Put (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("times read back in UTC with nanoseconds", func(t *testing.T) {
		v := fixtureVolume(2)
		v.CreatedAt = time.Now() // local zone, monotonic reading
		mustApply(t, s, "rt-times", put(v))
		got := mustRead(t, s, "rt-times").Volumes[0]
		if !got.CreatedAt.Equal(v.CreatedAt) || got.CreatedAt.Location() != time.UTC {
			t.Errorf("CreatedAt = %v (%v), want %v in UTC", got.CreatedAt, got.CreatedAt.Location(), v.CreatedAt)
		}
		if got.UpdatedAt.Nanosecond() != v.UpdatedAt.Nanosecond() {
			t.Errorf("UpdatedAt ns = %d, want %d", got.UpdatedAt.Nanosecond(), v.UpdatedAt.Nanosecond())
		}
	})

	t.Run("zero times and empty strings read back equal", func(t *testing.T) {
		v := &state.Volume{ID: "bare", Metadata: map[string]string{}}
		mustApply(t, s, "rt-zero", put(v))
		if diff := cmp.Diff([]*state.Volume{v}, mustRead(t, s, "rt-zero").Volumes); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("nil maps read back as empty non-nil maps and empty stats as nil", func(t *testing.T) {
		stack := "rt-nil"
		p := fixturePool(3)
		p.Stats = nil
		q := fixtureQoS(3)
		q.Specs = nil
		vt := fixtureVolumeType(3)
		vt.ExtraSpecs = nil
		v := fixtureVolume(3)
		v.Metadata = nil
		sn := fixtureSnapshot(3)
		sn.Metadata = map[string]string{}
		for _, o := range []state.Object{p, q, vt, v, sn} {
			mustApply(t, s, stack, put(o))
		}
		got := mustRead(t, s, stack)
		for name, m := range map[string]map[string]string{
			"qos specs": got.QoS[0].Specs, "extra specs": got.VolumeTypes[0].ExtraSpecs,
			"volume metadata": got.Volumes[0].Metadata, "snapshot metadata": got.Snapshots[0].Metadata,
		} {
			if m == nil || len(m) != 0 {
				t.Errorf("%s = %#v, want an empty non-nil map", name, m)
			}
		}
		if got.Pools[0].Stats != nil {
			t.Errorf("stats = %q, want nil", got.Pools[0].Stats)
		}
		// Everything else equal once the nils are the documented empties.
		q.Specs, vt.ExtraSpecs, v.Metadata = map[string]string{}, map[string]string{}, map[string]string{}
		want := &state.State{Stack: got.Stack, Pools: []*state.Pool{p}, QoS: []*state.QoS{q},
			VolumeTypes: []*state.VolumeType{vt}, Volumes: []*state.Volume{v}, Snapshots: []*state.Snapshot{sn},
			Backups: []*state.Backup{}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("each kind reads back ordered by address then id", func(t *testing.T) {
		stack := "rt-order"
		mk := func(id, addr string) *state.Volume {
			return &state.Volume{ID: id, Address: addr, Metadata: map[string]string{}}
		}
		// Put in an order that is neither sorted nor reverse sorted; two
		// share an address (create_before_destroy keeps both for a while).
		in := []*state.Volume{mk("c", `volume.b`), mk("a", `volume.c`), mk("z", `volume.a`),
			mk("b", `volume.b`), mk("B", `volume.B`)}
		for _, v := range in {
			mustApply(t, s, stack, put(v))
		}
		want := []*state.Volume{in[4], in[2], in[3], in[0], in[1]}
		if diff := cmp.Diff(want, mustRead(t, s, stack).Volumes); diff != "" {
			t.Errorf("order (-want +got):\n%s", diff)
		}
	})

	t.Run("reading an unknown stack creates it and reads it empty", func(t *testing.T) {
		got := mustRead(t, s, "rt-new")
		if got.Stack.Lineage == "" || got.Stack.Serial != 0 {
			t.Errorf("stack = %+v, want a lineage and serial 0", got.Stack)
		}
		if diff := cmp.Diff(wantState(got.Stack), got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if again := mustStack(t, s, "rt-new"); again != got.Stack {
			t.Errorf("Stack after Read = %+v, want %+v", again, got.Stack)
		}
	})

	t.Run("a stack keeps its lineage and starts at serial 0", func(t *testing.T) {
		a := mustStack(t, s, "rt-lineage")
		b := mustStack(t, s, "rt-lineage")
		other := mustStack(t, s, "rt-lineage-2")
		if a != b || a.Serial != 0 || a.Lineage == "" {
			t.Errorf("Stack twice = %+v then %+v, want the same with serial 0", a, b)
		}
		if other.Lineage == a.Lineage {
			t.Errorf("two stacks share lineage %s", a.Lineage)
		}
	})

	t.Run("an empty stack name is refused", func(t *testing.T) {
		if _, err := s.Stack(ctx, ""); err == nil {
			t.Error("Stack(\"\") succeeded")
		}
		if _, err := s.Read(ctx, ""); err == nil {
			t.Error("Read(\"\") succeeded")
		}
	})
}
