package planner

import (
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// ReasonPruned marks a policy's backup deleted because more than keep
// remain.
const ReasonPruned = "delete_because_pruned"

// repositoryAttrs are the computed attributes that tell the applier
// where and how to store a backup.
func repositoryAttrs(cfg *config.Config, address string, a providers.Attrs) {
	for _, r := range cfg.BackupRepositories {
		if r.Address == address {
			a["repository_path"], a["compression"], a["chunk_size"] = r.Path, r.Compression, r.ChunkSize
		}
	}
}

// desiredBackups reads the backup blocks as desired objects.
func desiredBackups(cfg *config.Config, add func(*desired)) {
	for _, b := range cfg.Backups {
		a := providers.Attrs{"volume": b.Volume, "repository": b.Repository, "incremental": b.Incremental,
			"description": strAttr(b.Description)}
		repositoryAttrs(cfg, b.Repository, a)
		add(&desired{kind: "backup", common: &b.Common, attrs: a})
	}
}

// planBackups completes what diffDesired planned for backup blocks and
// adds the policies' work: the parent of every new backup, the backups
// that are due and those pruned beyond keep, the removal of a deleted
// policy's backups, then the rule that no backup goes while a remaining
// one chains to it, and the order of deletions (dependents first).
func (p *planner) planBackups() {
	planned := p.plannedBackups()
	p.chooseParents(planned)
	now := p.opts.Now().UTC()
	policies := map[string]bool{}
	for _, pol := range p.cfg.BackupPolicies {
		if p.opts.Destroy {
			break
		}
		policies[pol.Address] = true
		p.planPolicy(pol, now, &planned)
	}
	for _, b := range p.refreshed.Backups {
		if b.Policy != "" && !policies[b.Policy] {
			reason := ReasonNoResourceConfig
			if p.opts.Destroy {
				reason = ReasonDestroyRequested
			}
			c := p.deletion(recordedObject{kind: "backup", obj: b}, reason)
			c.Detail = b.Policy + " is no longer declared"
			p.add(c)
		}
	}
	p.checkBackupDeletions()
	p.checkRestoreSizes()
}

// plannedBackups are the recorded backups the plan keeps, for chaining
// and pruning decisions.
func (p *planner) plannedBackups() []*state.Backup {
	var planned []*state.Backup
	for _, b := range p.refreshed.Backups {
		if c := p.byAddr[b.Address]; c == nil || c.ID != b.ID || !c.Deletes() {
			planned = append(planned, b)
		}
	}
	return planned
}

// chooseParents decides full or incremental for every new backup of a
// backup block (or of a front end's object).
func (p *planner) chooseParents(planned []*state.Backup) {
	for _, c := range p.changes {
		if c.Kind == "backup" && c.Creates() {
			p.chooseParent(c, planned, 0)
		}
	}
}

// chooseParent decides full or incremental for a new backup and notes
// why an incremental becomes full. keep > 0 applies a policy's rule of
// starting a new chain once the current one holds keep backups.
func (p *planner) chooseParent(c *Change, planned []*state.Backup, keep int) {
	volAddr, _ := c.After["volume"].(string)
	incremental, _ := c.After["incremental"].(bool)
	c.After = cloneAttrs(c.After)
	delete(c.After, "parent")
	vol, volChange := p.volumeFor(volAddr)
	if vol == nil || !incremental {
		if incremental {
			c.Detail = joinDetail(c.Detail, "full: the volume is new, so there is no earlier backup to chain to")
		}
		return
	}
	size := int64(vol.SizeGiB) * drivers.GiBBytes
	if volChange != nil && volChange.Action == Update {
		if n, ok := volChange.After["size"].(int64); ok {
			size = n * drivers.GiBBytes
		}
	}
	repo, _ := c.After["repository"].(string)
	var parent, note string
	if keep > 0 {
		parent, note = PolicyBackupKind(planned, vol.ID, repo, size, true, keep)
	} else {
		parent, note = BackupKind(true, ChainParent(planned, vol.ID, repo), size)
	}
	if parent != "" {
		c.After["parent"] = parent
		c.Detail = joinDetail(c.Detail, "incremental on "+parent)
	} else {
		c.Detail = joinDetail(c.Detail, note)
	}
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// volumeFor returns the recorded volume at an address that the plan keeps
// (not replaced or deleted), and its change.
func (p *planner) volumeFor(addr string) (*state.Volume, *Change) {
	r, ok := p.recorded[addr]
	if !ok {
		return nil, nil
	}
	v, ok := r.obj.(*state.Volume)
	if !ok {
		return nil, nil
	}
	c := p.byAddr[addr]
	if c != nil && c.Deletes() {
		return nil, c
	}
	return v, c
}

// planPolicy takes the backups that are due and prunes beyond keep, per
// volume of the policy; volumes the policy no longer lists are only
// pruned.
func (p *planner) planPolicy(pol *config.BackupPolicy, now time.Time, planned *[]*state.Backup) {
	mineByVolume := map[string][]*state.Backup{}
	for _, b := range p.refreshed.Backups {
		if b.Policy == pol.Address {
			mineByVolume[b.VolumeID] = append(mineByVolume[b.VolumeID], b)
		}
	}
	listed := map[string]bool{}
	for _, volAddr := range pol.Volumes {
		vol, vc := p.volumeFor(volAddr)
		volID := ""
		if vol != nil {
			volID = vol.ID
			listed[volID] = true
		}
		mine := mineByVolume[volID]
		if volID == "" {
			mine = nil
		}
		due := PolicyDue(mine, pol.Every, now)
		if due && vc != nil && vc.Deletes() && vc.Action == Delete {
			due = false // the volume goes
		}
		if due {
			c := &Change{Address: PolicyBackupAddress(pol.Address, volAddr, now), Kind: "backup", Name: pol.Name,
				Action: Create, DependsOn: []string{volAddr}, AfterUnknown: unknownOnCreate("backup")}
			c.After = providers.Attrs{"volume": volAddr, "repository": pol.Repository, "incremental": pol.Incremental,
				"policy": pol.Address, "description": "taken by " + pol.Address}
			repositoryAttrs(p.cfg, pol.Repository, c.After)
			c.Detail = dueReason(mine, pol.Every, now)
			if pol.Incremental {
				// A policy chains only to its own backups, so that its
				// chains stay its own to prune, and removing a backup
				// block never meets a policy's incremental chained to it.
				var own []*state.Backup
				for _, b := range *planned {
					if b.Policy == pol.Address {
						own = append(own, b)
					}
				}
				p.chooseParent(c, own, pol.Keep)
			}
			p.add(c)
			if volID != "" {
				// The new backup protects its parent's chain from pruning.
				parent, _ := c.After["parent"].(string)
				*planned = append(*planned, &state.Backup{ID: "(new) " + c.Address, ParentID: parent, VolumeID: volID,
					Policy: pol.Address, Status: BackupCreating, CreatedAt: now})
			}
		}
		if volID != "" {
			p.prune(pol, mine, *planned, due)
		}
	}
	for _, volID := range providers.SortedKeys(mineByVolume) {
		if !listed[volID] {
			p.prune(pol, mineByVolume[volID], *planned, false)
		}
	}
}

func dueReason(mine []*state.Backup, every time.Duration, now time.Time) string {
	var newest *state.Backup
	for _, b := range mine {
		if b.Status == BackupAvailable && (newest == nil || b.CreatedAt.After(newest.CreatedAt)) {
			newest = b
		}
	}
	if newest == nil {
		return "due: the policy holds no available backup of the volume yet"
	}
	return fmt.Sprintf("due: the newest backup %s is %s old (every %s)", newest.ID, now.Sub(newest.CreatedAt).Round(time.Second), every)
}

func (p *planner) prune(pol *config.BackupPolicy, mine, planned []*state.Backup, taking bool) {
	prune, _ := PolicyPrune(mine, planned, pol.Keep, taking)
	for _, b := range prune {
		if prev := p.byAddr[b.Address]; prev != nil && prev.ID == b.ID {
			continue
		}
		c := p.deletion(recordedObject{kind: "backup", obj: b}, ReasonPruned)
		c.Detail = fmt.Sprintf("beyond keep = %d of %s", pol.Keep, pol.Address)
		if b.Status != BackupAvailable {
			c.Detail = "a failed backup of " + pol.Address
		}
		p.add(c)
	}
}

// checkBackupDeletions refuses deleting a backup that a remaining backup
// chains to, and orders the rest dependents first.
func (p *planner) checkBackupDeletions() {
	byID := map[string]*state.Backup{}
	for _, b := range p.refreshed.Backups {
		byID[b.ID] = b
	}
	var deleting []string
	for _, c := range p.changes {
		if c.Kind == "backup" && c.Deletes() && c.ID != "" {
			deleting = append(deleting, c.ID)
		}
	}
	if len(deleting) == 0 {
		return
	}
	if _, err := OrderBackupDeletions(p.refreshed.Backups, deleting); err != nil {
		d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Backup has dependent incremental backups",
			Detail: "The plan would delete backups that other backups still chain to: " + err.Error()}
		for _, id := range deleting {
			if des := p.desired[byID[id].Address]; des != nil && d.Subject == nil {
				rng := des.common.DeclRange // a replaced backup block
				d.Subject = &rng
			}
		}
		p.diags = append(p.diags, d)
		return
	}
	for _, c := range p.changes {
		if c.Kind != "backup" || !c.Deletes() {
			continue
		}
		if b := byID[c.ID]; b != nil && b.ParentID != "" {
			if parent := byID[b.ParentID]; parent != nil && slices.Contains(deleting, parent.ID) {
				c.OldDependsOn = union(c.OldDependsOn, []string{parent.Address})
			}
		}
	}
}

// checkRestoreSizes: a volume restored from a backup must hold it.
func (p *planner) checkRestoreSizes() {
	for _, c := range p.changes {
		src, _ := c.After["source"].(string)
		if c.Kind != "volume" || !c.Creates() || providers.SourceKind(src) != "backup" {
			continue
		}
		need := int64(0)
		if r, ok := p.recorded[src]; ok {
			if b, ok := r.obj.(*state.Backup); ok && (p.byAddr[src] == nil || !p.byAddr[src].Deletes()) {
				need = b.SizeBytes
			}
		}
		if bc := p.byAddr[src]; need == 0 && bc != nil && bc.Creates() {
			volAddr, _ := bc.After["volume"].(string)
			if vc := p.byAddr[volAddr]; vc != nil {
				if n, ok := vc.After["size"].(int64); ok {
					need = n * drivers.GiBBytes
				}
			} else if v, _ := p.volumeFor(volAddr); v != nil {
				need = int64(v.SizeGiB) * drivers.GiBBytes
			}
		}
		size, _ := c.After["size"].(int64)
		if need > size*drivers.GiBBytes {
			d := p.desired[c.Address]
			rng := d.common.Range("size")
			gib := (need + drivers.GiBBytes - 1) / drivers.GiBBytes
			p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Subject: &rng,
				Summary: "Volume is smaller than its backup",
				Detail:  fmt.Sprintf("%s asks for %d GiB but backup %s holds %d GiB. Set size to %d or more.", c.Address, size, src, gib, gib)})
		}
	}
}
