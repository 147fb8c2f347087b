package planner

import (
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"

	"github.com/slab-storage/slab/state"
)

// checkReverts enforces Cinder's revert rules on every volume whose
// revert_to names a snapshot it was not last reverted to: the snapshot
// exists already (a revert to a snapshot taken in the same plan would
// undo nothing), it is the volume's latest, and the sizes match (so a
// revert cannot be combined with an extend).
func (p *planner) checkReverts() {
	for _, c := range p.changes {
		if c.Kind != "volume" || !slices.Contains(c.Changed, "revert_to") {
			continue
		}
		want, _ := c.After["revert_to"].(string)
		if want == "" {
			continue
		}
		d := p.desired[c.Address]
		rng := d.common.Range("revert_to")
		fail := func(detail string) {
			p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Subject: &rng,
				Summary: "Cannot revert " + c.Address, Detail: detail})
		}
		vol, _ := p.volumeFor(c.Address)
		r, ok := p.recorded[want]
		snap, isSnap := r.obj.(*state.Snapshot)
		if vol == nil || !ok || !isSnap || (p.byAddr[want] != nil && p.byAddr[want].Deletes()) {
			fail(fmt.Sprintf("%s does not exist yet. Take the snapshot in one apply and revert to it in a later one.", want))
			continue
		}
		var latest *state.Snapshot
		for _, s := range p.refreshed.Snapshots {
			if s.VolumeID == vol.ID && (latest == nil || s.CreatedAt.After(latest.CreatedAt)) {
				latest = s
			}
		}
		if other := p.newSnapshotOf(c.Address); other != "" {
			fail(fmt.Sprintf("%s is taken in the same plan, so %s would not be the latest snapshot of %s. Revert in one apply and take new snapshots in a later one.",
				other, want, c.Address))
			continue
		}
		if latest != nil && latest.ID != snap.ID {
			fail(fmt.Sprintf("%s can only be reverted to its latest snapshot, %s, as Cinder's revert; %s is older. Delete the newer snapshots first.",
				c.Address, latest.Address, want))
			continue
		}
		size, _ := c.After["size"].(int64)
		if snap.SizeGiB != vol.SizeGiB || int(size) != vol.SizeGiB {
			fail(fmt.Sprintf("%s is %d GiB (%d GiB asked) and %s is %d GiB; a revert needs equal sizes, as Cinder's. Revert first, then extend in a later apply.",
				c.Address, vol.SizeGiB, size, want, snap.SizeGiB))
		}
		c.Detail = joinDetail(c.Detail, "reverts to "+want+" ("+snap.ID+"), discarding what was written since")
		// What was written since the snapshot is lost: an unattended
		// apply needs consent, as for a delete.
		c.DestroysData = true
	}
}

// newSnapshotOf names a snapshot of the volume at address that the plan
// creates, or "".
func (p *planner) newSnapshotOf(address string) string {
	for _, c := range p.changes {
		if c.Kind == "snapshot" && c.Creates() && c.After["volume"] == address {
			return c.Address
		}
	}
	return ""
}
