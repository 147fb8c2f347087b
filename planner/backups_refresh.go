package planner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/slab-storage/slab/drivers/backup"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// readableRepository opens a repository for refresh, or returns nil when
// its absence proves nothing: a missing directory or one without any
// backup is more likely an NFS share that is not mounted than backups
// deleted one by one, and opening it must not create it.
func readableRepository(ctx context.Context, path string) backup.Repository {
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		return nil
	}
	repo, err := providers.OpenRepository(path)
	if err != nil {
		return nil
	}
	if ids, err := repo.Backups(ctx); err != nil || len(ids) == 0 {
		return nil
	}
	return repo
}

// refreshBackups checks that every available backup still has its
// manifest in its repository. One that is gone (deleted outside slab, or
// the repository was emptied) is dropped from the refreshed record as
// drift, so a backup block takes it again and a policy counts without it.
// Damaged backups stay: restore and verify report them, and only an
// operator can tell damage from a repository that is not mounted.
func (p *planner) refreshBackups(ctx context.Context) []*Drift {
	repos := map[string]backup.Repository{}
	var drift []*Drift
	kept := p.refreshed.Backups[:0:0]
	for _, b := range p.refreshed.Backups {
		if b.Status != BackupAvailable {
			kept = append(kept, b)
			continue
		}
		if !backupGone(ctx, repos, b) {
			kept = append(kept, b)
			continue
		}
		k, _ := providers.KindOf("backup")
		drift = append(drift, &Drift{Address: b.Address, Kind: "backup", Name: b.Name, ID: b.ID, Action: Delete,
			Before: k.Attrs(b, p.addressOf), Sensitive: b.Sensitive,
			Detail: fmt.Sprintf("the backup's manifest is no longer in repository %s", b.RepositoryPath)})
	}
	if len(drift) > 0 {
		refreshed := *p.refreshed
		refreshed.Backups = slices.Clip(kept)
		p.refreshed = &refreshed
	}
	return drift
}

// backupGone reports whether an available backup's manifest is missing
// from its repository, which is readable. repos caches the repositories
// opened so far, by path (nil for an unreadable one).
func backupGone(ctx context.Context, repos map[string]backup.Repository, b *state.Backup) bool {
	if b.Status != BackupAvailable {
		return false
	}
	repo, ok := repos[b.RepositoryPath]
	if !ok {
		repo = readableRepository(ctx, b.RepositoryPath)
		repos[b.RepositoryPath] = repo
	}
	if repo == nil {
		return false // unreadable now: not evidence of anything
	}
	_, err := backup.ReadManifest(ctx, repo, b.ID)
	return errors.Is(err, backup.ErrNotFound)
}
