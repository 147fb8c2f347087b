//go:build linux

package provider

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// onePoolAndARepository: a file pool and a posix backup repository
// ("repo", relative to config_dir).
const onePoolAndARepository = `
backend "local" {
  driver            = "file"
  availability_zone = "az1"
  pool "p" {
    path = "POOLS/p"
  }
}
backup_repository "nas" {
  driver      = "posix"
  path        = "repo"
  compression = "zstd"
  chunk_size  = "1MiB"
}
`

// backupParts are the resources of the backup test, added step by step.
const (
	srcVolume = `
resource "slab_volume" "src" {
  name = "src"
  size = 2
}
`
	fullBackup = `
resource "slab_backup" "full" {
  name        = "full"
  volume_id   = slab_volume.src.id
  repository  = "nas"
  description = "before the upgrade"
}
`
	incBackup = `
resource "slab_backup" "inc" {
  name        = "inc"
  volume_id   = slab_volume.src.id
  repository  = "nas"
  incremental = true
  depends_on  = [slab_backup.full]
}
`
	restoredVolumes = `
resource "slab_volume" "from_inc" {
  name             = "from-inc"
  size             = slab_backup.inc.size
  source_backup_id = slab_backup.inc.id
}
resource "slab_volume" "from_full" {
  name             = "from-full"
  size             = 3
  source_backup_id = slab_backup.full.id
}
`
	tooSmall = `
resource "slab_volume" "small" {
  name             = "small"
  size             = 1
  source_backup_id = slab_backup.inc.id
}
`
)

// volumeFile is the path of a volume's file on its pool.
func volumeFile(s *terraform.State, name string) (string, error) {
	rs, ok := s.RootModule().Resources[name]
	if !ok {
		return "", fmt.Errorf("%s not in state", name)
	}
	return rs.Primary.Attributes["provider_location"], nil
}

// writeData writes a recognisable pattern, different for each mark, at a
// few offsets of a volume's file (the rest stays a hole).
func writeData(name string, mark byte) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		path, err := volumeFile(s, name)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		for i, off := range []int64{0, 3 << 20, 1<<30 + 5<<20} {
			if _, err := f.WriteAt(bytes.Repeat([]byte{mark, byte(i), 0x5a}, 100_000), off); err != nil {
				return err
			}
		}
		return nil
	}
}

// digestOf stores the SHA-256 of a volume's file, its size included.
func digestOf(name string, into *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		path, err := volumeFile(s, name)
		if err != nil {
			return err
		}
		*into, err = fileDigest(path, -1)
		return err
	}
}

// fileDigest hashes a file, or its first n bytes when n >= 0.
func fileDigest(path string, n int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	var r io.Reader = f
	if n >= 0 {
		r = io.LimitReader(f, n)
	}
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

// sameData checks that a restored volume's file holds, over its first
// gib GiB, the data digest saved at backup time.
func sameData(name string, gib int64, want *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		path, err := volumeFile(s, name)
		if err != nil {
			return err
		}
		got, err := fileDigest(path, gib<<30)
		if err != nil {
			return err
		}
		if got != *want {
			return fmt.Errorf("%s differs from the source volume at backup time", name)
		}
		return nil
	}
}

// slabCLI is a slab CLI configuration directory that reads the provider's
// stack and the same config_dir (pools and repositories).
func (e *env) slabCLI(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cli")
	pools, err := os.ReadFile(filepath.Join(e.dir, "backends.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("slab {\n  stack = %q\n  state = %q\n}\n", e.stack, e.db) +
		strings.ReplaceAll(string(pools), `path        = "repo"`, fmt.Sprintf("path        = %q", filepath.Join(e.dir, "repo")))
	writeFile(t, filepath.Join(dir, "main.hcl"), src)
	return dir
}

// cliSeesBackups checks that slab backup list and slab state list show
// the Terraform-made backups, with their chain, in the same catalog.
func cliSeesBackups(slab, dir string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		out, err := runSlab(slab, dir, "backup", "list", "-json")
		if err != nil {
			return err
		}
		var rows []struct {
			Address  string `json:"address"`
			ID       string `json:"id"`
			ParentID string `json:"parent_id"`
			Volume   string `json:"volume"`
			Status   string `json:"status"`
		}
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			return fmt.Errorf("%v\n%s", err, out)
		}
		ids := map[string]string{}
		for _, r := range rows {
			ids[r.Address] = r.ID
			if r.Volume != "volume.src" || r.Status != "available" {
				return fmt.Errorf("slab backup list: %+v", r)
			}
		}
		full, inc := s.RootModule().Resources["slab_backup.full"], s.RootModule().Resources["slab_backup.inc"]
		if len(rows) != 2 || ids["backup.full"] != full.Primary.ID || ids["backup.inc"] != inc.Primary.ID {
			return fmt.Errorf("slab backup list shows %+v", rows)
		}
		for _, r := range rows {
			if r.Address == "backup.inc" && r.ParentID != full.Primary.ID {
				return fmt.Errorf("slab backup list: backup.inc chains to %q, want %s", r.ParentID, full.Primary.ID)
			}
		}
		out, err = runSlab(slab, dir, "state", "list")
		if err != nil {
			return err
		}
		want := "backup.full backup.inc volume.from-full volume.from-inc volume.src"
		if got := strings.Join(strings.Fields(out), " "); got != want {
			return fmt.Errorf("slab state list = %q, want %q", got, want)
		}
		// The CLI's own reading of the backup: every object intact.
		_, err = runSlab(slab, dir, "backup", "verify", "backup.inc")
		return err
	}
}

// repositoryHolds checks how many backups the repository directory holds.
func (e *env) repositoryHolds(n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, _ := filepath.Glob(filepath.Join(e.dir, "repo", "backup-*"))
		if len(got) != n {
			return fmt.Errorf("the repository holds %v, want %d backups", got, n)
		}
		return nil
	}
}

// checkNoBackups is CheckDestroy for the backup test: nothing recorded,
// no volume file left and the repository emptied.
func (e *env) checkNoBackups(s *terraform.State) error {
	if err := e.checkEmpty(s); err != nil {
		return err
	}
	if n := len(e.record().Backups); n != 0 {
		return fmt.Errorf("%d backups still recorded", n)
	}
	return e.repositoryHolds(0)(s)
}

func TestAccBackupsChainRestoreImportAndShareTheCatalogWithTheCLI(t *testing.T) {
	e := newEnv(t, onePoolAndARepository)
	slab := buildBinary(t, "./cmd/slab", t.TempDir(), "slab")
	cli := e.slabCLI(t)
	var atFull, atInc, srcID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             e.checkNoBackups,
		Steps: []resource.TestStep{
			{
				Config: e.config(srcVolume),
				Check:  resource.ComposeTestCheckFunc(writeData("slab_volume.src", 1), saveID("slab_volume.src", &srcID)),
			},
			{
				// A full backup, then the volume changes.
				Config: e.config(srcVolume + fullBackup),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("slab_backup.full", "status", "available"),
					resource.TestCheckNoResourceAttr("slab_backup.full", "parent_id"),
					resource.TestCheckResourceAttr("slab_backup.full", "incremental", "false"),
					resource.TestCheckResourceAttr("slab_backup.full", "size", "2"),
					resource.TestCheckResourceAttr("slab_backup.full", "full_because_volume_grew", "false"),
					resource.TestCheckResourceAttrPair("slab_backup.full", "volume_id", "slab_volume.src", "id"),
					resource.TestMatchResourceAttr("slab_backup.full", "created_at", regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)),
					digestOf("slab_volume.src", &atFull),
					writeData("slab_volume.src", 2),
				),
			},
			{
				// An incremental chains to it; the volume changes again.
				Config: e.config(srcVolume + fullBackup + incBackup),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("slab_backup.inc", "status", "available"),
					resource.TestCheckResourceAttrPair("slab_backup.inc", "parent_id", "slab_backup.full", "id"),
					resource.TestCheckResourceAttr("slab_backup.inc", "full_because_volume_grew", "false"),
					digestOf("slab_volume.src", &atInc),
					writeData("slab_volume.src", 3),
				),
			},
			{
				// Restores into new volumes hold the data of backup time,
				// and the CLI sees the same backups.
				Config: e.config(srcVolume + fullBackup + incBackup + restoredVolumes),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("slab_volume.from_inc", "status", "available"),
					resource.TestCheckResourceAttr("slab_volume.from_inc", "size", "2"),
					resource.TestCheckResourceAttr("slab_volume.from_full", "status", "available"),
					fileSize("slab_volume.from_full", 3),
					sameData("slab_volume.from_inc", 2, &atInc),
					sameData("slab_volume.from_full", 2, &atFull),
					e.repositoryHolds(2),
					cliSeesBackups(slab, cli),
				),
			},
			{ResourceName: "slab_backup.full", ImportState: true, ImportStateVerify: true},
			{ResourceName: "slab_backup.inc", ImportState: true, ImportStateVerify: true},
			{ResourceName: "slab_volume.from_inc", ImportState: true, ImportStateVerify: true},
			{
				// A restore into a volume smaller than the backup fails at
				// plan time and changes nothing.
				Config:      e.config(srcVolume + fullBackup + incBackup + restoredVolumes + tooSmall),
				ExpectError: wrapped("Volume is smaller than its backup", "volume.small asks for 1 GiB but backup backup.inc holds 2 GiB", "Set size to 2 or more"),
			},
			{
				// The full backup cannot go while the incremental chains
				// to it: refused, and both stay.
				Config: e.config(srcVolume + strings.Replace(incBackup, "depends_on  = [slab_backup.full]", "", 1) +
					strings.Replace(restoredVolumes, "source_backup_id = slab_backup.full.id", "", 1)),
				ExpectError: wrapped("Backup has dependent incremental backups", "backup.full", "has dependent incremental backups backup.inc", "Destroy the dependents' slab_backup resources first"),
			},
			{
				Config: e.config(srcVolume + fullBackup + incBackup + restoredVolumes),
				Check: resource.ComposeTestCheckFunc(
					compareID("slab_volume.src", &srcID, true),
					func(*terraform.State) error {
						rec := e.record()
						if len(rec.Volumes) != 3 || len(rec.Backups) != 2 {
							return fmt.Errorf("recorded %d volumes and %d backups, want 3 and 2", len(rec.Volumes), len(rec.Backups))
						}
						return nil
					},
					cliSeesBackups(slab, cli),
				),
			},
		},
	})
}

func TestAccAnIncrementalOfAVolumeThatGrewIsTakenFull(t *testing.T) {
	e := newEnv(t, onePoolAndARepository)
	vol := func(size int) string {
		return fmt.Sprintf("resource \"slab_volume\" \"src\" {\n  name = \"src\"\n  size = %d\n}\n", size)
	}
	var full string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             e.checkNoBackups,
		Steps: []resource.TestStep{
			{Config: e.config(vol(1) + fullBackup), Check: saveID("slab_backup.full", &full)},
			{
				Config: e.config(vol(2) + fullBackup + incBackup),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckNoResourceAttr("slab_backup.inc", "parent_id"),
					resource.TestCheckResourceAttr("slab_backup.inc", "incremental", "true"),
					resource.TestCheckResourceAttr("slab_backup.inc", "full_because_volume_grew", "true"),
					resource.TestCheckResourceAttr("slab_backup.inc", "size", "2"),
				),
			},
			{ResourceName: "slab_backup.inc", ImportState: true, ImportStateVerify: true},
			{
				// A repository config_dir does not declare fails at plan.
				Config: e.config(vol(2) + fullBackup + incBackup +
					strings.NewReplacer(`"full"`, `"other"`, `"nas"`, `"tape"`).Replace(fullBackup)),
				ExpectError: wrapped("Reference to an unknown backup repository", "backup_repository.tape", "(declared: backup_repository.nas)"),
			},
			{
				// Backups are immutable: a new description takes a new
				// one (nothing chains to the full backup here).
				Config: e.config(vol(2) + strings.Replace(fullBackup, "before the upgrade", "after", 1) + incBackup),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("slab_backup.full", plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction("slab_backup.inc", plancheck.ResourceActionNoop),
				}},
				Check: resource.ComposeTestCheckFunc(
					compareID("slab_backup.full", &full, false),
					resource.TestCheckResourceAttr("slab_backup.full", "description", "after"),
					saveID("slab_backup.full", &full),
				),
			},
			{
				// A backup recorded as failed is taken again.
				PreConfig: func() { e.markStatus("backup.full", "error") },
				Config:    e.config(vol(2) + strings.Replace(fullBackup, "before the upgrade", "after", 1) + incBackup),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("slab_backup.full", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					compareID("slab_backup.full", &full, false),
					resource.TestCheckResourceAttr("slab_backup.full", "status", "available"),
				),
			},
		},
	})
}

// wrapped matches phrases in order in a diagnostic, however the CLI
// wraps its lines.
func wrapped(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		parts[i] = strings.ReplaceAll(regexp.QuoteMeta(p), " ", `\s+`)
	}
	return regexp.MustCompile("(?s)" + strings.Join(parts, ".*"))
}
