package providers

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/drivers/backup"
	"github.com/slab-storage/slab/drivers/backup/posix"
	"github.com/slab-storage/slab/state"
)

// Backup statuses, as Cinder's; volumes show backing-up and
// restoring-backup while their data is read or written.
const (
	StatusBackingUp       = "backing-up"
	StatusRestoringBackup = "restoring-backup"
)

// BackupSchema: a backup is immutable; any change takes a new one. The
// repository's location and settings and the chosen parent are decided
// by the planner and carried in the plan (computed), so that a saved plan
// applies without the configuration.
var BackupSchema = &Schema{Kind: "backup", Attributes: []Attribute{
	{Name: "id", Type: String, Rule: Computed},
	{Name: "volume", Type: String, Rule: ForcesReplacement},
	{Name: "repository", Type: String, Rule: ForcesReplacement},
	{Name: "incremental", Type: Bool, Rule: ForcesReplacement},
	{Name: "description", Type: String, Rule: ForcesReplacement},
	{Name: "policy", Type: String, Rule: Computed},
	{Name: "parent", Type: String, Rule: Computed},
	{Name: "repository_path", Type: String, Rule: Computed},
	{Name: "compression", Type: String, Rule: Computed},
	{Name: "chunk_size", Type: Int, Rule: Computed},
	{Name: "size", Type: Int, Rule: Computed}, // bytes
	{Name: "stored", Type: Int, Rule: Computed},
	{Name: "status", Type: String, Rule: Computed},
}}

type backupKind struct{}

func (backupKind) Schema() *Schema { return BackupSchema }

func (backupKind) Attrs(obj state.Object, addressOf func(string) string) Attrs {
	b := obj.(*state.Backup)
	a := Attrs{
		"id":              b.ID,
		"volume":          addressOf(b.VolumeID),
		"repository":      b.Repository,
		"incremental":     b.Incremental,
		"description":     nonEmpty(b.Description),
		"policy":          nonEmpty(b.Policy),
		"parent":          nonEmpty(b.ParentID),
		"repository_path": b.RepositoryPath,
		"size":            b.SizeBytes,
		"stored":          b.StoredBytes,
		"status":          b.Status,
	}
	return a
}

// OpenRepository opens a backup repository at its recorded location.
func OpenRepository(path string) (backup.Repository, error) {
	if !filepath.IsAbs(path) {
		return nil, fmt.Errorf("backup repository path %q is not absolute", path)
	}
	return posix.Open(path)
}

// progressOf returns the env's progress sink for a long operation on
// address, or nil.
func progressOf(env Env, address, action string) backup.Progress {
	if pe, ok := env.(ProgressEnv); ok {
		if f := pe.Progress(address, action); f != nil {
			return backup.ProgressFunc(f)
		}
	}
	return nil
}

// ProgressEnv is implemented by envs that show progress of backups and
// restores: action is "backing up" or "restoring".
type ProgressEnv interface {
	Progress(address, action string) func(done, total int64)
}

func backupPool(env Env, v *state.Volume) (drivers.BackupPool, error) {
	pool, err := env.Pool(v.Pool)
	if err != nil {
		return nil, err
	}
	bp, ok := pool.(drivers.BackupPool)
	if !ok {
		return nil, fmt.Errorf("pool %s cannot back up or restore volumes", v.Pool)
	}
	return bp, nil
}

// Create takes the backup from a point-in-time image of the volume: full,
// or chained to the parent the plan chose. The row is recorded (creating)
// before any data is read, so a crash leaves a row that the next plan
// retakes, and the engine writes the manifest last, so the repository
// never holds a partial backup that looks complete.
func (backupKind) Create(ctx context.Context, env Env, op Op) error {
	volAddr := str(op.After, "volume")
	obj, ok := env.Resolve(volAddr)
	if !ok {
		return fmt.Errorf("%s is not recorded (was it created?)", volAddr)
	}
	vol := obj.(*state.Volume)
	now := env.Now()
	b := &state.Backup{
		ID: env.NewID(), Address: op.Address, Name: op.Name, Policy: str(op.After, "policy"),
		VolumeID: vol.ID, Repository: str(op.After, "repository"), RepositoryPath: str(op.After, "repository_path"),
		Incremental: op.After["incremental"] == true,
		SizeBytes:   int64(vol.SizeGiB) * drivers.GiBBytes, Status: StatusCreating,
		Description: str(op.After, "description"), Sensitive: op.Sensitive, CreatedAt: now, UpdatedAt: now,
	}
	if parent := str(op.After, "parent"); parent != "" {
		if po, ok := env.Lookup(state.KindBackup, parent); ok && po.(*state.Backup).Status == StatusAvailable {
			b.ParentID = parent
		}
	}
	repo, err := OpenRepository(b.RepositoryPath)
	if err != nil {
		return err
	}
	bp, err := backupPool(env, vol)
	if err != nil {
		return err
	}
	detail := "full backup of " + volAddr
	if b.ParentID != "" {
		detail = "incremental backup of " + volAddr + " on " + b.ParentID
	}
	if err := env.Record(ctx, state.Write{Put: b, Event: state.Event{Action: "create", Detail: detail}}); err != nil {
		return err
	}
	prevStatus := vol.Status
	if prevStatus == StatusBackingUp || prevStatus == "" {
		prevStatus = StatusAvailable // left by an interrupted backup
	}
	vol.Status, vol.UpdatedAt = StatusBackingUp, env.Now()
	if err := env.Record(ctx, state.Write{Put: vol, Event: state.Event{Action: "backup", Detail: "backing up to " + b.Address}}); err != nil {
		return err
	}
	m, stats, err := takeBackup(ctx, env, repo, bp, b, op)
	vol.Status, vol.UpdatedAt = prevStatus, env.Now()
	if rerr := env.Record(ctx, state.Write{Put: vol, Event: state.Event{Action: "backup", Detail: "backup finished"}}); rerr != nil && err == nil {
		err = rerr
	}
	note := ""
	if err != nil && m != nil {
		note, err = "; "+err.Error(), nil // complete; only the kept snapshot is missing
	}
	if err != nil {
		// Clear what the failed attempt stored; the manifest was never
		// written, so nothing of it looks complete anyway.
		_ = backup.Delete(context.WithoutCancel(ctx), repo, b.ID)
		return recordFailure(ctx, env, b, StatusError, "create", err)
	}
	b.ParentID, b.SizeBytes, b.StoredBytes = m.ParentID, m.Size, m.StoredBytes
	b.ManifestLocation = filepath.Join(b.RepositoryPath, "backup-"+b.ID, backup.ManifestName)
	b.Status, b.StatusReason, b.UpdatedAt = StatusAvailable, "", env.Now()
	return env.Record(ctx, state.Write{Put: b, Event: state.Event{Action: "create", Detail: fmt.Sprintf(
		"available: %s, %d bytes read, %d stored (%s)%s", stats.Path, stats.BytesRead, m.StoredBytes, m.Compression, note)}})
}

// takeBackup runs the engine against the volume's pool; a parent the
// volume outgrew since the plan was made falls back to a full backup. A
// backup whose snapshot could not be kept for the next incremental comes
// back with its manifest and the error: it is complete all the same, and
// only the next incremental pays a full read.
func takeBackup(ctx context.Context, env Env, repo backup.Repository, bp drivers.BackupPool, b *state.Backup, op Op) (*backup.Manifest, backup.Stats, error) {
	comp, err := backup.ParseCompression(str(op.After, "compression"))
	if err != nil {
		return nil, backup.Stats{}, err
	}
	opts := backup.Options{ChunkSize: int64(num(op.After, "chunk_size")), Compression: comp, Progress: progressOf(env, b.Address, "backing up")}
	req := backup.Request{ID: b.ID, VolumeID: b.VolumeID, ParentID: b.ParentID, Description: b.Description, Created: b.CreatedAt}
	m, stats, err := backup.BackupVolume(ctx, bp, repo, req, opts)
	if errors.Is(err, backup.ErrNeedsFull) {
		b.ParentID, req.ParentID = "", ""
		m, stats, err = backup.BackupVolume(ctx, bp, repo, req, opts)
	}
	return m, stats, err
}

func (backupKind) Update(ctx context.Context, env Env, op Op) error {
	return fmt.Errorf("%s: backups cannot change; any change takes a new backup", op.Address)
}

// Delete removes the backup from its repository (manifest first) and the
// image kept for the next incremental. The planner has checked that no
// remaining backup chains to it.
func (backupKind) Delete(ctx context.Context, env Env, op Op) error {
	obj, ok := env.Lookup(state.KindBackup, op.ID)
	if !ok {
		return nil
	}
	cur := *obj.(*state.Backup)
	b := &cur
	b.Status, b.UpdatedAt = StatusDeleting, env.Now()
	if err := env.Record(ctx, state.Write{Put: b, Event: state.Event{Action: "delete", Detail: "deleting from " + b.RepositoryPath}}); err != nil {
		return err
	}
	repo, err := OpenRepository(b.RepositoryPath)
	if err == nil {
		err = backup.Delete(ctx, repo, b.ID)
	}
	if err != nil {
		return recordFailure(ctx, env, b, StatusErrorDeleting, "delete", err)
	}
	if vo, ok := env.Lookup(state.KindVolume, b.VolumeID); ok {
		if bp, err := backupPool(env, vo.(*state.Volume)); err == nil {
			_ = bp.DropBackupImage(ctx, b.VolumeID, b.ID) // only an optimisation for the next incremental
		}
	}
	return env.Record(ctx, state.Write{Delete: &state.Ref{Kind: state.KindBackup, ID: b.ID}, Event: state.Event{Action: "delete", Address: b.Address}})
}

// RestoreInto writes backup b's chain into volume v, which must exist on
// its pool and be at least the backup's size. The volume shows
// restoring-backup meanwhile; any failure (a damaged or missing object, a
// truncated manifest) leaves it in error with the engine's message, which
// names the backup and the object, never available.
func RestoreInto(ctx context.Context, env Env, b *state.Backup, v *state.Volume) error {
	if b.Status != StatusAvailable {
		return fmt.Errorf("backup %s (%s) is %s, not available", b.Address, b.ID, b.Status)
	}
	if int64(v.SizeGiB)*drivers.GiBBytes < b.SizeBytes {
		return fmt.Errorf("%s is %d GiB, smaller than backup %s (%d bytes)", v.Address, v.SizeGiB, b.Address, b.SizeBytes)
	}
	v.Status, v.StatusReason, v.UpdatedAt = StatusRestoringBackup, "", env.Now()
	if err := env.Record(ctx, state.Write{Put: v, Event: state.Event{Action: "restore", Detail: "restoring " + b.Address + " (" + b.ID + ")"}}); err != nil {
		return err
	}
	err := restoreData(ctx, env, b, v)
	if err != nil {
		return recordFailure(ctx, env, v, StatusError, "restore", fmt.Errorf("restoring backup %s: %w", b.ID, err))
	}
	v.Status, v.UpdatedAt = StatusAvailable, env.Now()
	return env.Record(ctx, state.Write{Put: v, Event: state.Event{Action: "restore", Detail: "restored " + b.Address + " (" + b.ID + ")"}})
}

func restoreData(ctx context.Context, env Env, b *state.Backup, v *state.Volume) error {
	repo, err := OpenRepository(b.RepositoryPath)
	if err != nil {
		return err
	}
	bp, err := backupPool(env, v)
	if err != nil {
		return err
	}
	_, err = backup.RestoreVolume(ctx, bp, v.ID, repo, b.ID, progressOf(env, v.Address, "restoring"))
	return err
}

// restoreNew fills a volume just created from source = { backup = … }.
func restoreNew(ctx context.Context, env Env, v *state.Volume) error {
	obj, ok := env.Lookup(state.KindBackup, v.SourceID)
	if !ok {
		return recordFailure(ctx, env, v, StatusError, "create", fmt.Errorf("backup %s (%s) is not recorded", v.SourceAddress, v.SourceID))
	}
	return RestoreInto(ctx, env, obj.(*state.Backup), v)
}

// VerifyBackup re-reads backup b's chain from its repository and checks
// every object, writing nothing.
func VerifyBackup(ctx context.Context, b *state.Backup, progress func(done, total int64)) (backup.Stats, error) {
	repo, err := OpenRepository(b.RepositoryPath)
	if err != nil {
		return backup.Stats{}, err
	}
	var p backup.Progress
	if progress != nil {
		p = backup.ProgressFunc(progress)
	}
	return backup.Verify(ctx, repo, b.ID, p)
}
