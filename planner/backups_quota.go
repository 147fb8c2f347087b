package planner

import (
	"fmt"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// checkBackupQuotas enforces the backups and backup_gigabytes quotas of
// the stack (slab { quota { … } }) and of volume types (counting the
// backups of their volumes), as Cinder's: usage is counted from the
// catalog and the plan's changes, sizes in whole GiB of the backed-up
// volume. A plan that does not add to an exceeded quota is not refused.
func (p *planner) checkBackupQuotas(cfg *config.Config) {
	type scope struct {
		what          string
		quota         *config.Quota
		before, after [2]int64 // backups, GiB
	}
	scopes := map[string]*scope{}
	if q := cfg.Settings.Quota; q != nil && (q.Limit("backups") != nil || q.Limit("backup_gigabytes") != nil) {
		scopes[""] = &scope{what: fmt.Sprintf("stack %q", p.refreshed.Stack.Name), quota: q}
	}
	for _, t := range cfg.VolumeTypes {
		if q := t.Quota; q != nil && (q.Limit("backups") != nil || q.Limit("backup_gigabytes") != nil) {
			scopes[t.Address] = &scope{what: t.Address, quota: q}
		}
	}
	if len(scopes) == 0 {
		return
	}
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
	// add counts one backup in the stack's scope and its volume type's.
	add := func(typeAddr string, sign, size int64, before bool) {
		in := []*scope{scopes[""]}
		if typeAddr != "" {
			in = append(in, scopes[typeAddr])
		}
		for _, s := range in {
			if s == nil {
				continue
			}
			if before {
				s.before[0]++
				s.before[1] += size
			}
			s.after[0] += sign
			s.after[1] += sign * size
		}
	}
	for _, b := range p.refreshed.Backups {
		add(typeOfVolume[b.VolumeID], +1, gib(b.SizeBytes), true)
	}
	for _, c := range p.changes {
		if c.Kind != "backup" {
			continue
		}
		if c.Deletes() {
			size, _ := c.Before["size"].(int64)
			vol, _ := c.Before["volume"].(string)
			add(typeOfVolume[vol], -1, gib(size), false)
		}
		if c.Creates() {
			vol, _ := c.After["volume"].(string)
			add(typeOfVolume[vol], +1, p.backupSizeGiB(vol), false)
		}
	}
	for _, key := range providers.SortedKeys(scopes) {
		s := scopes[key]
		for i, name := range []string{"backups", "backup_gigabytes"} {
			limit := s.quota.Limit(name)
			before, after := s.before[i], s.after[i]
			if limit == nil || after <= *limit || after <= before {
				continue
			}
			p.quotaExceeded(s.quota, s.what, name, before, after,
				"Raise the quota in this block, lower a backup_policy's keep, or delete backups.")
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
