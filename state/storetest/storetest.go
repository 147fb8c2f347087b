package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/slab-storage/slab/state"
)

// Fresh returns a new, empty store for one test, and a function that opens
// another handle on that same store (as a second process would). The
// implementation closes every handle in t.Cleanup; closing twice must be
// harmless.
type Fresh func(t *testing.T) (s state.Store, another func() state.Store)

// Run runs the whole conformance suite.
func Run(t *testing.T, fresh Fresh) {
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, fresh) })
	t.Run("Apply", func(t *testing.T) { testApply(t, fresh) })
	t.Run("History", func(t *testing.T) { testHistory(t, fresh) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, fresh) })
	t.Run("Locks", func(t *testing.T) { testLocks(t, fresh) })
	t.Run("Dump", func(t *testing.T) { testDump(t, fresh) })
}

// t0 has nanoseconds and a zone other than UTC, so that a store that
// truncates or keeps the zone is caught.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("UTC+2", 2*3600))

// Fixtures give every field a distinct value, so a column written from
// the wrong field cannot read back equal.

func fixturePool(n int) *state.Pool {
	return &state.Pool{
		ID:               fmt.Sprintf("backend-%d#pool-%d", n, n),
		Address:          fmt.Sprintf(`pool.p["%d"]`, n),
		Backend:          fmt.Sprintf("backend-%d", n),
		Name:             fmt.Sprintf("pool-%d", n),
		Driver:           fmt.Sprintf("driver-%d", n),
		AvailabilityZone: fmt.Sprintf("az-%d", n),
		Stats:            json.RawMessage(fmt.Sprintf(`{"total_capacity_gb": %d, "free_capacity_gb": 42.5, "thin_provisioning_support": true}`, 100+n)),
		UpdatedAt:        t0.Add(time.Duration(n)),
	}
}

func fixtureQoS(n int) *state.QoS {
	return &state.QoS{
		ID:        fmt.Sprintf("qos-%d", n),
		Address:   fmt.Sprintf(`qos.q["%d"]`, n),
		Name:      fmt.Sprintf("gold-%d", n),
		Consumer:  "back-end",
		Specs:     map[string]string{"total_iops_sec": fmt.Sprint(1000 + n), "read_bytes_sec_max": "1048576"},
		CreatedAt: t0,
		UpdatedAt: t0.Add(time.Second),
	}
}

func fixtureVolumeType(n int) *state.VolumeType {
	return &state.VolumeType{
		ID:          fmt.Sprintf("type-%d", n),
		Address:     fmt.Sprintf(`volume_type.t["%d"]`, n),
		Name:        fmt.Sprintf("ssd-%d", n),
		Description: fmt.Sprintf("description-%d", n),
		ExtraSpecs:  map[string]string{"capabilities:thin_provisioning_support": "<is> True", "volume_backend_name": "b"},
		QoSID:       fmt.Sprintf("qos-of-type-%d", n),
		Sensitive:   []string{"extra_specs"},
		CreatedAt:   t0,
		UpdatedAt:   t0.Add(2 * time.Second),
	}
}

func fixtureVolume(n int) *state.Volume {
	return &state.Volume{
		ID:               fmt.Sprintf("vol-%05d", n),
		Address:          fmt.Sprintf(`volume.v["%05d"]`, n),
		Name:             fmt.Sprintf("name-%d", n),
		Pool:             fmt.Sprintf("backend#pool-%d", n),
		SizeGiB:          10 + n,
		Status:           "available",
		StatusReason:     fmt.Sprintf("reason-%d", n),
		TypeID:           fmt.Sprintf("type-%d", n),
		AvailabilityZone: fmt.Sprintf("az-%d", n),
		SourceKind:       "snapshot",
		SourceID:         fmt.Sprintf("source-%d", n),
		SourceAddress:    fmt.Sprintf("snapshot.s[%d]", n),
		Description:      fmt.Sprintf("description-%d", n),
		Metadata:         map[string]string{"owner": fmt.Sprintf("team-%d", n), "quote\"back\\slash": "line\nbreak ünïcode"},
		Sensitive:        []string{"description", "metadata"},
		ProviderLocation: fmt.Sprintf("/pools/p/vol-%d.raw", n),
		RevertedTo:       fmt.Sprintf("snap-%d", n),
		CreatedAt:        t0,
		UpdatedAt:        t0.Add(time.Duration(n) * time.Millisecond),
	}
}

func fixtureSnapshot(n int) *state.Snapshot {
	return &state.Snapshot{
		ID:               fmt.Sprintf("snap-%d", n),
		Address:          fmt.Sprintf(`snapshot.s["%d"]`, n),
		Name:             fmt.Sprintf("name-%d", n),
		VolumeID:         fmt.Sprintf("vol-of-snap-%d", n),
		Pool:             fmt.Sprintf("backend#pool-%d", n),
		SizeGiB:          20 + n,
		Status:           "available",
		StatusReason:     fmt.Sprintf("reason-%d", n),
		Description:      fmt.Sprintf("description-%d", n),
		Metadata:         map[string]string{"k": fmt.Sprintf("v-%d", n)},
		Sensitive:        []string{"metadata"},
		ProviderLocation: fmt.Sprintf("/pools/p/snap-%d.raw", n),
		CreatedAt:        t0,
		UpdatedAt:        t0.Add(3 * time.Second),
	}
}

func put(o state.Object) state.Write {
	return state.Write{Put: o, Event: state.Event{Who: "storetest", Detail: "put"}}
}

func del(k state.Kind, id string) state.Write {
	return state.Write{Delete: &state.Ref{Kind: k, ID: id}, Event: state.Event{Who: "storetest", Detail: "delete"}}
}

func mustApply(t testing.TB, s state.Store, stack string, w state.Write) int64 {
	t.Helper()
	serial, err := s.Apply(context.Background(), stack, w)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return serial
}

func mustRead(t testing.TB, s state.Store, stack string) *state.State {
	t.Helper()
	st, err := s.Read(context.Background(), stack)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return st
}

func mustHistory(t testing.TB, s state.Store, stack string, limit int) []state.Event {
	t.Helper()
	evs, err := s.History(context.Background(), stack, limit)
	if err != nil {
		t.Fatalf("History: %v", err)
	}
	return evs
}

func mustStack(t testing.TB, s state.Store, stack string) state.Stack {
	t.Helper()
	st, err := s.Stack(context.Background(), stack)
	if err != nil {
		t.Fatalf("Stack: %v", err)
	}
	return st
}

func fixtureBackup(n int) *state.Backup {
	b := &state.Backup{
		ID:               fmt.Sprintf("bk-%d", n),
		Address:          "backup_policy.db",
		Name:             "db",
		Policy:           "backup_policy.db",
		VolumeID:         fmt.Sprintf("vol-%d", n),
		Repository:       "backup_repository.nas",
		RepositoryPath:   "/srv/backups ünïcode",
		ParentID:         fmt.Sprintf("bk-%d", n-1),
		Incremental:      true,
		SizeBytes:        int64(n) << 40, // beyond 32 bits
		StoredBytes:      int64(n) * 12345,
		Status:           "available",
		StatusReason:     fmt.Sprintf("reason-%d", n),
		Description:      fmt.Sprintf("nightly \"%d\"", n),
		ManifestLocation: fmt.Sprintf("bk-%d/manifest.json", n),
		Sensitive:        []string{"description"},
		CreatedAt:        t0.Add(time.Duration(n) * time.Hour),
		UpdatedAt:        t0.Add(time.Duration(n)*time.Hour + time.Second),
	}
	if n == 1 {
		b.ParentID = "" // the full backup at the chain's root
	}
	return b
}
