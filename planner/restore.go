package planner

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// FindBackup finds a recorded backup by address (backup.weekly,
// backup_policy.db["db.a@20260301T020000Z"]) or by ID.
func FindBackup(rec *state.State, ref string) (*state.Backup, error) {
	var byAddr []*state.Backup
	for _, b := range rec.Backups {
		if b.ID == ref {
			return b, nil
		}
		if b.Address == ref {
			byAddr = append(byAddr, b)
		}
	}
	switch len(byAddr) {
	case 1:
		return byAddr[0], nil
	case 0:
		hint := ""
		if strings.HasPrefix(ref, "backup_policy.") && !strings.Contains(ref, "[") {
			hint = " A policy takes many backups: name one by its address with the key, or by ID (slab backup list shows them)."
		}
		return nil, fmt.Errorf("no recorded backup is %s.%s Run slab backup list to see the backups.", ref, hint)
	}
	newestFirst(byAddr)
	return byAddr[0], nil
}

// Restore writes a recorded backup into an existing recorded volume that
// is available and at least the backup's size, recording the volume as
// restoring-backup meanwhile and, on any failure, as error (never
// available with half its data). The caller holds the stack's lock;
// opts.Store, Pools, Who and Progress are used.
func Restore(ctx context.Context, opts ApplyOptions, stack, backupRef, volumeAddr string) (*state.Backup, *state.Volume, error) {
	rec, err := opts.Store.Read(ctx, stack)
	if err != nil {
		return nil, nil, err
	}
	b, err := FindBackup(rec, backupRef)
	if err != nil {
		return nil, nil, err
	}
	var vol *state.Volume
	for _, v := range rec.Volumes {
		if v.Address == volumeAddr || v.ID == volumeAddr {
			vol = v
		}
	}
	switch {
	case vol == nil:
		return b, nil, fmt.Errorf("no recorded volume is %s. Restore into a volume slab manages (slab state list shows them), or declare one with source = { backup = %s } to restore into a new volume.", volumeAddr, b.Address)
	case vol.Status != providers.StatusAvailable:
		return b, vol, fmt.Errorf("%s is %s; a backup is restored only into an available volume (as Cinder's)", vol.Address, vol.Status)
	case int64(vol.SizeGiB)*drivers.GiBBytes < b.SizeBytes:
		return b, vol, fmt.Errorf("%s is %d GiB, smaller than backup %s (%d GiB); extend it first", vol.Address, vol.SizeGiB, b.Address, (b.SizeBytes+drivers.GiBBytes-1)/drivers.GiBBytes)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	env := newApplyEnv(&Plan{Stack: stack}, rec, opts)
	v := state.Clone(vol).(*state.Volume)
	return b, v, providers.RestoreInto(ctx, env, b, v)
}
