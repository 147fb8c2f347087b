package planner

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// Backup statuses, as Cinder's.
const (
	BackupCreating      = "creating"
	BackupAvailable     = "available"
	BackupRestoring     = "restoring"
	BackupDeleting      = "deleting"
	BackupError         = "error"
	BackupErrorDeleting = "error_deleting"
)

// PolicyBackupAddress is the address of one backup a policy takes: a
// policy takes many, and each needs its own address in plans and
// history. The key names the volume and the plan's time, e.g.
// backup_policy.db["db.a@20260301T020000Z"] for volume.db["a"].
func PolicyBackupAddress(policy, volumeAddress string, at time.Time) string {
	v := strings.TrimPrefix(volumeAddress, "volume.")
	v = strings.NewReplacer(`["`, ".", `"]`, "", "[", ".", "]", "").Replace(v)
	return fmt.Sprintf("%s[%q]", policy, v+"@"+at.UTC().Format("20060102T150405Z"))
}

// newestFirst orders backups by creation time, newest first, then by ID so
// that equal times still order the same way everywhere.
func newestFirst(bs []*state.Backup) {
	sort.SliceStable(bs, func(i, j int) bool {
		if !bs[i].CreatedAt.Equal(bs[j].CreatedAt) {
			return bs[i].CreatedAt.After(bs[j].CreatedAt)
		}
		return bs[i].ID > bs[j].ID
	})
}

// ChainParent is the backup an incremental of volumeID in repository
// chains to: the newest available backup of the same volume there, as
// Cinder's. Nil means a full backup.
func ChainParent(all []*state.Backup, volumeID, repository string) *state.Backup {
	var cands []*state.Backup
	for _, b := range all {
		if b.VolumeID == volumeID && b.Repository == repository && b.Status == BackupAvailable {
			cands = append(cands, b)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	newestFirst(cands)
	return cands[0]
}

// BackupKind decides full or incremental for a backup of a volume of
// sizeBytes, and says why when an incremental was asked for but a full
// backup is taken.
func BackupKind(incremental bool, parent *state.Backup, sizeBytes int64) (parentID, note string) {
	switch {
	case !incremental:
		return "", ""
	case parent == nil:
		return "", "full: no earlier available backup of the volume in the repository to chain to"
	case sizeBytes != parent.SizeBytes:
		verb := "grew"
		if sizeBytes < parent.SizeBytes {
			verb = "changed size"
		}
		return "", fmt.Sprintf("full: the volume %s since backup %s (%d → %d bytes), so an incremental cannot chain to it",
			verb, parent.ID, parent.SizeBytes, sizeBytes)
	}
	return parent.ID, ""
}

// FullBecauseGrown reports whether b, asked for as an incremental, was
// taken full because its volume had grown since the backup it would have
// chained to: the newest available backup of the same volume in the same
// repository taken before it (BackupKind's rule, applied afterwards).
func FullBecauseGrown(all []*state.Backup, b *state.Backup) bool {
	if !b.Incremental || b.ParentID != "" {
		return false
	}
	var earlier []*state.Backup
	for _, x := range all {
		if x.ID != b.ID && x.CreatedAt.Before(b.CreatedAt) {
			earlier = append(earlier, x)
		}
	}
	parent := ChainParent(earlier, b.VolumeID, b.Repository)
	return parent != nil && b.SizeBytes > parent.SizeBytes
}

// PolicyStep is what a backup_policy does for one volume at one time.
type PolicyStep struct {
	VolumeID string
	// Take is true when a backup is due.
	Take bool
	// Prune lists the policy's backups to delete, dependents first.
	Prune []*state.Backup
	// Kept lists, newest first, backups past keep that stay because a
	// kept backup's chain needs them.
	Kept []*state.Backup
}

// PolicyDue reports whether a policy with interval every must take a
// backup of a volume now: when it never took one that is available, or
// its newest is at least every old. A failed backup does not count.
func PolicyDue(mine []*state.Backup, every time.Duration, now time.Time) bool {
	var newest *state.Backup
	for _, b := range mine {
		if b.Status != BackupAvailable {
			continue
		}
		if newest == nil || b.CreatedAt.After(newest.CreatedAt) {
			newest = b
		}
	}
	return newest == nil || !now.Before(newest.CreatedAt.Add(every))
}

// PolicyPrune picks which of a policy's backups of one volume go so that
// keep remain (counting a backup about to be taken when taking is true),
// without deleting any backup that a remaining one chains to, directly or
// through other backups. all is every recorded backup, so chains through
// backups of other policies or backup blocks are honoured too. The result
// is ordered dependents first, the order a plan deletes them in.
func PolicyPrune(mine, all []*state.Backup, keep int, taking bool) (prune, kept []*state.Backup) {
	avail := slices.Clone(mine)
	newestFirst(avail)
	limit := keep
	if taking {
		limit--
	}
	// Failed backups are never counted as kept: they hold nothing.
	var cands []*state.Backup
	n := 0
	for _, b := range avail {
		if b.Status == BackupAvailable && n < limit {
			n++
			continue
		}
		if b.Status == BackupAvailable || b.Status == BackupError {
			cands = append(cands, b)
		}
	}
	going := map[string]bool{}
	for _, b := range cands {
		going[b.ID] = true
	}
	byID := map[string]*state.Backup{}
	for _, b := range all {
		byID[b.ID] = b
	}
	// Every backup that stays protects its whole chain. A protected
	// ancestor stays too, which may protect further ancestors: iterate to
	// a fixed point (chains are short).
	for changed := true; changed; {
		changed = false
		for _, b := range all {
			if going[b.ID] {
				continue
			}
			for p := byID[b.ParentID]; p != nil; p = byID[p.ParentID] {
				if going[p.ID] {
					delete(going, p.ID)
					changed = true
				}
			}
		}
	}
	for _, b := range cands {
		if going[b.ID] {
			prune = append(prune, b)
		} else if b.Status == BackupAvailable {
			kept = append(kept, b)
		}
	}
	return DependentsFirst(prune), kept
}

// DependentsFirst orders backups so that each comes before the backup it
// chains to (newest first within a chain).
func DependentsFirst(bs []*state.Backup) []*state.Backup {
	out := slices.Clone(bs)
	newestFirst(out)
	// A child is always created after its parent, but clocks can be equal
	// or skewed; fix any parent placed before its child.
	pos := func(id string) int {
		return slices.IndexFunc(out, func(b *state.Backup) bool { return b.ID == id })
	}
	for moved := true; moved; {
		moved = false
		for i, b := range out {
			if j := pos(b.ParentID); j >= 0 && j < i {
				p := out[j]
				out = slices.Delete(out, j, j+1)
				out = slices.Insert(out, i, p)
				moved = true
				break
			}
		}
	}
	return out
}

// DependentsError refuses deleting backups that others still chain to.
type DependentsError struct {
	// Needed maps a backup ID to be deleted to the IDs that chain to it
	// and are not deleted in the same plan.
	Needed map[string][]string
	// Address names each backup for the message.
	Address map[string]string
}

func (e *DependentsError) Error() string {
	var parts []string
	for _, id := range providers.SortedKeys(e.Needed) {
		deps := make([]string, len(e.Needed[id]))
		for i, d := range e.Needed[id] {
			deps[i] = fmt.Sprintf("%s (%s)", e.Address[d], d)
		}
		parts = append(parts, fmt.Sprintf("%s (%s) has dependent incremental backups %s",
			e.Address[id], id, strings.Join(deps, ", ")))
	}
	return strings.Join(parts, "; ") + ". Delete the dependents in the same plan (remove their blocks too), or keep the backup."
}

// OrderBackupDeletions checks that every backup in deleting may go — each
// of its dependents is deleted too — and returns them dependents first.
// Otherwise it returns a *DependentsError naming what is still needed.
func OrderBackupDeletions(all []*state.Backup, deleting []string) ([]*state.Backup, error) {
	del := map[string]bool{}
	for _, id := range deleting {
		del[id] = true
	}
	e := &DependentsError{Needed: map[string][]string{}, Address: map[string]string{}}
	var out []*state.Backup
	for _, b := range all {
		e.Address[b.ID] = b.Address
		if del[b.ID] {
			out = append(out, b)
		}
	}
	for _, b := range all {
		if b.ParentID != "" && del[b.ParentID] && !del[b.ID] {
			e.Needed[b.ParentID] = append(e.Needed[b.ParentID], b.ID)
		}
	}
	if len(e.Needed) > 0 {
		for _, deps := range e.Needed {
			sort.Strings(deps)
		}
		return nil, e
	}
	return DependentsFirst(out), nil
}

// ChainLength is the number of backups from the full one to b, inclusive.
func ChainLength(all []*state.Backup, b *state.Backup) int {
	byID := map[string]*state.Backup{}
	for _, x := range all {
		byID[x.ID] = x
	}
	n := 0
	for p := b; p != nil && n <= len(all); p = byID[p.ParentID] {
		n++
	}
	return n
}

// PolicyBackupKind is BackupKind for a policy: an incremental policy also
// starts a new chain with a full backup once the current chain holds keep
// backups, since a chain cannot be pruned while its newest backup is kept
// and would otherwise grow forever.
func PolicyBackupKind(all []*state.Backup, volumeID, repository string, sizeBytes int64, incremental bool, keep int) (parentID, note string) {
	parent := ChainParent(all, volumeID, repository)
	if incremental && parent != nil && ChainLength(all, parent) >= keep {
		return "", fmt.Sprintf("full: the chain ending at backup %s already holds keep = %d backups, so a new chain starts and the old one can be pruned", parent.ID, keep)
	}
	return BackupKind(incremental, parent, sizeBytes)
}
