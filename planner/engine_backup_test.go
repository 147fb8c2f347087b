//go:build linux

package planner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slab-storage/slab/drivers/backup"
	"github.com/slab-storage/slab/drivers/backup/posix"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// A front end that manages one object at a time takes, chains, restores
// and deletes backups with the CLI's rules, reading repositories from the
// settings it was given.
func TestMakeObjectBackupsChainRestoreAndRefuseWhatTheCLIRefuses(t *testing.T) {
	f := newFixture(t, backupBase+"volume \"cli\" { size = 1 }\n")
	f.apply(f.mustPlan(Options{}))
	settings := f.config()
	pools := NewPoolSet(PoolSpecs(settings))
	t.Cleanup(func() { pools.Close() })
	mk := func(addr string, want *Object) (*Plan, string) {
		t.Helper()
		p, diags := MakeObject(context.Background(), f.read(), pools, addr, want, ObjectOptions{Settings: settings, Refresh: true})
		if diags.HasErrors() {
			return nil, diags.Error()
		}
		return p, ""
	}
	must := func(addr string, want *Object) *Change {
		t.Helper()
		p, diag := mk(addr, want)
		if diag != "" {
			t.Fatalf("%s: %s", addr, diag)
		}
		c := p.Change(addr)
		f.apply(p)
		return c
	}
	bk := func(name string, incremental bool) *Object {
		return &Object{Kind: "backup", Name: name, Attrs: providers.Attrs{
			"volume": "volume.tf", "repository": "backup_repository.nas", "incremental": incremental}}
	}
	backupAt := func(addr string) *state.Backup {
		t.Helper()
		for _, b := range f.read().Backups {
			if b.Address == addr {
				return b
			}
		}
		t.Fatalf("no backup at %s", addr)
		return nil
	}

	must("volume.tf", tfVolume(2, nil))
	path := f.volumeAt("volume.tf").ProviderLocation
	scribble(t, path, 0, 1<<30+7<<20)
	if c := must("backup.full", bk("full", false)); c.Action != Create || c.After["repository_path"] != filepath.Join(f.dir, "repo") {
		t.Fatalf("backup.full change = %+v, want a create in the declared repository", c)
	}
	full := backupAt("backup.full")
	scribble(t, path, 5<<20)
	c := must("backup.inc", bk("inc", true))
	if c.After["parent"] != full.ID || !strings.Contains(c.Detail, "incremental on "+full.ID) {
		t.Fatalf("backup.inc change = %+v, want an incremental on %s", c, full.ID)
	}
	inc := backupAt("backup.inc")
	if inc.ParentID != full.ID || FullBecauseGrown(f.read().Backups, inc) {
		t.Fatalf("backup.inc recorded with parent %q", inc.ParentID)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	scribble(t, path, 9<<20) // after the backup: must not show in the restore

	refusals := []struct {
		name, address string
		want          *Object
		diag          string
	}{
		{name: "deleting a backup an incremental chains to is refused", address: "backup.full",
			diag: "Backup has dependent incremental backups; backup.full (" + full.ID + ") has dependent incremental backups backup.inc"},
		{name: "a restore into a volume smaller than the backup is refused", address: "volume.small",
			want: &Object{Kind: "volume", Name: "small", Attrs: providers.Attrs{"size": int64(1), "source": "backup.inc"}},
			diag: "Volume is smaller than its backup; volume.small asks for 1 GiB but backup backup.inc holds 2 GiB"},
		{name: "a repository the settings do not declare is refused", address: "backup.elsewhere",
			want: &Object{Kind: "backup", Name: "elsewhere", Attrs: providers.Attrs{"volume": "volume.tf", "repository": "backup_repository.tape"}},
			diag: "unknown backup repository; backup_repository.tape, which no backup_repository block of the configuration declares (declared: backup_repository.nas)"},
		{name: "a backup of an unrecorded volume is refused", address: "backup.orphan",
			want: &Object{Kind: "backup", Name: "orphan", Attrs: providers.Attrs{"volume": "volume.gone", "repository": "backup_repository.nas"}},
			diag: "volume of backup.orphan names volume.gone, which is not recorded"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, diag := mk(tt.address, tt.want)
			for _, part := range strings.Split(tt.diag, "; ") {
				if !strings.Contains(diag, part) {
					t.Fatalf("diagnostics %q lack %q", diag, part)
				}
			}
		})
	}

	must("volume.restored", &Object{Kind: "volume", Name: "restored", Attrs: providers.Attrs{"size": int64(2), "source": "backup.inc"}})
	r := f.volumeAt("volume.restored")
	got, err := os.ReadFile(r.ProviderLocation)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != providers.StatusAvailable || r.SourceKind != "backup" || !bytes.Equal(got, want) {
		t.Fatalf("restored volume is %s from %q; same data as at backup.inc: %v", r.Status, r.SourceKind, bytes.Equal(got, want))
	}

	// A volume that grew gets a full backup, and that is told afterwards.
	must("volume.tf", tfVolume(3, nil))
	if c := must("backup.grown", bk("grown", true)); c.After["parent"] != nil || !strings.Contains(c.Detail, "grew") {
		t.Fatalf("backup.grown change = %+v, want a full backup because the volume grew", c)
	}
	grown := backupAt("backup.grown")
	if grown.ParentID != "" || !FullBecauseGrown(f.read().Backups, grown) {
		t.Fatalf("backup.grown recorded with parent %q, not noted as grown", grown.ParentID)
	}

	// Read finds a backup while its manifest is in the repository.
	rec := f.read()
	if _, found, err := ReadObject(context.Background(), rec, pools, state.KindBackup, grown.ID); err != nil || !found {
		t.Fatalf("ReadObject(backup.grown) = %v, %v", found, err)
	}
	repo, err := posix.Open(filepath.Join(f.dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	if err := backup.Delete(context.Background(), repo, grown.ID); err != nil {
		t.Fatal(err)
	}
	if _, found, err := ReadObject(context.Background(), rec, pools, state.KindBackup, grown.ID); err != nil || found {
		t.Fatalf("after its manifest was deleted: found %v, err %v", found, err)
	}

	// Dependents first, then the backup they chained to.
	if c := must("backup.inc", nil); c.Action != Delete {
		t.Fatalf("backup.inc: %s, want delete", c.Action)
	}
	if c := must("backup.full", nil); c.Action != Delete {
		t.Fatalf("backup.full: %s, want delete", c.Action)
	}
	if ids := repoIDs(t, filepath.Join(f.dir, "repo")); len(ids) != 0 {
		t.Fatalf("repository still holds %v", ids)
	}
}
