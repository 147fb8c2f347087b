package state

import (
	"encoding/json"
	"testing"
	"time"
)

// sampleDump has an object of every kind and a short history.
func sampleDump() *Dump {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	st := Stack{Name: "s", Lineage: "l", Serial: 3}
	return &Dump{
		Stack: st,
		State: &State{
			Stack:       st,
			Pools:       []*Pool{{ID: "b#p", Address: "backend.b", Stats: json.RawMessage(`{"a":1}`), UpdatedAt: t0}},
			QoS:         []*QoS{{ID: "q", Address: "qos.q", Specs: map[string]string{"k": "v"}, CreatedAt: t0}},
			VolumeTypes: []*VolumeType{{ID: "t", Address: "volume_type.t", ExtraSpecs: map[string]string{}, CreatedAt: t0}},
			Volumes: []*Volume{
				{ID: "v2", Address: `volume.v["b"]`, SizeGiB: 2, Metadata: map[string]string{}, CreatedAt: t0},
				{ID: "v1", Address: `volume.v["a"]`, SizeGiB: 1, Metadata: map[string]string{"x": "y"}, CreatedAt: t0},
			},
			Snapshots: []*Snapshot{{ID: "sn", Address: "snapshot.s", VolumeID: "v1", CreatedAt: t0}},
		},
		History: []Event{
			{Seq: 10, Stack: "s", Serial: 1, Kind: KindVolume, ObjectID: "v1", Address: `volume.v["a"]`, Action: "create", CreatedAt: t0},
			{Seq: 11, Stack: "s", Serial: 2, Kind: KindVolume, ObjectID: "v2", Address: `volume.v["b"]`, Action: "create", CreatedAt: t0},
			{Seq: 12, Stack: "s", Serial: 3, Kind: KindSnapshot, ObjectID: "sn", Address: "snapshot.s", Action: "create", Who: "w", CreatedAt: t0},
		},
	}
}

func TestChecksumIgnoresWhatStoresDoNotKeep(t *testing.T) {
	want := sampleDump().Checksum()
	if len(want) != 64 {
		t.Fatalf("checksum %q is not SHA-256 hex", want)
	}
	for name, change := range map[string]func(d *Dump){
		"history seq": func(d *Dump) {
			for i := range d.History {
				d.History[i].Seq += 1000
			}
		},
		"object order within a kind": func(d *Dump) {
			v := d.State.Volumes
			v[0], v[1] = v[1], v[0]
		},
		"the zone of a time": func(d *Dump) {
			zone := time.FixedZone("X", 3600)
			d.State.Volumes[0].CreatedAt = d.State.Volumes[0].CreatedAt.In(zone)
			d.History[0].CreatedAt = d.History[0].CreatedAt.In(zone)
		},
		"a nil map for an empty one": func(d *Dump) {
			d.State.VolumeTypes[0].ExtraSpecs = nil
			d.State.Volumes[0].Metadata = nil
		},
		"whitespace in pool stats": func(d *Dump) { d.State.Pools[0].Stats = json.RawMessage(` { "a" : 1 } `) },
	} {
		t.Run(name, func(t *testing.T) {
			d := sampleDump()
			change(d)
			if got := d.Checksum(); got != want {
				t.Errorf("checksum changed: %s, want %s", got, want)
			}
		})
	}
}

func TestChecksumChangesWithAnythingRecorded(t *testing.T) {
	base := sampleDump().Checksum()
	for name, change := range map[string]func(d *Dump){
		"the serial":        func(d *Dump) { d.Stack.Serial++ },
		"the lineage":       func(d *Dump) { d.Stack.Lineage = "other" },
		"the stack name":    func(d *Dump) { d.Stack.Name = "other" },
		"a volume's size":   func(d *Dump) { d.State.Volumes[1].SizeGiB = 5 },
		"a metadata value":  func(d *Dump) { d.State.Volumes[1].Metadata = map[string]string{"x": "z"} },
		"pool stats":        func(d *Dump) { d.State.Pools[0].Stats = json.RawMessage(`{"a":2}`) },
		"a missing object":  func(d *Dump) { d.State.Snapshots = nil },
		"an event's detail": func(d *Dump) { d.History[2].Detail = "x" },
		"an event's who":    func(d *Dump) { d.History[2].Who = "someone else" },
		"an event's time":   func(d *Dump) { d.History[0].CreatedAt = d.History[0].CreatedAt.Add(time.Nanosecond) },
		"history order":     func(d *Dump) { d.History[0], d.History[1] = d.History[1], d.History[0] },
		"a missing event":   func(d *Dump) { d.History = d.History[:2] },
		"an object's kind": func(d *Dump) {
			// The same fields under another kind: the kind is hashed too.
			d.State.QoS = append(d.State.QoS, &QoS{ID: "t", Address: "volume_type.t", CreatedAt: d.State.VolumeTypes[0].CreatedAt})
			d.State.VolumeTypes = nil
		},
	} {
		t.Run(name, func(t *testing.T) {
			d := sampleDump()
			change(d)
			if d.Checksum() == base {
				t.Error("checksum did not change")
			}
		})
	}
}
