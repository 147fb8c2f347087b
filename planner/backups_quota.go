package planner

import (
	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/state"
)

// countBackupUsage counts backups and their gigabytes (the backed-up
// volume's size in whole GiB), in the stack's scope and in the scope of
// the backed-up volume's type, as Cinder's do.
func (p *planner) countBackupUsage(scopes quotaScopes) {
	typeOfVolume := map[string]string{} // volume ID or address → type address
	for _, v := range p.refreshed.Volumes {
		t := p.addressOf(v.TypeID)
		typeOfVolume[v.ID], typeOfVolume[v.Address] = t, t
	}
	for _, c := range p.changes {
		if c.Kind == "volume" && c.Creates() {
			t, _ := c.After["type"].(string)
			typeOfVolume[c.Address] = t
		}
	}
	gib := func(bytes int64) int64 { return (bytes + drivers.GiBBytes - 1) / drivers.GiBBytes }
	count := func(typeAddr string, sign, size int64, recorded bool) {
		scopes.count(typeAddr, "backups", sign, recorded)
		scopes.count(typeAddr, "backup_gigabytes", sign*size, recorded)
	}
	for _, b := range p.refreshed.Backups {
		count(typeOfVolume[b.VolumeID], +1, gib(b.SizeBytes), true)
	}
	for _, c := range p.changes {
		if c.Kind != "backup" {
			continue
		}
		if c.Deletes() {
			size, _ := c.Before["size"].(int64)
			vol, _ := c.Before["volume"].(string)
			count(typeOfVolume[vol], -1, gib(size), false)
		}
		if c.Creates() {
			vol, _ := c.After["volume"].(string)
			count(typeOfVolume[vol], +1, p.backupSizeGiB(vol), false)
		}
	}
}

// backupSizeGiB is the size a new backup of the volume at address counts
// with: the volume's size after the plan.
func (p *planner) backupSizeGiB(volAddr string) int64 {
	if c := p.byAddr[volAddr]; c != nil && c.Action != Delete {
		if n, ok := c.After["size"].(int64); ok {
			return n
		}
	}
	if r, ok := p.recorded[volAddr]; ok {
		if v, ok := r.obj.(*state.Volume); ok {
			return int64(v.SizeGiB)
		}
	}
	return 0
}
