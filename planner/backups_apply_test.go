//go:build linux

package planner

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/slab-storage/slab/drivers/backup"
	"github.com/slab-storage/slab/drivers/backup/posix"
	"github.com/slab-storage/slab/state"
)

const backupBase = `
backend "b" {
  driver = "file"
  pool "p" { path = "pool" }
}
backup_repository "nas" {
  driver      = "posix"
  path        = "repo"
  compression = "zstd"
  chunk_size  = "1MiB"
}
`

// applyAt applies p with the given clock, failing on any failed step.
func (f *fixture) applyAt(p *Plan, now time.Time) *Result {
	f.t.Helper()
	pools := NewPoolSet(p.Pools)
	defer pools.Close()
	res, err := Apply(context.Background(), p, ApplyOptions{Store: f.store, Pools: pools, Now: func() time.Time { return now }})
	if err != nil {
		f.t.Fatal(err)
	}
	if len(res.Failed) > 0 {
		f.t.Fatalf("apply failed: %v", res.Failed)
	}
	return res
}

func (f *fixture) volumeAt(addr string) *state.Volume {
	f.t.Helper()
	for _, v := range f.read().Volumes {
		if v.Address == addr {
			return v
		}
	}
	f.t.Fatalf("no volume at %s", addr)
	return nil
}

// scribble writes random 64 KiB blocks at a few offsets of a volume file.
func scribble(t *testing.T, path string, offsets ...int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, off := range offsets {
		buf := make([]byte, 64<<10)
		rand.Read(buf)
		if _, err := f.WriteAt(buf, off); err != nil {
			t.Fatal(err)
		}
	}
}

func repoIDs(t *testing.T, dir string) []string {
	t.Helper()
	repo, err := posix.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ms, damaged, err := backup.List(context.Background(), repo)
	if err != nil || len(damaged) > 0 {
		t.Fatalf("list: %v %v", err, damaged)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	sort.Strings(out)
	return out
}

func backupIDs(bs []*state.Backup) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.ID)
	}
	sort.Strings(out)
	return out
}

func TestPolicyOnRealDataAcrossAppliesWithAFakeClock(t *testing.T) {
	f := newFixture(t, backupBase+`
volume "v" { size = 1 }
backup_policy "daily" {
  volumes     = [volume.v]
  repository  = backup_repository.nas
  every       = "24h"
  keep        = 2
  incremental = true
}
`)
	t0 := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	type step struct {
		at          time.Duration
		wantTaken   int
		wantPruned  int
		wantLive    int
		wantParents int // live incrementals
	}
	for i, s := range []step{
		{0, 1, 0, 1, 0},              // first backup: full
		{time.Hour, 0, 0, 1, 0},      // not due
		{24 * time.Hour, 1, 0, 2, 1}, // incremental on the first
		{48 * time.Hour, 1, 0, 3, 1}, // the chain holds keep: a new full; the old chain stays (the kept incremental needs it)
		{72 * time.Hour, 1, 2, 2, 1}, // incremental on the new full; the whole old chain goes
		{96 * time.Hour, 1, 0, 3, 1}, // new chain again
	} {
		now := t0.Add(s.at)
		if i > 0 {
			scribble(t, f.volumeAt("volume.v").ProviderLocation, int64(i)<<20, 300<<20)
		}
		p := f.mustPlan(Options{Now: func() time.Time { return now }})
		taken, pruned := 0, 0
		for _, c := range p.Changes {
			if c.Kind != "backup" {
				continue
			}
			switch c.Action {
			case Create:
				taken++
				if !strings.HasPrefix(c.Address, `backup_policy.daily["v@`) {
					t.Errorf("apply %d: policy backup at %s", i, c.Address)
				}
			case Delete:
				pruned++
				if c.Reason != ReasonPruned || c.DestroysData {
					t.Errorf("apply %d: deletion of %s for %s (destroys data: %v), want a pruning the policy asked for", i, c.Address, c.Reason, c.DestroysData)
				}
			}
		}
		if taken != s.wantTaken || pruned != s.wantPruned {
			t.Fatalf("apply %d: plan takes %d and prunes %d, want %d and %d", i, taken, pruned, s.wantTaken, s.wantPruned)
		}
		f.applyAt(p, now)
		live := f.read().Backups
		ids := map[string]bool{}
		incs := 0
		for _, b := range live {
			ids[b.ID] = true
			if b.Status != BackupAvailable {
				t.Errorf("apply %d: %s is %s", i, b.ID, b.Status)
			}
		}
		for _, b := range live {
			if b.ParentID != "" {
				incs++
				if !ids[b.ParentID] {
					t.Errorf("apply %d: %s lost its parent %s", i, b.ID, b.ParentID)
				}
			}
		}
		if len(live) != s.wantLive || incs != s.wantParents {
			t.Errorf("apply %d: %d backups live (%d incremental), want %d (%d)", i, len(live), incs, s.wantLive, s.wantParents)
		}
		if got, want := repoIDs(t, filepath.Join(f.dir, "repo")), backupIDs(live); !slices.Equal(got, want) {
			t.Errorf("apply %d: repository holds %v, state %v", i, got, want)
		}
	}
}

func TestRestoreFromABackupIntoANewVolume(t *testing.T) {
	f := newFixture(t, backupBase+`
volume "v" { size = 1 }
backup "full" {
  volume     = volume.v
  repository = backup_repository.nas
}
`)
	f.apply(f.mustPlan(Options{}))
	path := f.volumeAt("volume.v").ProviderLocation
	scribble(t, path, 0, 5<<20, 700<<20)
	f.write(backupBase + `
volume "v" { size = 1 }
backup "full" {
  volume     = volume.v
  repository = backup_repository.nas
}
backup "inc" {
  volume      = volume.v
  repository  = backup_repository.nas
  incremental = true
}
`)
	p := f.mustPlan(Options{})
	c := p.Change("backup.inc")
	full := f.read().Backups[0]
	if c == nil || c.After["parent"] != full.ID || !strings.Contains(c.Detail, "incremental on "+full.ID) {
		t.Fatalf("backup.inc change = %+v, want an incremental on %s", c, full.ID)
	}
	f.apply(p)
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	scribble(t, path, 5<<20) // after the backup: must not show in the restore

	cfg := backupBase + `
volume "v" { size = 1 }
backup "full" {
  volume     = volume.v
  repository = backup_repository.nas
}
backup "inc" {
  volume      = volume.v
  repository  = backup_repository.nas
  incremental = true
}
volume "r" {
  size   = 1
  source = { backup = backup.inc }
}
`
	f.write(cfg)
	f.apply(f.mustPlan(Options{}))
	r := f.volumeAt("volume.r")
	if r.Status != "available" || r.SourceKind != "backup" {
		t.Errorf("restored volume is %s from %q", r.Status, r.SourceKind)
	}
	got, err := os.ReadFile(r.ProviderLocation)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the restored volume differs from the volume at the incremental backup")
	}

	// Deleting the full backup alone would orphan the incremental.
	f.write(strings.Replace(cfg, "backup \"full\" {\n  volume     = volume.v\n  repository = backup_repository.nas\n}\n", "", 1))
	if _, diags := f.plan(Options{}); !diags.HasErrors() || !strings.Contains(diags.Error(), "has dependent incremental backups backup.inc") {
		t.Errorf("deleting backup.full alone: diags %v, want a refusal naming backup.inc", diags)
	}
	// Deleting both is ordered: the incremental first.
	f.write(backupBase + `
volume "v" { size = 1 }
volume "r" { size = 1 }
`)
	p = f.mustPlan(Options{})
	if inc := p.Change("backup.inc"); inc == nil || inc.Action != Delete || !slices.Contains(inc.OldDependsOn, "backup.full") || !inc.DestroysData {
		t.Errorf("backup.inc deletion = %+v, want it ordered before backup.full", inc)
	}
	f.apply(p)
	if ids := repoIDs(t, filepath.Join(f.dir, "repo")); len(ids) != 0 || len(f.read().Backups) != 0 {
		t.Errorf("after deleting both: repository %v, state %v", ids, f.read().Backups)
	}
}

func TestAVolumeThatGrewGetsAFullBackupNotedInThePlan(t *testing.T) {
	f := newFixture(t, backupBase+`
volume "v" { size = 1 }
backup "a" {
  volume     = volume.v
  repository = backup_repository.nas
}
`)
	f.apply(f.mustPlan(Options{}))
	f.write(backupBase + `
volume "v" { size = 2 }
backup "a" {
  volume     = volume.v
  repository = backup_repository.nas
}
backup "b" {
  volume      = volume.v
  repository  = backup_repository.nas
  incremental = true
}
`)
	p := f.mustPlan(Options{})
	c := p.Change("backup.b")
	if c == nil || c.After["parent"] != nil || !strings.Contains(c.Detail, "grew") {
		t.Fatalf("backup.b = %+v, want a full backup whose detail says the volume grew", c)
	}
	f.apply(p)
	for _, b := range f.read().Backups {
		if b.Address == "backup.b" && (b.ParentID != "" || b.SizeBytes != 2<<30) {
			t.Errorf("backup.b recorded with parent %q, size %d", b.ParentID, b.SizeBytes)
		}
	}
}

func TestADamagedBackupLeavesTheRestoredVolumeInError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, dir string) (object string)
	}{
		{"a flipped bit in an object", func(t *testing.T, dir string) string {
			chunk := firstChunk(t, dir)
			data, err := os.ReadFile(chunk)
			if err != nil {
				t.Fatal(err)
			}
			data[len(data)/2] ^= 0x10
			writeBytes(t, chunk, data)
			return filepath.Base(chunk)
		}},
		{"a truncated object", func(t *testing.T, dir string) string {
			chunk := firstChunk(t, dir)
			if err := os.Truncate(chunk, 100); err != nil {
				t.Fatal(err)
			}
			return filepath.Base(chunk)
		}},
		{"a deleted object", func(t *testing.T, dir string) string {
			chunk := firstChunk(t, dir)
			if err := os.Remove(chunk); err != nil {
				t.Fatal(err)
			}
			return filepath.Base(chunk)
		}},
		{"a damaged manifest", func(t *testing.T, dir string) string {
			manifest := filepath.Join(dir, backup.ManifestName)
			data, err := os.ReadFile(manifest)
			if err != nil {
				t.Fatal(err)
			}
			writeBytes(t, manifest, data[:len(data)/2])
			return ""
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, backupBase+`
volume "v" { size = 1 }
`)
			f.apply(f.mustPlan(Options{}))
			scribble(t, f.volumeAt("volume.v").ProviderLocation, 0, 3<<20, 700<<20)
			withBackup := backupBase + `
volume "v" { size = 1 }
backup "a" {
  volume     = volume.v
  repository = backup_repository.nas
}
`
			f.write(withBackup)
			f.apply(f.mustPlan(Options{}))
			b := f.read().Backups[0]
			object := tc.damage(t, filepath.Join(f.dir, "repo", "backup-"+b.ID))

			f.write(withBackup + `
volume "r" {
  size   = 1
  source = { backup = backup.a }
}
`)
			p := f.mustPlan(Options{})
			pools := NewPoolSet(p.Pools)
			defer pools.Close()
			res, err := Apply(context.Background(), p, ApplyOptions{Store: f.store, Pools: pools})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Failed) != 1 || res.Failed[0].Address != "volume.r" {
				t.Fatalf("failed steps = %v, want volume.r", res.Failed)
			}
			msg := res.Failed[0].Err.Error()
			if !strings.Contains(msg, b.ID) || !strings.Contains(msg, object) {
				t.Errorf("error %q does not name backup %s and object %q", msg, b.ID, object)
			}
			r := f.volumeAt("volume.r")
			if r.Status != "error" || !strings.Contains(r.StatusReason, b.ID) {
				t.Errorf("restored volume is %s (%s), want error naming the backup", r.Status, r.StatusReason)
			}
			// The next plan replaces the volume that failed, as any failed create.
			if c := f.mustPlan(Options{}).Change("volume.r"); c == nil || c.Action != Replace {
				t.Errorf("next plan for volume.r: %+v, want a replacement", c)
			}
			// Removing it removes whatever the failed restore left on the pool.
			f.write(withBackup)
			f.apply(f.mustPlan(Options{}))
			if left := filesNamed(t, f.dir, "volume-"+r.ID); len(left) > 0 {
				t.Errorf("deleting the failed volume left %v on the pool", left)
			}
		})
	}
}

// filesNamed lists the files called name anywhere under dir.
func filesNamed(t *testing.T, dir, name string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.Name() == name {
			out = append(out, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func firstChunk(t *testing.T, dir string) string {
	t.Helper()
	chunks, _ := filepath.Glob(filepath.Join(dir, "chunk-*"))
	if len(chunks) == 0 {
		t.Fatal("the backup stored no data object")
	}
	sort.Strings(chunks)
	return chunks[0]
}

func writeBytes(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestBackupQuotasCountTheCatalogAndThePlan(t *testing.T) {
	const cfg = `
slab {
  quota {
    backups          = 2
    backup_gigabytes = 3
  }
}
` + backupBase + `
volume_type "gold" {
  quota { backups = 1 }
}
volume "small" { size = 1 }
volume "big" {
  size = 2
  type = volume_type.gold
}
`
	f := newFixture(t, cfg+`
backup "a" {
  volume     = volume.small
  repository = backup_repository.nas
}
backup "b" {
  volume     = volume.big
  repository = backup_repository.nas
}
`)
	// 1 + 2 GiB in two backups: both stack limits reached, not passed.
	f.apply(f.mustPlan(Options{}))

	for _, tc := range []struct{ name, extra, want string }{
		{"a third backup passes the stack's count", `
backup "c" {
  volume     = volume.small
  repository = backup_repository.nas
}`, `Quota exceeded: backups of stack "default"`},
		{"a second backup of a gold volume passes the type's count", `
backup "c" {
  volume     = volume.big
  repository = backup_repository.nas
}`, "Quota exceeded: backups of volume_type.gold"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.write(cfg + `
backup "a" {
  volume     = volume.small
  repository = backup_repository.nas
}
backup "b" {
  volume     = volume.big
  repository = backup_repository.nas
}` + tc.extra)
			_, diags := f.plan(Options{})
			var all []string
			for _, d := range diags {
				all = append(all, d.Summary)
			}
			if !slices.Contains(all, tc.want) {
				t.Errorf("diagnostics %q, want %q", all, tc.want)
			}
		})
	}
	t.Run("replacing a backup frees its place first", func(t *testing.T) {
		f.write(cfg + `
backup "a" {
  volume      = volume.small
  repository  = backup_repository.nas
  description = "again"
}
backup "b" {
  volume     = volume.big
  repository = backup_repository.nas
}`)
		if _, diags := f.plan(Options{}); diags.HasErrors() {
			t.Errorf("replacing a backup within the quota: %v", diags)
		}
	})
}

func TestARestoredVolumeMustHoldItsBackup(t *testing.T) {
	f := newFixture(t, backupBase+`
volume "v" { size = 2 }
backup "a" {
  volume     = volume.v
  repository = backup_repository.nas
}
volume "r" {
  size   = 1
  source = { backup = backup.a }
}
`)
	// Checked against the volume's size while the backup is only planned…
	_, diags := f.plan(Options{})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Volume is smaller than its backup") || diags[0].Subject == nil {
		t.Fatalf("diags = %v, want a refusal at size", diags)
	}
	// …and against the recorded backup once it exists.
	f.write(backupBase + `
volume "v" { size = 2 }
backup "a" {
  volume     = volume.v
  repository = backup_repository.nas
}
`)
	f.apply(f.mustPlan(Options{}))
	f.write(backupBase + `
volume "v" { size = 2 }
backup "a" {
  volume     = volume.v
  repository = backup_repository.nas
}
volume "r" {
  size   = 1
  source = { backup = backup.a }
}
`)
	if _, diags := f.plan(Options{}); !diags.HasErrors() || !strings.Contains(diags.Error(), "holds 2 GiB") {
		t.Errorf("diags = %v, want a refusal naming the backup's 2 GiB", diags)
	}
}

func TestAPolicyChainsOnlyToItsOwnBackups(t *testing.T) {
	const cfg = backupBase + `
volume "v" { size = 1 }
backup "block" {
  volume     = volume.v
  repository = backup_repository.nas
}
`
	f := newFixture(t, cfg)
	t0 := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	f.applyAt(f.mustPlan(Options{Now: func() time.Time { return t0 }}), t0)
	f.write(cfg + `
backup_policy "daily" {
  volumes     = [volume.v]
  repository  = backup_repository.nas
  every       = "24h"
  keep        = 3
  incremental = true
}
`)
	t1 := t0.Add(time.Hour)
	p := f.mustPlan(Options{Now: func() time.Time { return t1 }})
	for _, c := range p.Changes {
		if c.Kind == "backup" && c.Action == Create && c.After["parent"] != nil {
			t.Errorf("%s chains to %v; the policy has no backup of its own yet", c.Address, c.After["parent"])
		}
	}
	f.applyAt(p, t1)
	// The block can go: nothing of the policy depends on it.
	f.write(backupBase + `
volume "v" { size = 1 }
backup_policy "daily" {
  volumes     = [volume.v]
  repository  = backup_repository.nas
  every       = "24h"
  keep        = 3
  incremental = true
}
`)
	if _, diags := f.plan(Options{Now: func() time.Time { return t1 }}); diags.HasErrors() {
		t.Errorf("removing the backup block: %v", diags)
	}
}

func TestAnInterruptedRestoreIsNeverAvailable(t *testing.T) {
	f := newFixture(t, backupBase+`
volume "v" { size = 1 }
volume "w" { size = 1 }
`)
	f.apply(f.mustPlan(Options{}))
	// As a crash would leave them: one volume mid-restore, one mid-backup.
	for addr, status := range map[string]string{"volume.v": "restoring-backup", "volume.w": "backing-up"} {
		v := f.volumeAt(addr)
		v.Status = status
		if _, err := f.store.Apply(context.Background(), "default", state.Write{Put: v, Event: state.Event{Action: "test"}}); err != nil {
			t.Fatal(err)
		}
	}
	p := f.mustPlan(Options{})
	if c := p.Change("volume.v"); c == nil || c.Action != Replace {
		t.Errorf("volume.v after an interrupted restore: %+v, want a replacement", c)
	}
	if c := p.Change("volume.w"); c == nil || c.Action != NoOp {
		t.Errorf("volume.w after an interrupted backup: %+v, want no change", c)
	}
	f.apply(p)
	if v, w := f.volumeAt("volume.v"), f.volumeAt("volume.w"); v.Status != "available" || w.Status != "available" {
		t.Errorf("after the apply: v %s, w %s", v.Status, w.Status)
	}
}

func TestABackupDeletedOutsideSlabIsDriftAndTakenAgain(t *testing.T) {
	const cfg = backupBase + `
volume "v" { size = 1 }
backup "a" {
  volume     = volume.v
  repository = backup_repository.nas
}
backup "b" {
  volume     = volume.v
  repository = backup_repository.nas
}
`
	f := newFixture(t, cfg)
	f.apply(f.mustPlan(Options{}))
	var a *state.Backup
	for _, b := range f.read().Backups {
		if b.Address == "backup.a" {
			a = b
		}
	}
	if err := os.RemoveAll(filepath.Join(f.dir, "repo", "backup-"+a.ID)); err != nil {
		t.Fatal(err)
	}
	p := f.mustPlan(Options{})
	if len(p.Drift) != 1 || p.Drift[0].Address != "backup.a" || p.Drift[0].Action != Delete {
		t.Fatalf("drift = %+v, want backup.a gone", p.Drift)
	}
	if c := p.Change("backup.a"); c == nil || c.Action != Create {
		t.Errorf("backup.a: %+v, want it taken again", c)
	}
	f.apply(p)
	if got := repoIDs(t, filepath.Join(f.dir, "repo")); len(got) != 2 {
		t.Errorf("repository holds %v after the retake", got)
	}

	// A repository that holds nothing at all (a share not mounted) is not
	// evidence that its backups are gone.
	if err := os.RemoveAll(filepath.Join(f.dir, "repo")); err != nil {
		t.Fatal(err)
	}
	if p := f.mustPlan(Options{}); len(p.Drift) != 0 || p.HasChanges() {
		t.Errorf("with the repository missing: drift %+v, changes %v", p.Drift, p.HasChanges())
	}
	if _, err := os.Stat(filepath.Join(f.dir, "repo")); !os.IsNotExist(err) {
		t.Errorf("planning created the missing repository directory: %v", err)
	}
}
