package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/slab-storage/slab/state"
)

func testApply(t *testing.T, fresh Fresh) {
	s, _ := fresh(t)
	ctx := context.Background()

	t.Run("putting the same ID again updates the row instead of adding one", func(t *testing.T) {
		stack := "ap-update"
		v := fixtureVolume(1)
		mustApply(t, s, stack, put(v))
		v2 := fixtureVolume(2)
		v2.ID = v.ID
		mustApply(t, s, stack, put(v2))
		if diff := cmp.Diff([]*state.Volume{v2}, mustRead(t, s, stack).Volumes); diff != "" {
			t.Errorf("volumes after update (-want +got):\n%s", diff)
		}
		evs := mustHistory(t, s, stack, 0)
		if got := []string{evs[0].Action, evs[1].Action}; !cmp.Equal(got, []string{"create", "update"}) {
			t.Errorf("default actions = %v, want [create update]", got)
		}
	})

	t.Run("deleting removes the object and records its address", func(t *testing.T) {
		stack := "ap-delete"
		for _, o := range []state.Object{fixturePool(1), fixtureQoS(1), fixtureVolumeType(1), fixtureVolume(1), fixtureSnapshot(1)} {
			mustApply(t, s, stack, put(o))
			mustApply(t, s, stack, del(o.ObjectKind(), o.ObjectID()))
			evs := mustHistory(t, s, stack, 1)
			want := state.Event{Stack: stack, Kind: o.ObjectKind(), ObjectID: o.ObjectID(),
				Address: o.ObjectAddress(), Action: "delete", Detail: "delete", Who: "storetest"}
			if diff := cmp.Diff(want, evs[0], cmpopts.IgnoreFields(state.Event{}, "Seq", "Serial", "CreatedAt")); diff != "" {
				t.Errorf("delete event of %s (-want +got):\n%s", o.ObjectKind(), diff)
			}
		}
		if got := mustRead(t, s, stack).Objects(); len(got) != 0 {
			t.Errorf("objects after deleting all = %v, want none", got)
		}
	})

	t.Run("deleting a missing object still records the step", func(t *testing.T) {
		stack := "ap-delete-missing"
		serial := mustApply(t, s, stack, del(state.KindVolume, "never-existed"))
		if serial != 1 {
			t.Errorf("serial = %d, want 1", serial)
		}
		if evs := mustHistory(t, s, stack, 0); len(evs) != 1 || evs[0].Address != "" || evs[0].Action != "delete" {
			t.Errorf("history = %+v, want one delete event without address", evs)
		}
	})

	t.Run("objects of one stack are invisible in another", func(t *testing.T) {
		a, b := fixtureVolume(1), fixtureVolume(2)
		b.ID = a.ID // same ID in two stacks are two objects
		mustApply(t, s, "ap-iso-a", put(a))
		mustApply(t, s, "ap-iso-b", put(b))
		mustApply(t, s, "ap-iso-b", put(fixtureSnapshot(1)))
		gotA, gotB := mustRead(t, s, "ap-iso-a"), mustRead(t, s, "ap-iso-b")
		if diff := cmp.Diff([]*state.Volume{a}, gotA.Volumes); diff != "" {
			t.Errorf("stack a volumes (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]*state.Volume{b}, gotB.Volumes); diff != "" {
			t.Errorf("stack b volumes (-want +got):\n%s", diff)
		}
		if len(gotA.Snapshots) != 0 || gotA.Stack.Serial != 1 || gotB.Stack.Serial != 2 {
			t.Errorf("stack a = %+v with %d snapshots, b serial %d; want 0 snapshots, serials 1 and 2",
				gotA.Stack, len(gotA.Snapshots), gotB.Stack.Serial)
		}
		if len(mustHistory(t, s, "ap-iso-a", 0)) != 1 {
			t.Error("stack a sees stack b's history")
		}
	})

	t.Run("each Apply bumps the serial by one and its event carries it", func(t *testing.T) {
		stack := "ap-serial"
		before := mustStack(t, s, stack)
		start := time.Now()
		for i := 1; i <= 5; i++ {
			v := fixtureVolume(i)
			w := state.Write{Put: v, Event: state.Event{Who: "alice", Detail: "step", Seq: 999, CreatedAt: t0}}
			serial := mustApply(t, s, stack, w)
			if serial != before.Serial+int64(i) {
				t.Fatalf("Apply %d returned serial %d, want %d", i, serial, before.Serial+int64(i))
			}
			ev := mustHistory(t, s, stack, 1)[0]
			want := state.Event{Stack: stack, Serial: serial, Kind: state.KindVolume, ObjectID: v.ID,
				Address: v.Address, Action: "create", Detail: "step", Who: "alice"}
			if diff := cmp.Diff(want, ev, cmpopts.IgnoreFields(state.Event{}, "Seq", "CreatedAt")); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
			if ev.CreatedAt.Before(start.Add(-time.Second)) || ev.CreatedAt.Location() != time.UTC {
				t.Errorf("event time = %v, want the time of the Apply in UTC", ev.CreatedAt)
			}
		}
		if got := mustStack(t, s, stack); got.Serial != before.Serial+5 || got.Lineage != before.Lineage {
			t.Errorf("stack = %+v, want serial %d and lineage %s", got, before.Serial+5, before.Lineage)
		}
	})

	t.Run("an event's own kind, id, address and action are kept", func(t *testing.T) {
		stack := "ap-event"
		w := put(fixtureVolume(1))
		w.Event = state.Event{Kind: "backup", ObjectID: "other", Address: "backup.x", Action: "error", Detail: "boom"}
		mustApply(t, s, stack, w)
		ev := mustHistory(t, s, stack, 0)[0]
		got := state.Event{Kind: ev.Kind, ObjectID: ev.ObjectID, Address: ev.Address, Action: ev.Action, Detail: ev.Detail}
		if diff := cmp.Diff(w.Event, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("the default action comes from the object even when the event names another", func(t *testing.T) {
		stack := "ap-event-action"
		for range 2 {
			w := put(fixtureVolume(1))
			w.Event.ObjectID = "some-other-id"
			mustApply(t, s, stack, w)
		}
		evs := mustHistory(t, s, stack, 0)
		if got := []string{evs[0].Action, evs[1].Action}; !cmp.Equal(got, []string{"create", "update"}) {
			t.Errorf("actions = %v, want [create update]", got)
		}
	})

	t.Run("Apply creates a stack on its first write", func(t *testing.T) {
		serial := mustApply(t, s, "ap-implicit", put(fixtureQoS(1)))
		st := mustStack(t, s, "ap-implicit")
		if serial != 1 || st.Serial != 1 || st.Lineage == "" {
			t.Errorf("serial %d, stack %+v; want 1 and a lineage", serial, st)
		}
	})

	badStats := fixturePool(1)
	badStats.Stats = []byte(`{"total":`)
	noID := fixtureVolume(1)
	noID.ID = ""
	for _, tc := range []struct {
		name  string
		stack string
		w     state.Write
	}{
		{"a write with both Put and Delete is refused", "ap-bad",
			state.Write{Put: fixtureVolume(1), Delete: &state.Ref{Kind: state.KindVolume, ID: "x"}}},
		{"a write with neither Put nor Delete is refused", "ap-bad", state.Write{}},
		{"a nil object is refused", "ap-bad", state.Write{Put: (*state.Volume)(nil)}},
		{"an object without ID is refused", "ap-bad", put(noID)},
		{"a delete without ID is refused", "ap-bad", del(state.KindVolume, "")},
		{"a delete of an unknown kind is refused", "ap-bad", del("backup-chain", "x")},
		{"pool stats that are not JSON are refused", "ap-bad", put(badStats)},
		{"an empty stack name is refused", "", put(fixtureVolume(1))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Apply(ctx, tc.stack, tc.w); err == nil {
				t.Fatal("Apply succeeded")
			}
			if tc.stack == "" {
				return
			}
			st := mustRead(t, s, tc.stack)
			if st.Stack.Serial != 0 || len(st.Objects()) != 0 || len(mustHistory(t, s, tc.stack, 0)) != 0 {
				t.Errorf("a refused write left a trace: %+v", st)
			}
		})
	}
}

func testHistory(t *testing.T, fresh Fresh) {
	s, _ := fresh(t)
	stack := "hist"
	for i := 1; i <= 5; i++ {
		mustApply(t, s, stack, put(fixtureVolume(i)))
	}
	mustApply(t, s, stack, put(fixtureVolume(1))) // an update
	mustApply(t, s, stack, del(state.KindVolume, fixtureVolume(2).ID))
	mustApply(t, s, "hist-other", put(fixtureVolume(9)))
	all := mustHistory(t, s, stack, 0)

	serials := func(evs []state.Event) []int64 {
		out := []int64{}
		for _, e := range evs {
			out = append(out, e.Serial)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		limit int
		want  []int64
	}{
		{"all events come oldest first", 0, []int64{1, 2, 3, 4, 5, 6, 7}},
		{"a negative limit means all", -1, []int64{1, 2, 3, 4, 5, 6, 7}},
		{"a limit returns the newest events, still oldest first", 3, []int64{5, 6, 7}},
		{"a limit of one returns the newest event", 1, []int64{7}},
		{"a limit beyond the count returns all", 100, []int64{1, 2, 3, 4, 5, 6, 7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mustHistory(t, s, stack, tc.limit)
			if diff := cmp.Diff(tc.want, serials(got)); diff != "" {
				t.Errorf("serials (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(all[len(all)-len(got):], got); diff != "" {
				t.Errorf("limited history differs from the tail of the full history (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("history is append-only: later writes leave earlier events unchanged", func(t *testing.T) {
		mustApply(t, s, stack, put(fixtureVolume(3)))
		mustApply(t, s, stack, del(state.KindVolume, fixtureVolume(3).ID))
		after := mustHistory(t, s, stack, 0)
		if diff := cmp.Diff(all, after[:len(all)]); diff != "" {
			t.Errorf("earlier events changed (-before +after):\n%s", diff)
		}
		for i := 1; i < len(after); i++ {
			if after[i].Seq <= after[i-1].Seq || after[i].Serial != after[i-1].Serial+1 {
				t.Errorf("event %d: seq %d serial %d after seq %d serial %d", i,
					after[i].Seq, after[i].Serial, after[i-1].Seq, after[i-1].Serial)
			}
		}
	})

	t.Run("an unknown stack has no history", func(t *testing.T) {
		if got := mustHistory(t, s, "hist-none", 0); len(got) != 0 {
			t.Errorf("history = %v, want none", got)
		}
	})
}
