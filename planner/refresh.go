package planner

import (
	"fmt"
	"slices"

	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// refresh compares the record with what the pools hold and returns the
// refreshed record (a copy) and the drift found. Status is derived from
// what the backend shows, not trusted from the record: an interrupted
// create whose file exists becomes available, a record whose object is
// gone is dropped.
func refresh(rec *state.State, views map[string]*poolView, addressOf func(string) string) (*state.State, []*Drift) {
	out := &state.State{Stack: rec.Stack, Pools: rec.Pools, QoS: rec.QoS, VolumeTypes: rec.VolumeTypes, Backups: rec.Backups}
	var drift []*Drift
	for _, v := range rec.Volumes {
		view, declared := views[v.Pool]
		if !declared || view.volumes == nil {
			out.Volumes = append(out.Volumes, v) // not refreshed
			continue
		}
		actual, found := view.volumes[v.ID]
		switch {
		case !found && isFailedCreate(v.Status):
			out.Volumes = append(out.Volumes, v) // tainted; the diff replaces it
		case !found:
			drift = append(drift, &Drift{Address: v.Address, Kind: "volume", Name: v.Name, ID: v.ID, Action: Delete,
				Before: volumeAttrs(v, addressOf), Detail: goneDetail(v.Status, "volume", v.Pool), Sensitive: v.Sensitive})
		default:
			nv := *v
			nv.ProviderLocation = actual.ProviderLocation
			nv.SizeGiB = actual.SizeGiB()
			nv.Status = observedStatus(v.Status)
			if nv.Status != v.Status || nv.SizeGiB != v.SizeGiB {
				nv.StatusReason = ""
				drift = append(drift, &Drift{Address: v.Address, Kind: "volume", Name: v.Name, ID: v.ID, Action: Update,
					Before: volumeAttrs(v, addressOf), After: volumeAttrs(&nv, addressOf),
					Detail: changedDetail(v.Status, nv.Status, v.SizeGiB, nv.SizeGiB, slices.Contains(v.Sensitive, "size")), Sensitive: v.Sensitive})
			}
			out.Volumes = append(out.Volumes, &nv)
		}
	}
	for _, s := range rec.Snapshots {
		view, declared := views[s.Pool]
		if !declared || view.snapshots == nil {
			out.Snapshots = append(out.Snapshots, s)
			continue
		}
		_, found := view.snapshots[s.ID]
		switch {
		case !found && isFailedCreate(s.Status):
			out.Snapshots = append(out.Snapshots, s)
		case !found:
			drift = append(drift, &Drift{Address: s.Address, Kind: "snapshot", Name: s.Name, ID: s.ID, Action: Delete,
				Before: snapshotAttrs(s, addressOf), Detail: goneDetail(s.Status, "snapshot", s.Pool), Sensitive: s.Sensitive})
		default:
			ns := *s
			ns.Status = observedStatus(s.Status)
			if ns.Status != s.Status {
				ns.StatusReason = ""
				drift = append(drift, &Drift{Address: s.Address, Kind: "snapshot", Name: s.Name, ID: s.ID, Action: Update,
					Before: snapshotAttrs(s, addressOf), After: snapshotAttrs(&ns, addressOf),
					Detail: fmt.Sprintf("status %s → %s (found on the backend)", s.Status, ns.Status), Sensitive: s.Sensitive})
			}
			out.Snapshots = append(out.Snapshots, &ns)
		}
	}
	return out, drift
}

// isFailedCreate: an object whose create failed never existed on the
// backend; its absence is expected, and the diff replaces it.
func isFailedCreate(status string) bool { return status == providers.StatusError }

// observedStatus settles a transient status left by an interrupted apply
// once the backend shows the object; the size is taken from the backend
// too, so an unfinished extend is simply planned again.
func observedStatus(recorded string) string {
	switch recorded {
	case providers.StatusCreating, providers.StatusDeleting, providers.StatusErrorDeleting,
		providers.StatusExtending, providers.StatusErrorExtending,
		// A backup only reads the volume; a revert replaces it in one
		// rename and is planned again (revert_to stays unrecorded).
		providers.StatusBackingUp, providers.StatusReverting:
		return providers.StatusAvailable
	case providers.StatusRestoringBackup:
		// An interrupted restore left partial data: never available.
		return providers.StatusError
	}
	return recorded
}

func goneDetail(status, what, pool string) string {
	switch status {
	case providers.StatusCreating:
		return fmt.Sprintf("an interrupted create never made the %s on %s", what, pool)
	case providers.StatusDeleting, providers.StatusErrorDeleting:
		return fmt.Sprintf("an interrupted delete removed the %s from %s", what, pool)
	}
	return fmt.Sprintf("the %s is no longer on pool %s", what, pool)
}

func changedDetail(oldStatus, newStatus string, oldSize, newSize int, secretSize bool) string {
	if oldSize != newSize && secretSize {
		return "size changed on the backend"
	}
	if oldSize != newSize {
		return fmt.Sprintf("size %d → %d GiB on the backend", oldSize, newSize)
	}
	return fmt.Sprintf("status %s → %s (found on the backend)", oldStatus, newStatus)
}

func volumeAttrs(v *state.Volume, addressOf func(string) string) providers.Attrs {
	k, _ := providers.KindOf("volume")
	return k.Attrs(v, addressOf)
}

func snapshotAttrs(s *state.Snapshot, addressOf func(string) string) providers.Attrs {
	k, _ := providers.KindOf("snapshot")
	return k.Attrs(s, addressOf)
}
