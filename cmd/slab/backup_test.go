package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slab-storage/slab/drivers/backup"
	"github.com/slab-storage/slab/drivers/backup/posix"
	"github.com/slab-storage/slab/state"
)

// writeRandom writes n random bytes at each offset of a volume file.
func writeRandom(t *testing.T, path string, n int, offsets ...int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, n)
	for _, off := range offsets {
		rand.Read(buf)
		if _, err := f.WriteAt(buf, off); err != nil {
			t.Fatal(err)
		}
	}
}

func backupAt(t *testing.T, rec *state.State, address string) *state.Backup {
	t.Helper()
	for _, b := range rec.Backups {
		if b.Address == address {
			return b
		}
	}
	t.Fatalf("no backup recorded at %s", address)
	return nil
}

func TestBackupsExampleThroughTheBinary(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, filepath.Join("..", "..", "examples", "backups"), dir)

	// The JSON plan shows both kinds of backup with why each is taken.
	r := mustSlab(t, dir, 0, "plan", "-json")
	var plan struct {
		Changes []struct {
			Address string `json:"address"`
			Type    string `json:"type"`
			Detail  string `json:"detail"`
			Change  struct {
				Actions []string       `json:"actions"`
				After   map[string]any `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil {
		t.Fatalf("plan -json: %v\n%s", err, r)
	}
	kinds := map[string]string{}
	for _, c := range plan.Changes {
		kinds[c.Address] = c.Type
		if strings.HasPrefix(c.Address, `backup_policy.daily["db@`) &&
			(c.Change.After["policy"] != "backup_policy.daily" || !strings.Contains(c.Detail, "due: the policy holds no available backup")) {
			t.Errorf("policy backup change: %+v", c)
		}
	}
	if kinds["backup.db-weekly"] != "backup" || len(kinds) != 4 {
		t.Errorf("plan -json changes: %v", kinds)
	}

	r = mustSlab(t, dir, 0, "apply", "-auto-approve")
	for _, want := range []string{"Plan: 4 to add, 0 to change, 0 to destroy.", "backup.db-weekly: backing up 100%", "volume.db-restored: restoring 100%"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Fatalf("apply output lacks %q:\n%s", want, r)
		}
	}
	rec, _ := readState(t, dir, "backups")
	if len(rec.Backups) != 2 || volumeAt(t, rec, "volume.db-restored").Status != "available" {
		t.Fatalf("recorded %d backups, restored volume %s", len(rec.Backups), volumeAt(t, rec, "volume.db-restored").Status)
	}
	// Nothing is due a second time within the policy's interval.
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")

	// Data written now is in the backup taken again with -replace.
	db := volumeAt(t, rec, "volume.db").ProviderLocation
	writeRandom(t, db, 1<<20, 0, 300<<20, 1500<<20)
	r = mustSlab(t, dir, 1, "apply", "-auto-approve", "-replace=backup.db-weekly")
	if !strings.Contains(r.stderr, "backup.db-weekly") {
		t.Errorf("replacing a backup unattended is not refused as data loss:\n%s", r)
	}
	mustSlab(t, dir, 0, "apply", "-auto-approve", "-allow-data-loss", "-replace=backup.db-weekly")
	want, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	writeRandom(t, db, 4096, 0) // after the backup

	r = mustSlab(t, dir, 0, "restore", "backup.db-weekly", "-to", "volume.db-restored")
	if !strings.Contains(r.stdout, "Restored backup.db-weekly") {
		t.Errorf("restore output: %s", r)
	}
	rec, _ = readState(t, dir, "backups")
	restored := volumeAt(t, rec, "volume.db-restored")
	got, err := os.ReadFile(restored.ProviderLocation)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) || restored.Status != "available" {
		t.Errorf("restored volume (%s) differs from the volume at backup time", restored.Status)
	}

	r = mustSlab(t, dir, 0, "backup", "list", "-json")
	var rows []struct {
		Address string `json:"address"`
		ID      string `json:"id"`
		Status  string `json:"status"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("backup list -json: %v\n%s", err, r)
	}
	r = mustSlab(t, dir, 0, "backup", "list")
	if !strings.Contains(r.stdout, "backup.db-weekly") || !strings.Contains(r.stdout, `backup_policy.daily["db@`) {
		t.Errorf("backup list:\n%s", r.stdout)
	}
	weekly := backupAt(t, rec, "backup.db-weekly")
	mustSlab(t, dir, 0, "backup", "verify", "backup.db-weekly")
	mustSlab(t, dir, 0, "backup", "verify", weekly.ID)

	// Flip one bit in an object: verify and restore name the backup and
	// the object, and the target volume is left in error.
	chunks, _ := filepath.Glob(filepath.Join(dir, "backups", "backup-"+weekly.ID, "chunk-*"))
	if len(chunks) == 0 {
		t.Fatal("the backup stored no data object")
	}
	data, err := os.ReadFile(chunks[0])
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/3] ^= 1
	if err := os.WriteFile(chunks[0], data, 0o600); err != nil {
		t.Fatal(err)
	}
	object := filepath.Base(chunks[0])
	for _, args := range [][]string{{"backup", "verify", "backup.db-weekly"}, {"restore", "backup.db-weekly", "-to", "volume.db-restored"}} {
		r = mustSlab(t, dir, 1, args...)
		if !strings.Contains(r.stderr, weekly.ID) || !strings.Contains(r.stderr, object) {
			t.Errorf("slab %s does not name backup %s and object %s:\n%s", strings.Join(args, " "), weekly.ID, object, r)
		}
	}
	rec, _ = readState(t, dir, "backups")
	if v := volumeAt(t, rec, "volume.db-restored"); v.Status != "error" || !strings.Contains(v.StatusReason, object) {
		t.Errorf("after a failed restore the volume is %s (%s), want error naming the object", v.Status, v.StatusReason)
	}
	// A volume in error is not a restore target until it is repaired.
	r = mustSlab(t, dir, 1, "restore", "backup.db-weekly", "-to", "volume.db-restored")
	if !strings.Contains(r.stderr, "only into an available volume") {
		t.Errorf("restore into a volume in error: %s", r)
	}
}

func TestRestoreRefusesASmallerVolume(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, filepath.Join("..", "..", "examples", "backups"), dir)
	writeFile(t, dir, "small.hcl", "volume \"small\" { size = 1 }\n")
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	r := mustSlab(t, dir, 1, "restore", "backup.db-weekly", "-to", "volume.small")
	if !strings.Contains(r.stderr, "smaller than backup backup.db-weekly") {
		t.Errorf("restore into a smaller volume: %s", r)
	}
	r = mustSlab(t, dir, 1, "restore", "backup.nope", "-to", "volume.small")
	if !strings.Contains(r.stderr, "no recorded backup is backup.nope") {
		t.Errorf("restore of an unknown backup: %s", r)
	}
}

func TestKillingAnApplyDuringABackupLeavesNoCompleteLookingBackup(t *testing.T) {
	dir := t.TempDir()
	pool := `
backend "local" {
  driver = "file"
  pool "p" { path = "pool" }
}
volume "v" { size = 1 }
`
	writeFile(t, dir, "main.hcl", pool)
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	rec, _ := readState(t, dir, "default")
	// Random data compresses slowly with gzip: the backup takes long
	// enough to be killed halfway.
	writeRandom(t, volumeAt(t, rec, "volume.v").ProviderLocation, 8<<20, 0, 64<<20, 128<<20, 192<<20, 256<<20, 320<<20, 384<<20, 448<<20,
		512<<20, 576<<20, 640<<20, 704<<20, 768<<20, 832<<20, 896<<20, 960<<20)
	writeFile(t, dir, "main.hcl", pool+`
backup_repository "nas" {
  driver      = "posix"
  path        = "repo"
  compression = "gzip"
  chunk_size  = "1MiB"
}
backup "b" {
  volume     = volume.v
  repository = backup_repository.nas
}
`)
	p := startSlab(t, dir, nil, "apply", "-auto-approve", "-parallelism", "1").start(t)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if chunks, _ := filepath.Glob(filepath.Join(dir, "repo", "backup-*", "chunk-*")); len(chunks) >= 2 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()

	repo, err := posix.Open(filepath.Join(dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	complete, _, err := backup.List(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ = readState(t, dir, "default")
	if len(rec.Backups) != 1 || rec.Backups[0].Status == "available" {
		t.Fatalf("the apply finished before it was killed; the test proves nothing (%d backups)", len(rec.Backups))
	}
	if len(complete) != 0 {
		t.Errorf("the killed backup left %d backups that look complete", len(complete))
	}
	killed := rec.Backups[0]

	// The next apply (once the dead process's lock is broken) retakes it.
	r := mustSlab(t, dir, 1, "apply", "-auto-approve")
	id := regexp.MustCompile(`slab force-unlock (\S+)`).FindStringSubmatch(r.stderr)
	if id == nil {
		t.Fatalf("no lock named:\n%s", r)
	}
	mustSlab(t, dir, 0, "force-unlock", "-force", id[1])
	r = mustSlab(t, dir, 0, "apply", "-auto-approve")
	if !strings.Contains(r.stdout, "interrupted") {
		t.Errorf("the plan does not say the backup is retaken because it was interrupted:\n%s", r)
	}
	rec, _ = readState(t, dir, "default")
	if len(rec.Backups) != 1 || rec.Backups[0].Status != "available" || rec.Backups[0].ID == killed.ID {
		t.Fatalf("after the rerun: %+v", rec.Backups)
	}
	if v := volumeAt(t, rec, "volume.v"); v.Status != "available" {
		t.Errorf("volume is %s after the retaken backup", v.Status)
	}
	complete, _, _ = backup.List(ctx, repo)
	if len(complete) != 1 || complete[0].ID != rec.Backups[0].ID {
		t.Errorf("repository holds %d complete backups, want the retaken one", len(complete))
	}
	if ids, _ := repo.Backups(ctx); len(ids) != 1 {
		t.Errorf("repository holds objects of %v; the killed backup's partial objects should be gone", ids)
	}
	mustSlab(t, dir, 0, "backup", "verify", "backup.b")
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
}

func TestRevertToASnapshotThroughTheBinary(t *testing.T) {
	dir := t.TempDir()
	base := `
backend "local" {
  driver = "file"
  pool "p" { path = "pool" }
}
snapshot "before" { volume = volume.v }
`
	writeFile(t, dir, "main.hcl", base+`volume "v" { size = 1 }`)
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	rec, _ := readState(t, dir, "default")
	path := volumeAt(t, rec, "volume.v").ProviderLocation
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	writeRandom(t, path, 1<<20, 0, 512<<20)
	writeFile(t, dir, "main.hcl", base+`volume "v" {
  size      = 1
  revert_to = snapshot.before
}`)
	// A revert discards what was written since the snapshot.
	r := mustSlab(t, dir, 1, "apply", "-auto-approve")
	if !strings.Contains(r.stderr, "volume.v") || !strings.Contains(r.stderr, "-allow-data-loss") {
		t.Errorf("an unattended revert is not refused as data loss:\n%s", r)
	}
	r = mustSlab(t, dir, 0, "apply", "-auto-approve", "-allow-data-loss")
	if !strings.Contains(r.stdout, "reverts to snapshot.before") {
		t.Errorf("the plan does not say it reverts:\n%s", r)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the volume does not read as its snapshot after revert_to")
	}
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
}
